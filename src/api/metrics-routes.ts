/**
 * Metrics on the API port: `GET /metrics` (Prometheus text format), `GET /v1/metrics` (a
 * function's 1-minute rollups, aggregated into steps) and `GET /v1/metrics/live` (per-function
 * rates over the last seconds, what `nimbus top` polls). All authorize `nimbus:GetMetrics`; a
 * tenant's principal sees its tenant's series only, the operator (a default-tenant principal
 * allowed `nimbus:GetNodeStatus`) sees everything, process metrics included.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreErrors, defineErrors } from '../core/errors.ts';
import type { Clock, Store } from '../core/ports.ts';
import { DEFAULT_TENANT } from '../core/types.ts';
import type { PlatformMetrics } from '../observability/metrics.ts';
import { aggregate, SERIES, type SeriesName } from '../observability/rollups.ts';
import { LIVE_SECONDS, type LiveRow } from '../observability/windows.ts';
import type { FunctionStatus } from '../scheduler/index.ts';
import { authorize, isAllowed } from './auth.ts';
import { intQuery, query } from './http.ts';

export const MetricsErrors = defineErrors('METRICS', {
  DISABLED: {
    status: 404,
    kind: 'user',
    message: 'metrics are turned off on this platform',
    hint: 'start the platform with NIMBUS_METRICS=on (the default)',
  },
});

export interface MetricsRouteDeps {
  /** Absent when metrics are off (NIMBUS_METRICS=off). */
  readonly metrics?: PlatformMetrics | undefined;
  readonly store: Pick<Store, 'metrics'>;
  readonly status: () => FunctionStatus[];
  readonly clock: Clock;
  /** Cluster mode: the other nodes' live rows of a tenant (each node's `liveRows`). */
  readonly peersLive?: (tenant: string, window: number) => Promise<readonly (readonly LiveRow[])[]>;
  /** Cluster mode: receives this node's row builder (so other nodes can ask for it). */
  readonly exposeLive?: (rows: (tenant: string, window: number) => LiveRow[]) => void;
}

const STEPS = new Set([60, 300, 3600]);
const MINUTE = 60_000;
/** The most points one query answers (14 days of minutes). */
const MAX_POINTS = 20_160;

