/**
 * Usage & budgets: cost and GB-seconds per function and per day (GET /v1/usage?by=…) over a
 * chosen range, and the tenant's budgets with their percent spent (create, delete).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { BudgetRequest, BudgetView, UsageAnswer, UsageGroup } from '../admin/types.ts';
import { ConfirmButton, FieldError, invalid, TableRegion, usd } from '../admin/ui.tsx';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';

const RANGES = [
  { days: 1, label: '24 hours' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
] as const;

export default function Usage() {
  const [days, setDays] = useState<number>(7);
  // The range starts at the current minute's start, so the query key is stable for a minute.
  const since = Math.floor(Date.now() / 60_000) * 60_000 - days * 86_400_000;
  return (
    <>
      <PageHeader title="Usage & budgets">
        <fieldset className="segmented">
          <legend className="sr-only">Usage range</legend>
          {RANGES.map((r) => (
            <label key={r.days} className={r.days === days ? 'on' : ''}>
              <input
                type="radio"
                name="usage-range"
                checked={r.days === days}
                onChange={() => setDays(r.days)}
              />
              {r.label}
            </label>
          ))}
        </fieldset>
      </PageHeader>
      <div className="split">
        <UsageBy by="function" since={since} title="By function" />
        <UsageBy by="day" since={since} title="By day (UTC)" />
      </div>
      <Budgets />
    </>
  );
}

function UsageBy({ by, since, title }: { by: 'function' | 'day'; since: number; title: string }) {
  const { api } = useSession();
  const q = useQuery({
    queryKey: ['usage', by, since],
    queryFn: () => api<UsageAnswer>('GET', `/v1/usage?by=${by}&since=${since}`),
  });
  const id = `usage-${by}`;
  return (
    <section className="card panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {q.isPending ? (
        <Loading what="usage" />
      ) : q.isError ? (
        <ErrorBox error={q.error} title="Could not read usage" />
      ) : q.data.groups.length === 0 ? (
        <Empty>
          <p>No invocations in this range.</p>
        </Empty>
      ) : (
        <UsageTable answer={q.data} by={by} />
      )}
    </section>
  );
}

function UsageTable({ answer, by }: { answer: UsageAnswer; by: 'function' | 'day' }) {
  const max = Math.max(...answer.groups.map((g) => g.costUsd), 1e-12);
  const rows: UsageGroup[] =
    by === 'day' ? [...answer.groups].sort((a, b) => b.key.localeCompare(a.key)) : answer.groups;
  return (
    <>
      <p data-testid={`usage-total-${by}`}>
        Total <strong>{usd(answer.total.costUsd, answer.currency)}</strong> ·{' '}
        {answer.total.gbSeconds.toFixed(3)} GB-s · {answer.total.invocations} invocations
      </p>
      <TableRegion label={`Usage by ${by}`}>
        <table className="table" aria-label={`Usage by ${by}`}>
          <thead>
            <tr>
              <th scope="col">{by === 'day' ? 'Day' : 'Function'}</th>
              <th scope="col" className="num">
                Invocations
              </th>
              <th scope="col" className="num">
                GB-s
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col">
                <span className="sr-only">Share of the highest cost</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.key}>
                <td>{g.key}</td>
                <td className="num">{g.invocations}</td>
                <td className="num">{g.gbSeconds.toFixed(3)}</td>
                <td className="num">{usd(g.costUsd, answer.currency)}</td>
                <td>
                  <span className="meter" aria-hidden="true">
                    <span style={{ width: `${Math.max(2, (g.costUsd / max) * 100)}%` }} />
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </>
  );
}

function Budgets() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['budgets'],
    queryFn: () => api<{ budgets: BudgetView[] }>('GET', '/v1/budgets'),
  });
  return (
    <section className="card" aria-labelledby="budgets-title">
      <h2 id="budgets-title">Budgets</h2>
      {list.isPending ? (
        <Loading what="budgets" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list budgets" />
      ) : list.data.budgets.length === 0 ? (
        <Empty>
          <p>No budgets. A budget caps what the tenant or one function spends in a period.</p>
        </Empty>
      ) : (
        <TableRegion label="Budgets">
          <table className="table" aria-label="Budgets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Period</th>
                <th scope="col" className="num">
                  Spent
                </th>
                <th scope="col">Percent</th>
                <th scope="col">Action</th>
                <th scope="col">
                  <span className="sr-only">Delete</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.budgets.map((b) => (
                <BudgetRow key={b.name} b={b} />
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <BudgetForm />
    </section>
  );
}

function BudgetRow({ b }: { b: BudgetView }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const del = useMutation({
    mutationFn: () => api('DELETE', `/v1/budgets/${encodeURIComponent(b.name)}`),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['budgets'] }),
  });
  const pct = b.percent;
  return (
    <tr data-testid={`budget-${b.name}`}>
      <td>{b.name}</td>
      <td>{b.functionName ?? 'every function'}</td>
      <td title={`${formatTime(b.periodStart)} – ${formatTime(b.periodEnd)}`}>
        {b.period.kind === 'monthly' ? 'monthly' : `every ${b.period.days} days`}
      </td>
      <td className="num">
        {usd(b.spentUsd)} of {usd(b.limitUsd)}
      </td>
      <td>
        <span className={`meter ${pct >= 100 ? 'over' : ''}`} aria-hidden="true">
          <span style={{ width: `${Math.min(100, Math.max(1, pct))}%` }} />
        </span>{' '}
        <span data-testid="budget-percent">{pct.toFixed(pct < 10 ? 1 : 0)} %</span>
        {b.blocking ? <span className="badge bad"> blocking</span> : null}
      </td>
      <td>{b.action}</td>
      <td>
        <ConfirmButton
          label="Delete"
          question={`Delete budget ${b.name}? Its cap stops applying.`}
          yes="Yes, delete"
          onConfirm={() => del.mutate()}
          pending={del.isPending}
          error={del.error ?? undefined}
        />
      </td>
    </tr>
  );
}

function BudgetForm() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [limit, setLimit] = useState('10');
  const [period, setPeriod] = useState('monthly');
  const [fn, setFn] = useState('');
  const [action, setAction] = useState<'block' | 'notify'>('notify');
  const [errors, setErrors] = useState<{ name?: string; limit?: string; period?: string }>({});
  const create = useMutation({
    mutationFn: () => {
      const body: BudgetRequest = {
        limitUsd: Number(limit),
        period: period === 'monthly' ? 'monthly' : { days: Number(period) },
        action,
        ...(fn ? { function: fn } : {}),
      };
      return api<{ budget: BudgetView }>('PUT', `/v1/budgets/${encodeURIComponent(name)}`, body);
    },
    onSuccess: async () => {
      setName('');
      await queries.invalidateQueries({ queryKey: ['budgets'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
      next.name = 'A name is 1–64 letters, digits, _ . - (starting with a letter or digit).';
    const n = Number(limit);
    if (!(Number.isFinite(n) && n > 0 && n <= 1e9)) next.limit = 'The limit is an amount above 0.';
    if (period !== 'monthly' && !(Number.isInteger(Number(period)) && +period >= 1 && +period <= 366))
      next.period = 'A period is monthly or 1–366 days.';
    setErrors(next);
    if (Object.keys(next).length === 0) create.mutate();
  }
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="budget-form-title">
      <h3 id="budget-form-title">New budget</h3>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="budget-name">Budget name</label>
          <input
            id="budget-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            {...invalid('budget-name', errors.name)}
          />
          <FieldError id="budget-name-error" error={errors.name} />
        </div>
        <div className="field">
          <label htmlFor="budget-limit">Limit (USD)</label>
          <input
            id="budget-limit"
            inputMode="decimal"
            value={limit}
            onChange={(e) => setLimit(e.target.value)}
            {...invalid('budget-limit', errors.limit)}
          />
          <FieldError id="budget-limit-error" error={errors.limit} />
        </div>
        <div className="field">
          <label htmlFor="budget-period">Period</label>
          <select
            id="budget-period"
            value={period}
            onChange={(e) => setPeriod(e.target.value)}
            {...invalid('budget-period', errors.period)}
          >
            <option value="monthly">Monthly</option>
            <option value="1">Daily</option>
            <option value="7">Every 7 days</option>
            <option value="30">Every 30 days</option>
          </select>
          <FieldError id="budget-period-error" error={errors.period} />
        </div>
        <div className="field">
          <label htmlFor="budget-function">Function (empty: all)</label>
          <input id="budget-function" value={fn} onChange={(e) => setFn(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="budget-action">At the limit</label>
          <select
            id="budget-action"
            value={action}
            onChange={(e) => setAction(e.target.value as 'block' | 'notify')}
          >
            <option value="notify">Notify only</option>
            <option value="block">Block invocations</option>
          </select>
        </div>
      </div>
      {create.isError ? <ErrorBox error={create.error} title="Creating the budget failed" /> : null}
      <button type="submit" className="primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create budget'}
      </button>
    </form>
  );
}
