/**
 * S3 object events: which bucket notifications an event matches (event name with `*`, key
 * prefix/suffix), the S3 notification record the function receives, and the outbox relay that
 * moves committed event rows into the queue (idempotent: each row's dedupe key is fixed when the
 * row is written, so a relay interrupted by a crash cannot deliver twice).
 */
import { randomUUID } from 'node:crypto';
import { functionQueue } from '../async/service.ts';
import type { InvokeEnvelope } from '../async/types.ts';
import type { Clock, OutboxRepo, Queue } from '../core/ports.ts';
import type { BucketNotification, EnqueueItem } from '../core/types.ts';
import type { ObjectEvent } from './service.ts';

export const OBJECT_EVENT_TYPES = [
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
] as const;

export function matches(n: BucketNotification, eventName: string, key: string): boolean {
  const full = `s3:${eventName}`;
  const ok = n.events.some((e) => e === full || (e.endsWith(':*') && full.startsWith(e.slice(0, -1))));
  return (
    ok &&
    (n.prefix === undefined || key.startsWith(n.prefix)) &&
    (n.suffix === undefined || key.endsWith(n.suffix))
  );
}

/** S3 URL-encodes keys in events ("my photo.jpg" → "my+photo.jpg"), slashes kept. */
const eventKey = (k: string) => encodeURIComponent(k).replace(/%2F/g, '/').replace(/%20/g, '+');

/**
 * The record names the bucket as its tenant knows it (`e.object.bucket`; S3 bucket ARNs carry no
 * account); `n.bucket` is the storage name, used only in the dedupe key (unique across tenants).
 */
export function objectEventBuilder(o: { region: string; clock: Clock }) {
  return (e: ObjectEvent, list: readonly BucketNotification[]): string[] => {
    const out: string[] = [];
    for (const n of list) {
      if (!matches(n, e.name, e.object.key)) continue;
      const sequencer = randomUUID().replace(/-/g, '').toUpperCase().slice(0, 18);
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: o.region,
        eventTime: new Date(o.clock.now()).toISOString(),
        eventName: e.name,
        userIdentity: { principalId: `nimbus:${e.tenant}` },
        requestParameters: { sourceIPAddress: e.sourceIp },
        responseElements: { 'x-amz-request-id': sequencer, 'x-amz-id-2': sequencer },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: n.id,
          bucket: {
            name: e.object.bucket,
            ownerIdentity: { principalId: `nimbus:${e.tenant}` },
            arn: `arn:aws:s3:::${e.object.bucket}`,
          },
          object: {
            key: eventKey(e.object.key),
            ...(e.name.startsWith('ObjectCreated') ? { size: e.object.size, eTag: e.object.etag } : {}),
            sequencer,
          },
        },
      };
      const env: InvokeEnvelope = {
        v: 1,
        kind: 'invoke',
        function: n.functionName,
        payload: JSON.stringify({ Records: [record] }),
        hop: 0,
      };
      const item: EnqueueItem = {
        queue: functionQueue(e.tenant, n.functionName),
        tenant: e.tenant,
        body: JSON.stringify(env),
        source: 's3',
        dedupeKey: `s3:${n.bucket}:${n.id}:${sequencer}`,
      };
      out.push(JSON.stringify(item));
    }
    return out;
  };
}

/** Moves outbox rows to the queue; call after commits and once at start. */
export function createOutboxRelay(d: {
  outbox: OutboxRepo;
  queue: Queue;
  kick: () => void;
  onError: (e: unknown) => void;
}) {
  let running: Promise<void> | undefined;
  let again = false;
  const drain = async () => {
    for (;;) {
      const rows = await d.outbox.take(200);
      if (rows.length === 0) return;
      await d.queue.enqueue(rows.map((r) => JSON.parse(r.item) as EnqueueItem));
      await d.outbox.delete(rows.map((r) => r.seq));
      d.kick();
    }
  };
  return {
    relay(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await drain().catch(d.onError);
        } while (again);
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