export function registerMetricsRoutes(app: FastifyInstance, d: MetricsRouteDeps): void {
  const enabled = (): PlatformMetrics => {
    if (!d.metrics) throw MetricsErrors.DISABLED();
    return d.metrics;
  };
  const operator = (req: FastifyRequest, tenant: string) =>
    tenant === DEFAULT_TENANT && isAllowed(req, 'nimbus:GetNodeStatus');

  app.get('/metrics', async (req, reply) => {
    const p = authorize(req, 'nimbus:GetMetrics');
    const m = enabled();
    const text = await m.render(operator(req, p.tenant) ? undefined : p.tenant);
    return reply.type(m.registry.contentType).send(text);
  });

  app.get('/v1/metrics', async (req) => {
    const q = query(req);
    const fn = q.function || undefined;
    const p = authorize(req, 'nimbus:GetMetrics', (a) => (fn ? a.fn(fn) : '*'));
    const m = enabled();
    const name = (q.name ?? 'invocations') as SeriesName;
    if (!SERIES.includes(name))
      throw CoreErrors.VALIDATION({ reason: `name must be one of ${SERIES.join(', ')}` });
    const step = intQuery(q.step, 'step') ?? 60;
    if (!STEPS.has(step)) throw CoreErrors.VALIDATION({ reason: 'step must be 60, 300 or 3600 (seconds)' });
    const stepMs = step * 1000;
    const now = d.clock.now();
    const to = intQuery(q.to, 'to') ?? now + MINUTE;
    const from = intQuery(q.from, 'from') ?? to - 3_600_000;
    if (from >= to) throw CoreErrors.VALIDATION({ reason: 'from must be before to (epoch ms)' });
    if ((to - from) / stepMs > MAX_POINTS)
      throw CoreErrors.VALIDATION({
        reason: `at most ${MAX_POINTS} points: widen the step or narrow the range`,
      });
    const start = from - (from % stepMs);
    const stored = await d.store.metrics.query({ tenant: p.tenant, functionName: fn, from: start, to });
    // The minutes not written yet (the current one, and any that just ended) are added as rows.
    const rows = [...stored, ...m.windows.unwritten(p.tenant, fn)];
    return {
      function: fn ?? null,
      name,
      step,
      from: start,
      to,
      points: aggregate(rows, name, start, to, stepMs),
    };
  });

  /** This node's live rows of a tenant's functions (what `nimbus top` shows, per node). */
  const liveRows = (tenant: string, window: number): LiveRow[] => {
    const m = enabled();
    const now = d.clock.now();
    const rates = new Map(m.windows.live(tenant, now, window).map((r) => [r.functionName, r]));
    const status = new Map(
      d
        .status()
        .filter((s) => s.tenant === tenant)
        .map((s) => [s.functionName, s]),
    );
    const names = [...new Set([...rates.keys(), ...status.keys()])].sort();
    return names.map((name) => {
      const r = rates.get(name);
      const s = status.get(name);
      return {
        function: name,
        invocationsPerSec: round(r?.invocationsPerSec ?? 0),
        errorsPerSec: round(r?.errorsPerSec ?? 0),
        throttlesPerSec: round(r?.throttlesPerSec ?? 0),
        p50Ms: r?.p50Ms == null ? null : round(r.p50Ms),
        p99Ms: r?.p99Ms == null ? null : round(r.p99Ms),
        costUsdPerSec: r ? r.costUsdPerSec : 0,
        inflight: s?.inflight ?? 0,
        warm: s?.warm ?? 0,
        busy: s?.busy ?? 0,
      };
    });
  };
  d.exposeLive?.(liveRows);

  app.get('/v1/metrics/live', async (req) => {
    const p = authorize(req, 'nimbus:GetMetrics');
    enabled();
    const window = intQuery(query(req).window, 'window') ?? 5;
    if (window < 1 || window > LIVE_SECONDS)
      throw CoreErrors.VALIDATION({ reason: `window must be 1 to ${LIVE_SECONDS} seconds` });
    const now = d.clock.now();
    // Cluster mode: the other nodes' rows too, merged per function (rates and instances add up;
    // a percentile cannot be merged, the largest node's is an upper bound).
    const peers = d.peersLive ? await d.peersLive(p.tenant, window) : [];
    const functions = mergeLive([liveRows(p.tenant, window), ...peers]);
    type Summed =
      | 'invocationsPerSec'
      | 'errorsPerSec'
      | 'throttlesPerSec'
      | 'costUsdPerSec'
      | 'inflight'
      | 'warm'
      | 'busy';
    const total = (k: Summed) => functions.reduce((a, f) => a + f[k], 0);
    const sum = (k: Summed) => round(total(k));
    return {
      at: now,
      windowSec: window,
      totals: {
        functions: functions.length,
        invocationsPerSec: sum('invocationsPerSec'),
        errorsPerSec: sum('errorsPerSec'),
        throttlesPerSec: sum('throttlesPerSec'),
        costUsdPerSec: total('costUsdPerSec'),
        inflight: sum('inflight'),
        instances: sum('warm') + sum('busy'),
      },
      functions,
      ...(d.peersLive ? { nodes: 1 + peers.length } : {}),
    };
  });
}

const round = (v: number) => Math.round(v * 1000) / 1000;

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Several nodes' rows as one row per function. */
export type { LiveRow };

export function mergeLive(nodes: readonly (readonly LiveRow[])[]): LiveRow[] {
  if (nodes.length === 1) return [...nodes[0]!];
  const by = new Map<string, LiveRow>();
  for (const rows of nodes)
    for (const r of rows) {
      const a = by.get(r.function);
      by.set(
        r.function,
        a === undefined
          ? r
          : {
              function: r.function,
              invocationsPerSec: round(a.invocationsPerSec + r.invocationsPerSec),
              errorsPerSec: round(a.errorsPerSec + r.errorsPerSec),
              throttlesPerSec: round(a.throttlesPerSec + r.throttlesPerSec),
              p50Ms: maxOf(a.p50Ms, r.p50Ms),
              p99Ms: maxOf(a.p99Ms, r.p99Ms),
              costUsdPerSec: a.costUsdPerSec + r.costUsdPerSec,
              inflight: a.inflight + r.inflight,
              warm: a.warm + r.warm,
              busy: a.busy + r.busy,
            },
      );
    }
  return [...by.values()].sort((x, y) => (x.function < y.function ? -1 : x.function > y.function ? 1 : 0));
}
