/** Queues: each function's async queue (depth, oldest age, dead letters) and the dead-letter store. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../session.tsx';
import { ago, ConfirmButton } from '../triggers/common.tsx';
import type { DeadLetterView, QueueView } from '../triggers/types.ts';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';

const QUEUES = ['queues'] as const;
const DLQ = ['dlq'] as const;

export default function Queues() {
  const { api } = useSession();
  const queues = useQuery({
    queryKey: QUEUES,
    queryFn: () => api<{ queues: QueueView[] }>('GET', '/v1/queues'),
    refetchInterval: 5000,
  });
  return (
    <>
      <PageHeader title="Queues" />
      <p className="muted">
        Asynchronous invocations wait here per function; the ones that failed every attempt go to the
        dead-letter queue, where they can be replayed once the cause is fixed.
      </p>
      {queues.isPending ? (
        <Loading what="queues" />
      ) : queues.isError ? (
        <ErrorBox error={queues.error} title="Could not read the queues" />
      ) : queues.data.queues.length === 0 ? (
        <Empty>
          <p>No async queues yet: they appear with a function's first asynchronous invocation.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Async queues">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col" className="num">
                  Ready
                </th>
                <th scope="col" className="num">
                  Delayed
                </th>
                <th scope="col" className="num">
                  In flight
                </th>
                <th scope="col" className="num">
                  Oldest
                </th>
                <th scope="col" className="num">
                  Dead letters
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.data.queues.map((q) => (
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
            </tbody>
          </table>
        </div>
      )}
      <DeadLetters
        functions={queues.data?.queues.filter((q) => q.dead > 0).map((q) => q.functionName) ?? []}
      />
    </>
  );
}

function reasonOf(d: DeadLetterView): string {
  const e = d.error;
  if (!e) return 'unknown';
  const why = [e.reason, e.errorType].filter(Boolean).join(' · ');
  return why || 'failed';
}

function DeadLetters({ functions }: { functions: string[] }) {
  const { api } = useSession();
  const [fn, setFn] = useState('');
  const [done, setDone] = useState('');
  const list = useQuery({
    queryKey: [...DLQ, fn],
    queryFn: () =>
      api<{ deadLetters: DeadLetterView[]; next: string | null }>(
        'GET',
        `/v1/queues/dlq?limit=100${fn ? `&function=${encodeURIComponent(fn)}` : ''}`,
      ),
    refetchInterval: 5000,
  });
  const scope = fn ? { function: fn } : { all: true };
  const items = list.data?.deadLetters ?? [];
  const refresh = [DLQ, QUEUES] as const;
  return (
    <section className="dlq" aria-labelledby="dlq-title">
      <div className="section-head">
        <h2 id="dlq-title">Dead letters</h2>
        <div className="actions">
          <label htmlFor="dlq-fn" className="sr-only">
            Function
          </label>
          <select id="dlq-fn" value={fn} onChange={(e) => setFn(e.target.value)}>
            <option value="">All functions</option>
            {[...new Set([...functions, ...(fn ? [fn] : [])])].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          {items.length > 0 ? (
            <>
              <ConfirmButton
                label={fn ? `Replay all of ${fn}` : 'Replay all'}
                question={`Queue ${fn ? `every dead letter of ${fn}` : 'every dead letter'} again?`}
                yes="Yes, replay"
                safe
                run={() => api<{ replayed: number }>('POST', '/v1/queues/dlq/replay', scope)}
                onDone={(r) => setDone(`Replayed ${(r as { replayed: number }).replayed}.`)}
                invalidate={refresh}
              />
              <ConfirmButton
                label={fn ? `Purge all of ${fn}` : 'Purge all'}
                question={`Delete ${fn ? `every dead letter of ${fn}` : 'every dead letter'} for good?`}
                yes="Yes, purge"
                run={() => api<{ purged: number }>('POST', '/v1/queues/dlq/purge', scope)}
                onDone={(r) => setDone(`Purged ${(r as { purged: number }).purged}.`)}
                invalidate={refresh}
              />
            </>
          ) : null}
        </div>
      </div>
      <p role="status" className="muted" data-testid="dlq-status">
        {done}
      </p>
      {list.isPending ? (
        <Loading what="dead letters" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list dead letters" />
      ) : items.length === 0 ? (
        <Empty>
          <p>No dead letters{fn ? ` for ${fn}` : ''}. Every async invocation succeeded or is still trying.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Dead letters">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col">Why</th>
                <th scope="col">Error</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Failed</th>
                <th scope="col">Payload</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
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
                      <ConfirmButton
                        label="Replay"
                        accessibleName={`Replay ${d.id}`}
                        question="Queue it again?"
                        yes="Yes, replay"
                        safe
                        run={() =>
                          api<{ replayed: number }>('POST', '/v1/queues/dlq/replay', { ids: [d.id] })
                        }
                        onDone={(r) => setDone(`Replayed ${(r as { replayed: number }).replayed}.`)}
                        invalidate={refresh}
                      />
                      <ConfirmButton
                        label="Purge"
                        accessibleName={`Purge ${d.id}`}
                        question="Delete it for good?"
                        yes="Yes, purge"
                        run={() => api<{ purged: number }>('POST', '/v1/queues/dlq/purge', { ids: [d.id] })}
                        onDone={(r) => setDone(`Purged ${(r as { purged: number }).purged}.`)}
                        invalidate={refresh}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
