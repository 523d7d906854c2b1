/**
 * Queues: each function's async queue (depth, oldest age, dead letters) and the dead-letter store;
 * the tenant's SQS queues, with purge and dead-letter-queue redrive (queues/SqsQueues.tsx).
 */
import { useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Options } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { PageHeader, QueryState, SectionHeader } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { ago, formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { SqsQueues } from '../queues/SqsQueues.tsx';
import { useSession } from '../session.tsx';
import '../triggers/triggers.css';

const QUEUES = ['queues'] as const;
const DLQ = ['dlq'] as const;
const REFRESH = [DLQ, QUEUES] as const;

export default function Queues() {
  return (
    <>
      <PageHeader title="Queues" />
      {/* A key may see either part alone: the navigation shows Queues for either action. */}
      <Can action="nimbus:ListQueues">
        <AsyncQueues />
      </Can>
      <Can action="sqs:ListQueues">
        <SqsQueues />
      </Can>
    </>
  );
}

/** The per-function async queues and their dead letters. */
function AsyncQueues() {
  const queues = useGet(QUEUES, (c) => c.GET('/v1/queues'), { refetchInterval: 5000 });
  return (
    <>
      <p className="muted">
        Asynchronous invocations wait here per function; the ones that failed every attempt go to the
        dead-letter queue, where they can be replayed once the cause is fixed.
      </p>
      <QueryState
        query={queues}
        what="queues"
        failed="Could not read the queues"
        items={(d) => d.queues}
        empty="No async queues yet: they appear with a function's first asynchronous invocation."
      >
        {(list) => (
          <Table
            label="Async queues"
            columns={[
              'Function',
              { label: 'Ready', num: true },
              { label: 'Delayed', num: true },
              { label: 'In flight', num: true },
              { label: 'Oldest', num: true },
              { label: 'Dead letters', num: true },
            ]}
          >
            {list.map((q) => (
              <tr key={q.functionName} data-testid={`queue-${q.functionName}`}>
                <td>{q.functionName}</td>
                <td className="num">{q.ready}</td>
                <td className="num">{q.delayed}</td>
                <td className="num">{q.inflight}</td>
                <td className="num">{q.ready + q.delayed > 0 ? ago(q.oldestAgeMs) : '–'}</td>
                <td className="num">
                  {q.dead > 0 ? (
                    <span className="badge bad">{q.dead}</span>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
      <DeadLetters
        functions={queues.data?.queues.filter((q) => q.dead > 0).map((q) => q.functionName) ?? []}
      />
    </>
  );
}

function reasonOf(d: Schema<'InvocationView'>): string {
  const e = d.error;
  if (!e) return 'unknown';
  const why = [e.reason, e.errorType].filter(Boolean).join(' · ');
  return why || 'failed';
}

type Scope = Schema<'DeadLetterSelection'>;

/** Replay and purge the dead letters in `scope`; `one` is the id when it is a single one. */
function DeadLetterActions({
  scope,
  one,
  onDone,
}: {
  scope: Scope;
  one?: string;
  onDone: (said: string) => void;
}) {
  const { client } = useSession();
  const of = scope.function;
  const them = one ? 'it' : of ? `every dead letter of ${of}` : 'every dead letter';
  const which = one ? '' : of ? ` all of ${of}` : ' all';
  return (
    <>
      <Can action="nimbus:ReplayDeadLetters">
        <ConfirmButton
          label={`Replay${which}`}
          accessibleName={one && `Replay ${one}`}
          question={`Queue ${them} again?`}
          yes="Yes, replay"
          safe
          run={() => ok(client.POST('/v1/queues/dlq/replay', { body: scope }))}
          onDone={(r) => onDone(`Replayed ${r.replayed}.`)}
          invalidate={REFRESH}
        />
      </Can>
      <Can action="nimbus:PurgeDeadLetters">
        <ConfirmButton
          label={`Purge${which}`}
          accessibleName={one && `Purge ${one}`}
          question={`Delete ${them} for good?`}
          yes="Yes, purge"
          run={() => ok(client.POST('/v1/queues/dlq/purge', { body: scope }))}
          onDone={(r) => onDone(`Purged ${r.purged}.`)}
          invalidate={REFRESH}
        />
      </Can>
    </>
  );
}

function DeadLetters({ functions }: { functions: string[] }) {
  const [fn, setFn] = useState('');
  const [done, setDone] = useState('');
  const list = useGet(
    [...DLQ, fn],
    (c) => c.GET('/v1/queues/dlq', { params: { query: { limit: 100, ...(fn ? { function: fn } : {}) } } }),
    { refetchInterval: 5000 },
  );
  const items = list.data?.deadLetters ?? [];
  return (
    <section className="dlq" aria-labelledby="dlq-title">
      <SectionHeader title="Dead letters" id="dlq-title">
        <label htmlFor="dlq-fn" className="sr-only">
          Function
        </label>
        <select id="dlq-fn" value={fn} onChange={(e) => setFn(e.target.value)}>
          <Options
            options={[{ value: '', label: 'All functions' }, ...new Set([...functions, ...(fn ? [fn] : [])])]}
          />
        </select>
        {items.length > 0 ? (
          <DeadLetterActions scope={fn ? { function: fn } : { all: true }} onDone={setDone} />
        ) : null}
      </SectionHeader>
      <p role="status" className="muted" data-testid="dlq-status">
        {done}
      </p>
      <QueryState
        query={list}
        what="dead letters"
        items={(d) => d.deadLetters}
        empty={`No dead letters${fn ? ` for ${fn}` : ''}. Every async invocation succeeded or is still trying.`}
      >
        {(letters) => (
          <Table
            label="Dead letters"
            columns={[
              'Function',
              'Why',
              'Error',
              { label: 'Attempts', num: true },
              'Failed',
              'Payload',
              { label: 'Actions', hidden: true },
            ]}
          >
            {letters.map((d) => (
              <tr key={d.id} data-testid="dead-letter">
                <td>
                  {d.functionName}
                  <div className="muted small">
                    <code>{d.id}</code>
                  </div>
                </td>
                <td>{reasonOf(d)}</td>
                <td className="cell-wrap">{d.error?.errorMessage ?? d.error?.failure ?? '–'}</td>
                <td className="num">{d.attempts}</td>
                <td>{formatTime(d.updatedAt)}</td>
                <td>
                  <pre className="cell-pre code">{JSON.stringify(d.payload ?? null)?.slice(0, 200)}</pre>
                </td>
                <td>
                  <div className="actions">
                    <DeadLetterActions scope={{ ids: [d.id] }} one={d.id} onDone={setDone} />
                  </div>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
    </section>
  );
}
