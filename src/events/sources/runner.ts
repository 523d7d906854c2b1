/**
 * Runs one source: batches messages (size or window), invokes the function synchronously with
 * `{ Records: [...] }`, acks what succeeded, retries the rest with backoff, and dead-letters what
 * still fails after `maximumRetryAttempts` (into the Nimbus dead-letter store, replayable as an
 * async invocation). `batchItemFailures: [{ itemIdentifier }]` in the response marks single
 * records as failed; a function error fails the whole batch.
 */

import { backoffDelay } from '../../async/retry.ts';
import { functionQueue } from '../../async/service.ts';
import type { InvokeEnvelope } from '../../async/types.ts';
import type { Clock, Queue } from '../../core/ports.ts';
import type { InvokeService } from '../../invoke/types.ts';
import { validTraceparent } from '../../observability/trace-context.ts';
import type { Tracing } from '../../observability/tracing.ts';
import { destinationOf, firstContext, sourceSpan } from './tracing.ts';
import type { Connector, InboundMessage, SourceRecord, SourceStatus } from './types.ts';

export interface RunnerDeps {
  readonly invoke: InvokeService;
  readonly queue: Queue;
  readonly clock: Clock;
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
  /** Delay before the n-th retry of a batch (ms). Default: 200 ms doubling, capped at 30 s. */
  readonly retryDelay?: (n: number) => number;
  /** A CONSUMER span per batch attempt (src/events/sources/tracing.ts); absent: tracing off. */
  readonly tracing?: Tracing | undefined;
}

const RETRY = {
  maximumRetryAttempts: 0,
  maximumEventAgeSec: 0,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  factor: 2,
};

