/**
 * The `sqs` event source mapping, as Lambda runs it: pollers long-poll the queue, gather a batch
 * (up to `batchSize`, waiting up to `maximumBatchingWindow` for it to fill), invoke the function
 * synchronously with `{ Records: [...] }` in Lambda's SQS record shape, and delete what
 * succeeded. Nothing is retried here: a failed message stays in flight until the queue's
 * VisibilityTimeout ends, is received again, and after maxReceiveCount receives the queue's
 * RedrivePolicy moves it to the dead-letter queue — the queue's own semantics, as on AWS.
 *
 * - A function error (or a timeout) fails the whole batch.
 * - With `functionResponseTypes: [ReportBatchItemFailures]`, `{batchItemFailures:
 *   [{itemIdentifier: messageId}]}` fails only those; an unknown identifier fails the batch.
 *   Without it the response is not read (as on Lambda).
 * - `filterPatterns` (EventBridge patterns over the record, `body` parsed when it is JSON): a
 *   message no pattern matches is deleted without an invocation.
 * - A throttled invocation hands the batch back at once (visibility 0) and the poller backs off.
 * - `concurrency` pollers run at once (Lambda's maximumConcurrency).
 */
import type { Clock } from '../core/ports.ts';
import type { SourceRecord } from '../core/types.ts';
import { compilePattern } from '../events/pattern.ts';
import { firstContext, sourceSpan } from '../events/sources/tracing.ts';
import type { SourceStatus } from '../events/sources/types.ts';
import type { InvokeService } from '../invoke/types.ts';
import { traceparentOfXRay } from '../observability/trace-context.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { ReceivedMessage, SqsService } from './service.ts';

export interface SqsPollerDeps {
  readonly sqs: Pick<SqsService, 'receive' | 'delete' | 'changeVisibility' | 'getQueue' | 'arnOf'>;
  readonly invoke: InvokeService;
  readonly clock: Clock;
  readonly region: string;
  /** A CONSUMER span per batch, continuing the messages' `AWSTraceHeader`; absent: tracing off. */
  readonly tracing?: Tracing | undefined;
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
}

const LONG_POLL_MS = 20_000;
const ERROR_BACKOFF_MS = 1000;
const THROTTLE_BACKOFF_MS = 500;

/** The queue name of a mapping's `config.queue` (a name or an ARN). */
export const queueNameOf = (q: string) => (q.startsWith('arn:') ? (q.split(':').pop() ?? q) : q);

/** Lambda's SQS record for a received message. */
export function sqsRecord(m: ReceivedMessage, arn: string, region: string): Record<string, unknown> {
  const attrs: Record<string, Record<string, unknown>> = {};
  for (const [k, a] of Object.entries(m.messageAttributes))
    attrs[k] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType,
    };
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: m.attributes,
    messageAttributes: attrs,
    md5OfMessageAttributes: m.md5OfAttributes ?? null,
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  };
}

