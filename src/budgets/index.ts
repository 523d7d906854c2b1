/**
 * @module budgets
 * Budgets with hard caps (issue 17). A budget limits what a tenant (or one of its functions)
 * spends in a period. The spend is kept in memory — loaded from the usage records when a budget
 * is loaded, then raised by every invocation as it ends (`record`) — so the admission check on the
 * invoke path (`admit`) is a map lookup and a comparison, never a store read. At each threshold
 * the budget's topic gets a CloudEvent; at the cap, a `block` budget refuses new invocations with
 * a 429 `NIMBUS_ERR_BUDGET_EXCEEDED` until the period rolls over or the limit is raised.
 *
 * What is exact and what is not: invocations already admitted when the cap is reached finish and
 * are billed, so a period's spend can end above the limit by what was in flight (at most the
 * function concurrency × one invocation's cost). The spend loaded at start-up is the store's after
 * a flush of the record sink, so invocations that end while it loads may be counted twice (the
 * error is on the safe side: a cap reached early, by at most one flush interval's invocations).
 */
import { randomUUID } from 'node:crypto';
import { defineErrors } from '../core/errors.ts';
import type { Clock, Store } from '../core/ports.ts';
import type { BudgetRecord, TenantId, UsageRecord } from '../core/types.ts';

export const BudgetErrors = defineErrors('BUDGET', {
  EXCEEDED: {
    status: 429,
    kind: 'user',
    message:
      'budget {budget} is spent ({spentUsd} of {limitUsd} USD since {periodStart}); invocations of {function} are refused until {resumesAt}',
    hint: 'raise the budget limit (nimbus budgets set) or wait for the period to roll over',
    retryable: true,
  },
  NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'budget {budget} does not exist',
    hint: 'list budgets with nimbus budgets list',
  },
  INVALID: {
    status: 400,
    kind: 'user',
    message: 'invalid budget: {reason}',
    hint: '{"limitUsd": 50, "period": "monthly" | {"days": 7}, "thresholds": [50, 80, 100], "action": "block" | "notify", "function"?: "name", "topic"?: "topic-name"}',
  },
});

const DAY = 86_400_000;

/** The period containing `now`: [start, end). */
export function periodAt(
  b: Pick<BudgetRecord, 'period' | 'anchor'>,
  now: number,
): { start: number; end: number } {
  if (b.period.kind === 'monthly') {
    const d = new Date(now);
    return {
      start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
      end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
    };
  }
  const len = b.period.days * DAY;
  const start = b.anchor + Math.floor((now - b.anchor) / len) * len;
  return { start, end: start + len };
}

/** What a user sends to create or replace a budget (validated by `parseBudgetInput`). */
export interface BudgetInput {
  readonly limitUsd: number;
  readonly period: BudgetRecord['period'];
  readonly thresholds: readonly number[];
  readonly action: BudgetRecord['action'];
  readonly functionName?: string | undefined;
  readonly topic?: string | undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseBudgetName(name: string): string {
  if (!NAME.test(name)) throw BudgetErrors.INVALID({ reason: 'a name is 1–64 letters, digits, _ . -' });
  return name;
}

/** Validates a JSON body; every problem is a coded 400. */
export function parseBudgetInput(body: unknown): BudgetInput {
  const bad = (reason: string) => BudgetErrors.INVALID({ reason });
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw bad('the body is a JSON object');
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['limitUsd', 'period', 'thresholds', 'action', 'function', 'topic'].includes(k))
      throw bad(`unknown field ${k.slice(0, 40)}`);
  const limitUsd = o.limitUsd;
  if (typeof limitUsd !== 'number' || !Number.isFinite(limitUsd) || limitUsd <= 0 || limitUsd > 1e9)
    throw bad('limitUsd is a number above 0 (and at most 1e9)');
  let period: BudgetRecord['period'] = { kind: 'monthly' };
  if (o.period !== undefined && o.period !== 'monthly') {
    const days = (o.period as { days?: unknown } | null)?.days;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 366)
      throw bad('period is "monthly" or {"days": 1..366}');
    period = { kind: 'days', days };
  }
  const thresholds = o.thresholds ?? [50, 80, 100];
  if (
    !Array.isArray(thresholds) ||
    thresholds.length > 10 ||
    !thresholds.every((t) => typeof t === 'number' && Number.isFinite(t) && t > 0 && t <= 1000)
  )
    throw bad('thresholds is an array of at most 10 percentages in (0, 1000]');
  const action = o.action ?? 'block';
  if (action !== 'block' && action !== 'notify') throw bad('action is "block" or "notify"');
  const fn = o.function;
  if (fn !== undefined && (typeof fn !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(fn)))
    throw bad('function is a function name');
  const topic = o.topic;
  if (topic !== undefined && (typeof topic !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(topic)))
    throw bad('topic is a topic name');
  return {
    limitUsd,
    period,
    thresholds: [...new Set(thresholds as number[])].sort((a, b) => a - b),
    action,
    functionName: fn as string | undefined,
    topic: topic as string | undefined,
  };
}

