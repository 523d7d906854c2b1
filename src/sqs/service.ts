/**
 * SQS-compatible queues over the durable Queue port. The queue directory (name, attributes,
 * tags) is in the Store; messages are in a Queue of their own (`<dataDir>/sqs.db`, not the async
 * invocation queue), one port queue per SQS queue named `sqs/<tenant>/<name>`.
 *
 * Mapping onto the port:
 * - ReceiveMessage = lease (VisibilityTimeout = lease length); the receipt handle carries the
 *   message id and its lease token, so DeleteMessage = ack and ChangeMessageVisibility = extend
 *   (0 makes it visible at once). A handle from an earlier receive no longer holds the lease:
 *   deleting with it succeeds without deleting (as SQS documents).
 * - DelaySeconds = enqueue delay; FIFO MessageGroupId = ordered group (a group's next message
 *   waits while an earlier one is in flight); MessageDeduplicationId (or the body's SHA-256 with
 *   ContentBasedDeduplication) = dedupe key with a 5-minute window.
 * - RedrivePolicy: a message received more than maxReceiveCount times moves to the dead-letter
 *   queue on its next receive (ack + enqueue in one commit; it keeps its MessageId).
 * - Dead-letter-queue redrive (StartMessageMoveTask): move-tasks.ts, over the same port (a lease
 *   of the DLQ's messages, each acked with its destination message as the follow-up).
 * - MessageRetentionPeriod: a sweep every minute drops older messages (so up to a minute late).
 * - Long polling (WaitTimeSeconds): a send wakes the receivers of its queue at once; otherwise
 *   they look again every second (delayed messages, visibility expiries, other nodes).
 *
 * Differences from SQS: a FIFO receive returns at most one message per group at a time (order
 * is kept; a single-group queue delivers one message per receive); ApproximateFirstReceiveTimestamp
 * is the time of the current receive when it is the first, otherwise the enqueue time; in-flight
 * messages stay invisible across a platform restart until their timeout ends.
 */
import { createHash } from 'node:crypto';
import { NimbusError } from '../core/errors.ts';
import type { Clock, Queue, SettingsRepo, SqsQueueRepo } from '../core/ports.ts';
import type { EnqueueItem, LeasedMessage, SqsQueueRecord, TenantId } from '../core/types.ts';
import { validTraceparent, xrayOfTraceparent } from '../observability/trace-context.ts';
import type { SpanHandle, Tracing } from '../observability/tracing.ts';
import {
  checkAttributes,
  checkName,
  initialAttributes,
  type QueueSettings,
  settingsOf,
} from './attributes.ts';
import { SqsErrors } from './errors.ts';
import { type MessageAttributeValue, md5Hex, md5OfAttributes } from './md5.ts';
import { createMoveTasks, type MoveTask, type StartMove } from './move-tasks.ts';
import { DEAD_LETTER_SOURCE, parseStored, portQueue, type Stored, sequenceNumber } from './stored.ts';

export type { MessageAttributeValue } from './md5.ts';
export type { MoveTask, MoveTaskStatus, StartMove } from './move-tasks.ts';

export interface SqsDeps {
  readonly repo: SqsQueueRepo;
  /** A Queue of its own: the async dispatcher leases from every queue of its Queue. */
  readonly queue: Queue;
  readonly clock: Clock;
  readonly region: string;
  readonly accountOf: (tenant: TenantId) => string;
  /** Where message move tasks are kept (without it: in memory, lost on restart). */
  readonly settings?: SettingsRepo | undefined;
  /** A PRODUCER span per message sent with a trace (its context becomes the AWSTraceHeader). */
  readonly tracing?: Tracing | undefined;
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
}

export interface SendInput {
  readonly body: string;
  readonly delaySeconds?: number | undefined;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>> | undefined;
  /** The AWSTraceHeader system attribute as given (kept as is). */
  readonly traceHeader?: string | undefined;
  /**
   * The sender's trace (its request's `traceparent` / `X-Amzn-Trace-Id`, or a forward's): without
   * an explicit `traceHeader`, the message records it as its AWSTraceHeader (X-Ray form), as SQS
   * does with X-Amzn-Trace-Id.
   */
  readonly traceparent?: string | undefined;
  readonly groupId?: string | undefined;
  readonly dedupeId?: string | undefined;
}

