import { useQueries } from '@tanstack/react-query';
import { type ReactNode, useContext, useMemo, useState } from 'react';
import { ok } from '../api/client.ts';
import { Chart } from '../Chart.tsx';
import { Segmented } from '../components/form.tsx';
import { ErrorBox, Loading, PageHeader } from '../components/states.tsx';
import { formatMs } from '../components/text.ts';
import { useSession } from '../session.tsx';
import { DarkContext } from '../theme.ts';

const RANGES = [
  { value: '1h', label: '1 hour', ms: 3_600_000, step: '60' },
  { value: '6h', label: '6 hours', ms: 6 * 3_600_000, step: '300' },
  { value: '24h', label: '24 hours', ms: 24 * 3_600_000, step: '300' },
] as const;
type RangeId = (typeof RANGES)[number]['value'];
const NAMES = ['invocations', 'errors', 'duration_p99'] as const;

/**
 * A series' `[t, value]` points. The document declares pairs; openapi-fetch's answer type reads
 * them as `number[][]` (its Readable<> maps arrays, tuples included, to plain arrays).
 */
const pairs = (points: readonly (readonly number[])[]): [number, number][] =>
  points.map((p) => [p[0] ?? 0, p[1] ?? 0]);

export default function Dashboard() {
  const { client } = useSession();
  const dark = useContext(DarkContext);
  const [rangeId, setRangeId] = useState<RangeId>('1h');
  const range = RANGES.find((r) => r.value === rangeId)!;
  const results = useQueries({
    queries: NAMES.map((name) => ({
      queryKey: ['metrics', name, rangeId],
      queryFn: async () => {
        const to = Date.now();
        const query = { name, from: to - range.ms, to, step: range.step };
        return pairs((await ok(client.GET('/v1/metrics', { params: { query } }))).points);
      },
      refetchInterval: 15_000,
    })),
  });
  const [inv, err, p99] = results;
  const failed = results.find((r) => r.isError);

  const data = useMemo(() => {
    if (!inv?.data || !err?.data || !p99?.data) return undefined;
    const x = inv.data.map(([t]) => t / 1000);
    const errors = new Map(err.data);
    const p99s = new Map(p99.data);
    return {
      x,
      invocations: inv.data.map(([, v]) => v),
      errors: inv.data.map(([t]) => errors.get(t) ?? 0),
      p99: inv.data.map(([t]) => p99s.get(t) ?? null),
      totals: {
        invocations: inv.data.reduce((a, [, v]) => a + v, 0),
        errors: err.data.reduce((a, [, v]) => a + v, 0),
        p99: p99.data.reduce((a, [, v]) => Math.max(a, v), 0),
      },
    };
  }, [inv?.data, err?.data, p99?.data]);

  const counts = useMemo(
    () =>
      data
        ? [
            { label: 'Invocations', color: '#2f81f7', values: data.invocations },
            { label: 'Errors', color: '#e5534b', values: data.errors },
          ]
        : [],
    [data],
  );
  const latency = useMemo(
    () => (data ? [{ label: 'p99 duration', color: '#a371f7', values: data.p99 }] : []),
    [data],
  );

  return (
    <>
      <PageHeader title="Dashboard">
        <Segmented legend="Time range" name="range" options={RANGES} value={rangeId} onChange={setRangeId} />
      </PageHeader>
      {failed ? (
        <ErrorBox error={failed.error} title="Could not read metrics" />
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
            <Stat label="Highest p99" value={data.totals.p99 ? formatMs(data.totals.p99) : '–'} />
          </section>
          {data.totals.invocations === 0 ? (
            <p className="muted">
              No invocations in the last {range.label}: invoke a function and they appear here.
            </p>
          ) : null}
          <section className="card" aria-labelledby="chart-calls">
            <h2 id="chart-calls">Invocations and errors</h2>
            <Chart title="Invocations and errors per step" x={data.x} series={counts} dark={dark} />
          </section>
          <section className="card" aria-labelledby="chart-p99">
            <h2 id="chart-p99">Duration p99</h2>
            <Chart
              title="Largest per-minute p99 duration per step"
              x={data.x}
              series={latency}
              dark={dark}
              unit=" ms"
            />
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