/** A budget with its live spend in the current period. */
export interface BudgetStatus extends BudgetRecord {
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly spentUsd: number;
  readonly percent: number;
  /** A `block` budget at or over its limit: its invocations are refused. */
  readonly blocking: boolean;
}

interface Live {
  b: BudgetRecord;
  start: number;
  end: number;
  spent: number;
}

/**
 * What one node's invocations of a function cost since it last said so (cluster mode: the other
 * nodes add it to their spends, so a cap holds cluster-wide within a second, not at the next
 * reload). `at`: the latest invocation's start (a delta from before a budget's period is ignored).
 */
export interface SpendDelta {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly costUsd: number;
  readonly at: number;
}

export interface BudgetDeps {
  readonly store: Pick<Store, 'budgets' | 'usage'>;
  readonly clock: Clock;
  /** Writes the invocation records held in memory (before spends are read from the store). */
  readonly flush: () => Promise<void>;
  /** Publishes a threshold event to a topic of the tenant. */
  readonly publish?: (tenant: TenantId, topic: string, event: Record<string, unknown>) => Promise<unknown>;
  readonly onError?: (e: unknown, what: string) => void;
  /** Cluster mode: keep this node's spend for `takeSpendDeltas` (a single node has no one to tell). */
  readonly shareSpend?: boolean;
}

export interface BudgetService {
  /** Loads every budget and its spend; call once before invocations are admitted. */
  start(): Promise<void>;
  /**
   * Reads every budget and its spend again (cluster mode: budgets changed on another node, and
   * the spend of the other nodes' invocations, as of their last record flush).
   */
  reload(): Promise<void>;
  /** Throws BUDGET_EXCEEDED when a blocking budget of this function is spent. Synchronous. */
  admit(tenant: TenantId, functionName: string): void;
  /** When the earliest blocking budget of this function releases (period end), if one blocks now. */
  blockedUntil(tenant: TenantId, functionName: string): number | undefined;
  /** Adds finished invocations to the spends (the invoke path calls it as each one ends). */
  record(u: UsageRecord): void;
  /** Cluster mode: this node's spend since the last call, for the other nodes (then forgotten). */
  takeSpendDeltas(): SpendDelta[];
  /** Cluster mode: another node's spend deltas, added to the spends here. */
  addRemoteSpend(deltas: readonly SpendDelta[]): void;
  put(tenant: TenantId, name: string, input: BudgetInput): Promise<BudgetStatus>;
  get(tenant: TenantId, name: string): Promise<BudgetStatus>;
  list(tenant: TenantId): Promise<BudgetStatus[]>;
  delete(tenant: TenantId, name: string): Promise<void>;
}

