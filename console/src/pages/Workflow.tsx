/**
 * One workflow: its definition as a graph, starting an execution with a JSON input, the
 * executions (filtered by status), and an execution's view: the graph with the visited states
 * marked and the current or failed one highlighted, its event history, stop and redrive.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { EXECUTION_STATUSES } from '../../../src/core/types.ts';
import { ok, type Schema } from '../api/client.ts';
import { ConfirmButton, DeleteButton } from '../components/ConfirmButton.tsx';
import { ErrorBox, Loading, PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can, PermissionScope } from '../permissions.ts';
import { useSession } from '../session.tsx';
import { WorkflowGraph } from '../workflows/Graph.tsx';
import { type Mark, marksOf } from '../workflows/graph.ts';

type ExecutionStatus = Schema<'ExecutionView'>['status'];
const isStatus = (s: string): s is ExecutionStatus => (EXECUTION_STATUSES as readonly string[]).includes(s);

const ENDED_BADLY = new Set<ExecutionStatus>(['FAILED', 'TIMED_OUT', 'ABORTED']);

function StatusBadge({ status }: { status: ExecutionStatus }) {
  const tone = status === 'SUCCEEDED' ? 'ok' : ENDED_BADLY.has(status) ? 'bad' : 'warm';
  return <span className={`badge ${tone}`}>{status}</span>;
}

export default function Workflow() {
  const name = useParams().name ?? '';
  const { client } = useSession();
  const [search] = useSearchParams();
  const selected = search.get('execution');
  const machine = useQuery({
    queryKey: ['workflow', name],
    queryFn: () => ok(client.GET('/v1/workflows/{name}', { params: { path: { name } } })),
  });
  return (
    <PermissionScope resource={{ stateMachine: name }}>
      <p className="crumbs">
        <Link to="/workflows">Workflows</Link>
        <span aria-hidden="true">/</span>
        {selected ? <Link to={`/workflows/${encodeURIComponent(name)}`}>{name}</Link> : <span>{name}</span>}
      </p>
      <PageHeader title={name}>
        {machine.data ? (
          <Can action="states:DeleteStateMachine">
            <DeleteWorkflow name={name} />
          </Can>
        ) : null}
      </PageHeader>
      {machine.isPending ? (
        <Loading what="the workflow" />
      ) : machine.isError ? (
        <ErrorBox error={machine.error} title="Could not load the workflow" />
      ) : selected ? (
        <PermissionScope resource={{ execution: selected }}>
          <ExecutionPanel arn={selected} machine={machine.data} />
        </PermissionScope>
      ) : (
        <>
          <section className="card" aria-labelledby="wf-def">
            <h2 id="wf-def">Definition</h2>
            <p className="muted small">
              {machine.data.type} · {machine.data.description || 'no description'}
              {` · updated ${formatTime(machine.data.updatedAt)}`}
            </p>
            <WorkflowGraph definition={machine.data.definition} label={`States of ${name}`} />
          </section>
          <Can action="states:StartExecution">
            <StartExecution name={name} />
          </Can>
          <Executions name={name} />
        </>
      )}
    </PermissionScope>
  );
}

function DeleteWorkflow({ name }: { name: string }) {
  const navigate = useNavigate();
  return (
    <DeleteButton
      question={`Delete the workflow ${name}?`}
      call={(c) => c.DELETE('/v1/workflows/{name}', { params: { path: { name } } })}
      invalidate={[['workflows']]}
      onDone={() => navigate('/workflows')}
    />
  );
}

function StartExecution({ name }: { name: string }) {
  const { client } = useSession();
  const queries = useQueryClient();
  const [, setSearch] = useSearchParams();
  const [input, setInput] = useState('{}');
  const [execName, setExecName] = useState('');
  const [bad, setBad] = useState<string>();
  const ids = { input: useId(), name: useId(), err: useId() };
  const start = useMutation({
    mutationFn: (body: Schema<'StartExecutionRequest'>) =>
      ok(client.POST('/v1/workflows/{name}/executions', { params: { path: { name } }, body })),
    onSuccess: async (e) => {
      await queries.invalidateQueries({ queryKey: ['executions', name] });
      setSearch({ execution: e.arn });
    },
  });
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    let value: unknown;
    try {
      value = input.trim() === '' ? {} : JSON.parse(input);
    } catch (e) {
      setBad(`The input is not JSON: ${(e as Error).message}`);
      return;
    }
    setBad(undefined);
    start.mutate({ input: value, ...(execName.trim() ? { name: execName.trim() } : {}) });
  };
  return (
    <section className="card" aria-labelledby="wf-start">
      <h2 id="wf-start">Start an execution</h2>
      <form className="form" onSubmit={submit}>
        <label htmlFor={ids.input}>Input (JSON)</label>
        <textarea
          id={ids.input}
          className="wf-input"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          spellCheck={false}
          aria-invalid={bad ? true : undefined}
          aria-describedby={bad ? ids.err : undefined}
        />
        {bad ? (
          <p id={ids.err} className="error-text">
            {bad}
          </p>
        ) : null}
        <label htmlFor={ids.name}>Execution name (optional)</label>
        <input id={ids.name} value={execName} onChange={(e) => setExecName(e.target.value)} />
        <button type="submit" className="primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Start execution'}
        </button>
      </form>
      {start.isError ? <ErrorBox error={start.error} title="Could not start the execution" /> : null}
    </section>
  );
}

function Executions({ name }: { name: string }) {
  const { client } = useSession();
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const id = useId();
  const list = useQuery({
    queryKey: ['executions', name, status],
    queryFn: () =>
      ok(
        client.GET('/v1/workflows/{name}/executions', {
          params: { path: { name }, query: { limit: 100, ...(status ? { status } : {}) } },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.executions.some((e) => e.status === 'RUNNING') ? 2000 : 10_000),
    // A new status filter keeps the rows shown until its answer replaces them (no flash of "Loading").
    placeholderData: keepPreviousData,
  });
  return (
    <section className="card" aria-labelledby="wf-execs">
      <div className="wf-exec-head">
        <h2 id="wf-execs">Executions</h2>
        <label htmlFor={id}>Status</label>
        <select
          id={id}
          value={status}
          onChange={(e) => setStatus(isStatus(e.target.value) ? e.target.value : '')}
        >
          <option value="">All</option>
          {EXECUTION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <QueryState
        query={list}
        what="executions"
        items={(d) => d.executions}
        empty={status ? `No ${status} executions.` : 'No executions yet: start one above.'}
      >
        {(executions) => (
          <Table label="Executions" columns={['Name', 'Status', 'Started', 'Stopped']}>
            {executions.map((e) => (
              <tr key={e.arn}>
                <td>
                  <Link to={`?execution=${encodeURIComponent(e.arn)}`}>{e.name}</Link>
                </td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>{formatTime(e.startedAt)}</td>
                <td>{e.stoppedAt ? formatTime(e.stoppedAt) : '–'}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
    </section>
  );
}

const json = (v: unknown) => (v === undefined || v === null ? '–' : JSON.stringify(v, null, 2));

function ExecutionPanel({ arn, machine }: { arn: string; machine: Schema<'WorkflowView'> }) {
  const { client } = useSession();
  const params = { path: { arn } };
  const exec = useQuery({
    queryKey: ['execution', arn],
    queryFn: () => ok(client.GET('/v1/executions/{arn}', { params })),
    refetchInterval: (q) => (q.state.data?.status === 'RUNNING' ? 1500 : false),
  });
  const running = exec.data?.status === 'RUNNING';
  const history = useQuery({
    queryKey: ['history', arn, exec.data?.status, exec.data?.redriveCount],
    queryFn: () =>
      ok(client.GET('/v1/executions/{arn}/history', { params: { ...params, query: { limit: 1000 } } })),
    enabled: exec.isSuccess,
    refetchInterval: running ? 1500 : false,
  });
  const marks = useMemo(
    () =>
      history.data && exec.data ? marksOf(history.data.events, exec.data.status) : new Map<string, Mark>(),
    [history.data, exec.data],
  );
  const refresh = [
    ['execution', arn],
    ['executions', machine.name],
  ];

  if (exec.isPending) return <Loading what="the execution" />;
  if (exec.isError) return <ErrorBox error={exec.error} title="Could not load the execution" />;
  const e = exec.data;
  return (
    <>
      <section className="card" aria-labelledby="wf-exec">
        <div className="wf-exec-head">
          <h2 id="wf-exec">Execution {e.name}</h2>
          <StatusBadge status={e.status} />
          {running ? (
            <Can action="states:StopExecution">
              <ConfirmButton
                label="Stop"
                question="Stop this execution?"
                yes="Yes, stop"
                run={() => ok(client.POST('/v1/executions/{arn}/stop', { params, body: {} }))}
                invalidate={refresh}
              />
            </Can>
          ) : null}
          {ENDED_BADLY.has(e.status) ? (
            <Can action="states:RedriveExecution">
              <ConfirmButton
                label="Redrive"
                safe
                question="Redrive: run it again from the state that failed?"
                yes="Yes, redrive"
                run={() => ok(client.POST('/v1/executions/{arn}/redrive', { params }))}
                invalidate={refresh}
              />
            </Can>
          ) : null}
        </div>
        <dl className="facts">
          <div>
            <dt>Started</dt>
            <dd>{formatTime(e.startedAt)}</dd>
          </div>
          <div>
            <dt>Stopped</dt>
            <dd>{e.stoppedAt ? formatTime(e.stoppedAt) : '–'}</dd>
          </div>
          {e.redriveCount > 0 ? (
            <div>
              <dt>Redriven</dt>
              <dd>{e.redriveCount}×</dd>
            </div>
          ) : null}
        </dl>
        {e.error || e.cause ? (
          <div className="error-box" data-testid="execution-error">
            <strong>{e.error ?? 'Failed'}</strong>
            {e.cause ? <p className="cell-wrap">{e.cause}</p> : null}
          </div>
        ) : null}
        <ul className="wf-legend" aria-label="Legend">
          <li>
            <span className="wf-swatch wf-visited" aria-hidden="true" />
            visited
          </li>
          <li>
            <span className="wf-swatch wf-current" aria-hidden="true" />
            current
          </li>
          <li>
            <span className="wf-swatch wf-failed" aria-hidden="true" />
            failed
          </li>
        </ul>
        <WorkflowGraph
          definition={machine.definition}
          marks={marks}
          label={`States of execution ${e.name}`}
        />
        <div className="split">
          <div>
            <h3>Input</h3>
            <pre className="output" data-testid="execution-input">
              {json(e.input)}
            </pre>
          </div>
          <div>
            <h3>Output</h3>
            <pre className="output" data-testid="execution-output">
              {json(e.output)}
            </pre>
          </div>
        </div>
      </section>
      <section className="card" aria-labelledby="wf-history">
        <h2 id="wf-history">Event history</h2>
        <QueryState
          query={history}
          what="the history"
          failed="Could not load the history"
          items={(d) => d.events}
          empty="No events yet."
        >
          {(events) => (
            <Table
              label="Event history"
              columns={[{ label: '#', num: true }, 'Time', 'Type', 'State', 'Details']}
            >
              {events.map((h) => (
                <tr key={h.id}>
                  <td className="num">{h.id}</td>
                  <td>{new Date(h.timestamp).toLocaleTimeString()}</td>
                  <td>{h.type}</td>
                  <td>{h.state ?? '–'}</td>
                  <td className="wf-details">{summary(h.details)}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryState>
      </section>
    </>
  );
}

/** An event's details in a line: its single `…EventDetails` object, shortened. */
function summary(details: Record<string, unknown>): string {
  const values = Object.values(details);
  const one = values.length === 1 ? values[0] : details;
  const text = JSON.stringify(one) ?? '';
  return text === '{}' ? '' : text.length > 240 ? `${text.slice(0, 240)}…` : text;
}
