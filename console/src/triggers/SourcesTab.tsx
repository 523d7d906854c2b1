/** Broker sources (NATS, JetStream, RabbitMQ, MQTT, Redis, Postgres, SQS → a function) and bucket events. */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading } from '../ui.tsx';
import { ConfirmButton } from './common.tsx';
import type { BucketNotificationView, SourceView } from './types.ts';

const KEY = ['sources'] as const;

/** What a source reads from, in one line (passwords come redacted from the API). */
function whence(c: Record<string, unknown>): string {
  const parts = ['subject', 'stream', 'queue', 'topic', 'channel', 'tables', 'url']
    .filter((k) => c[k] !== undefined)
    .map((k) => `${k} ${Array.isArray(c[k]) ? (c[k] as unknown[]).join(', ') : String(c[k])}`);
  return parts.join(' · ') || JSON.stringify(c);
}

export function SourcesTab() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: KEY,
    queryFn: () => api<{ sources: SourceView[] }>('GET', '/v1/sources'),
    refetchInterval: 10_000,
  });
  return (
    <>
      <div className="section-head">
        <h2>Broker sources</h2>
      </div>
      {list.isPending ? (
        <Loading what="sources" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list sources" />
      ) : list.data.sources.length === 0 ? (
        <Empty>
          <p>
            No broker sources. Declare them in a function's manifest (<code>events: - nats: …</code>) or with{' '}
            <code>POST /v1/sources</code>.
          </p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Broker sources">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Reads</th>
                <th scope="col">Function</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Received
                </th>
                <th scope="col" className="num">
                  Dead-lettered
                </th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.sources.map((s) => (
                <tr key={s.id}>
                  <td>{s.kind}</td>
                  <td className="cell-wrap">
                    <code>{whence(s.config)}</code>
                  </td>
                  <td>{s.function}</td>
                  <td>
                    {!s.enabled ? (
                      <span className="badge">Disabled</span>
                    ) : s.status?.connected ? (
                      <span className="badge ok">Connected</span>
                    ) : (
                      <span className="badge bad" title={s.status?.lastError}>
                        Not connected
                      </span>
                    )}
                  </td>
                  <td className="num">{s.status?.received ?? '–'}</td>
                  <td className="num">{s.status?.deadLettered ?? '–'}</td>
                  <td>{formatTime(s.createdAt)}</td>
                  <td>
                    <ConfirmButton
                      label="Delete"
                      accessibleName={`Delete source ${s.id}`}
                      question={`Stop and delete this ${s.kind} source?`}
                      yes="Yes, delete"
                      run={() => api('DELETE', `/v1/sources/${encodeURIComponent(s.id)}`)}
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

/** Bucket notifications, read-only: every bucket's rules (S3 events → functions). */
export function BucketEventsTab() {
  const { api } = useSession();
  const buckets = useQuery({
    queryKey: ['buckets'],
    queryFn: () => api<{ buckets: { name: string; createdAt: string }[] }>('GET', '/v1/buckets'),
  });
  const names = buckets.data?.buckets.map((b) => b.name) ?? [];
  const notes = useQueries({
    queries: names.map((b) => ({
      queryKey: ['bucket-notifications', b],
      queryFn: () =>
        api<{ notifications: BucketNotificationView[] }>(
          'GET',
          `/v1/buckets/${encodeURIComponent(b)}/notifications`,
        ),
    })),
  });
  const failed = notes.find((q) => q.isError);
  const rows = notes.flatMap((q) => q.data?.notifications ?? []);
  return (
    <>
      <div className="section-head">
        <h2>Bucket events</h2>
      </div>
      {buckets.isPending || notes.some((q) => q.isPending) ? (
        <Loading what="bucket notifications" />
      ) : buckets.isError ? (
        <ErrorBox error={buckets.error} title="Could not list buckets" />
      ) : failed?.isError ? (
        <ErrorBox error={failed.error} title="Could not read a bucket's notifications" />
      ) : rows.length === 0 ? (
        <Empty>
          <p>
            No bucket sends events. Add <code>- s3: {'{bucket, event}'}</code> to a function's manifest, or{' '}
            <code>PUT /v1/buckets/{'{bucket}'}/notifications</code>.
          </p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Bucket events">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col">Events</th>
                <th scope="col">Filter</th>
                <th scope="col">Function</th>
                <th scope="col">Origin</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => (
                <tr key={`${n.bucket}/${n.id}`}>
                  <td>{n.bucket}</td>
                  <td className="cell-wrap">{n.events.join(', ')}</td>
                  <td>
                    {n.prefix || n.suffix ? (
                      <code>
                        {n.prefix ?? ''}*{n.suffix ?? ''}
                      </code>
                    ) : (
                      <span className="muted">every key</span>
                    )}
                  </td>
                  <td>{n.function}</td>
                  <td>{n.origin}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
