/**
 * Contracts of the sync invoke service. Used by the REST API, the Lambda Invoke route and (later)
 * the gateway, queue consumers and schedulers.
 */
import type { ResponseStreamSink } from '../core/ports.ts';
import type { TenantId, Trigger, VersionId } from '../core/types.ts';

export interface InvokeRequest {
  readonly tenant: TenantId;
  readonly functionName: string;
  /** `$LATEST`, a version number or an alias name. */
  readonly qualifier?: string | undefined;
  /** JSON text of the event (validated by the caller; empty means `{}`). */
  readonly payload: string;
  readonly trigger: Trigger;
  /** Return the last 4 KB of the invocation's logs (Lambda `X-Amz-Log-Type: Tail`). */
  readonly logTail?: boolean;
  readonly traceparent?: string | undefined;
  readonly signal?: AbortSignal;
  /** Stream the response (head + body chunks) here as the function produces it. */
  readonly stream?: ResponseStreamSink | undefined;
  /** Async invocations keep one request id across retries (Lambda does the same). */
  readonly requestId?: string | undefined;
  /** 1 for the first delivery. */
  readonly attempt?: number | undefined;
  /** Async hops that led to this invocation (loop protection for the context client). */
  readonly hop?: number | undefined;
  /** Lambda X-Amz-Client-Context (base64 JSON), passed to the function untouched. */
  readonly clientContext?: string | undefined;
}

export interface InvokeResult {
  readonly requestId: string;
  /** Version actually executed. */
  readonly version: VersionId;
  /** JSON text: the handler's result, or the `{errorType, errorMessage, trace}` error payload. */
  readonly payload: string;
  /** `Unhandled` when the function failed (Lambda X-Amz-Function-Error). */
  readonly functionError?: 'Unhandled' | undefined;
  /** Nimbus code for platform-detected failures (timeout, OOM, crash, init). */
  readonly errorCode?: string | undefined;
  readonly cold: boolean;
  readonly initDurationMs?: number | undefined;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly maxRssBytes: number;
  readonly memoryMb: number;
  /** Last 4 KB of the log (START..REPORT) when `logTail` was asked. */
  readonly logTail?: string | undefined;
  /** The body went to the request's stream sink (payload is `null`). */
  readonly streamed?: boolean | undefined;
}

export interface InvokeService {
  /** Throws coded errors: function/qualifier not found (404), throttled (429), payload too large (413). */
  invoke(req: InvokeRequest): Promise<InvokeResult>;
  /** DryRun: validates that the function and qualifier exist (and the caller may invoke). */
  dryRun(tenant: TenantId, functionName: string, qualifier?: string): Promise<void>;
}
