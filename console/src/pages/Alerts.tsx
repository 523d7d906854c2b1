/** Alerts: the tenant's rules with their state (firing, pending, ok) and last value; create, delete. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { AlertMetric, AlertRuleRequest, AlertView } from '../admin/types.ts';
import { ConfirmButton, FieldError, invalid, TableRegion } from '../admin/ui.tsx';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';

const METRICS: readonly { id: AlertMetric; label: string }[] = [
  { id: 'error_rate', label: 'Error rate (%)' },
  { id: 'errors', label: 'Errors' },
  { id: 'invocations', label: 'Invocations' },
  { id: 'throttles', label: 'Throttles' },
  { id: 'cold_starts', label: 'Cold starts' },
  { id: 'duration_p99', label: 'Duration p99 (ms)' },
  { id: 'duration_avg', label: 'Duration average (ms)' },
  { id: 'dead_letters', label: 'Dead letters' },
  { id: 'queue_age_sec', label: 'Oldest queued message (s)' },
  { id: 'budget_percent', label: 'Budget spent (%)' },
];
const OPS = ['>', '>=', '<', '<=', '=='] as const;
const label = (m: AlertMetric) => METRICS.find((x) => x.id === m)?.label ?? m;

export default function Alerts() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['alerts'],
    queryFn: () => api<{ alerts: AlertView[] }>('GET', '/v1/alerts'),
    refetchInterval: 15_000,
  });
  return (
    <>
      <PageHeader title="Alerts" />
      {list.isPending ? (
        <Loading what="alert rules" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list alert rules" />
      ) : list.data.alerts.length === 0 ? (
        <Empty>
          <p>No alert rules. A rule compares a metric with a threshold and notifies a topic or a function.</p>
        </Empty>
      ) : (
        <TableRegion label="Alert rules">
          <table className="table" aria-label="Alert rules">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Condition</th>
                <th scope="col" className="num">
                  Last value
                </th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="sr-only">Delete</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.alerts.map((a) => (
                <AlertRow key={a.name} a={a} />
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <AlertForm />
    </>
  );
}

function AlertRow({ a }: { a: AlertView }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const del = useMutation({
    mutationFn: () => api('DELETE', `/v1/alerts/${encodeURIComponent(a.name)}`),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts'] }),
  });
  const tone = a.state === 'firing' ? 'firing' : a.state === 'pending' ? 'pending' : 'ok';
  return (
    <tr data-testid={`alert-${a.name}`}>
      <td>{a.name}</td>
      <td>
        <span className={`badge ${tone}`}>{a.state}</span>
      </td>
      <td>
        {label(a.metric)}
        {a.budget ? ` of ${a.budget}` : ''} {a.op} {a.threshold} over {a.windowSec / 60} min
        {a.forSec > 0 ? ` for ${a.forSec} s` : ''} · {a.function ?? 'all functions'}
      </td>
      <td className="num">{a.value === null ? '—' : Number(a.value.toFixed(3))}</td>
      <td>{a.evaluatedAt ? formatTime(a.since) : 'not evaluated yet'}</td>
      <td>
        <ConfirmButton
          label="Delete"
          question={`Delete alert ${a.name}?`}
          yes="Yes, delete"
          onConfirm={() => del.mutate()}
          pending={del.isPending}
          error={del.error ?? undefined}
        />
      </td>
    </tr>
  );
}

function AlertForm() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [metric, setMetric] = useState<AlertMetric>('error_rate');
  const [op, setOp] = useState<(typeof OPS)[number]>('>');
  const [threshold, setThreshold] = useState('5');
  const [windowMin, setWindowMin] = useState('5');
  const [fn, setFn] = useState('');
  const [budget, setBudget] = useState('');
  const [topic, setTopic] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'name' | 'threshold' | 'window' | 'budget', string>>>(
    {},
  );
  const create = useMutation({
    mutationFn: () => {
      const body: AlertRuleRequest = {
        metric,
        op,
        threshold: Number(threshold),
        windowSec: Number(windowMin) * 60,
        ...(fn ? { function: fn } : {}),
        ...(metric === 'budget_percent' ? { budget } : {}),
        // The generated type reads `notify` as one target or a list of webhooks; the API takes a list of any.
        notify: (topic ? [{ topic }] : []) as unknown as AlertRuleRequest['notify'],
      };
      return api<{ alert: AlertView }>('PUT', `/v1/alerts/${encodeURIComponent(name)}`, body);
    },
    onSuccess: async () => {
      setName('');
      await queries.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
      next.name = 'A name is 1–64 letters, digits, _ . - (starting with a letter or digit).';
    if (threshold.trim() === '' || !Number.isFinite(Number(threshold)))
      next.threshold = 'The threshold is a number.';
    const w = Number(windowMin);
    if (!(Number.isInteger(w) && w >= 1 && w <= 1440)) next.window = 'The window is 1 to 1440 minutes.';
    if (metric === 'budget_percent' && !budget) next.budget = 'Name the budget this rule watches.';
    setErrors(next);
    if (Object.keys(next).length === 0) create.mutate();
  }
  return (
    <form className="card form-wide" onSubmit={submit} noValidate aria-labelledby="alert-form-title">
      <h2 id="alert-form-title">New alert rule</h2>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="alert-name">Rule name</label>
          <input
            id="alert-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            {...invalid('alert-name', errors.name)}
          />
          <FieldError id="alert-name-error" error={errors.name} />
        </div>
        <div className="field">
          <label htmlFor="alert-metric">Metric</label>
          <select id="alert-metric" value={metric} onChange={(e) => setMetric(e.target.value as AlertMetric)}>
            {METRICS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-op">Comparison</label>
          <select id="alert-op" value={op} onChange={(e) => setOp(e.target.value as (typeof OPS)[number])}>
            {OPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-threshold">Threshold</label>
          <input
            id="alert-threshold"
            inputMode="decimal"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            {...invalid('alert-threshold', errors.threshold)}
          />
          <FieldError id="alert-threshold-error" error={errors.threshold} />
        </div>
        <div className="field">
          <label htmlFor="alert-window">Window (minutes)</label>
          <input
            id="alert-window"
            inputMode="numeric"
            value={windowMin}
            onChange={(e) => setWindowMin(e.target.value)}
            {...invalid('alert-window', errors.window)}
          />
          <FieldError id="alert-window-error" error={errors.window} />
        </div>
        <div className="field">
          <label htmlFor="alert-function">Function (empty: all)</label>
          <input id="alert-function" value={fn} onChange={(e) => setFn(e.target.value)} />
        </div>
        {metric === 'budget_percent' ? (
          <div className="field">
            <label htmlFor="alert-budget">Budget</label>
            <input
              id="alert-budget"
              value={budget}
              onChange={(e) => setBudget(e.target.value)}
              {...invalid('alert-budget', errors.budget)}
            />
            <FieldError id="alert-budget-error" error={errors.budget} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="alert-topic">Notify topic (optional)</label>
          <input id="alert-topic" value={topic} onChange={(e) => setTopic(e.target.value)} />
        </div>
      </div>
      {create.isError ? <ErrorBox error={create.error} title="Creating the alert rule failed" /> : null}
      <div className="row">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create alert rule'}
        </button>
      </div>
    </form>
  );
}