export interface SentMessage {
  readonly messageId: string;
  readonly md5OfBody: string;
  readonly md5OfAttributes?: string | undefined;
  readonly sequenceNumber?: string | undefined;
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** System attributes (SentTimestamp, ApproximateReceiveCount, …), all of them. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfAttributes?: string | undefined;
}

export interface ReceiveOptions {
  /** 1-10 on the API; pollers may take more. */
  readonly max: number;
  readonly visibilityMs?: number | undefined;
  /** Long poll: wait up to this long for a message (default: the queue's wait time). */
  readonly waitMs?: number | undefined;
  /** Stop waiting (the client went away). */
  readonly signal?: AbortSignal | undefined;
}

/** One batch entry's result: done, or its coded error. */
export type EntryResult<T> = { readonly ok: T } | { readonly error: NimbusError };

export interface SqsService {
  /** Creates, or returns the existing queue when its attributes agree (as CreateQueue does). */
  createQueue(
    tenant: TenantId,
    name: string,
    attributes?: Readonly<Record<string, string>>,
    tags?: Readonly<Record<string, string>>,
  ): Promise<SqsQueueRecord>;
  getQueue(tenant: TenantId, name: string): Promise<SqsQueueRecord>;
  listQueues(tenant: TenantId, prefix?: string): Promise<SqsQueueRecord[]>;
  deleteQueue(tenant: TenantId, name: string): Promise<void>;
  setAttributes(tenant: TenantId, name: string, attributes: Readonly<Record<string, string>>): Promise<void>;
  /** Stored and computed attributes (QueueArn, Approximate…, timestamps). */
  attributes(tenant: TenantId, name: string): Promise<Record<string, string>>;
  tag(
    tenant: TenantId,
    name: string,
    set: Readonly<Record<string, string>>,
    remove?: readonly string[],
  ): Promise<void>;
  /** Queues whose RedrivePolicy targets this one. */
  deadLetterSources(tenant: TenantId, name: string): Promise<SqsQueueRecord[]>;
  send(
    tenant: TenantId,
    name: string,
    messages: readonly SendInput[],
    senderId: string,
  ): Promise<EntryResult<SentMessage>[]>;
  receive(tenant: TenantId, name: string, o: ReceiveOptions): Promise<ReceivedMessage[]>;
  delete(tenant: TenantId, name: string, handles: readonly string[]): Promise<EntryResult<true>[]>;
  changeVisibility(
    tenant: TenantId,
    name: string,
    entries: readonly { readonly handle: string; readonly timeoutSec: number }[],
  ): Promise<EntryResult<true>[]>;
  purge(tenant: TenantId, name: string): Promise<number>;
  /** StartMessageMoveTask: moves a dead-letter queue's messages (move-tasks.ts). */
  startMoveTask(tenant: TenantId, source: string, o: StartMove): Promise<MoveTask>;
  /** The queue's move tasks, newest first (the last 10). */
  listMoveTasks(tenant: TenantId, source: string): Promise<MoveTask[]>;
  cancelMoveTask(tenant: TenantId, source: string, id: string): Promise<MoveTask>;
  arnOf(tenant: TenantId, name: string): string;
  /** Wakes the long polls waiting on a port queue (cluster mode: another node sent to it). */
  wake(queueName: string): void;
  /** Retention sweeps; takes over the move tasks a restart (or a dead node) left RUNNING. */
  start(): void;
  close(): Promise<void>;
}

const ARN_RE = /^arn:aws:sqs:([^:]*):(\d{12}):(.+)$/;
const ATTR_NAME_RE = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE_RE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,200})?$/;
// Characters SQS accepts in bodies and string attributes (the XML 1.0 character set).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the allowed set is defined by control characters
const BAD_CHARS_RE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const DEDUPE_WINDOW_MS = 5 * 60_000;
const RETENTION_SWEEP_MS = 60_000;
const LONG_POLL_STEP_MS = 1000;
const MIN_REDRIVE_LEASE_MS = 2000;

/** The receipt handle: message id and lease token, opaque to clients. */
const handleOf = (m: LeasedMessage) => Buffer.from(`${m.id} ${m.leaseToken}`).toString('base64url');

