/** Alerts: the tenant's rules with their state (firing, pending, ok) and last value; create, delete. */
import { useState } from 'react';
import { nameProblem } from '../admin/names.ts';
import { ok, type Schema } from '../api/client.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, SelectField, TextField, useFieldErrors } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';

type AlertMetric = Schema<'AlertRuleRequest'>['metric'];

const ALERTS = ['alerts'] as const;
const METRICS: readonly { value: AlertMetric; label: string }[] = [
  { value: 'error_rate', label: 'Error rate (%)' },
  { value: 'errors', label: 'Errors' },
  { value: 'invocations', label: 'Invocations' },
  { value: 'throttles', label: 'Throttles' },
  { value: 'cold_starts', label: 'Cold starts' },
  { value: 'duration_p99', label: 'Duration p99 (ms)' },
  { value: 'duration_avg', label: 'Duration average (ms)' },
  { value: 'dead_letters', label: 'Dead letters' },
  { value: 'queue_age_sec', label: 'Oldest queued message (s)' },
  { value: 'budget_percent', label: 'Budget spent (%)' },
];
const OPS = ['>', '>=', '<', '<=', '=='] as const;
const label = (m: AlertMetric) => METRICS.find((x) => x.value === m)?.label ?? m;

export default function Alerts() {
  const list = useGet(ALERTS, (c) => c.GET('/v1/alerts'), { refetchInterval: 15_000 });
  return (
    <>
      <PageHeader title="Alerts" />
      <QueryState
        query={list}
        what="alert rules"
        items={(d) => d.alerts}
        empty="No alert rules. A rule compares a metric with a threshold and notifies a topic or a function."
      >
        {(alerts) => (
          <Table
            label="Alert rules"
            columns={[
              'Name',
              'State',
              'Condition',
              { label: 'Last value', num: true },
              'Since',
              { label: 'Delete', hidden: true },
            ]}
          >
            {alerts.map((a) => (
              <AlertRow key={a.name} a={a} />
            ))}
          </Table>
        )}
      </QueryState>
      <Can action="nimbus:PutAlert">
        <AlertForm />
      </Can>
    </>
  );
}

function AlertRow({ a }: { a: Schema<'AlertRuleView'> }) {
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
        <Can action="nimbus:DeleteAlert">
          <DeleteButton
            question={`Delete alert ${a.name}?`}
            call={(c) => c.DELETE('/v1/alerts/{name}', { params: { path: { name: a.name } } })}
            invalidate={[ALERTS]}
          />
        </Can>
      </td>
    </tr>
  );
}

function AlertForm() {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [metric, setMetric] = useState<AlertMetric>('error_rate');
  const [op, setOp] = useState<(typeof OPS)[number]>('>');
  const [threshold, setThreshold] = useState('5');
  const [windowMin, setWindowMin] = useState('5');
  const [fn, setFn] = useState('');
  const [budget, setBudget] = useState('');
  const [topic, setTopic] = useState('');
  const { errors, check } = useFieldErrors<'name' | 'threshold' | 'window' | 'budget'>();
  const create = useChange({
    run: () => {
      const body: Schema<'AlertRuleRequest'> = {
        metric,
        op,
        threshold: Number(threshold),
        windowSec: Number(windowMin) * 60,
        ...(fn ? { function: fn } : {}),
        ...(metric === 'budget_percent' ? { budget } : {}),
        notify: topic ? [{ topic }] : [],
      };
      return ok(client.PUT('/v1/alerts/{name}', { params: { path: { name } }, body }));
    },
    invalidate: [ALERTS],
    onDone: () => setName(''),
  });
  function submit() {
    const w = Number(windowMin);
    const ok = check({
      name: nameProblem(name),
      threshold:
        (threshold.trim() === '' || !Number.isFinite(Number(threshold))) && 'The threshold is a number.',
      window: !(Number.isInteger(w) && w >= 1 && w <= 1440) && 'The window is 1 to 1440 minutes.',
      budget: metric === 'budget_percent' && !budget && 'Name the budget this rule watches.',
    });
    if (ok) create.mutate();
  }
  return (
    <ChangeForm
      title="New alert rule"
      change={create}
      failed="Creating the alert rule failed"
      submit="Create alert rule"
      busy="Creating…"
      noValidate
      onSubmit={submit}
    >
      <div className="field-grid">
        <TextField id="alert-name" label="Rule name" value={name} onChange={setName} error={errors.name} />
        <SelectField id="alert-metric" label="Metric" value={metric} onChange={setMetric} options={METRICS} />
        <SelectField id="alert-op" label="Comparison" value={op} onChange={setOp} options={OPS} />
        <TextField
          id="alert-threshold"
          label="Threshold"
          inputMode="decimal"
          value={threshold}
          onChange={setThreshold}
          error={errors.threshold}
        />
        <TextField
          id="alert-window"
          label="Window (minutes)"
          inputMode="numeric"
          value={windowMin}
          onChange={setWindowMin}
          error={errors.window}
        />
        <TextField id="alert-function" label="Function (empty: all)" value={fn} onChange={setFn} />
        {metric === 'budget_percent' ? (
          <TextField
            id="alert-budget"
            label="Budget"
            value={budget}
            onChange={setBudget}
            error={errors.budget}
          />
        ) : null}
        <TextField id="alert-topic" label="Notify topic (optional)" value={topic} onChange={setTopic} />
      </div>
    </ChangeForm>
  );
}
