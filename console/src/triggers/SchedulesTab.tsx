/** Recurring schedules: `rate(5 minutes)` or `cron(0 12 * * ? *)` invoking a function. */
import { useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, FunctionField, TextField } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { QueryState, SectionHeader } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';

const KEY = ['schedules'] as const;

export function SchedulesTab() {
  const list = useGet(KEY, (c) => c.GET('/v1/schedules'));
  return (
    <>
      <Can action="nimbus:PutSchedule">
        <AddSchedule />
      </Can>
      <SectionHeader title="Schedules" />
      <QueryState
        query={list}
        what="schedules"
        items={(d) => d.schedules}
        empty="No schedules yet. Add one above to run a function on a rate or a cron expression."
      >
        {(schedules) => (
          <Table
            label="Schedules"
            columns={[
              'Name',
              'Expression',
              'Target',
              'State',
              'Next run',
              'Last run',
              { label: 'Actions', hidden: true },
            ]}
          >
            {schedules.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td>
                  <code>{s.expression}</code>
                  {s.timezone && s.timezone !== 'UTC' ? (
                    <span className="muted small"> {s.timezone}</span>
                  ) : null}
                </td>
                <td>{s.function ?? `state machine ${s.stateMachine ?? '?'}`}</td>
                <td>
                  <span className={`badge ${s.enabled ? 'ok' : ''}`}>
                    {s.enabled ? 'Enabled' : 'Disabled'}
                  </span>
                </td>
                <td>{s.nextFireAt ? formatTime(s.nextFireAt) : '–'}</td>
                <td>{s.lastFireAt ? formatTime(s.lastFireAt) : 'never'}</td>
                <td>
                  <Can action="nimbus:DeleteSchedule">
                    <DeleteButton
                      accessibleName={`Delete schedule ${s.name}`}
                      question={`Delete schedule ${s.name}?`}
                      call={(c) => c.DELETE('/v1/schedules/{name}', { params: { path: { name: s.name } } })}
                      invalidate={[KEY]}
                    />
                  </Can>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
    </>
  );
}

function AddSchedule() {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [fn, setFn] = useState('');
  const [expression, setExpression] = useState('rate(5 minutes)');
  const [timezone, setTimezone] = useState('');
  const add = useChange({
    run: (b: { name: string; body: Schema<'ScheduleRequest'> }) =>
      ok(client.PUT('/v1/schedules/{name}', { params: { path: { name: b.name } }, body: b.body })),
    invalidate: [KEY],
  });
  const submit = () =>
    add.mutate({
      name: name.trim(),
      body: {
        function: fn,
        expression: expression.trim(),
        ...(timezone.trim() ? { timezone: timezone.trim() } : {}),
      },
    });
  return (
    <ChangeForm
      title="Add a schedule"
      change={add}
      failed="Could not save the schedule"
      submit="Add schedule"
      busy="Saving…"
      disabled={!fn || !name.trim()}
      onSubmit={submit}
      status={
        add.isSuccess ? (
          <p className="muted" role="status">
            Saved {add.data.name}
            {add.data.nextFireAt ? `; next run ${formatTime(add.data.nextFireAt)}` : ''}
          </p>
        ) : null
      }
    >
      <div className="inline-form">
        <TextField id="schedule-name" label="Name" value={name} onChange={setName} required />
        <FunctionField id="schedule-fn" value={fn} onChange={setFn} />
        <TextField
          id="schedule-expr"
          label="Expression"
          grow
          value={expression}
          onChange={setExpression}
          required
          aria-describedby="schedule-help"
        />
        <TextField
          id="schedule-tz"
          label="Time zone"
          className="short"
          value={timezone}
          onChange={setTimezone}
          placeholder="UTC"
        />
      </div>
      <p id="schedule-help" className="muted small">
        <code>rate(5 minutes)</code>, <code>rate(1 hour)</code> or <code>cron(0 12 * * ? *)</code> (minutes,
        hours, day of month, month, day of week, year).
      </p>
    </ChangeForm>
  );
}