function parseHandle(h: string): { id: string; token: string } {
  const s = h.length <= 200 ? Buffer.from(h, 'base64url').toString('utf8') : '';
  const [id, token, extra] = s.split(' ');
  if (!id || !token || extra !== undefined || !/^[0-9a-f-]{36}$/.test(token))
    throw SqsErrors.RECEIPT_HANDLE_INVALID();
  return { id, token };
}

function checkAttributesOfMessage(attrs: Readonly<Record<string, MessageAttributeValue>>): number {
  const names = Object.keys(attrs);
  if (names.length > 10)
    throw SqsErrors.INVALID_PARAMETER({
      field: 'MessageAttributes',
      reason: `${names.length} attributes; the limit is 10`,
    });
  let size = 0;
  for (const n of names) {
    const a = attrs[n]!;
    const lower = n.toLowerCase();
    if (
      !ATTR_NAME_RE.test(n) ||
      lower.startsWith('aws.') ||
      lower.startsWith('amazon.') ||
      n.startsWith('.') ||
      n.endsWith('.') ||
      n.includes('..')
    )
      throw SqsErrors.INVALID_PARAMETER({
        field: `MessageAttributes.${n.slice(0, 60)}`,
        reason: 'invalid name',
      });
    if (typeof a?.DataType !== 'string' || !DATA_TYPE_RE.test(a.DataType))
      throw SqsErrors.INVALID_PARAMETER({
        field: `MessageAttributes.${n}.DataType`,
        reason: 'String, Number or Binary (optionally .CustomType)',
      });
    const binary = a.DataType.startsWith('Binary');
    if (a.StringListValues?.length || a.BinaryListValues?.length)
      throw SqsErrors.INVALID_PARAMETER({
        field: `MessageAttributes.${n}`,
        reason: 'list values are not supported (nor by SQS)',
      });
    const v = binary ? a.BinaryValue : a.StringValue;
    if (v === undefined || v === '')
      throw SqsErrors.INVALID_PARAMETER({
        field: `MessageAttributes.${n}`,
        reason: `${binary ? 'BinaryValue' : 'StringValue'} is required`,
      });
    if (!binary && BAD_CHARS_RE.test(v))
      throw SqsErrors.INVALID_MESSAGE_CONTENTS({ where: `attribute ${n}` });
    if (a.DataType.startsWith('Number') && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v))
      throw SqsErrors.INVALID_PARAMETER({ field: `MessageAttributes.${n}`, reason: 'not a number' });
    size +=
      Buffer.byteLength(n) +
      Buffer.byteLength(a.DataType) +
      (binary ? Buffer.from(v, 'base64').length : Buffer.byteLength(v));
  }
  return size;
}

