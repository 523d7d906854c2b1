/**
 * Prometheus metrics of one platform instance (a prom-client Registry of its own: tests run
 * several platforms in one process). The invoke path pays a few number updates per finished
 * invocation on a series object cached per function (read by the exposition at scrape time);
 * gauges (instances, concurrency, queue depth and age, dead letters) are read at scrape time by
 * `collect()` callbacks.
 *
 * Cardinality is bounded: at most `maxSeries` distinct (tenant, function) pairs get series of
 * their own; later ones are counted under `function="other"` of their tenant (or
 * `tenant="other"` when the tenant has no series yet).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock, LogRepo, Queue } from '../core/ports.ts';
import type { QueueStats, UsageRecord } from '../core/types.ts';
import type { FunctionStatus } from '../scheduler/index.ts';
import { ActivityWindows } from './windows.ts';

export const OTHER = 'other';

/** Seconds, 1 ms to 60 s. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Commit latencies: 50 µs to 1 s. */
const COMMIT_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/** Maps (tenant, name) to the labels it is counted under (see the module comment). */
export class SeriesLimiter {
  readonly #admitted = new Map<string, readonly [string, string]>();
  readonly #tenants = new Set<string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }
  labels(tenant: string, name: string): readonly [string, string] {
    const key = `${tenant}\u0000${name}`;
    const got = this.#admitted.get(key);
    if (got) return got;
    let l: readonly [string, string];
    if (this.#admitted.size < this.#max) {
      l = [tenant, name];
      this.#tenants.add(tenant);
    } else l = this.#tenants.has(tenant) ? [tenant, OTHER] : [OTHER, OTHER];
    // Overflowing pairs are remembered too (bounded by the distinct names seen), so a lookup stays one get.
    if (this.#admitted.size < this.#max * 4) this.#admitted.set(key, l);
    return l;
  }
}

/** What the scrape-time gauges read. */
export interface MetricSources {
  readonly status?: () => readonly FunctionStatus[];
  readonly nodeStatus?: () => { readonly instances: number; readonly memoryUsedMb: number };
  /** The async queue's per-function stats (tenant, function, depth, oldest age, dead letters). */
  readonly asyncStats?: () => Promise<readonly (QueueStats & { tenant: string; functionName: string })[]>;
}

const OUTCOMES = [
  'success',
  'error',
  'timeout',
  'oom',
  'crash',
] as const satisfies readonly UsageRecord['outcome'][];

/** A histogram's state: counts per bucket (the last one is +Inf), sum and count. */
class Buckets {
  readonly counts = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  n = 0;
  observe(v: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && v > DURATION_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.n++;
  }
}

/**
 * One (tenant, function) label pair's invocation metrics, as plain numbers: the invoke path
 * updates fields (no label hashing or validation per call, as prom-client's children do), and
 * the exposition reads them at scrape time.
 */
interface FnSeries {
  readonly labels: { readonly tenant: string; readonly function: string };
  readonly outcomes: Record<UsageRecord['outcome'], number>;
  errors: number;
  throttles: number;
  cold: number;
  rss: number | undefined;
  readonly duration: Buckets;
  readonly init: Buckets;
}

type SeriesValue = { labels: Record<string, string | number>; value: number; metricName?: string };

/** A metric of the registry whose values are read from the series at scrape time. */
function seriesMetric(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  values: () => SeriesValue[],
): void {
  const metric = {
    name,
    help,
    type,
    aggregator: type === 'gauge' ? 'omit' : 'sum',
    get: async () => ({ name, help, type, values: values(), aggregator: metric.aggregator }),
    reset: () => {},
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly windows = new ActivityWindows();
  readonly #clock: Clock;
  readonly #limiter: SeriesLimiter;
  /** By `tenant\0function`; functions counted as `other` share one series. */
  readonly #series = new Map<string, FnSeries>();
  /** Each series once, in creation order (what the exposition walks). */
  readonly #unique: FnSeries[] = [];
  readonly #eventsPublished: Counter<'tenant'>;
  readonly #eventsMatched: Counter<'tenant'>;
  readonly #eventDeliveries: Counter<'tenant'>;
  readonly #wfStarted: Counter<'tenant' | 'machine'>;
  readonly #wfEnded: Counter<'tenant' | 'machine' | 'status'>;
  readonly #wfTransitions: Counter<'tenant' | 'machine'>;
  readonly #recordCommit: Histogram;
  readonly #queueCommit: Histogram;

  constructor(o: { clock: Clock; maxSeries: number; sources: MetricSources; processMetrics?: boolean }) {
    this.#clock = o.clock;
    this.#limiter = new SeriesLimiter(o.maxSeries);
    const registers = [this.registry];
    const fl = ['tenant', 'function'] as const;
    const all = this.#unique;
    seriesMetric(
      this.registry,
      'nimbus_invocations_total',
      'Finished invocations by outcome (success, error, timeout, oom, crash).',
      'counter',
      () =>
        all.flatMap((f) =>
          OUTCOMES.filter((o) => f.outcomes[o] > 0).map((o) => ({
            labels: { ...f.labels, outcome: o },
            value: f.outcomes[o],
          })),
        ),
    );
    const perSeries = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      v: (f: FnSeries) => number | undefined,
    ) =>
      seriesMetric(this.registry, name, help, type, () =>
        all.flatMap((f) => {
          const value = v(f);
          return value === undefined ? [] : [{ labels: f.labels, value }];
        }),
      );
    perSeries(
      'nimbus_errors_total',
      'Invocations that did not succeed (function errors, timeouts, OOM, crashes, init failures).',
      'counter',
      (f) => f.errors,
    );
    perSeries(
      'nimbus_throttles_total',
      'Invocations refused with 429 by admission (function, account or node limit).',
      'counter',
      (f) => f.throttles,
    );
    perSeries(
      'nimbus_cold_starts_total',
      'Invocations that started a new instance.',
      'counter',
      (f) => f.cold,
    );
    perSeries(
      'nimbus_instance_memory_rss_bytes',
      'Max RSS of the instance during the function’s last invocation.',
      'gauge',
      (f) => f.rss,
    );
    const histogram = (name: string, help: string, of: (f: FnSeries) => Buckets) =>
      seriesMetric(this.registry, name, help, 'histogram', () =>
        all.flatMap((f) => {
          const h = of(f);
          if (h.n === 0) return [];
          const out: SeriesValue[] = [];
          let acc = 0;
          for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
            acc += h.counts[i]!;
            out.push({
              metricName: `${name}_bucket`,
              labels: { ...f.labels, le: i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i]! : '+Inf' },
              value: acc,
            });
          }
          out.push({ metricName: `${name}_sum`, labels: f.labels, value: h.sum });
          out.push({ metricName: `${name}_count`, labels: f.labels, value: h.n });
          return out;
        }),
      );
    histogram(
      'nimbus_invocation_duration_seconds',
      'Invocation duration (the handler run, as in REPORT Duration).',
      (f) => f.duration,
    );
    histogram(
      'nimbus_init_duration_seconds',
      'Instance start and function init of cold starts (REPORT Init Duration).',
      (f) => f.init,
    );
    this.#eventsPublished = new Counter({
      name: 'nimbus_events_published_total',
      help: 'Events accepted by the event bus.',
      labelNames: ['tenant'],
      registers,
    });
    this.#eventsMatched = new Counter({
      name: 'nimbus_events_matched_total',
      help: 'Published events that matched at least one subscription.',
      labelNames: ['tenant'],
      registers,
    });
    this.#eventDeliveries = new Counter({
      name: 'nimbus_event_deliveries_total',
      help: 'Deliveries committed to the queue (one per matching subscription; run at least once).',
      labelNames: ['tenant'],
      registers,
    });
    this.#wfStarted = new Counter({
      name: 'nimbus_workflow_executions_started_total',
      help: 'Workflow executions started.',
      labelNames: ['tenant', 'machine'],
      registers,
    });
    this.#wfEnded = new Counter({
      name: 'nimbus_workflow_executions_ended_total',
      help: 'Workflow executions that ended, by status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED).',
      labelNames: ['tenant', 'machine', 'status'],
      registers,
    });
    this.#wfTransitions = new Counter({
      name: 'nimbus_workflow_state_transitions_total',
      help: 'States entered by workflow executions.',
      labelNames: ['tenant', 'machine'],
      registers,
    });
    this.#recordCommit = new Histogram({
      name: 'nimbus_record_commit_seconds',
      help: 'Commit latency of a batch of invocation records (usage + logs) into the store.',
      buckets: COMMIT_BUCKETS,
      registers,
    });
    this.#queueCommit = new Histogram({
      name: 'nimbus_queue_commit_seconds',
      help: 'Commit latency of an enqueue into the async queue (async invokes, event deliveries).',
      buckets: COMMIT_BUCKETS,
      registers,
    });

    const s = o.sources;
    const limiter = this.#limiter;
    const perFunction = (
      name: string,
      help: string,
      value: (f: FunctionStatus) => number,
    ): Gauge<'tenant' | 'function'> =>
      new Gauge({
        name,
        help,
        labelNames: fl,
        registers,
        collect() {
          this.reset();
          for (const f of s.status?.() ?? []) {
            const [t, fn] = limiter.labels(f.tenant, f.functionName);
            this.inc({ tenant: t, function: fn }, value(f));
          }
        },
      });
    perFunction('nimbus_concurrent_executions', 'Invocations running now.', (f) => f.inflight);
    perFunction('nimbus_instances_warm', 'Idle instances kept warm.', (f) => f.warm);
    perFunction('nimbus_instances_busy', 'Instances running at least one invocation.', (f) => f.busy);
    perFunction('nimbus_instances_starting', 'Instances being started.', (f) => f.starting);
    perFunction(
      'nimbus_admission_waiting',
      'Requests waiting for a concurrency slot or an instance.',
      (f) => f.waiting,
    );
    new Gauge({
      name: 'nimbus_node_instances',
      help: 'Instances on this node.',
      registers,
      collect() {
        if (s.nodeStatus) this.set(s.nodeStatus().instances);
      },
    });
    new Gauge({
      name: 'nimbus_node_instance_memory_reserved_megabytes',
      help: 'Memory reserved by the instances on this node (their memory sizes).',
      registers,
      collect() {
        if (s.nodeStatus) this.set(s.nodeStatus().memoryUsedMb);
      },
    });
    // One read of the queue's counters feeds the three async gauges of a scrape: the registry
    // starts every collect() in the same pass, so the read is shared until it settles.
    let asyncRead: Promise<readonly (QueueStats & { tenant: string; functionName: string })[]> | undefined;
    const asyncRows = () => {
      if (!asyncRead) {
        const read = (async () => (s.asyncStats ? await s.asyncStats() : []))();
        asyncRead = read;
        void read
          .finally(() => {
            if (asyncRead === read) asyncRead = undefined;
          })
          .catch(() => {});
      }
      return asyncRead;
    };
    const perQueue = (name: string, help: string, value: (q: QueueStats) => number, max = false) =>
      new Gauge({
        name,
        help,
        labelNames: fl,
        registers,
        async collect() {
          this.reset();
          const seen = new Map<string, number>();
          for (const q of await asyncRows()) {
            const [t, fn] = limiter.labels(q.tenant, q.functionName);
            const k = `${t}\u0000${fn}`;
            const v = value(q);
            const prev = seen.get(k);
            const next = prev === undefined ? v : max ? Math.max(prev, v) : prev + v;
            seen.set(k, next);
            this.set({ tenant: t, function: fn }, next);
          }
        },
      });
    perQueue(
      'nimbus_async_queue_depth',
      'Async invocations waiting (ready, delayed or running).',
      (q) => q.ready + q.delayed + q.inflight,
    );
    perQueue(
      'nimbus_async_oldest_age_seconds',
      'Age of the oldest waiting async invocation.',
      (q) => q.oldestAgeMs / 1000,
      true,
    );
    perQueue('nimbus_async_dead_letters', 'Async invocations in the dead-letter queue.', (q) => q.dead);
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'nimbus_' });
  }

  #fn(tenant: string, functionName: string): FnSeries {
    const key = `${tenant}\u0000${functionName}`;
    let s = this.#series.get(key);
    if (s) return s;
    const [t, fn] = this.#limiter.labels(tenant, functionName);
    const shared = t !== tenant || fn !== functionName ? this.#series.get(`${t}\u0000${fn}`) : undefined;
    if (shared) {
      this.#series.set(key, shared);
      return shared;
    }
    s = {
      labels: { tenant: t, function: fn },
      outcomes: { success: 0, error: 0, timeout: 0, oom: 0, crash: 0 },
      errors: 0,
      throttles: 0,
      cold: 0,
      rss: undefined,
      duration: new Buckets(),
      init: new Buckets(),
    };
    this.#series.set(key, s);
    if (t !== tenant || fn !== functionName) this.#series.set(`${t}\u0000${fn}`, s);
    this.#unique.push(s);
    return s;
  }

  /** One finished invocation (its usage record): called where the record is produced. */
  invocation(u: UsageRecord): void {
    const s = this.#fn(u.tenant, u.functionName);
    s.outcomes[u.outcome]++;
    const error = u.outcome !== 'success';
    if (error) s.errors++;
    s.duration.observe(u.durationMs / 1000);
    const cold = u.initDurationMs !== undefined;
    if (cold) {
      s.cold++;
      s.init.observe(u.initDurationMs / 1000);
    }
    s.rss = u.maxRssBytes;
    this.windows.observe(u.tenant, u.functionName, this.#clock.now(), {
      durationMs: u.durationMs,
      error,
      cold,
      gbSeconds: u.gbSeconds,
      costUsd: u.costUsd,
    });
  }

  /** An invocation refused with 429 by admission. */
  throttle(tenant: string, functionName: string): void {
    this.#fn(tenant, functionName).throttles++;
    this.windows.throttle(tenant, functionName, this.#clock.now());
  }

  /** A publish to the event bus: `deliveries` per accepted event. */
  published(tenant: string, results: readonly { readonly deliveries: number }[]): void {
    if (results.length === 0) return;
    let matched = 0;
    let deliveries = 0;
    for (const r of results) {
      if (r.deliveries > 0) matched++;
      deliveries += r.deliveries;
    }
    // Labelled by tenant only (tenants are created by the operator: bounded).
    this.#eventsPublished.inc({ tenant }, results.length);
    if (matched > 0) this.#eventsMatched.inc({ tenant }, matched);
    if (deliveries > 0) this.#eventDeliveries.inc({ tenant }, deliveries);
  }

  workflowStarted(tenant: string, machine: string): void {
    const [t, m] = this.#limiter.labels(tenant, `sfn:${machine}`);
    this.#wfStarted.inc({ tenant: t, machine: m === OTHER ? OTHER : machine });
  }

  /** A committed workflow transition: states it entered, and its end when it ended one. */
  workflowTransition(tenant: string, machine: string, statesEntered: number, endStatus?: string): void {
    const [t, m] = this.#limiter.labels(tenant, `sfn:${machine}`);
    const labels = { tenant: t, machine: m === OTHER ? OTHER : machine };
    if (statesEntered > 0) this.#wfTransitions.inc(labels, statesEntered);
    if (endStatus) this.#wfEnded.inc({ ...labels, status: endStatus });
  }

  /** The log sink's repository, timed: each batch commit is one `nimbus_record_commit_seconds`. */
  timedRecords<R extends Pick<LogRepo, 'appendInvocations'>>(repo: R): Pick<LogRepo, 'appendInvocations'> {
    const clock = this.#clock;
    const h = this.#recordCommit;
    return {
      async appendInvocations(batch) {
        const t0 = clock.monotonic();
        await repo.appendInvocations(batch);
        h.observe((clock.monotonic() - t0) / 1000);
      },
    };
  }

  /**
   * Times the queue's enqueue commits (`nimbus_queue_commit_seconds`). The queue is shared by
   * every producer (async invokes, event deliveries, the outbox relay), so its method is wrapped
   * in place: all of them are timed without each knowing about metrics.
   */
  timeEnqueue(queue: Queue): void {
    const enqueue = queue.enqueue.bind(queue);
    const clock = this.#clock;
    const h = this.#queueCommit;
    queue.enqueue = async (items) => {
      const t0 = clock.monotonic();
      const r = await enqueue(items);
      h.observe((clock.monotonic() - t0) / 1000);
      return r;
    };
  }

  /**
   * The exposition: everything for the operator; for anyone else only the series labelled with
   * their tenant (process and node metrics are the operator's).
   */
  async render(tenant: string | undefined): Promise<string> {
    const text = await this.registry.metrics();
    if (tenant === undefined) return text;
    const want = `tenant="${escapeLabel(tenant)}"`;
    const out: string[] = [];
    let head: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) {
        if (line.startsWith('# HELP')) head = [];
        head.push(line);
        continue;
      }
      if (line === '' || !hasLabel(line, want)) continue;
      if (head.length > 0) {
        out.push(...head);
        head = [];
      }
      out.push(line);
    }
    return out.length > 0 ? `${out.join('\n')}\n` : '';
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Whether a sample line carries the label (as a whole `name="value"` pair of its label set). */
function hasLabel(line: string, pair: string): boolean {
  const open = line.indexOf('{');
  if (open < 0) return false;
  const i = line.indexOf(pair, open);
  if (i < 0) return false;
  const before = line[i - 1];
  const after = line[i + pair.length];
  return (before === '{' || before === ',') && (after === ',' || after === '}');
}