export function createBudgetService(d: BudgetDeps): BudgetService {
  /** tenant → its budgets (absent: no budget, the common case). */
  const live = new Map<TenantId, Live[]>();
  /** Budgets being read again: they count new spend too, and replace their live one once read. */
  const loading = new Set<Live>();
  /** tenant\0function → spend not yet told to the other nodes (cluster mode only). */
  const unsent = new Map<string, { -readonly [K in keyof SpendDelta]: SpendDelta[K] }>();

  const roll = (l: Live, now: number) => {
    if (now < l.end && now >= l.start) return;
    const p = periodAt(l.b, now);
    l.start = p.start;
    l.end = p.end;
    l.spent = 0;
  };
  const applies = (l: Live, fn: string) => l.b.functionName === undefined || l.b.functionName === fn;
  const status = (l: Live): BudgetStatus => {
    roll(l, d.clock.now());
    const percent = (l.spent / l.b.limitUsd) * 100;
    return {
      ...l.b,
      periodStart: l.start,
      periodEnd: l.end,
      spentUsd: l.spent,
      percent,
      blocking: l.b.action === 'block' && l.spent >= l.b.limitUsd,
    };
  };

  /**
   * Reads a budget's spend and makes it live. Until the read is done, the budget it replaces (if
   * any) stays live, so a reload never lets a spent budget admit an invocation; the new one counts
   * the invocations that end meanwhile (see the module doc).
   */
  async function load(b: BudgetRecord): Promise<Live> {
    const p = periodAt(b, d.clock.now());
    const l: Live = { b, start: p.start, end: p.end, spent: 0 };
    loading.add(l);
    try {
      await d.flush();
      l.spent += await d.store.usage.costSince(b.tenant, b.functionName, l.start);
    } finally {
      loading.delete(l);
    }
    const list = (live.get(b.tenant) ?? []).filter((x) => x.b.name !== b.name);
    list.push(l);
    live.set(b.tenant, list);
    return l;
  }

  /** Adds `cost` of an invocation of `fn` started at `at` to the tenant's budgets (and those loading). */
  function add(tenant: TenantId, fn: string, cost: number, at: number): boolean {
    const now = d.clock.now();
    const counts = (l: Live) => {
      if (!applies(l, fn)) return false;
      roll(l, now);
      if (at < l.start) return false;
      l.spent += cost;
      return true;
    };
    let any = false;
    for (const l of live.get(tenant) ?? [])
      if (counts(l)) {
        any = true;
        announce(l);
      }
    for (const l of loading) if (l.b.tenant === tenant && counts(l)) any = true;
    return any;
  }

  function announce(l: Live): void {
    const pct = (l.spent / l.b.limitUsd) * 100;
    const already = l.b.notified?.periodStart === l.start ? l.b.notified.pct : 0;
    let crossed: number | undefined;
    for (const t of l.b.thresholds) if (t <= pct && t > already) crossed = t;
    if (crossed === undefined) return;
    l.b = { ...l.b, notified: { periodStart: l.start, pct: crossed } };
    const b = l.b;
    void d.store.budgets
      .setNotified(b.tenant, b.name, l.start, crossed)
      .catch((e) => d.onError?.(e, 'budget notified state'));
    if (!b.topic || !d.publish) return;
    const now = d.clock.now();
    void d
      .publish(b.tenant, b.topic, {
        specversion: '1.0',
        id: randomUUID(),
        source: 'nimbus.budgets',
        type: 'nimbus.budget.threshold',
        subject: b.name,
        time: new Date(now).toISOString(),
        datacontenttype: 'application/json',
        data: {
          budget: b.name,
          function: b.functionName ?? null,
          thresholdPercent: crossed,
          spentUsd: l.spent,
          limitUsd: b.limitUsd,
          action: b.action,
          blocking: b.action === 'block' && l.spent >= b.limitUsd,
          periodStart: new Date(l.start).toISOString(),
          periodEnd: new Date(l.end).toISOString(),
        },
      })
      .catch((e) => d.onError?.(e, `budget ${b.name} threshold event to topic ${b.topic}`));
  }

  const blockers = (tenant: TenantId, fn: string): Live[] => {
    const list = live.get(tenant);
    if (!list) return [];
    const now = d.clock.now();
    const out: Live[] = [];
    for (const l of list) {
      if (l.b.action !== 'block' || !applies(l, fn)) continue;
      roll(l, now);
      if (l.spent >= l.b.limitUsd) out.push(l);
    }
    return out;
  };

  return {
    async start() {
      for (const b of await d.store.budgets.listAll()) await load(b);
    },

    async reload() {
      const all = await d.store.budgets.listAll();
      const names = new Set(all.map((b) => `${b.tenant}\u0000${b.name}`));
      for (const [tenant, list] of live) {
        const keep = list.filter((l) => names.has(`${tenant}\u0000${l.b.name}`));
        if (keep.length > 0) live.set(tenant, keep);
        else live.delete(tenant);
      }
      for (const b of all) await load(b);
    },

    admit(tenant, fn) {
      if (!live.has(tenant)) return;
      const [l] = blockers(tenant, fn);
      if (!l) return;
      throw BudgetErrors.EXCEEDED(
        {
          budget: l.b.name,
          function: fn,
          spentUsd: l.spent.toFixed(6),
          limitUsd: String(l.b.limitUsd),
          periodStart: new Date(l.start).toISOString(),
          resumesAt: new Date(l.end).toISOString(),
        },
        { retryAfterMs: Math.max(1000, l.end - d.clock.now()) },
      );
    },

    blockedUntil(tenant, fn) {
      const bs = blockers(tenant, fn);
      return bs.length === 0 ? undefined : Math.max(...bs.map((l) => l.end));
    },

    record(u) {
      if (!u.costUsd || (!live.has(u.tenant) && loading.size === 0)) return;
      if (!add(u.tenant, u.functionName, u.costUsd, u.startedAt) || !d.shareSpend) return;
      const k = `${u.tenant}\u0000${u.functionName}`;
      const o = unsent.get(k);
      if (o) {
        o.costUsd += u.costUsd;
        o.at = Math.max(o.at, u.startedAt);
      } else
        unsent.set(k, {
          tenant: u.tenant,
          functionName: u.functionName,
          costUsd: u.costUsd,
          at: u.startedAt,
        });
    },

    takeSpendDeltas() {
      const out = [...unsent.values()];
      unsent.clear();
      return out;
    },

    addRemoteSpend(deltas) {
      for (const x of deltas) if (x.costUsd > 0) add(x.tenant, x.functionName, x.costUsd, x.at);
    },

    async put(tenant, name, input) {
      parseBudgetName(name);
      const now = d.clock.now();
      const old = await d.store.budgets.get(tenant, name);
      const b: BudgetRecord = {
        tenant,
        name,
        functionName: input.functionName,
        period: input.period,
        anchor: old?.anchor ?? now,
        limitUsd: input.limitUsd,
        thresholds: input.thresholds,
        action: input.action,
        topic: input.topic,
        // A changed limit or period announces its thresholds again.
        notified:
          old &&
          old.limitUsd === input.limitUsd &&
          JSON.stringify(old.period) === JSON.stringify(input.period)
            ? old.notified
            : undefined,
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
      };
      await d.store.budgets.put(b);
      const l = await load(b);
      announce(l);
      return status(l);
    },

    async get(tenant, name) {
      const l = live.get(tenant)?.find((x) => x.b.name === name);
      if (!l) throw BudgetErrors.NOT_FOUND({ budget: name });
      return status(l);
    },

    async list(tenant) {
      return (live.get(tenant) ?? []).map(status).sort((a, b) => a.name.localeCompare(b.name));
    },

    async delete(tenant, name) {
      if (!(await d.store.budgets.delete(tenant, name))) throw BudgetErrors.NOT_FOUND({ budget: name });
      const list = (live.get(tenant) ?? []).filter((x) => x.b.name !== name);
      if (list.length > 0) live.set(tenant, list);
      else live.delete(tenant);
    },
  };
}
