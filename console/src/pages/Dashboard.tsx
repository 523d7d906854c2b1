import { type UseQueryResult, useQueries, useQuery } from '@tanstack/react-query';
import { type ReactNode, useContext, useMemo, useState } from 'react';
import { ok } from '../api/client.ts';
import { Chart } from '../Chart.tsx';
import { Segmented } from '../components/form.tsx';
import { ErrorBox, Loading, PageHeader } from '../components/states.tsx';
import { formatMs, usd } from '../components/text.ts';
import { useSession } from '../session.tsx';
import { DarkContext } from '../theme.ts';

const RANGES = [
  { value: '1h', label: '1 hour', ms: 3_600_000, step: '60' },
  { value: '6h', label: '6 hours', ms: 6 * 3_600_000, step: '300' },
  { value: '24h', label: '24 hours', ms: 24 * 3_600_000, step: '300' },
] as const;
type RangeId = (typeof RANGES)[number]['value'];
const NAMES = ['invocations', 'errors', 'throttles', 'cold_starts', 'duration_p50', 'duration_p99'] as const;
type Name = (typeof NAMES)[number];

/**
 * A series' `[t, value]` points. The document declares pairs; openapi-fetch's answer type reads
 * them as `number[][]` (its Readable<> maps arrays, tuples included, to plain arrays).
 */
const pairs = (points: readonly (readonly number[])[]): [number, number][] =>
  points.map((p) => [p[0] ?? 0, p[1] ?? 0]);

/** The cost of each step, from the usage records' own costs summed per minute (`by=minute`). */
function costPerStep(
  groups: readonly { key: string; costUsd: number }[],
  x: readonly number[],
  stepMs: number,
) {
  const byStep = new Map<number, number>();
  for (const g of groups) {
    const t = Date.parse(`${g.key}:00Z`);
    const step = t - (t % stepMs);
    byStep.set(step, (byStep.get(step) ?? 0) + g.costUsd);
  }
  return x.map((sec) => byStep.get(sec * 1000) ?? 0);
}

type Points = [number, number][];

/** The series by name once all have answered (stable between renders: defined outside). */
function combine(results: UseQueryResult<Points>[]) {
  const error = results.find((r) => r.isError)?.error;
  const data = results.every((r) => r.data)
    ? (Object.fromEntries(NAMES.map((n, i) => [n, results[i]!.data!])) as Record<Name, Points>)
    : undefined;
  return { data, error };
}