export function createSqsService(d: SqsDeps): SqsService {
  const { repo, queue, clock } = d;
  const waiters = new Map<string, Set<() => void>>();
  let closed = false;
  let cancelSweep: (() => void) | undefined;

  const arnOf = (tenant: TenantId, name: string) => `arn:aws:sqs:${d.region}:${d.accountOf(tenant)}:${name}`;

  async function get(tenant: TenantId, name: string): Promise<SqsQueueRecord> {
    const r = await repo.get(tenant, name);
    if (!r) throw SqsErrors.QUEUE_NOT_FOUND({ name });
    return r;
  }

  /** The dead-letter queue an ARN names, in the same tenant; checks its type. */
  async function targetOf(tenant: TenantId, arn: string, fifo: boolean): Promise<SqsQueueRecord> {
    const m = ARN_RE.exec(arn);
    const bad = (reason: string) => SqsErrors.INVALID_ATTRIBUTE_VALUE({ name: 'RedrivePolicy', reason });
    if (!m || m[1] !== d.region || m[2] !== d.accountOf(tenant))
      throw bad(`deadLetterTargetArn ${arn.slice(0, 200)} is not a queue of this account and region`);
    const t = await repo.get(tenant, m[3]!);
    if (!t) throw bad(`the dead-letter queue ${m[3]} does not exist`);
    if ((t.attributes.FifoQueue === 'true') !== fifo)
      throw bad('a FIFO queue needs a FIFO dead-letter queue, a standard queue a standard one');
    return t;
  }

  function wake(qn: string): void {
    const set = waiters.get(qn);
    if (!set) return;
    waiters.delete(qn);
    for (const w of set) w();
  }

  function waitFor(qn: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let set = waiters.get(qn);
      if (!set) {
        set = new Set();
        waiters.set(qn, set);
      }
      const s = set;
      const done = () => {
        cancel();
        s.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const cancel = clock.setTimeout(done, ms);
      s.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  function systemAttributes(m: LeasedMessage, s: Stored, now: number): Record<string, string> {
    const out: Record<string, string> = {
      SenderId: s.s,
      SentTimestamp: String(m.enqueuedAt),
      ApproximateReceiveCount: String(m.attempts),
      ApproximateFirstReceiveTimestamp: String(m.attempts <= 1 ? now : m.enqueuedAt),
    };
    if (s.t !== undefined) out.AWSTraceHeader = s.t;
    if (s.g !== undefined) out.MessageGroupId = s.g;
    if (s.d !== undefined) out.MessageDeduplicationId = s.d;
    if (s.n !== undefined) out.SequenceNumber = s.n;
    return out;
  }

  /** Leases up to `max`, moving what exceeded maxReceiveCount to the dead-letter queue. */
  async function leaseSome(
    rec: SqsQueueRecord,
    st: QueueSettings,
    max: number,
    visibilityMs: number,
  ): Promise<ReceivedMessage[]> {
    const qn = portQueue(rec.tenant, rec.name);
    const out: ReceivedMessage[] = [];
    let dlq: SqsQueueRecord | undefined | null = null;
    // A redrive acks under the lease: hold it long enough for that even when the caller asked for
    // (almost) none, then shorten it for the messages delivered.
    const leaseMs = st.redrive ? Math.max(visibilityMs, MIN_REDRIVE_LEASE_MS) : visibilityMs;
    for (let round = 0; round < 5 && out.length < max; round++) {
      const got = await queue.lease(qn, { max: max - out.length, visibilityMs: leaseMs });
      if (got.length === 0) break;
      let moved = 0;
      const now = clock.now();
      for (const m of got) {
        const s = parseStored(m.body);
        if (st.redrive && m.attempts > st.redrive.maxReceiveCount) {
          if (dlq === null)
            dlq = await targetOf(rec.tenant, st.redrive.deadLetterTargetArn, st.fifo).catch(() => undefined);
          if (dlq) {
            const item: EnqueueItem = {
              queue: portQueue(dlq.tenant, dlq.name),
              tenant: rec.tenant,
              body: JSON.stringify({ ...s, m: s.m ?? m.id } satisfies Stored),
              source: `${DEAD_LETTER_SOURCE}${rec.name}`,
              group: m.group,
            };
            if (await queue.ack(m.id, m.leaseToken, { followUps: [item] })) {
              moved++;
              wake(item.queue);
            }
            continue;
          }
          d.log?.('warn', { queue: rec.name, tenant: rec.tenant }, 'dead-letter queue missing: message kept');
        }
        if (leaseMs !== visibilityMs) await queue.extend(m.id, m.leaseToken, visibilityMs);
        const attrs = s.a ?? {};
        out.push({
          messageId: s.m ?? m.id,
          receiptHandle: handleOf(m),
          body: s.b,
          md5OfBody: md5Hex(s.b),
          attributes: systemAttributes(m, s, now),
          messageAttributes: attrs,
          md5OfAttributes: md5OfAttributes(attrs),
        });
      }
      if (moved === 0) break;
    }
    return out;
  }

  async function deadLetterSources(tenant: TenantId, name: string): Promise<SqsQueueRecord[]> {
    const arn = arnOf(tenant, name);
    return (await repo.list(tenant)).filter(
      (q) => settingsOf(q.attributes).redrive?.deadLetterTargetArn === arn,
    );
  }

  const moves = createMoveTasks({
    repo,
    queue,
    settings: d.settings,
    clock,
    wake,
    deadLetterSources,
    log: d.log,
  });

  async function sweep(): Promise<void> {
    // A node that died left its move tasks RUNNING: taken over here.
    await moves.resume();
    const now = clock.now();
    for (const rec of await repo.list()) {
      const st = settingsOf(rec.attributes);
      await queue.drop(portQueue(rec.tenant, rec.name), { enqueuedBefore: now - st.retentionMs });
    }
    // Done messages keep their dedupe ids for the window, then go.
    await queue.sweep(now - DEDUPE_WINDOW_MS - 60_000);
  }

  function armSweep(): void {
    if (closed) return;
    cancelSweep = clock.setTimeout(() => {
      sweep()
        .catch((e: unknown) => d.log?.('error', { err: e }, 'SQS retention sweep failed'))
        .finally(armSweep);
    }, RETENTION_SWEEP_MS);
  }

  /** Resolves an entry's handle to its message id and token, checking it belongs to `qn`. */
  async function ownedHandle(qn: string, handle: string): Promise<{ id: string; token: string } | undefined> {
    const h = parseHandle(handle);
    const m = await queue.get(h.id);
    if (m && m.queue !== qn) throw SqsErrors.RECEIPT_HANDLE_INVALID();
    return m ? h : undefined;
  }

  /**
   * The AWSTraceHeader of a message sent in a trace: a PRODUCER span's context (tracing on; the
   * event source mapping's invocation continues it), else the sender's own, in X-Ray form.
   */
  function traceHeaderOf(
    name: string,
    tenant: TenantId,
    traceparent: string,
    spans: { span: SpanHandle; at: number }[],
    at: number,
  ): string | undefined {
    const parent = validTraceparent(traceparent);
    if (parent === undefined) return undefined;
    if (!d.tracing) return xrayOfTraceparent(parent);
    const span = d.tracing.start(`send ${name}`, {
      kind: 'producer',
      parent,
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.operation.type': 'send',
        'messaging.destination.name': name,
        'nimbus.tenant': tenant,
      },
    });
    spans.push({ span, at });
    return xrayOfTraceparent(span.traceparent);
  }

  const entries = async <T, R>(list: readonly T[], fn: (x: T) => Promise<R>): Promise<EntryResult<R>[]> =>
    Promise.all(
      list.map(async (x) => {
        try {
          return { ok: await fn(x) };
        } catch (e) {
          if (e instanceof NimbusError && e.kind === 'user') return { error: e };
          throw e;
        }
      }),
    );

  return {
    arnOf,

    async createQueue(tenant, name, attributes = {}, tags = {}) {
      const fifo = checkName(name);
      const given = checkAttributes(attributes, fifo, true);
      const attrs = initialAttributes(given, fifo);
      const st = settingsOf(attrs);
      if (st.redrive) await targetOf(tenant, st.redrive.deadLetterTargetArn, fifo);
      const now = clock.now();
      const rec: SqsQueueRecord = {
        tenant,
        name,
        attributes: attrs,
        tags: { ...tags },
        createdAt: now,
        updatedAt: now,
      };
      if (await repo.create(rec)) return rec;
      const prior = await get(tenant, name);
      for (const [k, v] of Object.entries(given))
        if (prior.attributes[k] !== v) throw SqsErrors.QUEUE_EXISTS({ name, attribute: k });
      return prior;
    },

    getQueue: get,

    async listQueues(tenant, prefix) {
      const all = await repo.list(tenant);
      return prefix ? all.filter((q) => q.name.startsWith(prefix)) : all;
    },

    async deleteQueue(tenant, name) {
      await get(tenant, name);
      await repo.delete(tenant, name);
      await moves.forget(tenant, name);
      await queue.drop(portQueue(tenant, name));
      wake(portQueue(tenant, name));
    },

    async setAttributes(tenant, name, attributes) {
      const rec = await get(tenant, name);
      const fifo = rec.attributes.FifoQueue === 'true';
      const given = checkAttributes(attributes, fifo, false);
      const next = { ...rec.attributes, ...given };
      if (given.RedrivePolicy === '') delete next.RedrivePolicy;
      const st = settingsOf(next);
      if (st.redrive) {
        const t = await targetOf(tenant, st.redrive.deadLetterTargetArn, fifo);
        if (t.name === name)
          throw SqsErrors.INVALID_ATTRIBUTE_VALUE({
            name: 'RedrivePolicy',
            reason: 'a queue cannot be its own dead-letter queue',
          });
      }
      await repo.update({ ...rec, attributes: next, updatedAt: clock.now() });
    },

    async attributes(tenant, name) {
      const rec = await get(tenant, name);
      const [s] = await queue.stats(portQueue(tenant, name));
      const out: Record<string, string> = {
        ...rec.attributes,
        QueueArn: arnOf(tenant, name),
        ApproximateNumberOfMessages: String(s?.ready ?? 0),
        ApproximateNumberOfMessagesNotVisible: String(s?.inflight ?? 0),
        ApproximateNumberOfMessagesDelayed: String(s?.delayed ?? 0),
        CreatedTimestamp: String(Math.floor(rec.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(rec.updatedAt / 1000)),
      };
      return out;
    },

    async tag(tenant, name, set, remove = []) {
      const rec = await get(tenant, name);
      const tags = { ...rec.tags, ...set };
      for (const k of remove) delete tags[k];
      if (Object.keys(tags).length > 50)
        throw SqsErrors.INVALID_PARAMETER({ field: 'Tags', reason: 'a queue has at most 50 tags' });
      await repo.update({ ...rec, tags, updatedAt: rec.updatedAt });
    },

    deadLetterSources,

    async send(tenant, name, messages, senderId) {
      const rec = await get(tenant, name);
      const st = settingsOf(rec.attributes);
      const qn = portQueue(tenant, name);
      const items: (EnqueueItem | undefined)[] = [];
      const stored: Stored[] = [];
      const results: EntryResult<SentMessage>[] = [];
      /** PRODUCER spans, with the index of their message among those enqueued. */
      const spans: { span: SpanHandle; at: number }[] = [];
      let sending = 0;
      for (const m of messages) {
        try {
          if (m.body === '')
            throw SqsErrors.MISSING_PARAMETER({ field: 'MessageBody (it must not be empty)' });
          if (BAD_CHARS_RE.test(m.body)) throw SqsErrors.INVALID_MESSAGE_CONTENTS({ where: 'body' });
          const attrs = m.attributes ?? {};
          const size = Buffer.byteLength(m.body) + checkAttributesOfMessage(attrs);
          if (size > st.maxMessageBytes)
            throw SqsErrors.MESSAGE_TOO_LONG({ size, limit: st.maxMessageBytes });
          if (m.delaySeconds !== undefined) {
            if (!Number.isInteger(m.delaySeconds) || m.delaySeconds < 0 || m.delaySeconds > 900)
              throw SqsErrors.INVALID_PARAMETER({
                field: 'DelaySeconds',
                reason: 'an integer 0-900 is required',
              });
            if (st.fifo)
              throw SqsErrors.INVALID_PARAMETER({
                field: 'DelaySeconds',
                reason: 'FIFO queues take a delay per queue (the DelaySeconds attribute), not per message',
              });
          }
          const s: Stored = { b: m.body, s: senderId };
          if (Object.keys(attrs).length > 0) s.a = { ...attrs };
          if (m.traceHeader !== undefined) s.t = m.traceHeader;
          let dedupeKey: string | undefined;
          if (st.fifo) {
            if (!m.groupId) throw SqsErrors.MISSING_PARAMETER({ field: 'MessageGroupId (FIFO queues)' });
            if (!/^[\x21-\x7e]{1,128}$/.test(m.groupId))
              throw SqsErrors.INVALID_PARAMETER({
                field: 'MessageGroupId',
                reason: '1-128 printable ASCII characters',
              });
            const dd =
              m.dedupeId ??
              (st.contentDedupe ? createHash('sha256').update(m.body).digest('hex') : undefined);
            if (dd === undefined)
              throw SqsErrors.INVALID_PARAMETER({
                field: 'MessageDeduplicationId',
                reason: 'the queue has no ContentBasedDeduplication: give an explicit deduplication id',
              });
            if (m.dedupeId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(m.dedupeId))
              throw SqsErrors.INVALID_PARAMETER({
                field: 'MessageDeduplicationId',
                reason: '1-128 printable ASCII characters',
              });
            s.g = m.groupId;
            if (m.dedupeId !== undefined) s.d = m.dedupeId;
            s.n = sequenceNumber(clock.now());
            dedupeKey = rec.attributes.DeduplicationScope === 'messageGroup' ? `${m.groupId}\u0000${dd}` : dd;
          } else if (m.dedupeId !== undefined) {
            throw SqsErrors.INVALID_PARAMETER({
              field: 'MessageDeduplicationId',
              reason: 'only FIFO queues take it',
            });
          }
          const at = sending++;
          if (s.t === undefined && m.traceparent !== undefined) {
            const t = traceHeaderOf(name, tenant, m.traceparent, spans, at);
            if (t !== undefined) s.t = t;
          }
          items.push({
            queue: qn,
            tenant,
            body: JSON.stringify(s),
            source: 'sqs',
            delayMs: m.delaySeconds !== undefined ? m.delaySeconds * 1000 : st.delayMs,
            dedupeKey,
            dedupeWindowMs: DEDUPE_WINDOW_MS,
            group: st.fifo ? m.groupId : undefined,
          });
          stored.push(s);
        } catch (e) {
          if (!(e instanceof NimbusError)) throw e;
          items.push(undefined);
          stored.push({ b: '', s: '' });
          results.push({ error: e });
          continue;
        }
        results.push({ ok: { messageId: '', md5OfBody: '' } });
      }
      const valid = items.filter((x): x is EnqueueItem => x !== undefined);
      let done: Awaited<ReturnType<Queue['enqueue']>>;
      try {
        done = valid.length > 0 ? await queue.enqueue(valid) : [];
      } catch (e) {
        for (const { span } of spans) {
          span.fail(e instanceof Error ? e.message : 'enqueue failed');
          span.end();
        }
        throw e;
      }
      if (valid.length > 0) wake(qn);
      for (const { span, at } of spans) {
        span.set('messaging.message.id', done[at]?.id);
        span.end();
      }
      let k = 0;
      return Promise.all(
        results.map(async (r, i) => {
          if ('error' in r) return r;
          const res = done[k++]!;
          const s = stored[i]!;
          // A duplicate answers the first message's id and sequence number (the digests are of
          // what was sent: SDKs check them against their input).
          const prior = res.duplicate ? await queue.get(res.id) : undefined;
          const first = prior ? parseStored(prior.body) : s;
          return {
            ok: {
              messageId: first.m ?? res.id,
              md5OfBody: md5Hex(s.b),
              md5OfAttributes: md5OfAttributes(s.a),
              sequenceNumber: first.n,
            },
          };
        }),
      );
    },

    async receive(tenant, name, o) {
      const rec = await get(tenant, name);
      const st = settingsOf(rec.attributes);
      const qn = portQueue(tenant, name);
      const visibilityMs = o.visibilityMs ?? st.visibilityMs;
      const deadline = clock.now() + (o.waitMs ?? st.waitMs);
      for (;;) {
        if (closed || o.signal?.aborted) return [];
        const got = await leaseSome(rec, st, o.max, visibilityMs);
        const left = deadline - clock.now();
        if (got.length > 0 || left <= 0) return got;
        await waitFor(qn, Math.min(left, LONG_POLL_STEP_MS), o.signal);
      }
    },

    async delete(tenant, name, handles) {
      await get(tenant, name);
      const qn = portQueue(tenant, name);
      return entries(handles, async (handle) => {
        const h = await ownedHandle(qn, handle);
        // A stale handle (expired, or the message was received again) deletes nothing and still
        // succeeds, as on SQS; the message comes back.
        if (h) await queue.ack(h.id, h.token);
        return true as const;
      });
    },

    async changeVisibility(tenant, name, list) {
      await get(tenant, name);
      const qn = portQueue(tenant, name);
      return entries(list, async ({ handle, timeoutSec }) => {
        if (!Number.isInteger(timeoutSec) || timeoutSec < 0 || timeoutSec > 43_200)
          throw SqsErrors.INVALID_PARAMETER({
            field: 'VisibilityTimeout',
            reason: 'an integer 0-43200 is required',
          });
        const h = await ownedHandle(qn, handle);
        if (!h || !(await queue.extend(h.id, h.token, timeoutSec * 1000)))
          throw SqsErrors.MESSAGE_NOT_INFLIGHT();
        if (timeoutSec === 0) wake(qn);
        return true as const;
      });
    },

    async purge(tenant, name) {
      await get(tenant, name);
      return queue.drop(portQueue(tenant, name));
    },

    startMoveTask: (tenant, source, o) => moves.start(tenant, source, o),
    listMoveTasks: (tenant, source) => moves.list(tenant, source),
    cancelMoveTask: (tenant, source, id) => moves.cancel(tenant, source, id),

    wake,

    start() {
      if (cancelSweep || closed) return;
      armSweep();
      moves
        .resume()
        .catch((e: unknown) => d.log?.('error', { err: e }, 'SQS message move tasks: resume failed'));
    },

    async close() {
      closed = true;
      cancelSweep?.();
      for (const qn of [...waiters.keys()]) wake(qn);
      await moves.close();
    },
  };
}
