/**
 * The Queues page's SQS section: the tenant's SQS queues with their counts and dead-letter
 * relations; Purge (after asking); on a dead-letter queue, Redrive (after asking), which starts a
 * message move task back to the source queues and shows its progress until it ends, with a
 * Cancel redrive button while it runs (what it moved stays moved).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useGet } from '../components/query.ts';
import { QueryState, SectionHeader } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can, useCan } from '../permissions.ts';
import { useSession } from '../session.tsx';

type SqsQueue = Schema<'SqsQueueView'>;
type MoveTask = Schema<'MoveTaskView'>;

export const SQS_QUEUES = ['sqs-queues'] as const;
const redrivesKey = (name: string) => ['sqs-redrives', name] as const;

export function SqsQueues() {
  const [said, setSaid] = useState('');
  const list = useGet(SQS_QUEUES, (c) => c.GET('/v1/sqs/queues'), { refetchInterval: 5000 });
  return (
    <section className="sqs" aria-labelledby="sqs-title">
      <SectionHeader title="SQS queues" id="sqs-title" />
      <p className="muted">
        Queues made with the SQS API (<code>CreateQueue</code>). A queue that another one names in its
        RedrivePolicy is a dead-letter queue: Redrive moves its messages back to the queues they came from.
      </p>
      <p role="status" className="muted" data-testid="sqs-status">
        {said}
      </p>
      <QueryState
        query={list}
        what="SQS queues"
        failed="Could not list the SQS queues"
        items={(d) => d.queues}
        empty="No SQS queues yet: create one with an SQS client (CreateQueue) against this platform's API endpoint."
      >
        {(queues) => (
          <Table
            label="SQS queues"
            columns={[
              'Queue',
              { label: 'Visible', num: true },
              { label: 'In flight', num: true },
              { label: 'Delayed', num: true },
              'Dead letters go to',
              'Dead-letter queue of',
              { label: 'Actions', hidden: true },
            ]}
          >
            {queues.map((q) => (
              <QueueRow key={q.name} q={q} onSaid={setSaid} />
            ))}
          </Table>
        )}
      </QueryState>
    </section>
  );
}

const count = (n: number | undefined) => (n === undefined ? '–' : String(n));

function QueueRow({ q, onSaid }: { q: SqsQueue; onSaid: (s: string) => void }) {
  const { client } = useSession();
  const isDlq = q.deadLetterSources.length > 0;
  // One task at a time per queue: no Redrive while one runs (its progress has Cancel instead).
  const moving = active(useLatestMove(q.name, isDlq).task?.status);
  const path = { params: { path: { name: q.name } } };
  return (
    <tr data-testid={`sqs-queue-${q.name}`}>
      <td>
        {q.name} {q.fifo ? <span className="badge">FIFO</span> : null}
        <div className="muted small">created {formatTime(q.createdAt)}</div>
      </td>
      <td className="num" data-testid="visible">
        {isDlq && (q.messages?.visible ?? 0) > 0 ? (
          <span className="badge bad">{q.messages?.visible}</span>
        ) : (
          count(q.messages?.visible)
        )}
      </td>
      <td className="num">{count(q.messages?.inflight)}</td>
      <td className="num">{count(q.messages?.delayed)}</td>
      <td>
        {q.deadLetterQueue ? (
          <>
            {q.deadLetterQueue.name}
            <div className="muted small">after {q.deadLetterQueue.maxReceiveCount} receives</div>
          </>
        ) : (
          <span className="muted">–</span>
        )}
      </td>
      <td className="cell-wrap">
        {isDlq ? q.deadLetterSources.join(', ') : <span className="muted">–</span>}
        {isDlq ? <RedriveProgress queue={q.name} /> : null}
      </td>
      <td>
        <div className="actions">
          {isDlq && !moving ? (
            <Can action="sqs:StartMessageMoveTask">
              <ConfirmButton
                label="Redrive"
                accessibleName={`Redrive ${q.name}`}
                question={`Move the messages of ${q.name} back to ${q.deadLetterSources.join(', ')}?`}
                yes="Yes, redrive"
                safe
                run={() => ok(client.POST('/v1/sqs/queues/{name}/redrive', { ...path, body: {} }))}
                onDone={(r) => onSaid(`Redrive of ${q.name} started: ${r.task.toMove} to move.`)}
                invalidate={[redrivesKey(q.name), SQS_QUEUES]}
              />
            </Can>
          ) : null}
          <Can action="sqs:PurgeQueue">
            <ConfirmButton
              label="Purge"
              accessibleName={`Purge ${q.name}`}
              question={`Delete every message of ${q.name} for good?`}
              yes="Yes, purge"
              run={() => ok(client.POST('/v1/sqs/queues/{name}/purge', path))}
              onDone={() => onSaid(`Purged ${q.name}.`)}
              invalidate={[SQS_QUEUES]}
            />
          </Can>
        </div>
      </td>
    </tr>
  );
}

/** The dead-letter queue's latest move task: polled every second while it runs. */
const active = (s: MoveTask['status'] | undefined) => s === 'RUNNING' || s === 'CANCELLING';