export class SourceRunner {
  readonly #s: SourceRecord;
  readonly #c: Connector;
  readonly #d: RunnerDeps;
  #buffer: InboundMessage[] = [];
  #windowCancel: (() => void) | undefined;
  #inFlight = 0;
  #closed = false;
  #paused = false;
  #idle: (() => void)[] = [];
  #stats = {
    received: 0,
    succeeded: 0,
    retried: 0,
    deadLettered: 0,
    lastError: undefined as string | undefined,
  };
  connected = false;

  constructor(source: SourceRecord, connector: Connector, deps: RunnerDeps) {
    this.#s = source;
    this.#c = connector;
    this.#d = deps;
  }

  async start(): Promise<void> {
    await this.#c.start((m) => this.#push(m));
    this.connected = true;
  }

  /** Lets running batches finish (and ack) first, bounded, then disconnects. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#windowCancel?.();
    if (this.#inFlight > 0)
      await new Promise<void>((r) => {
        const t = setTimeout(r, 5000);
        this.#idle.push(() => {
          clearTimeout(t);
          r();
        });
      });
    await this.#c.close();
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

  #push(m: InboundMessage): void {
    if (this.#closed) return; // not acked: the broker redelivers it to the next consumer
    this.#stats.received++;
    this.#buffer.push(m);
    const cap = this.#s.batchSize * this.#s.concurrency * 2;
    if (!this.#paused && this.#buffer.length >= cap && this.#c.pause) {
      this.#paused = true;
      this.#c.pause();
    }
    this.#drain();
  }

  #drain(): void {
    while (this.#inFlight < this.#s.concurrency && this.#buffer.length > 0) {
      const full = this.#buffer.length >= this.#s.batchSize;
      if (!full && this.#s.batchWindowMs > 0) {
        // Wait for the window to fill the batch (one timer per pending batch).
        this.#windowCancel ??= this.#d.clock.setTimeout(() => {
          this.#windowCancel = undefined;
          this.#flush();
        }, this.#s.batchWindowMs);
        return;
      }
      this.#flush();
    }
  }

  #flush(): void {
    if (this.#buffer.length === 0 || this.#inFlight >= this.#s.concurrency) return;
    this.#windowCancel?.();
    this.#windowCancel = undefined;
    const batch = this.#buffer.splice(0, this.#s.batchSize);
    if (this.#paused && this.#buffer.length < this.#s.batchSize * this.#s.concurrency) {
      this.#paused = false;
      this.#c.resume?.();
    }
    this.#inFlight++;
    this.#run(batch)
      .catch((e: unknown) => {
        this.#stats.lastError = e instanceof Error ? e.message : String(e);
        this.#d.log?.('error', { err: e, source: this.#s.id }, 'source batch failed');
      })
      .finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0) for (const r of this.#idle.splice(0)) r();
        if (!this.#closed) this.#drain();
      });
  }

  async #run(batch: InboundMessage[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0, tries = 1; pending.length > 0; attempt++, tries++) {
      const failed = await this.#invoke(pending, tries);
      const ok = pending.filter((m) => !failed.ids.has(m.id));
      for (const m of ok) await m.ack();
      this.#stats.succeeded += ok.length;
      pending = pending.filter((m) => failed.ids.has(m.id));
      if (pending.length === 0) return;
      if (failed.throttled) attempt--; // throttling does not use up retries
      if (attempt >= this.#s.maximumRetryAttempts || this.#closed) {
        if (this.#closed) return; // unacked: redelivered after restart
        await this.#deadLetter(pending, failed.error);
        return;
      }
      this.#stats.retried += pending.length;
      const delay = this.#d.retryDelay?.(attempt + 1) ?? backoffDelay(RETRY, attempt + 1, Math.random());
      await new Promise<void>((r) => this.#d.clock.setTimeout(r, delay));
    }
  }

  /** Invokes the function; returns the ids that failed (all of them on a function error). */
  async #invoke(
    batch: InboundMessage[],
    attempt: number,
  ): Promise<{ ids: Set<string>; error: string; throttled: boolean }> {
    const all = () => new Set(batch.map((m) => m.id));
    const t = this.#d.tracing;
    const span =
      t &&
      sourceSpan(
        t,
        {
          tenant: this.#s.tenant,
          functionName: this.#s.functionName,
          sourceId: this.#s.id,
          kind: this.#s.kind,
          destination: destinationOf(this.#s.kind, this.#s.config),
          count: batch.length,
          messageId: batch.length === 1 ? batch[0]!.id : undefined,
          attempt,
        },
        batch.map((m) => m.traceparent),
      );
    try {
      const r = await this.#d.invoke.invoke({
        tenant: this.#s.tenant,
        functionName: this.#s.functionName,
        qualifier: this.#s.qualifier,
        payload: JSON.stringify({ Records: batch.map((m) => m.record) }),
        trigger: { type: 'async', source: `${this.#s.kind}:${this.#s.id}` },
        // The first traced message's trace (tracing off: passed on as it came).
        traceparent: span ? span.traceparent : firstContext(batch, (m) => m.traceparent),
      });
      if (r.functionError) {
        span?.fail('function error');
        return { ids: all(), error: r.payload, throttled: false };
      }
      const res = JSON.parse(r.payload) as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null;
      const failures = Array.isArray(res?.batchItemFailures) ? res.batchItemFailures : [];
      const known = new Set(batch.map((m) => m.id));
      const ids = new Set<string>();
      for (const f of failures) {
        const id = String(f?.itemIdentifier ?? '');
        // An unknown or empty identifier fails the whole batch (Lambda does the same).
        if (!known.has(id)) {
          span?.fail('unknown itemIdentifier');
          return { ids: all(), error: `unknown itemIdentifier ${JSON.stringify(id)}`, throttled: false };
        }
        ids.add(id);
      }
      span?.set('nimbus.failed_records', ids.size);
      return { ids, error: 'reported in batchItemFailures', throttled: false };
    } catch (e) {
      const err = e as { status?: number; message?: string; code?: string };
      span?.fail(err.code ?? 'invoke failed');
      return {
        ids: all(),
        error: JSON.stringify({ errorCode: err.code, errorMessage: err.message }),
        throttled: err.status === 429,
      };
    } finally {
      span?.end();
    }
  }

  async #deadLetter(msgs: InboundMessage[], error: string): Promise<void> {
    const items = msgs.map((m) => {
      const env: InvokeEnvelope = {
        v: 1,
        kind: 'invoke',
        function: this.#s.functionName,
        qualifier: this.#s.qualifier,
        payload: JSON.stringify({ Records: [m.record] }),
        hop: 0,
        // A replay continues the message's trace.
        traceparent: m.traceparent === undefined ? undefined : validTraceparent(m.traceparent),
      };
      return {
        queue: functionQueue(this.#s.tenant, this.#s.functionName),
        tenant: this.#s.tenant,
        body: JSON.stringify(env),
        source: `source:${this.#s.id}`,
        dead: {
          error: JSON.stringify({
            reason: 'RetriesExhausted',
            source: this.#s.id,
            kind: this.#s.kind,
            detail: error.slice(0, 2000),
          }),
        },
      };
    });
    // Committed to the dead-letter store first, then acked at the broker: never lost.
    await this.#d.queue.enqueue(items);
    for (const m of msgs) await m.ack();
    this.#stats.deadLettered += msgs.length;
    this.#d.log?.('warn', { source: this.#s.id, count: msgs.length }, 'source records dead-lettered');
  }
}
