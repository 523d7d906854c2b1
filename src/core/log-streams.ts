/**
 * The log-stream read port: a function's log streams (one per instance, as Lambda has one per
 * execution environment) and the lines of some of them, for the CloudWatch Logs API. Lines are
 * the stored function lines plus START/END/REPORT rendered from invocation records, as
 * `LogRepo.query` returns them, but selected by instance.
 */
import type { LogLevel, LogStream, TenantId, VersionId } from './types.ts';

/** One instance's lines: which version it ran and when its first and last lines were written. */
export interface LogStreamSummary {
  readonly version: VersionId;
  readonly instanceId: string;
  /** Epoch ms of its first and last line. */
  readonly firstTs: number;
  readonly lastTs: number;
}

export interface StreamKey {
  readonly version: VersionId;
  readonly instanceId: string;
}

export interface StreamLinesQuery {
  readonly tenant: TenantId;
  readonly functionName: string;
  /** Only these streams (undefined: every stream of the function; empty: none). */
  readonly streams?: readonly StreamKey[];
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  /** Lines with seq > afterSeq. */
  readonly afterSeq?: number;
  /** Lines with seq < beforeSeq. */
  readonly beforeSeq?: number;
  /** 1-10,000. */
  readonly limit: number;
  /** The last `limit` lines instead of the first (still returned oldest first). */
  readonly last?: boolean;
}

/** A line of a stream (platform lines rendered), in the store's order (seq). */
export interface StreamLine {
  readonly seq: number;
  readonly version: VersionId;
  readonly instanceId: string;
  readonly requestId: string;
  readonly ts: number;
  readonly stream: LogStream;
  readonly message: string;
  /** The function line's level (absent on platform lines and lines stored before 0019). */
  readonly level?: LogLevel | undefined;
}

export interface LogStreamRepo {
  /** Every stream of a function (at most `max`, those with the latest lines first if cut). */
  listStreams(tenant: TenantId, functionName: string, max: number): Promise<LogStreamSummary[]>;
  lines(q: StreamLinesQuery): Promise<StreamLine[]>;
}
