/**
 * Contracts of durable async invocation: submit (202 after commit), status, dead letters, timers,
 * and the context client functions use from inside the sandbox.
 */
import type { QueueStats, TenantId } from '../core/types.ts';

/** What a queue message of an async invocation carries (JSON in the message body). */
export interface InvokeEnvelope {
  readonly v: 1;
  readonly kind: 'invoke';
  readonly function: string;
  readonly qualifier?: string | undefined;
  /** JSON text of the event. */
  readonly payload: string;
  /** How many async hops led here (0 for a submit from outside). */
  readonly hop: number;
  /** Lambda X-Amz-Client-Context, passed to the function untouched (base64 JSON). */
  readonly clientContext?: string | undefined;
  /** Epoch ms the event became due (delayed submits and timers); event age counts from here. */
  readonly dueAt?: number | undefined;
  /** Retry policy override (a subscription's own retries). */
  readonly retry?:
    | { maximumRetryAttempts?: number | undefined; maximumEventAgeSec?: number | undefined }
    | undefined;
  /**
   * Who waits for the outcome (a workflow Task): when the invocation ends, a WorkflowEnvelope with
   * the result or the error goes to the tenant's workflow queue, committed with the ack. Such an
   * invocation is never dead-lettered: its failure is the waiter's to handle.
   */
  readonly reply?: { readonly arn: string; readonly token: string } | undefined;
  /** W3C trace context of the submit (a PRODUCER span's, tracing on): the dispatch continues it. */
  readonly traceparent?: string | undefined;
}

/** A workflow event for one execution (src/workflows/): the executor applies it. */
export interface WorkflowEnvelope {
  readonly v: 1;
  readonly kind: 'wf';
  /** The execution's ARN. */
  readonly arn: string;
  /** src/workflows/engine/runtime.ts WorkflowEvent (JSON). */
  readonly event: Record<string, unknown>;
}

/** A destination record going to a webhook URL. */
export interface WebhookEnvelope {
  readonly v: 1;
  readonly kind: 'webhook';
  readonly url: string;
  /** JSON text POSTed to the URL. */
  readonly body: string;
  /** Default application/json; CloudEvents go as application/cloudevents+json. */
  readonly contentType?: string | undefined;
  /** The trace it belongs to: the POST is a CLIENT span of it and sends `traceparent`. */
  readonly traceparent?: string | undefined;
}

/** An event forwarded from one topic to another (subscription target `topic`). */
export interface PublishEnvelope {
  readonly v: 1;
  readonly kind: 'publish';
  readonly topic: string;
  /** The CloudEvent (JSON text). */
  readonly event: string;
  readonly hop: number;
  /** The first topic's publish (its PRODUCER span): the next publish continues it. */
  readonly traceparent?: string | undefined;
}

/** A message for an SQS queue (subscription target `sqs`). */
export interface SqsEnvelope {
  readonly v: 1;
  readonly kind: 'sqs';
  readonly queue: string;
  readonly body: string;
  /** SQS message attributes (DataType + StringValue). */
  readonly attributes?:
    | Readonly<Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>>
    | undefined;
  /** For FIFO queues: the subscription (group) and the event (deduplication). */
  readonly groupId?: string | undefined;
  readonly dedupeId?: string | undefined;
  /** The publish's trace: the message records it as its AWSTraceHeader. */
  readonly traceparent?: string | undefined;
}

export type Envelope = InvokeEnvelope | WebhookEnvelope | PublishEnvelope | SqsEnvelope | WorkflowEnvelope;

export type InvocationStatus = 'queued' | 'scheduled' | 'running' | 'retrying' | 'succeeded' | 'failed';

/** `GET /v1/invocations/{id}` */
export interface InvocationView {
  readonly id: string;
  readonly functionName: string;
  readonly qualifier: string | null;
  readonly status: InvocationStatus;
  readonly source: string;
  readonly attempts: number;
  readonly failures: number;
  readonly submittedAt: string;
  readonly updatedAt: string;
  /** When it will run next (queued/scheduled/retrying). */
  readonly nextAttemptAt: string | null;
  readonly hop: number;
  /** succeeded: the function's result (parsed JSON). */
  readonly result?: unknown;
  readonly executedVersion?: string | undefined;
  /** failed / retrying: why. */
  readonly error?: unknown;
  readonly payload?: unknown;
}

export interface SubmitRequest {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly qualifier?: string | undefined;
  readonly payload: string;
  /** Who queued it (api, lambda, timer, schedule, function, destination, …). */
  readonly source: string;
  readonly idempotencyKey?: string | undefined;
  readonly clientContext?: string | undefined;
  readonly hop?: number;
  readonly delayMs?: number;
  /** Dedupe window for this key (schedules pass a longer one). */
  readonly dedupeWindowMs?: number;
  /** The trace the submit belongs to (W3C `traceparent`). */
  readonly traceparent?: string | undefined;
}

export interface SubmitResult {
  readonly id: string;
  /** The idempotency key matched an earlier submit: this is its id, nothing new was queued. */
  readonly duplicate: boolean;
}

export interface TimerRequest {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly qualifier?: string | undefined;
  readonly payload: string;
  /** Epoch ms. Exactly one of at / delayMs. */
  readonly at?: number | undefined;
  readonly delayMs?: number | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly hop?: number;
  readonly source?: string;
}

export interface DlqQuery {
  readonly tenant: TenantId;
  readonly functionName?: string | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

export interface AsyncService {
  /** Resolves only after the event is committed. Coded errors: 404, 413, 429, 508. */
  submit(req: SubmitRequest): Promise<SubmitResult>;
  get(tenant: TenantId, id: string): Promise<InvocationView>;
  schedule(req: TimerRequest): Promise<SubmitResult & { fireAt: number }>;
  /** Cancels a timer (or any async invocation) that has not started. */
  cancel(tenant: TenantId, id: string): Promise<void>;
  listTimers(tenant: TenantId, functionName?: string): Promise<InvocationView[]>;
  listDead(q: DlqQuery): Promise<InvocationView[]>;
  /** Replays the given dead letters (or all of a function's when ids is empty). */
  replay(tenant: TenantId, opts: { ids?: readonly string[]; functionName?: string }): Promise<number>;
  purge(tenant: TenantId, opts: { ids?: readonly string[]; functionName?: string }): Promise<number>;
  stats(tenant: TenantId): Promise<(QueueStats & { functionName: string })[]>;
  /** The handler for context-client calls made by a running invocation. */
  contextCalls(caller: CallerContext): (op: string, args: unknown) => Promise<unknown>;
  /** Starts dispatching (recovering orphaned leases first). */
  start(): Promise<void>;
  /** Stops taking new work and waits (bounded) for running invocations. */
  close(): Promise<void>;
  /** Wakes the dispatcher (tests with a fake clock call it after advancing time). */
  kick(): void;
  /** Dispatcher counters. */
  status(): { running: number; capacity: number };
}

export interface CallerContext {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly requestId: string;
  readonly hop: number;
  /** The calling invocation's trace context (its invoke span): context calls continue it. */
  readonly traceparent?: string | undefined;
}