export class SqsPoller {
  readonly #s: SourceRecord;
  readonly #d: SqsPollerDeps;
  readonly #queue: string;
  readonly #abort = new AbortController();
  readonly #filters: ((e: unknown) => boolean)[];
  readonly #reportFailures: boolean;
  #loops: Promise<void>[] = [];
  #inFlight = 0;
  #closed = false;
  #stats = {
    received: 0,
    succeeded: 0,
    retried: 0,
    deadLettered: 0,
    lastError: undefined as string | undefined,
  };
  connected = false;

  constructor(source: SourceRecord, deps: SqsPollerDeps) {
    this.#s = source;
    this.#d = deps;
    this.#queue = queueNameOf(String(source.config.queue));
    const patterns = Array.isArray(source.config.filterPatterns) ? source.config.filterPatterns : [];
    this.#filters = patterns.map((p) => compilePattern(p).match);
    const types = source.config.functionResponseTypes;
    this.#reportFailures = Array.isArray(types) && types.includes('ReportBatchItemFailures');
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.#s.concurrency; i++) this.#loops.push(this.#loop());
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    const bounded = new Promise<void>((r) => setTimeout(r, 5000).unref());
    await Promise.race([Promise.all(this.#loops), bounded]);
  }

  status(): SourceStatus {
    return {
      id: this.#s.id,
      kind: this.#s.kind,
      connected: this.connected,
      ...this.#stats,
      inFlightBatches: this.#inFlight,
    };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const cancel = this.#d.clock.setTimeout(r, ms);
      this.#abort.signal.addEventListener(
        'abort',
        () => {
          cancel();
          r();
        },
        { once: true },
      );
    });
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      try {
        const batch = await this.#collect();
        this.connected = true;
        if (batch.length > 0) await this.#run(batch);
      } catch (e) {
        if (this.#closed) return;
        this.connected = false;
        this.#stats.lastError = e instanceof Error ? e.message : String(e);
        this.#d.log?.('warn', { source: this.#s.id, err: this.#stats.lastError }, 'sqs poller error');
        await this.#sleep(ERROR_BACKOFF_MS);
      }
    }
  }

  /** Long-polls for the first messages, then fills the batch for up to the batching window. */
  async #collect(): Promise<ReceivedMessage[]> {
    const { sqs, clock } = this.#d;
    const signal = this.#abort.signal;
    const size = this.#s.batchSize;
    const batch = await sqs.receive(this.#s.tenant, this.#queue, { max: size, waitMs: LONG_POLL_MS, signal });
    const deadline = clock.now() + this.#s.batchWindowMs;
    while (batch.length > 0 && batch.length < size && !this.#closed) {
      const left = deadline - clock.now();
      if (left <= 0) break;
      const more = await sqs.receive(this.#s.tenant, this.#queue, {
        max: size - batch.length,
        waitMs: left,
        signal,
      });
      batch.push(...more);
    }
    return batch;
  }

  async #run(batch: ReceivedMessage[]): Promise<void> {
    const { sqs, region } = this.#d;
    const tenant = this.#s.tenant;
    this.#inFlight++;
    this.#stats.received += batch.length;
    try {
      const arn = sqs.arnOf(tenant, this.#queue);
      const records = batch.map((m) => sqsRecord(m, arn, region));
      // Filter patterns: what none matches is deleted without an invocation.
      const keep = records.map(
        (r) => this.#filters.length === 0 || this.#filters.some((f) => f(filterView(r))),
      );
      const dropped = batch.filter((_, i) => !keep[i]);
      if (dropped.length > 0) await this.#delete(dropped);
      const chosen = batch.filter((_, i) => keep[i]);
      if (chosen.length === 0) return;
      const failed = await this.#invoke(
        chosen,
        records.filter((_, i) => keep[i]),
      );
      const ok = chosen.filter((m) => !failed.has(m.messageId));
      if (ok.length > 0) await this.#delete(ok);
      this.#stats.succeeded += ok.length;
      this.#stats.retried += chosen.length - ok.length;
    } finally {
      this.#inFlight--;
    }
  }

  async #delete(msgs: readonly ReceivedMessage[]): Promise<void> {
    await this.#d.sqs.delete(
      this.#s.tenant,
      this.#queue,
      msgs.map((m) => m.receiptHandle),
    );
  }

  /** Invokes the function; returns the message ids that failed. */
  async #invoke(
    batch: readonly ReceivedMessage[],
    records: readonly Record<string, unknown>[],
  ): Promise<Set<string>> {
    const all = () => new Set(batch.map((m) => m.messageId));
    const t = this.#d.tracing;
    const span =
      t &&
      sourceSpan(
        t,
        {
          tenant: this.#s.tenant,
          functionName: this.#s.functionName,
          sourceId: this.#s.id,
          kind: 'sqs',
          destination: this.#queue,
          count: batch.length,
          messageId: batch.length === 1 ? batch[0]!.messageId : undefined,
          attempt: batch.length === 1 ? Number(batch[0]!.attributes.ApproximateReceiveCount) : undefined,
        },
        batch.map(contextOf),
      );
    try {
      const r = await this.#d.invoke.invoke({
        tenant: this.#s.tenant,
        functionName: this.#s.functionName,
        qualifier: this.#s.qualifier,
        payload: JSON.stringify({ Records: records }),
        trigger: { type: 'async', source: `sqs:${this.#s.id}` },
        // Lambda continues the first message's AWSTraceHeader (tracing off: passed on as it came).
        traceparent: span ? span.traceparent : firstContext(batch, contextOf),
      });
      if (r.functionError) {
        span?.fail('function error');
        this.#stats.lastError = r.payload.slice(0, 500);
        return all();
      }
      if (!this.#reportFailures) return new Set();
      type Reply = { batchItemFailures?: { itemIdentifier?: unknown }[] } | null;
      let res: Reply;
      try {
        res = JSON.parse(r.payload) as Reply;
      } catch {
        return new Set(); // not JSON: no failures reported
      }
      const failures = Array.isArray(res?.batchItemFailures) ? res.batchItemFailures : [];
      const known = new Set(batch.map((m) => m.messageId));
      const ids = new Set<string>();
      for (const f of failures) {
        const id = String(f?.itemIdentifier ?? '');
        // An unknown or empty identifier fails the whole batch (as on Lambda).
        if (!known.has(id)) {
          span?.fail('unknown itemIdentifier');
          this.#stats.lastError = `unknown itemIdentifier ${JSON.stringify(id).slice(0, 100)}`;
          return all();
        }
        ids.add(id);
      }
      span?.set('nimbus.failed_records', ids.size);
      return ids;
    } catch (e) {
      const err = e as { status?: number; message?: string; code?: string };
      span?.fail(err.code ?? 'invoke failed');
      span?.end();
      this.#stats.lastError = err.message ?? String(e);
      if (err.status === 429) {
        // Throttled: hand the batch back now rather than after the visibility timeout.
        await this.#d.sqs
          .changeVisibility(
            this.#s.tenant,
            this.#queue,
            batch.map((m) => ({ handle: m.receiptHandle, timeoutSec: 0 })),
          )
          .catch(() => {});
        await this.#sleep(THROTTLE_BACKOFF_MS);
      }
      return all();
    } finally {
      span?.end();
    }
  }
}

/**
 * The trace a message carries: its AWSTraceHeader (X-Ray form, what SendMessage recorded), else a
 * `traceparent` message attribute (what OpenTelemetry's SQS instrumentation injects).
 */
function contextOf(m: ReceivedMessage): string | undefined {
  const x = m.attributes.AWSTraceHeader;
  if (x !== undefined) return traceparentOfXRay(x);
  return m.messageAttributes.traceparent?.StringValue;
}

/** What filter patterns see: the record, with a JSON body parsed (as Lambda filters). */
function filterView(r: Record<string, unknown>): Record<string, unknown> {
  const body = r.body as string;
  try {
    return { ...r, body: JSON.parse(body) as unknown };
  } catch {
    return r;
  }
}
