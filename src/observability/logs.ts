/**
 * Log capture: a batching sink (one store write per batch, off the invoke hot path), Lambda-style
 * START/END/REPORT lines, and the 4 KB tail for `X-Amz-Log-Type: Tail`.
 */
import type { Clock, LogRepo } from '../core/ports.ts';
import type { InvocationLog, LogLine } from '../core/types.ts';

export interface BatchWriterOptions<T> {
  /** Writes one batch (one statement per batch keeps store writes off the invoke hot path). */
  readonly write: (batch: T[]) => Promise<void>;
  readonly clock: Clock;
  readonly flushMs?: number;
  readonly maxBatch?: number;
  readonly onError?: (e: unknown) => void;
}

/** Buffers items and writes them in batches, in order, at most `flushMs` after the first. */
export class BatchWriter<T> {
  #buf: T[] = [];
  #cancel: (() => void) | undefined;
  #inflight: Promise<void> = Promise.resolve();
  readonly #o: BatchWriterOptions<T>;

  constructor(o: BatchWriterOptions<T>) {
    this.#o = o;
  }

  write(items: readonly T[]): void {
    if (items.length === 0) return;
    for (const l of items) this.#buf.push(l);
    if (this.#buf.length >= (this.#o.maxBatch ?? 500)) void this.flush();
    else this.#cancel ??= this.#o.clock.setTimeout(() => void this.flush(), this.#o.flushMs ?? 50);
  }

  /** Writes everything buffered so far; resolves when it is stored. */
  flush(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    const batch = this.#buf;
    this.#buf = [];
    const prev = this.#inflight;
    this.#inflight = (async () => {
      await prev;
      if (batch.length === 0) return;
      try {
        await this.#o.write(batch);
      } catch (e) {
        this.#o.onError?.(e);
      }
    })();
    return this.#inflight;
  }
}

/**
 * The invocation record sink: a BatchWriter of finished invocations (usage record + function
 * lines) into the Store, one transaction per batch, at most `flushMs` (50 ms) after the first.
 * What a crash of the platform process can lose is what it holds: the records of invocations
 * that ended within the last flush interval (plus the batch being written).
 */
export type LogSink = BatchWriter<InvocationLog>;

export function createLogSink(o: {
  repo: Pick<LogRepo, 'appendInvocations'>;
  clock: Clock;
  onError?: (e: unknown) => void;
  /** Rewrites a function's line before it is stored (secret redaction). */
  redact?: (tenant: string, functionName: string, message: string) => string;
}): LogSink {
  const redact = o.redact;
  const redactLine = (l: LogLine): LogLine => {
    const m = redact!(l.tenant, l.functionName, l.message);
    return m === l.message ? l : { ...l, message: m };
  };
  return new BatchWriter<InvocationLog>({
    write: (b) =>
      o.repo.appendInvocations(
        redact
          ? b.map((inv) => (inv.lines.length === 0 ? inv : { ...inv, lines: inv.lines.map(redactLine) }))
          : b,
      ),
    clock: o.clock,
    onError: o.onError,
  });
}

const fmtMs = (n: number) => n.toFixed(2);

/** A cost in dollars with 10 decimals, trailing zeros dropped (an invocation costs ~2e-7). */
export const formatUsd = (n: number): string =>
  n
    .toFixed(10)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}
export function reportLine(r: {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memoryMb: number;
  maxRssBytes: number;
  initDurationMs?: number | undefined;
  status?: string | undefined;
  /** Nimbus's addition after Lambda's fields: what the invocation cost (metering/prices.ts). */
  costUsd?: number | undefined;
}): string {
  let s =
    `REPORT RequestId: ${r.requestId}\tDuration: ${fmtMs(r.durationMs)} ms\tBilled Duration: ${r.billedDurationMs} ms` +
    `\tMemory Size: ${r.memoryMb} MB\tMax Memory Used: ${Math.ceil(r.maxRssBytes / 1048576)} MB`;
  if (r.initDurationMs !== undefined) s += `\tInit Duration: ${fmtMs(r.initDurationMs)} ms`;
  if (r.costUsd) s += `\tCost: ${formatUsd(r.costUsd)} USD`;
  if (r.status) s += `\tStatus: ${r.status}`;
  return s;
}

/**
 * The line Lambda's runtimes print for an unhandled function error, so it is in the function's
 * logs and not only in the response: Python's `[ERROR] Type: message` + traceback; the others'
 * `ERROR\tInvoke Error \t{errorType, errorMessage, stack}` (Node's format).
 */
export function invokeErrorLine(
  family: string,
  e: { errorType: string; errorMessage: string; trace: readonly string[] },
): string {
  if (family === 'python') {
    const tb =
      e.trace.length > 0 ? `\nTraceback (most recent call last):\n${e.trace.join('').trimEnd()}` : '';
    return `[ERROR] ${e.errorType}: ${e.errorMessage}${tb}`;
  }
  return `ERROR\tInvoke Error \t${JSON.stringify({ errorType: e.errorType, errorMessage: e.errorMessage, stack: e.trace })}`;
}

/** A log line as CloudWatch shows it for Lambda: platform lines as-is, function lines with ts + id. */
export function formatLogLine(l: Pick<LogLine, 'ts' | 'requestId' | 'stream' | 'message' | 'level'>): string {
  if (l.stream === 'platform') return l.message;
  const level = l.level ?? (l.stream === 'stderr' ? 'ERROR' : 'INFO');
  return `${new Date(l.ts).toISOString()}\t${l.requestId}\t${level}\t${l.message}`;
}

/** Last `maxBytes` bytes of the formatted log (Lambda's X-Amz-Log-Result is the last 4 KB). */
export function logTail(
  lines: readonly Pick<LogLine, 'ts' | 'requestId' | 'stream' | 'message' | 'level'>[],
  maxBytes = 4096,
): string {
  const text = `${lines.map(formatLogLine).join('\n')}\n`;
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= maxBytes ? text : buf.subarray(buf.length - maxBytes).toString('utf8');
}