export default function Dashboard() {
  const { client } = useSession();
  const dark = useContext(DarkContext);
  const [rangeId, setRangeId] = useState<RangeId>('1h');
  const range = RANGES.find((r) => r.value === rangeId)!;
  const metrics = useQueries({
    combine,
    queries: NAMES.map((name) => ({
      queryKey: ['metrics', name, rangeId],
      queryFn: async (): Promise<Points> => {
        const to = Date.now();
        const query = { name, from: to - range.ms, to, step: range.step };
        return pairs((await ok(client.GET('/v1/metrics', { params: { query } }))).points);
      },
      refetchInterval: 15_000,
    })),
  });
  const usage = useQuery({
    queryKey: ['usage', 'minute', rangeId],
    queryFn: async () => {
      const until = Date.now();
      const query = { by: 'minute' as const, since: until - range.ms, until, limit: 10_000 };
      const r = await ok(client.GET('/v1/usage', { params: { query } }));
      return 'groups' in r ? r : { groups: [], total: { costUsd: 0 }, currency: 'USD' };
    },
    refetchInterval: 15_000,
  });
  const failed = metrics.error ?? usage.error;

  const data = useMemo(() => {
    const series = metrics.data;
    if (!series || !usage.data) return undefined;
    const inv = series.invocations;
    const x = inv.map(([t]) => t / 1000);
    /** The series' value at each step (counts: 0 where absent; durations: a gap). */
    const at = (name: Name, missing: number | null) => {
      const m = new Map(series[name]);
      return inv.map(([t]) => m.get(t) ?? missing);
    };
    const sum = (name: Name) => series[name].reduce((a, [, v]) => a + v, 0);
    return {
      x,
      invocations: at('invocations', 0),
      errors: at('errors', 0),
      throttles: at('throttles', 0),
      coldStarts: at('cold_starts', 0),
      p50: at('duration_p50', null),
      p99: at('duration_p99', null),
      cost: costPerStep(usage.data.groups, x, Number(range.step) * 1000),
      currency: usage.data.currency,
      totals: {
        invocations: sum('invocations'),
        errors: sum('errors'),
        throttles: sum('throttles'),
        coldStarts: sum('cold_starts'),
        p99: series.duration_p99.reduce((a, [, v]) => Math.max(a, v), 0),
        cost: usage.data.total.costUsd,
      },
    };
  }, [metrics.data, usage.data, range.step]);

  const counts = useMemo(
    () =>
      data
        ? [
            { label: 'Invocations', color: '#2f81f7', values: data.invocations },
            { label: 'Errors', color: '#e5534b', values: data.errors },
            { label: 'Throttles', color: '#d29922', values: data.throttles },
            { label: 'Cold starts', color: '#3fb950', values: data.coldStarts },
          ]
        : [],
    [data],
  );
  const latency = useMemo(
    () =>
      data
        ? [
            { label: 'p50 duration', color: '#3fb950', values: data.p50 },
            { label: 'p99 duration', color: '#a371f7', values: data.p99 },
          ]
        : [],
    [data],
  );
  const cost = useMemo(
    () => (data ? [{ label: `Cost (${data.currency})`, color: '#db6d28', values: data.cost }] : []),
    [data],
  );

  return (
    <>
      <PageHeader title="Dashboard">
        <Segmented legend="Time range" name="range" options={RANGES} value={rangeId} onChange={setRangeId} />
      </PageHeader>
      {failed ? (
        <ErrorBox error={failed} title="Could not read metrics" />
      ) : !data ? (
        <Loading what="metrics" />
      ) : (
        <>
          <section className="stats" aria-label={`Totals over the last ${range.label}`}>
            <Stat label="Invocations" testId="total-invocations" value={data.totals.invocations} />
            <Stat label="Errors" testId="total-errors" value={data.totals.errors} />
            <Stat
              label="Error rate"
              value={`${data.totals.invocations ? ((100 * data.totals.errors) / data.totals.invocations).toFixed(1) : '0'} %`}
            />
            <Stat label="Throttles" testId="total-throttles" value={data.totals.throttles} />
            <Stat label="Cold starts" testId="total-cold-starts" value={data.totals.coldStarts} />
            <Stat label="Highest p99" value={data.totals.p99 ? formatMs(data.totals.p99) : '–'} />
            <Stat label="Cost" testId="total-cost" value={usd(data.totals.cost, data.currency)} />
          </section>
          {data.totals.invocations === 0 ? (
            <p className="muted">
              No invocations in the last {range.label}: invoke a function and they appear here.
            </p>
          ) : null}
          <section className="card" aria-labelledby="chart-calls">
            <h2 id="chart-calls">Invocations, errors, throttles and cold starts</h2>
            <Chart
              title="Invocations, errors, throttles and cold starts per step"
              x={data.x}
              series={counts}
              dark={dark}
            />
          </section>
          <section className="card" aria-labelledby="chart-duration">
            <h2 id="chart-duration">Duration p50 and p99</h2>
            <Chart
              title="Largest per-minute p50 and p99 duration per step"
              x={data.x}
              series={latency}
              dark={dark}
              unit=" ms"
            />
          </section>
          <section className="card" aria-labelledby="chart-cost">
            <h2 id="chart-cost">Cost</h2>
            <Chart title={`Cost per step in ${data.currency}`} x={data.x} series={cost} dark={dark} />
          </section>
        </>
      )}
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}