/** A dead-letter queue's latest move task (one request however many use it), polled while active. */
function useLatestMove(queue: string, isDlq = true): { allowed: boolean; task: MoveTask | undefined } {
  const allowed = useCan()('sqs:ListMessageMoveTasks') && isDlq;
  const tasks = useGet(
    redrivesKey(queue),
    (c) => c.GET('/v1/sqs/queues/{name}/redrives', { params: { path: { name: queue } } }),
    {
      enabled: allowed,
      refetchInterval: (query) => (active(query.state.data?.tasks[0]?.status) ? 1000 : false),
    },
  );
  return { allowed, task: tasks.data?.tasks[0] };
}

function RedriveProgress({ queue }: { queue: string }) {
  const { client } = useSession();
  const { allowed, task: t } = useLatestMove(queue);
  // When a task it watched ends, the counts change: the queue list is read again at once.
  const queries = useQueryClient();
  const was = useRef<string | undefined>(undefined);
  const status = t?.status;
  useEffect(() => {
    const running = active(status);
    if (was.current === 'running' && !running) void queries.invalidateQueries({ queryKey: SQS_QUEUES });
    was.current = running ? 'running' : status;
  }, [status, queries]);
  if (!allowed || !t) return null;
  return (
    <>
      <div className="muted small" role="status" data-testid={`redrive-${queue}`}>
        {describe(t)}
      </div>
      {t.status === 'RUNNING' ? (
        <Can action="sqs:CancelMessageMoveTask">
          <ConfirmButton
            label="Cancel redrive"
            accessibleName={`Cancel the redrive of ${queue}`}
            question={`Stop moving the messages of ${queue}? Those moved so far stay moved.`}
            yes="Yes, stop it"
            safe
            run={() =>
              ok(
                client.POST('/v1/sqs/queues/{name}/redrives/{id}/cancel', {
                  params: { path: { name: queue, id: t.id } },
                }),
              )
            }
            invalidate={[redrivesKey(queue), SQS_QUEUES]}
          />
        </Can>
      ) : null}
    </>
  );
}

function describe(t: MoveTask): string {
  const where = t.destination ? `to ${t.destination}` : 'to the source queues';
  switch (t.status) {
    case 'RUNNING':
    case 'CANCELLING':
      return `Redrive ${where} running: ${t.moved} of ${t.toMove} moved`;
    case 'COMPLETED':
      return `Redrive ${where} completed: ${t.moved} moved${t.endedAt ? `, ${formatTime(t.endedAt)}` : ''}`;
    case 'CANCELLED':
      return `Redrive ${where} cancelled after ${t.moved} moved`;
    case 'FAILED':
      return `Redrive ${where} failed after ${t.moved} moved: ${t.failureReason ?? 'unknown reason'}`;
  }
}
