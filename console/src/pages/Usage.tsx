/**
 * Usage & budgets: cost and GB-seconds per function and per day (GET /v1/usage?by=…) over a
 * chosen range, and the tenant's budgets with their percent spent (create, delete).
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { nameProblem } from '../admin/names.ts';
import { ok, type Schema } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, Segmented, SelectField, TextField, useFieldErrors } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime, usd } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';
import '../admin/admin.css';

const BUDGETS = ['budgets'] as const;
const RANGES = [
  { value: 1, label: '24 hours' },
  { value: 7, label: '7 days' },
  { value: 30, label: '30 days' },
] as const;

export default function Usage() {
  const [days, setDays] = useState<number>(7);
  // The range starts at the current minute's start, so the query key is stable for a minute.
  const since = Math.floor(Date.now() / 60_000) * 60_000 - days * 86_400_000;
  return (
    <>
      <PageHeader title="Usage & budgets">
        <Segmented legend="Usage range" name="usage-range" options={RANGES} value={days} onChange={setDays} />
      </PageHeader>
      <div className="split">
        <UsageBy by="function" since={since} title="By function" />
        <UsageBy by="day" since={since} title="By day (UTC)" />
      </div>
      <Budgets />
    </>
  );
}

/** GET /v1/usage answers groups when asked `by` something (records otherwise). */
function grouped(r: Schema<'UsageReport'>): Schema<'UsageAggregate'> {
  if ('groups' in r) return r;
  throw new ApiError({
    code: 'CONSOLE_UNEXPECTED_ANSWER',
    message: 'GET /v1/usage?by=… answered records instead of groups',
    status: 200,
  });
}

function UsageBy({ by, since, title }: { by: 'function' | 'day'; since: number; title: string }) {
  const { client } = useSession();
  const q = useQuery({
    queryKey: ['usage', by, since],
    queryFn: async () => grouped(await ok(client.GET('/v1/usage', { params: { query: { by, since } } }))),
  });
  const id = `usage-${by}`;
  return (
    <section className="card panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <QueryState
        query={q}
        what="usage"
        failed="Could not read usage"
        items={(d) => d.groups}
        empty="No invocations in this range."
      >
        {(groups, answer) => {
          const max = Math.max(...groups.map((g) => g.costUsd), 1e-12);
          const rows = by === 'day' ? [...groups].sort((a, b) => b.key.localeCompare(a.key)) : groups;
          return (
            <>
              <p data-testid={`usage-total-${by}`}>
                Total <strong>{usd(answer.total.costUsd, answer.currency)}</strong> ·{' '}
                {answer.total.gbSeconds.toFixed(3)} GB-s · {answer.total.invocations} invocations
              </p>
              <Table
                label={`Usage by ${by}`}
                columns={[
                  by === 'day' ? 'Day' : 'Function',
                  { label: 'Invocations', num: true },
                  { label: 'GB-s', num: true },
                  { label: 'Cost', num: true },
                  { label: 'Share of the highest cost', hidden: true },
                ]}
              >
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
              </Table>
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

function Budgets() {
  const list = useGet(BUDGETS, (c) => c.GET('/v1/budgets'));
  return (
    <section className="card" aria-labelledby="budgets-title">
      <h2 id="budgets-title">Budgets</h2>
      <QueryState
        query={list}
        what="budgets"
        items={(d) => d.budgets}
        empty="No budgets. A budget caps what the tenant or one function spends in a period."
      >
        {(budgets) => (
          <Table
            label="Budgets"
            columns={[
              'Name',
              'Scope',
              'Period',
              { label: 'Spent', num: true },
              'Percent',
              'Action',
              { label: 'Delete', hidden: true },
            ]}
          >
            {budgets.map((b) => (
              <BudgetRow key={b.name} b={b} />
            ))}
          </Table>
        )}
      </QueryState>
      <Can action="nimbus:PutBudget">
        <BudgetForm />
      </Can>
    </section>
  );
}

function BudgetRow({ b }: { b: Schema<'BudgetView'> }) {
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
        <Can action="nimbus:DeleteBudget">
          <DeleteButton
            question={`Delete budget ${b.name}? Its cap stops applying.`}
            call={(c) => c.DELETE('/v1/budgets/{name}', { params: { path: { name: b.name } } })}
            invalidate={[BUDGETS]}
          />
        </Can>
      </td>
    </tr>
  );
}

const PERIODS = [
  { value: 'monthly', label: 'Monthly' },
  { value: '1', label: 'Daily' },
  { value: '7', label: 'Every 7 days' },
  { value: '30', label: 'Every 30 days' },
];
const ACTIONS = [
  { value: 'notify', label: 'Notify only' },
  { value: 'block', label: 'Block invocations' },
] as const;

function BudgetForm() {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [limit, setLimit] = useState('10');
  const [period, setPeriod] = useState('monthly');
  const [fn, setFn] = useState('');
  const [action, setAction] = useState<'block' | 'notify'>('notify');
  const { errors, check } = useFieldErrors<'name' | 'limit' | 'period'>();
  const create = useChange({
    run: () => {
      const body: Schema<'BudgetRequest'> = {
        limitUsd: Number(limit),
        period: period === 'monthly' ? 'monthly' : { days: Number(period) },
        action,
        ...(fn ? { function: fn } : {}),
      };
      return ok(client.PUT('/v1/budgets/{name}', { params: { path: { name } }, body }));
    },
    invalidate: [BUDGETS],
    onDone: () => setName(''),
  });
  function submit() {
    const n = Number(limit);
    const days = Number(period);
    const ok = check({
      name: nameProblem(name),
      limit: !(Number.isFinite(n) && n > 0 && n <= 1e9) && 'The limit is an amount above 0.',
      period:
        period !== 'monthly' &&
        !(Number.isInteger(days) && days >= 1 && days <= 366) &&
        'A period is monthly or 1–366 days.',
    });
    if (ok) create.mutate();
  }
  return (
    <ChangeForm
      title="New budget"
      level={3}
      className="form"
      change={create}
      failed="Creating the budget failed"
      submit="Create budget"
      busy="Creating…"
      noValidate
      onSubmit={submit}
    >
      <div className="field-grid">
        <TextField id="budget-name" label="Budget name" value={name} onChange={setName} error={errors.name} />
        <TextField
          id="budget-limit"
          label="Limit (USD)"
          inputMode="decimal"
          value={limit}
          onChange={setLimit}
          error={errors.limit}
        />
        <SelectField
          id="budget-period"
          label="Period"
          value={period}
          onChange={setPeriod}
          options={PERIODS}
          error={errors.period}
        />
        <TextField id="budget-function" label="Function (empty: all)" value={fn} onChange={setFn} />
        <SelectField
          id="budget-action"
          label="At the limit"
          value={action}
          onChange={setAction}
          options={ACTIONS}
        />
      </div>
    </ChangeForm>
  );
}
