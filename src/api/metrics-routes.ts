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
import { LIVE_SECONDS } from '../observability/windows.ts';
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

  app.get('/v1/metrics/live', async (req) => {
    const p = authorize(req, 'nimbus:GetMetrics');
    const m = enabled();
    const window = intQuery(query(req).window, 'window') ?? 5;
    if (window < 1 || window > LIVE_SECONDS)
      throw CoreErrors.VALIDATION({ reason: `window must be 1 to ${LIVE_SECONDS} seconds` });
    const now = d.clock.now();
    const rates = new Map(m.windows.live(p.tenant, now, window).map((r) => [r.functionName, r]));
    const status = new Map(
      d
        .status()
        .filter((s) => s.tenant === p.tenant)
        .map((s) => [s.functionName, s]),
    );
    const names = [...new Set([...rates.keys(), ...status.keys()])].sort();
    const functions = names.map((name) => {
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
    };
  });
}

const round = (v: number) => Math.round(v * 1000) / 1000;
