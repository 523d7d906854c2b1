/** Broker sources (NATS, JetStream, RabbitMQ, MQTT, Redis, Postgres, SQS → a function) and bucket events. */
import { useQueries } from '@tanstack/react-query';
import { ok } from '../api/client.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useGet } from '../components/query.ts';
import { QueryState, SectionHeader } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';

const KEY = ['sources'] as const;

/** What a source reads from, in one line (passwords come redacted from the API). */
function whence(c: Record<string, unknown>): string {
  const parts = ['subject', 'stream', 'queue', 'topic', 'channel', 'tables', 'url']
    .filter((k) => c[k] !== undefined)
    .map((k) => `${k} ${Array.isArray(c[k]) ? (c[k] as unknown[]).join(', ') : String(c[k])}`);
  return parts.join(' · ') || JSON.stringify(c);
}

export function SourcesTab() {
  const list = useGet(KEY, (c) => c.GET('/v1/sources'), { refetchInterval: 10_000 });
  return (
    <>
      <SectionHeader title="Broker sources" />
      <QueryState
        query={list}
        what="sources"
        items={(d) => d.sources}
        empty={
          <p>
            No broker sources. Declare them in a function's manifest (<code>events: - nats: …</code>) or with{' '}
            <code>POST /v1/sources</code>.
          </p>
        }
      >
        {(sources) => (
          <Table
            label="Broker sources"
            columns={[
              'Kind',
              'Reads',
              'Function',
              'State',
              { label: 'Received', num: true },
              { label: 'Dead-lettered', num: true },
              'Created',
              { label: 'Actions', hidden: true },
            ]}
          >
            {sources.map((s) => (
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
                  <Can action="nimbus:DeleteSource">
                    <DeleteButton
                      accessibleName={`Delete source ${s.id}`}
                      question={`Stop and delete this ${s.kind} source?`}
                      call={(c) => c.DELETE('/v1/sources/{id}', { params: { path: { id: s.id } } })}
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

/** Bucket notifications, read-only: every bucket's rules (S3 events → functions). */
export function BucketEventsTab() {
  const { client } = useSession();
  const buckets = useGet(['buckets'], (c) => c.GET('/v1/buckets'));
  const names = buckets.data?.buckets.map((b) => b.name) ?? [];
  const notes = useQueries({
    queries: names.map((b) => ({
      queryKey: ['bucket-notifications', b],
      queryFn: () =>
        ok(client.GET('/v1/buckets/{bucket}/notifications', { params: { path: { bucket: b } } })),
    })),
  });
  // The bucket list and each bucket's rules, as one query.
  const failed = buckets.isError ? buckets : notes.find((q) => q.isError);
  const all = {
    isPending: buckets.isPending || notes.some((q) => q.isPending),
    isError: failed !== undefined,
    error: failed?.error,
    data: notes.flatMap((q) => q.data?.notifications ?? []),
  };
  return (
    <>
      <SectionHeader title="Bucket events" />
      <QueryState
        query={all}
        what="bucket notifications"
        failed="Could not read the buckets' notifications"
        items={(rows) => rows}
        empty={
          <p>
            No bucket sends events. Add <code>- s3: {'{bucket, event}'}</code> to a function's manifest, or{' '}
            <code>PUT /v1/buckets/{'{bucket}'}/notifications</code>.
          </p>
        }
      >
        {(rows) => (
          <Table label="Bucket events" columns={['Bucket', 'Events', 'Filter', 'Function', 'Origin']}>
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
          </Table>
        )}
      </QueryState>
    </>
  );
}
