/**
 * @module alerts
 * Alert rules on metrics (issue 17): a rule compares one value — an error rate, a p99, a count
 * over a window, the dead letters or the oldest message age of a function's async queue, a
 * budget's percent spent — with a threshold. Evaluated on an injected-clock interval (default
 * every 30 s). A rule is `ok`, `pending` (true, for less than its `forSec`) or `firing`; only
 * the transitions to firing and back to ok notify (deduplicated: one event each), as CloudEvents
 * on a topic of the tenant (`nimbus.alert.firing` / `nimbus.alert.resolved`: subscribe a
 * webhook, a function or another topic to it) and/or as an async invocation of a function.
 * Rules and their states are kept in the settings store (per tenant), so a restart neither
 * forgets a firing alert nor announces it again.
 */
import { randomUUID } from 'node:crypto';
import { defineErrors } from '../core/errors.ts';
import type { Clock, MetricRollup, MetricRollupRepo, SettingsRepo } from '../core/ports.ts';
import type { TenantId } from '../core/types.ts';
import type { ActivityWindows } from '../observability/windows.ts';

export const AlertErrors = defineErrors('ALERT', {
  INVALID: {
    status: 400,
    kind: 'user',
    message: 'invalid alert rule: {reason}',
    hint: '{"metric": "error_rate", "op": ">", "threshold": 5, "windowSec": 300, "forSec": 60, "function"?: "name", "notify": [{"topic": "alerts"} | {"function": "pager"}]}',
  },
  NOT_FOUND: { status: 404, kind: 'user', message: 'alert {alert} does not exist' },
  TOO_MANY: { status: 400, kind: 'user', message: 'a tenant has at most {limit} alert rules' },
  METRICS_OFF: {
    status: 501,
    kind: 'user',
    message: 'alerts need metrics, and metrics are off on this platform',
    hint: 'start the platform without NIMBUS_METRICS=off',
  },
});

