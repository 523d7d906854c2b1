/** Recurring schedules: `rate(5 minutes)` or `cron(0 12 * * ? *)` invoking a function. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading } from '../ui.tsx';
import { ConfirmButton, FunctionSelect } from './common.tsx';
import type { ScheduleRequest, ScheduleView } from './types.ts';

const KEY = ['schedules'] as const;

export function SchedulesTab() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: KEY,
    queryFn: () => api<{ schedules: ScheduleView[] }>('GET', '/v1/schedules'),
  });
  return (
    <>
      <AddSchedule />
      <div className="section-head">
        <h2>Schedules</h2>
      </div>
      {list.isPending ? (
        <Loading what="schedules" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list schedules" />
      ) : list.data.schedules.length === 0 ? (
        <Empty>
          <p>No schedules yet. Add one above to run a function on a rate or a cron expression.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Schedules">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Expression</th>
                <th scope="col">Target</th>
                <th scope="col">State</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.schedules.map((s) => (
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
                    <ConfirmButton
                      label="Delete"
                      accessibleName={`Delete schedule ${s.name}`}
                      question={`Delete schedule ${s.name}?`}
                      yes="Yes, delete"
                      run={() => api('DELETE', `/v1/schedules/${encodeURIComponent(s.name)}`)}
                      invalidate={[KEY]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function AddSchedule() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [fn, setFn] = useState('');
  const [expression, setExpression] = useState('rate(5 minutes)');
  const [timezone, setTimezone] = useState('');
  const add = useMutation({
    mutationFn: (b: { name: string; body: ScheduleRequest }) =>
      api<ScheduleView>('PUT', `/v1/schedules/${encodeURIComponent(b.name)}`, b.body),
    onSuccess: () => queries.invalidateQueries({ queryKey: KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({
      name: name.trim(),
      body: {
        function: fn,
        expression: expression.trim(),
        ...(timezone.trim() ? { timezone: timezone.trim() } : {}),
      },
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-schedule">
      <h2 id="add-schedule">Add a schedule</h2>
      <div className="inline-form">
        <div>
          <label htmlFor="schedule-name">Name</label>
          <input id="schedule-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div>
          <label htmlFor="schedule-fn">Function</label>
          <FunctionSelect id="schedule-fn" value={fn} onChange={setFn} />
        </div>
        <div className="grow">
          <label htmlFor="schedule-expr">Expression</label>
          <input
            id="schedule-expr"
            value={expression}
            onChange={(e) => setExpression(e.target.value)}
            required
            aria-describedby="schedule-help"
          />
        </div>
        <div>
          <label htmlFor="schedule-tz">Time zone</label>
          <input
            id="schedule-tz"
            className="short"
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
            placeholder="UTC"
          />
        </div>
        <div>
          <button type="submit" className="primary" disabled={add.isPending || !fn || !name.trim()}>
            {add.isPending ? 'Saving…' : 'Add schedule'}
          </button>
        </div>
      </div>
      <p id="schedule-help" className="muted small">
        <code>rate(5 minutes)</code>, <code>rate(1 hour)</code> or <code>cron(0 12 * * ? *)</code> (minutes,
        hours, day of month, month, day of week, year).
      </p>
      {add.isError ? <ErrorBox error={add.error} title="Could not save the schedule" /> : null}
      {add.isSuccess ? (
        <p className="muted" role="status">
          Saved {add.data.name}
          {add.data.nextFireAt ? `; next run ${formatTime(add.data.nextFireAt)}` : ''}
        </p>
      ) : null}
    </form>
  );
}