/** What a rule can watch. Windowed metrics read the 1-minute rollups (and the current minute). */
export const ALERT_METRICS = [
  'invocations',
  'errors',
  'error_rate',
  'throttles',
  'cold_starts',
  'duration_p99',
  'duration_avg',
  'dead_letters',
  'queue_age_sec',
  'budget_percent',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
const OPS = ['>', '>=', '<', '<=', '=='] as const;
type Op = (typeof OPS)[number];

export type AlertTarget =
  | { readonly topic: string }
  | { readonly function: string }
  | { readonly webhook: string };

export interface AlertRule {
  readonly name: string;
  readonly metric: AlertMetric;
  /** The function it watches (absent: every function of the tenant, summed). */
  readonly function?: string | undefined;
  /** `budget_percent`: which budget. */
  readonly budget?: string | undefined;
  readonly op: Op;
  readonly threshold: number;
  /** The window of windowed metrics (60 s steps, up to a day). */
  readonly windowSec: number;
  /** How long the condition must hold before the alert fires (0: at the first evaluation). */
  readonly forSec: number;
  readonly notify: readonly AlertTarget[];
  readonly description?: string | undefined;
}

export interface AlertState {
  readonly state: 'ok' | 'pending' | 'firing';
  /** Epoch ms the current state began. */
  readonly since: number;
  /** The last value (null: no data, e.g. an error rate without invocations). */
  readonly value: number | null;
  readonly evaluatedAt: number;
}

export interface AlertView extends AlertRule, AlertState {}

/** One minute of a function, as the rollups give it (the fields a rule reads). */
export type MinuteRow = Pick<
  MetricRollup,
  | 'functionName'
  | 'minute'
  | 'invocations'
  | 'errors'
  | 'throttles'
  | 'coldStarts'
  | 'durationSumMs'
  | 'durationP99Ms'
>;

export interface AlertDeps {
  readonly settings: SettingsRepo;
  readonly clock: Clock;
  /** Minute rows with from ≤ minute < to (written ones and the current, unwritten minute). */
  readonly minutes: (
    tenant: TenantId,
    fn: string | undefined,
    from: number,
    to: number,
  ) => Promise<MinuteRow[]>;
  /** The async queue of each function of the tenant: dead letters and oldest age. */
  readonly queues?: (
    tenant: TenantId,
  ) => Promise<{ functionName: string; dead: number; oldestAgeMs: number }[]>;
  /** A budget's percent spent (undefined: no such budget). */
  readonly budgetPercent?: (tenant: TenantId, name: string) => Promise<number | undefined>;
  readonly publish?: (tenant: TenantId, topic: string, event: Record<string, unknown>) => Promise<unknown>;
  readonly invokeAsync?: (
    tenant: TenantId,
    fn: string,
    payload: string,
    idempotencyKey: string,
  ) => Promise<unknown>;
  /** Queues a POST of a CloudEvent to a URL (retried, under the platform's egress policy). */
  readonly postWebhook?: (
    tenant: TenantId,
    url: string,
    cloudEvent: string,
    dedupeKey: string,
  ) => Promise<unknown>;
  readonly intervalMs?: number;
  readonly onError?: (e: unknown, what: string) => void;
}

export interface AlertService {
  /** Loads rules and states and evaluates every interval (again after `pause`). */
  start(): Promise<void>;
  /** Stops evaluating (cluster mode: this node is no longer the leader); reads still work. */
  pause(): void;
  /** Reads rules and states again (another node changed them). */
  reload(): Promise<void>;
  close(): void;
  /** Evaluates every rule now (the timer calls it). */
  evaluate(): Promise<void>;
  put(tenant: TenantId, name: string, body: unknown): Promise<AlertView>;
  get(tenant: TenantId, name: string): Promise<AlertView>;
  list(tenant: TenantId): Promise<AlertView[]>;
  delete(tenant: TenantId, name: string): Promise<void>;
}

const RULES = 'alerts.rules';
const STATES = 'alerts.states';
const MAX_RULES = 100;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Validates a rule body (the name comes from the path); every problem is a coded 400. */
export function parseAlertRule(name: string, body: unknown): AlertRule {
  const bad = (reason: string) => AlertErrors.INVALID({ reason });
  if (!NAME.test(name)) throw bad('a name is 1–64 letters, digits, _ . -');
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw bad('the body is a JSON object');
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (
      ![
        'metric',
        'function',
        'budget',
        'op',
        'threshold',
        'windowSec',
        'forSec',
        'notify',
        'description',
      ].includes(k)
    )
      throw bad(`unknown field ${k.slice(0, 40)}`);
  if (!(ALERT_METRICS as readonly unknown[]).includes(o.metric))
    throw bad(`metric is one of ${ALERT_METRICS.join(', ')}`);
  const metric = o.metric as AlertMetric;
  const op = (o.op ?? '>') as Op;
  if (!OPS.includes(op)) throw bad(`op is one of ${OPS.join(' ')}`);
  if (typeof o.threshold !== 'number' || !Number.isFinite(o.threshold)) throw bad('threshold is a number');
  const windowSec = o.windowSec ?? 300;
  if (
    typeof windowSec !== 'number' ||
    !Number.isInteger(windowSec) ||
    windowSec < 60 ||
    windowSec > 86_400 ||
    windowSec % 60 !== 0
  )
    throw bad('windowSec is a multiple of 60 from 60 to 86400');
  const forSec = o.forSec ?? 0;
  if (typeof forSec !== 'number' || !Number.isInteger(forSec) || forSec < 0 || forSec > 86_400)
    throw bad('forSec is 0..86400');
  const fn = o.function;
  if (fn !== undefined && (typeof fn !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(fn)))
    throw bad('function is a function name');
  const budget = o.budget;
  if (metric === 'budget_percent' && (typeof budget !== 'string' || !NAME.test(budget)))
    throw bad('budget_percent needs budget: the name of a budget');
  if (metric !== 'budget_percent' && budget !== undefined) throw bad('budget is only for budget_percent');
  const notify = o.notify ?? [];
  if (!Array.isArray(notify) || notify.length > 10) throw bad('notify is a list of at most 10 targets');
  const targets: AlertTarget[] = notify.map((t: unknown) => {
    const x = t as Record<string, unknown> | null;
    if (
      x &&
      typeof x.topic === 'string' &&
      Object.keys(x).length === 1 &&
      /^[A-Za-z0-9_.-]{1,128}$/.test(x.topic)
    )
      return { topic: x.topic };
    if (
      x &&
      typeof x.function === 'string' &&
      Object.keys(x).length === 1 &&
      /^[A-Za-z0-9_-]{1,64}$/.test(x.function)
    )
      return { function: x.function };
    if (x && typeof x.webhook === 'string' && Object.keys(x).length === 1 && webhookUrl(x.webhook))
      return { webhook: x.webhook };
    throw bad('a notify target is {"topic": name}, {"function": name} or {"webhook": "https://…"}');
  });
  const description = o.description;
  if (description !== undefined && (typeof description !== 'string' || description.length > 512))
    throw bad('description is a string of at most 512 characters');
  return {
    name,
    metric,
    function: fn as string | undefined,
    budget: budget as string | undefined,
    op,
    threshold: o.threshold,
    windowSec,
    forSec,
    notify: targets,
    description: description as string | undefined,
  };
}

/** An http(s) URL of at most 2,048 characters (what it may reach is checked at delivery). */
function webhookUrl(u: string): boolean {
  if (u.length > 2048) return false;
  try {
    const url = new URL(u);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

const compare = (v: number, op: Op, t: number) =>
  op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : op === '<=' ? v <= t : v === t;

/** The value of a windowed metric over minute rows (null: no data). */
export function windowValue(metric: AlertMetric, rows: readonly MinuteRow[]): number | null {
  let inv = 0;
  let err = 0;
  let thr = 0;
  let cold = 0;
  let sum = 0;
  let p99: number | null = null;
  for (const r of rows) {
    inv += r.invocations;
    err += r.errors;
    thr += r.throttles;
    cold += r.coldStarts;
    sum += r.durationSumMs;
    if (r.invocations > 0 && r.durationP99Ms !== null && (p99 === null || r.durationP99Ms > p99))
      p99 = r.durationP99Ms;
  }
  switch (metric) {
    case 'invocations':
      return inv;
    case 'errors':
      return err;
    case 'throttles':
      return thr;
    case 'cold_starts':
      return cold;
    case 'error_rate':
      return inv === 0 ? null : (err / inv) * 100;
    case 'duration_avg':
      return inv === 0 ? null : sum / inv;
    case 'duration_p99':
      return p99;
    default:
      return null;
  }
}

const INITIAL: AlertState = { state: 'ok', since: 0, value: null, evaluatedAt: 0 };

export function createAlertService(d: AlertDeps): AlertService {
  /** tenant → its rules and their states (loaded at start, written through on change). */
  const rules = new Map<TenantId, AlertRule[]>();
  const states = new Map<TenantId, Map<string, AlertState>>();
  let cancel = () => {};
  let closed = false;
  // Cluster mode: only the leader evaluates (the others keep the rules for reads).
  let paused = false;
  let running: Promise<void> = Promise.resolve();

  const stateOf = (tenant: TenantId, name: string) => states.get(tenant)?.get(name) ?? INITIAL;
  const saveStates = (tenant: TenantId) =>
    d.settings
      .put(tenant, STATES, Object.fromEntries(states.get(tenant) ?? []))
      .catch((e) => d.onError?.(e, 'alert states'));

  async function measure(tenant: TenantId, r: AlertRule, now: number): Promise<number | null> {
    switch (r.metric) {
      case 'dead_letters':
      case 'queue_age_sec': {
        const qs = ((await d.queues?.(tenant)) ?? []).filter(
          (q) => !r.function || q.functionName === r.function,
        );
        if (r.metric === 'dead_letters') return qs.reduce((n, q) => n + q.dead, 0);
        return qs.reduce((m, q) => Math.max(m, q.oldestAgeMs / 1000), 0);
      }
      case 'budget_percent':
        return (await d.budgetPercent?.(tenant, r.budget!)) ?? null;
      default: {
        const minute = now - (now % 60_000);
        // The window ends with the current minute (partial): e.g. 300 s = the last 4 full minutes + now.
        const from = minute - (r.windowSec - 60) * 1000;
        return windowValue(r.metric, await d.minutes(tenant, r.function, from, minute + 60_000));
      }
    }
  }

  async function notify(
    tenant: TenantId,
    r: AlertRule,
    s: AlertState,
    kind: 'firing' | 'resolved',
  ): Promise<void> {
    const data = {
      alert: r.name,
      state: kind,
      metric: r.metric,
      function: r.function ?? null,
      budget: r.budget ?? null,
      op: r.op,
      threshold: r.threshold,
      value: s.value,
      windowSec: r.windowSec,
      since: new Date(s.since).toISOString(),
      description: r.description ?? null,
    };
    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'nimbus.alerts',
      type: `nimbus.alert.${kind}`,
      subject: r.name,
      time: new Date(d.clock.now()).toISOString(),
      datacontenttype: 'application/json',
      data,
    };
    for (const t of r.notify) {
      try {
        if ('topic' in t) await d.publish?.(tenant, t.topic, event);
        else if ('webhook' in t)
          await d.postWebhook?.(
            tenant,
            t.webhook,
            JSON.stringify(event),
            `alert:${r.name}:${kind}:${s.since}`,
          );
        else {
          // One invocation per transition: the key dedupes a repeated evaluation.
          await d.invokeAsync?.(
            tenant,
            t.function,
            JSON.stringify(data),
            `alert:${r.name}:${kind}:${s.since}`,
          );
        }
      } catch (e) {
        d.onError?.(e, `alert ${r.name} notification`);
      }
    }
  }

  async function evaluateTenant(tenant: TenantId, now: number): Promise<void> {
    let changed = false;
    const map = states.get(tenant) ?? new Map<string, AlertState>();
    states.set(tenant, map);
    for (const r of rules.get(tenant) ?? []) {
      let value: number | null;
      try {
        value = await measure(tenant, r, now);
      } catch (e) {
        d.onError?.(e, `alert ${r.name} evaluation`);
        continue;
      }
      const prev = map.get(r.name) ?? INITIAL;
      const hit = value !== null && compare(value, r.op, r.threshold);
      let next: AlertState;
      if (!hit)
        next = { state: 'ok', since: prev.state === 'ok' ? prev.since : now, value, evaluatedAt: now };
      else if (prev.state === 'firing') next = { ...prev, value, evaluatedAt: now };
      else {
        const pendingSince = prev.state === 'pending' ? prev.since : now;
        next =
          now - pendingSince >= r.forSec * 1000
            ? { state: 'firing', since: now, value, evaluatedAt: now }
            : { state: 'pending', since: pendingSince, value, evaluatedAt: now };
      }
      map.set(r.name, next);
      if (next.state !== prev.state) changed = true;
      if (next.state === 'firing' && prev.state !== 'firing') await notify(tenant, r, next, 'firing');
      if (next.state === 'ok' && prev.state === 'firing') await notify(tenant, r, next, 'resolved');
    }
    if (changed) await saveStates(tenant);
  }

  const evaluate = (): Promise<void> => {
    running = running.then(async () => {
      const now = d.clock.now();
      for (const tenant of rules.keys()) await evaluateTenant(tenant, now);
    });
    return running;
  };

  const load = async () => {
    const nextRules = new Map<TenantId, AlertRule[]>();
    for (const { tenant, value } of await d.settings.listKey<{ rules: AlertRule[] }>(RULES))
      if (value.rules.length > 0) nextRules.set(tenant, value.rules);
    const nextStates = new Map<TenantId, Map<string, AlertState>>();
    for (const { tenant, value } of await d.settings.listKey<Record<string, AlertState>>(STATES))
      nextStates.set(tenant, new Map(Object.entries(value)));
    rules.clear();
    for (const [t, r] of nextRules) rules.set(t, r);
    states.clear();
    for (const [t, st] of nextStates) states.set(t, st);
  };

  const arm = () => {
    if (closed || paused) return;
    cancel = d.clock.setTimeout(() => {
      void evaluate().finally(arm);
    }, d.intervalMs ?? 30_000);
  };

  const view = (tenant: TenantId, r: AlertRule): AlertView => ({ ...r, ...stateOf(tenant, r.name) });

  return {
    async start() {
      paused = false;
      cancel();
      await load();
      arm();
    },
    pause() {
      paused = true;
      cancel();
    },
    reload: load,
    close() {
      closed = true;
      cancel();
    },
    evaluate,
    async put(tenant, name, body) {
      const rule = parseAlertRule(name, body);
      const list = (rules.get(tenant) ?? []).filter((r) => r.name !== name);
      if (list.length >= MAX_RULES) throw AlertErrors.TOO_MANY({ limit: MAX_RULES });
      list.push(rule);
      list.sort((a, b) => a.name.localeCompare(b.name));
      await d.settings.put(tenant, RULES, { rules: list });
      rules.set(tenant, list);
      // A changed rule starts from ok: its old state was about another condition.
      if (states.get(tenant)?.delete(name)) await saveStates(tenant);
      return view(tenant, rule);
    },
    async get(tenant, name) {
      const r = rules.get(tenant)?.find((x) => x.name === name);
      if (!r) throw AlertErrors.NOT_FOUND({ alert: name });
      return view(tenant, r);
    },
    async list(tenant) {
      return (rules.get(tenant) ?? []).map((r) => view(tenant, r));
    },
    async delete(tenant, name) {
      const list = rules.get(tenant) ?? [];
      if (!list.some((r) => r.name === name)) throw AlertErrors.NOT_FOUND({ alert: name });
      const rest = list.filter((r) => r.name !== name);
      await d.settings.put(tenant, RULES, { rules: rest });
      if (rest.length > 0) rules.set(tenant, rest);
      else rules.delete(tenant);
      if (states.get(tenant)?.delete(name)) await saveStates(tenant);
    },
  };
}

/**
 * The minutes a rule reads: the rows the rollup writer stored, plus the ones it has not written
 * yet (the current minute, and ended minutes waiting for its next tick).
 */
export function rollupMinutes(repo: MetricRollupRepo, windows: ActivityWindows): AlertDeps['minutes'] {
  return async (tenant, fn, from, to) => {
    const stored = await repo.query({ tenant, functionName: fn, from, to });
    const seen = new Set(stored.map((r) => `${r.functionName}\u0000${r.minute}`));
    const live = windows
      .unwritten(tenant, fn)
      .filter((r) => r.minute >= from && r.minute < to && !seen.has(`${r.functionName}\u0000${r.minute}`));
    return [...stored, ...live];
  };
}
