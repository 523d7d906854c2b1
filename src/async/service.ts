/**
 * Durable async invocation: submit → queue (committed before 202) → dispatcher leases → invoke →
 * ack with the result | retry with backoff | dead-letter, with on-success / on-failure
 * destinations committed in the same transaction as the outcome.
 *
 * Fairness: every pass of the dispatcher walks the queues that hold work in rotating order and
 * gives each at most its share of the free slots, capped by the function's own concurrency, so a
 * flooded function cannot take every slot.
 */
import { CoreErrors, isNimbusError, toNimbusError } from '../core/errors.ts';
import { jsonTooDeep } from '../core/json.ts';
import type { Clock, Queue } from '../core/ports.ts';
import type {
  DestinationRef,
  EnqueueItem,
  FunctionConfig,
  LeasedMessage,
  QueueMessage,
  TenantId,
} from '../core/types.ts';
import { eventFromFunction } from '../events/cloudevents.ts';
import type { InvokeResult, InvokeService } from '../invoke/types.ts';
import type { SpanHandle, Tracing } from '../observability/tracing.ts';
import { isQueueClosed } from '../queue/errors.ts';
import type { RegistryService } from '../registry/types.ts';
import { retryPolicyOf } from './config.ts';
import { type DestinationOutcome, destinationEnvelope } from './destinations.ts';
import { AsyncErrors } from './errors.ts';
import { classify, safeJson, stripUndefined, parseTimerTime as timeOf } from './outcome.ts';
import { type DeadReason, decideRetry, type FailureKind, type RetryPolicy } from './retry.ts';
import { consumerSpan, destinationSpan, endSent, forwardSpan, producerSpan, webhookSpan } from './tracing.ts';
import type {
  AsyncService,
  CallerContext,
  Envelope,
  InvocationView,
  InvokeEnvelope,
  PublishEnvelope,
  SqsEnvelope,
  SubmitRequest,
  TimerRequest,
  WebhookEnvelope,
  WorkflowEnvelope,
} from './types.ts';
import { createWebhookPoster, type WebhookPoster } from './webhook-post.ts';

export interface AsyncLimits {
  /** Async invocations running at once on this node. */
  readonly concurrency: number;
  /** Default per-function waiting-event limit (async.maxQueueDepth overrides). */
  readonly maxQueueDepth: number;
  /** Submits are refused when the oldest deliverable event waited longer than this (0 = off). */
  readonly maxQueueLagSec: number;
  readonly maxPayloadBytes: number;
  readonly idempotencyWindowSec: number;
  /** Finished invocations (status + result) are kept this long. */
  readonly resultRetentionSec: number;
  /** A → B → A chains stop after this many async hops. */
  readonly maxHops: number;
  /** Per-function cap when the function sets no reserved concurrency. */
  readonly functionConcurrency: number;
}

/** How often a message held by a spent budget looks again (a raised limit releases it). */
const BUDGET_RECHECK_MS = 30_000;
const BUDGET_HOLD = 'BudgetExceeded';

export interface AsyncDeps {
  readonly queue: Queue;
  readonly registry: RegistryService;
  readonly invoke: InvokeService;
  readonly clock: Clock;
  readonly limits: AsyncLimits;
  /**
   * Budgets: while a blocking budget of the function is spent, its messages wait in the queue
   * (no attempt counted, no event-age limit) and are tried again when it releases.
   */
  readonly budgets?: { blockedUntil(tenant: TenantId, functionName: string): number | undefined };
  /** How often a held message looks again (default 30 s; tests shorten it). */
  readonly budgetRecheckMs?: number;
  /** ARNs in destination records: the tenant's account (`accountOf`), else `accountId`. */
  readonly arn: { region: string; accountId: string; accountOf?: (tenant: TenantId) => string };
  readonly random?: () => number;
  /** Delivers webhooks; default: an egress-guarded HTTP POST (webhook-post.ts). */
  readonly post?: WebhookPoster;
  /** CIDRs an administrator opened for webhooks and destinations (NIMBUS_EGRESS_ALLOW_CIDRS). */
  readonly egressAllowCidrs?: readonly string[];
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
  /** Delivers a topic-to-topic forward (the event bus; late-bound). */
  readonly publish?: {
    handler?: (
      tenant: TenantId,
      topic: string,
      event: string,
      hop: number,
      traceparent?: string | undefined,
    ) => Promise<unknown>;
    /** Sends a subscription's message to an SQS queue (src/sqs/). */
    sqs?: (tenant: TenantId, env: SqsEnvelope) => Promise<unknown>;
  };
  /** Applies workflow events (src/workflows/; late-bound): it acks the message itself. */
  readonly workflows?: { handle?: (m: LeasedMessage) => Promise<void> };
  /** Spans for queue hops (src/async/tracing.ts); absent: tracing off. */
  readonly tracing?: Tracing | undefined;
}

const FN_PREFIX = 'fn/';
const WEBHOOK_PREFIX = 'webhook/';
const TOPIC_PREFIX = 'topic/';
const WORKFLOW_PREFIX = 'wf/';
/** Workflow events of one tenant (src/workflows/). */
export const workflowQueue = (tenant: TenantId) => `${WORKFLOW_PREFIX}${tenant}`;

/** A workflow event for one execution, queued in its tenant's workflow queue. */
export function workflowItem(
  tenant: TenantId,
  arn: string,
  event: Record<string, unknown>,
  dedupeKey: string,
  visibleAt?: number,
): EnqueueItem {
  const body: WorkflowEnvelope = { v: 1, kind: 'wf', arn, event };
  return {
    queue: workflowQueue(tenant),
    tenant,
    body: JSON.stringify(body),
    source: 'workflow',
    dedupeKey,
    ...(visibleAt === undefined ? {} : { visibleAt }),
  };
}

/** The answer to a waiting Task (`token`): one per token, whoever sends it first. */
export const workflowResultItem = (
  tenant: TenantId,
  arn: string,
  token: string,
  outcome: Record<string, unknown>,
) => workflowItem(tenant, arn, { type: 'result', token, ...outcome }, `wfr:${arn}:${token}`);
const WORKFLOW_CONCURRENCY = 16;
export const functionQueue = (tenant: TenantId, name: string) => `${FN_PREFIX}${tenant}/${name}`;

/** The tenant and function of a function queue's name; undefined for any other queue. */
export function functionOfQueue(queue: string): { tenant: TenantId; functionName: string } | undefined {
  if (!queue.startsWith(FN_PREFIX)) return undefined;
  const slash = queue.indexOf('/', FN_PREFIX.length);
  if (slash <= FN_PREFIX.length || slash === queue.length - 1) return undefined;
  return { tenant: queue.slice(FN_PREFIX.length, slash), functionName: queue.slice(slash + 1) };
}
export const webhookQueue = (tenant: TenantId) => `${WEBHOOK_PREFIX}${tenant}`;

/** A queued POST to a URL, delivered by the webhook queue (retried, under the egress policy). */
export function webhookItem(
  tenant: TenantId,
  w: Pick<WebhookEnvelope, 'url' | 'body' | 'contentType' | 'traceparent'>,
  o: { source: string; dedupeKey?: string | undefined },
): EnqueueItem {
  const env: WebhookEnvelope = {
    v: 1,
    kind: 'webhook',
    url: w.url,
    body: w.body,
    contentType: w.contentType,
    traceparent: w.traceparent,
  };
  return {
    queue: webhookQueue(tenant),
    tenant,
    body: JSON.stringify(env),
    source: o.source,
    dedupeKey: o.dedupeKey,
  };
}
export const topicQueue = (tenant: TenantId) => `${TOPIC_PREFIX}${tenant}`;
/** Lease first for this long, then extend to the function's timeout + margin. */
const BASE_VISIBILITY_MS = 60_000;
const VISIBILITY_MARGIN_MS = 30_000;
/** Results kept inline in the invocation record up to this size. */
const MAX_STORED_RESULT = 256 * 1024;
const WEBHOOK_POLICY: RetryPolicy = {
  maximumRetryAttempts: 5,
  maximumEventAgeSec: 86_400,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  factor: 2,
};
const WEBHOOK_CONCURRENCY = 8;
const WEBHOOK_TIMEOUT_MS = 10_000;

const iso = (ms: number) => new Date(ms).toISOString();
export function createAsyncService(d: AsyncDeps): AsyncService {
  const { queue, clock, limits } = d;
  const random = d.random ?? Math.random;
  const post = d.post ?? createWebhookPoster(d.egressAllowCidrs);
  const log = d.log ?? (() => {});

  // ------------------------------------------------------------------ submit side

  function envelopeOf(m: QueueMessage): Envelope | undefined {
    const e = safeJson(m.body) as Envelope | undefined;
    return e &&
      typeof e === 'object' &&
      (e.kind === 'invoke' ||
        e.kind === 'webhook' ||
        e.kind === 'publish' ||
        e.kind === 'sqs' ||
        e.kind === 'wf')
      ? e
      : undefined;
  }

  async function admit(tenant: TenantId, functionName: string, config: FunctionConfig, size: number) {
    if (size > limits.maxPayloadBytes)
      throw AsyncErrors.PAYLOAD_TOO_LARGE({ size, limit: limits.maxPayloadBytes });
    const q = functionQueue(tenant, functionName);
    const limit = config.async?.maxQueueDepth ?? limits.maxQueueDepth;
    const depth = queue.depth(q);
    if (depth >= limit)
      throw AsyncErrors.QUEUE_FULL({ function: functionName, depth, limit }, { retryAfterMs: 1000 });
    if (limits.maxQueueLagSec > 0) {
      const lag = await queue.lagMs(q);
      if (lag > limits.maxQueueLagSec * 1000)
        throw AsyncErrors.QUEUE_TOO_OLD(
          { function: functionName, ageSec: Math.round(lag / 1000), limitSec: limits.maxQueueLagSec },
          { retryAfterMs: 5000 },
        );
    }
  }

  function invokeItem(
    tenant: TenantId,
    env: InvokeEnvelope,
    opts: { source: string; delayMs?: number; dedupeKey?: string; dedupeWindowMs?: number },
  ): EnqueueItem {
    return {
      queue: functionQueue(tenant, env.function),
      tenant,
      body: JSON.stringify(env),
      source: opts.source,
      delayMs: opts.delayMs,
      dedupeKey: opts.dedupeKey,
      dedupeWindowMs: opts.dedupeWindowMs ?? limits.idempotencyWindowSec * 1000,
    };
  }

  async function submit(req: SubmitRequest) {
    const hop = req.hop ?? 0;
    if (hop > limits.maxHops)
      throw AsyncErrors.LOOP_DETECTED({ function: req.functionName, hops: hop, limit: limits.maxHops });
    const target = await d.registry.resolve(req.tenant, req.functionName, req.qualifier);
    const payload = req.payload.length === 0 ? '{}' : req.payload;
    await admit(req.tenant, req.functionName, target.config, Buffer.byteLength(payload));
    const sent = d.tracing && producerSpan(d.tracing, req, functionQueue(req.tenant, req.functionName));
    const env: InvokeEnvelope = {
      v: 1,
      kind: 'invoke',
      function: req.functionName,
      qualifier: req.qualifier,
      payload,
      hop,
      clientContext: req.clientContext,
      dueAt: req.delayMs ? clock.now() + req.delayMs : undefined,
      // The trace continues on the consumer side (tracing off: the caller's context as is).
      traceparent: sent ? sent.traceparent : req.traceparent,
    };
    const enqueued = queue.enqueue([
      invokeItem(req.tenant, env, {
        source: req.source,
        delayMs: req.delayMs,
        dedupeKey: req.idempotencyKey === undefined ? undefined : `idem:${req.idempotencyKey}`,
        dedupeWindowMs: req.dedupeWindowMs,
      }),
    ]);
    if (sent) endSent(sent, enqueued);
    const [r] = await enqueued;
    kick();
    return r!;
  }

  function view(m: QueueMessage): InvocationView {
    const env = envelopeOf(m);
    const now = clock.now();
    const status =
      m.state === 'done'
        ? 'succeeded'
        : m.state === 'dead'
          ? 'failed'
          : m.leased
            ? 'running'
            : m.failures > 0
              ? 'retrying'
              : m.visibleAt > now
                ? 'scheduled'
                : 'queued';
    const result =
      m.state === 'done' ? (safeJson(m.result) as { version?: string; payload?: unknown }) : undefined;
    const inv = env?.kind === 'invoke' ? env : undefined;
    return {
      id: m.id,
      functionName:
        inv?.function ??
        (env?.kind === 'webhook'
          ? `webhook:${env.url}`
          : env?.kind === 'publish'
            ? `topic:${env.topic}`
            : env?.kind === 'sqs'
              ? `sqs:${env.queue}`
              : m.queue),
      qualifier: inv?.qualifier ?? null,
      status,
      source: m.source,
      attempts: m.attempts,
      failures: m.failures,
      submittedAt: iso(m.enqueuedAt),
      updatedAt: iso(m.updatedAt),
      nextAttemptAt: m.state === 'queued' && !m.leased ? iso(Math.max(m.visibleAt, m.enqueuedAt)) : null,
      hop: inv?.hop ?? 0,
      ...(result ? { result: result.payload, executedVersion: result.version } : {}),
      ...(m.error !== undefined ? { error: safeJson(m.error) } : {}),
      payload: inv ? safeJson(inv.payload) : undefined,
    };
  }

  async function getOwned(tenant: TenantId, id: string): Promise<QueueMessage> {
    const m = await queue.get(id);
    if (!m || m.tenant !== tenant) throw CoreErrors.NOT_FOUND({ what: `invocation ${id}` });
    return m;
  }

  async function schedule(req: TimerRequest) {
    const now = clock.now();
    if ((req.at === undefined) === (req.delayMs === undefined))
      throw AsyncErrors.BAD_TIMER({ reason: 'give exactly one of "at" and "delaySeconds"' });
    const at = req.at ?? now + (req.delayMs ?? 0);
    if (!Number.isFinite(at)) throw AsyncErrors.BAD_TIMER({ reason: '"at" is not a valid time' });
    const delayMs = Math.max(0, at - now);
    if (delayMs > 366 * 86_400_000) throw AsyncErrors.BAD_TIMER({ reason: 'at most one year ahead' });
    const r = await submit({
      tenant: req.tenant,
      functionName: req.functionName,
      qualifier: req.qualifier,
      payload: req.payload,
      source: req.source ?? 'timer',
      idempotencyKey: req.idempotencyKey,
      hop: req.hop,
      delayMs,
      // A timer's idempotency key must outlive the timer itself.
      dedupeWindowMs: Math.max(limits.idempotencyWindowSec * 1000, delayMs + 86_400_000),
    });
    return { ...r, fireAt: now + delayMs };
  }

  async function idsFor(tenant: TenantId, opts: { ids?: readonly string[]; functionName?: string }) {
    if (opts.ids && opts.ids.length > 0) {
      const out: string[] = [];
      for (const id of opts.ids) {
        const m = await queue.get(id);
        if (m && m.tenant === tenant && m.state === 'dead') out.push(id);
      }
      return out;
    }
    const out: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await queue.list({
        tenant,
        state: 'dead',
        queue: opts.functionName ? functionQueue(tenant, opts.functionName) : undefined,
        after,
        limit: 1000,
      });
      out.push(...page.map((m) => m.id));
      if (page.length < 1000) return out;
      after = page.at(-1)!.id;
    }
  }

  // ------------------------------------------------------------------ destinations

  function destinationItems(
    tenant: TenantId,
    dest: DestinationRef | undefined,
    m: LeasedMessage,
    env: InvokeEnvelope,
    outcome: DestinationOutcome,
    /** The invocation's trace (its CONSUMER span, or the envelope's context): the delivery continues it. */
    trace: string | undefined,
  ): EnqueueItem[] {
    if (!dest) return [];
    const arn = { region: d.arn.region, accountId: d.arn.accountOf?.(tenant) ?? d.arn.accountId };
    const traceparent = d.tracing
      ? destinationSpan(
          d.tracing,
          {
            tenant,
            condition: outcome.condition,
            type: dest.type === 'webhook' ? 'webhook' : 'function',
            target: dest.type === 'webhook' ? 'webhook' : dest.name,
            queue: dest.type === 'webhook' ? webhookQueue(tenant) : functionQueue(tenant, dest.name),
          },
          trace,
        ).traceparent
      : trace;
    const r = destinationEnvelope(dest, m, env, outcome, { arn, now: clock.now(), traceparent });
    if (!r) return [];
    if (r.kind === 'webhook') return [webhookItem(tenant, r, { source: 'destination' })];
    return [invokeItem(tenant, r, { source: 'destination' })];
  }

  /** The workflow event answering a Task's invocation (committed with the invocation's ack). */
  function replyItem(tenant: TenantId, env: InvokeEnvelope, outcome: Record<string, unknown>): EnqueueItem {
    return workflowResultItem(tenant, env.reply!.arn, env.reply!.token, outcome);
  }

  /**
   * A failed Task's error as Step Functions names it: the function's errorType, with its
   * `{errorMessage, errorType, stackTrace}` as the cause; Lambda.* names for what failed around it.
   */
  function failureOf(reason: string, error: Record<string, unknown>, result?: InvokeResult) {
    const named: Record<string, string> = {
      FunctionNotFound: 'Lambda.ResourceNotFoundException',
      LoopDetected: 'Lambda.ServiceException',
      EventAgeExceeded: 'Lambda.ServiceException',
    };
    const p = (result ? safeJson(result.payload) : undefined) as
      | { errorType?: string; errorMessage?: string; trace?: unknown; stackTrace?: unknown }
      | undefined;
    const errorType = String(p?.errorType ?? error.errorType ?? named[reason] ?? 'Lambda.ServiceException');
    const errorMessage = String(p?.errorMessage ?? error.errorMessage ?? reason);
    const cause = JSON.stringify({ errorMessage, errorType, stackTrace: p?.stackTrace ?? p?.trace ?? [] });
    return { ok: false, error: named[reason] ?? errorType, cause };
  }

  // ------------------------------------------------------------------ dispatcher

  let running = 0;
  const perQueue = new Map<string, number>();
  const caps = new Map<string, number>();
  let pumping = false;
  let again = false;
  let closed = false;
  let started = false;
  let rotate = 0;
  let cancelWake: (() => void) | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let cancelSweep: (() => void) | undefined;
  const idleWaiters: (() => void)[] = [];

  function kick(): void {
    if (!started || closed) return;
    if (pumping) {
      again = true;
      return;
    }
    void pump();
  }

  function capOf(q: string): number {
    if (q.startsWith(WEBHOOK_PREFIX) || q.startsWith(TOPIC_PREFIX)) return WEBHOOK_CONCURRENCY;
    if (q.startsWith(WORKFLOW_PREFIX)) return WORKFLOW_CONCURRENCY;
    return caps.get(q) ?? limits.functionConcurrency;
  }

  async function pump(): Promise<void> {
    pumping = true;
    try {
      do {
        again = false;
        const active = queue.activeQueues();
        if (active.length === 0) break;
        rotate = (rotate + 1) % active.length;
        const order = [...active.slice(rotate), ...active.slice(0, rotate)];
        for (const q of order) {
          const free = limits.concurrency - running;
          if (free <= 0 || closed) break;
          const qFree = capOf(q) - (perQueue.get(q) ?? 0);
          if (qFree <= 0) continue;
          const n = Math.min(qFree, Math.max(1, Math.ceil(free / order.length)));
          const got = await queue.lease(q, { max: n, visibilityMs: BASE_VISIBILITY_MS });
          for (const m of got) start(q, m);
          if (got.length === n) again = true;
        }
      } while (again && !closed && running < limits.concurrency);
    } catch (e) {
      log('error', { err: e }, 'async dispatcher pass failed');
    } finally {
      pumping = false;
    }
    await arm();
  }

  /** Sets one timer for the next time a message becomes visible. */
  async function arm(): Promise<void> {
    if (closed) return;
    let next: number | undefined;
    try {
      next = await queue.nextVisibleAt();
    } catch {
      next = clock.now() + 1000;
    }
    const now = clock.now();
    if (next === undefined) return;
    // Work is visible but every slot is taken: completions will kick; poll slowly as a backstop.
    if (next <= now) next = now + (running > 0 ? 1000 : 250);
    if (next >= wakeAt && cancelWake) return;
    cancelWake?.();
    wakeAt = next;
    cancelWake = clock.setTimeout(
      () => {
        cancelWake = undefined;
        wakeAt = Number.POSITIVE_INFINITY;
        kick();
      },
      Math.min(next - now, 60_000),
    );
  }

  function start(q: string, m: LeasedMessage): void {
    running++;
    perQueue.set(q, (perQueue.get(q) ?? 0) + 1);
    handle(m)
      .catch((e: unknown) => {
        // Shut down (past close()'s wait) before the outcome was recorded: the lease is freed at
        // the next start and the message runs again (at-least-once), so this is not an error.
        if (closed && isQueueClosed(e))
          log(
            'warn',
            { id: m.id },
            'shut down before this invocation was recorded; it runs again at the next start',
          );
        else log('error', { err: e, id: m.id }, 'async invocation handling failed');
      })
      .finally(() => {
        running--;
        const left = (perQueue.get(q) ?? 1) - 1;
        if (left <= 0) perQueue.delete(q);
        else perQueue.set(q, left);
        if (running === 0) for (const w of idleWaiters.splice(0)) w();
        kick();
      });
  }

  async function handle(m: LeasedMessage): Promise<void> {
    const env = envelopeOf(m);
    if (!env) {
      await queue.deadLetter(m.id, m.leaseToken, {
        error: JSON.stringify({
          reason: 'MalformedMessage',
          errorMessage: 'the queued message is not an envelope',
        }),
      });
      return;
    }
    if (env.kind === 'webhook') return deliverWebhook(m, env);
    if (env.kind === 'publish') return forward(m, env);
    if (env.kind === 'sqs') return forward(m, env);
    if (env.kind === 'wf') {
      const h = d.workflows?.handle;
      if (h) return h(m);
      await queue.nack(m.id, m.leaseToken, { retryAt: clock.now() + 5000, countFailure: false });
      return;
    }
    return runInvocation(m, env);
  }

  async function runInvocation(m: LeasedMessage, env: InvokeEnvelope): Promise<void> {
    const tenant = m.tenant;
    const dead = async (
      reason: string,
      error: Record<string, unknown>,
      followUps: EnqueueItem[] = [],
      result?: InvokeResult,
    ) => {
      if (env.reply) {
        // A workflow Task: the failure goes back to the execution (its Retry/Catch decide).
        const body = JSON.stringify({ reason, ...error });
        await queue.ack(m.id, m.leaseToken, {
          result: body,
          followUps: [replyItem(tenant, env, failureOf(reason, error, result))],
        });
        return;
      }
      log('warn', { id: m.id, function: env.function, reason }, 'async invocation dead-lettered');
      await queue.deadLetter(m.id, m.leaseToken, { error: JSON.stringify({ reason, ...error }), followUps });
    };
    if (env.hop > limits.maxHops) {
      const e = AsyncErrors.LOOP_DETECTED({ function: env.function, hops: env.hop, limit: limits.maxHops });
      return dead('LoopDetected', { errorCode: e.code, errorMessage: e.message });
    }
    let config: FunctionConfig;
    let version: string;
    try {
      const t = await d.registry.resolve(tenant, env.function, env.qualifier);
      config = t.config;
      version = t.version;
    } catch (e) {
      const err = toNimbusError(e);
      if (err.status === 404)
        return dead('FunctionNotFound', { errorCode: err.code, errorMessage: err.message });
      await queue.nack(m.id, m.leaseToken, {
        retryAt: clock.now() + 1000,
        countFailure: false,
        error: JSON.stringify({ reason: 'PlatformError', errorMessage: err.message }),
      });
      return;
    }
    const q = functionQueue(tenant, env.function);
    caps.set(q, config.reservedConcurrency || limits.functionConcurrency);
    const policy = retryPolicyOf({ ...config.async, ...stripUndefined(env.retry) });
    // The attempt's CONSUMER span (tracing on): destinations continue it.
    let span: SpanHandle | undefined;
    const failDest = (
      condition: 'RetriesExhausted' | 'EventAgeExceeded',
      v: string,
      payload: unknown,
      reason: string,
    ) =>
      destinationItems(
        tenant,
        config.async?.onFailure,
        m,
        env,
        {
          condition,
          version: v,
          functionError: 'Unhandled',
          responsePayload: payload,
          reason,
        },
        span?.traceparent ?? env.traceparent,
      );

    // A spent budget holds the message: no attempt counted, and it is not aged out while held.
    // It is looked at again every minute (a raised limit releases it) or when the period ends.
    const heldUntil = d.budgets?.blockedUntil(tenant, env.function);
    if (heldUntil !== undefined) {
      await queue.nack(m.id, m.leaseToken, {
        retryAt: Math.min(heldUntil, clock.now() + (d.budgetRecheckMs ?? BUDGET_RECHECK_MS)),
        countFailure: false,
        error: JSON.stringify({ reason: BUDGET_HOLD }),
      });
      return;
    }
    // Event age counts from when the event was due (a timer's fire time), not when it was queued.
    // A message released by a budget gets its attempt whatever its age (it waited for the budget).
    const bornAt = env.dueAt ?? m.enqueuedAt;
    const released = m.error?.includes(`"reason":"${BUDGET_HOLD}"`) === true;
    if (!released && clock.now() - bornAt > policy.maximumEventAgeSec * 1000) {
      const reason = 'EventAgeExceeded';
      return dead(reason, {}, failDest('EventAgeExceeded', version, null, reason));
    }
    const visibility = config.timeoutSec * 1000 + VISIBILITY_MARGIN_MS;
    if (visibility > BASE_VISIBILITY_MS) await queue.extend(m.id, m.leaseToken, visibility);

    span = d.tracing && consumerSpan(d.tracing, m, env.function, env.traceparent);
    let r: InvokeResult;
    try {
      r = await d.invoke.invoke({
        tenant,
        functionName: env.function,
        qualifier: env.qualifier,
        payload: env.payload,
        trigger: { type: 'async', source: m.source },
        requestId: m.id,
        attempt: m.attempts,
        hop: env.hop,
        clientContext: env.clientContext,
        traceparent: span ? span.traceparent : env.traceparent,
      });
      span?.end();
    } catch (e) {
      span?.fail(isNimbusError(e) ? e.code : 'invoke failed');
      span?.end();
      const err = toNimbusError(e);
      if (err.status === 404)
        return dead('FunctionNotFound', { errorCode: err.code, errorMessage: err.message });
      const throttled = isNimbusError(e) && (err.status === 429 || err.status === 503);
      return retryOrDead(throttled ? 'throttled' : 'system', {
        errorCode: err.code,
        errorMessage: err.message,
      });
    }
    const failure = classify(r);
    if (!failure) {
      const stored =
        r.payload.length <= MAX_STORED_RESULT && !jsonTooDeep(r.payload)
          ? `{"version":${JSON.stringify(r.version)},"payload":${r.payload}}`
          : JSON.stringify({ version: r.version, payload: { truncated: true, size: r.payload.length } });
      await queue.ack(m.id, m.leaseToken, {
        result: stored,
        followUps: env.reply
          ? [replyItem(tenant, env, { ok: true, payload: safeJson(r.payload) ?? null, version: r.version })]
          : destinationItems(
              tenant,
              config.async?.onSuccess,
              m,
              env,
              {
                condition: 'Success',
                version: r.version,
                responsePayload: safeJson(r.payload),
              },
              span?.traceparent ?? env.traceparent,
            ),
      });
      return;
    }
    return retryOrDead(failure.kind, failure.error, failure.retryAfterMs, r);

    async function retryOrDead(
      kind: FailureKind,
      error: Record<string, unknown>,
      retryAfterMs?: number,
      result?: InvokeResult,
    ): Promise<void> {
      const decision = decideRetry({
        policy,
        failure: kind,
        failuresSoFar: m.failures,
        enqueuedAt: bornAt,
        now: clock.now(),
        retryAfterMs,
        random: random(),
      });
      if (decision.action === 'retry') {
        await queue.nack(m.id, m.leaseToken, {
          retryAt: decision.at,
          countFailure: decision.countFailure,
          error: JSON.stringify({ failure: kind, ...error }),
        });
        return;
      }
      const reason: DeadReason = decision.reason;
      const condition = reason === 'EventAgeExceeded' ? 'EventAgeExceeded' : 'RetriesExhausted';
      await dead(
        reason,
        { failure: kind, ...error },
        env.reply
          ? []
          : failDest(
              condition,
              result?.version ?? version,
              result ? safeJson(result.payload) : error,
              reason,
            ),
        result,
      );
    }
  }

  async function deliverWebhook(m: LeasedMessage, env: WebhookEnvelope): Promise<void> {
    let error: Record<string, unknown>;
    // A CLIENT span per attempt (tracing on); the receiver gets its context as `traceparent`.
    const span = d.tracing && webhookSpan(d.tracing, m, env.url, env.traceparent);
    const traceparent = span ? span.traceparent : env.traceparent;
    try {
      const headers: Record<string, string> = {
        'content-type': env.contentType ?? 'application/json',
        'x-nimbus-delivery': m.id,
      };
      if (traceparent !== undefined) headers.traceparent = traceparent;
      const res = await post({ url: env.url, headers, body: env.body, timeoutMs: WEBHOOK_TIMEOUT_MS });
      if (span) {
        span.set('http.response.status_code', res.status);
        if (res.status >= 300) span.fail(`HTTP ${res.status}`);
        span.end();
      }
      if (res.status >= 200 && res.status < 300) {
        await queue.ack(m.id, m.leaseToken, { result: JSON.stringify({ payload: { status: res.status } }) });
        return;
      }
      error = { errorType: 'WebhookStatus', errorMessage: `HTTP ${res.status}` };
    } catch (e) {
      if (span) {
        span.fail((e as { code?: unknown }).code === 'EGRESS_DENIED' ? 'egress denied' : 'request failed');
        span.end();
      }
      if ((e as { code?: unknown }).code === 'EGRESS_DENIED') {
        // The target is (or now resolves to) an address the platform may not reach: retrying
        // cannot help, and the receiver must never see the request.
        const err = AsyncErrors.EGRESS_DENIED({ url: env.url, reason: (e as Error).message });
        log(
          'warn',
          { id: m.id, url: env.url, reason: err.message },
          'webhook delivery refused by egress policy',
        );
        await queue.deadLetter(m.id, m.leaseToken, {
          error: JSON.stringify({
            reason: 'EgressDenied',
            failure: 'non-retriable',
            errorType: 'WebhookError',
            errorCode: err.code,
            errorMessage: err.message,
          }),
        });
        return;
      }
      error = { errorType: 'WebhookError', errorMessage: e instanceof Error ? e.message : String(e) };
    }
    const decision = decideRetry({
      policy: WEBHOOK_POLICY,
      failure: 'function',
      failuresSoFar: m.failures,
      enqueuedAt: m.enqueuedAt,
      now: clock.now(),
      random: random(),
    });
    if (decision.action === 'retry')
      await queue.nack(m.id, m.leaseToken, { retryAt: decision.at, error: JSON.stringify(error) });
    else
      await queue.deadLetter(m.id, m.leaseToken, {
        error: JSON.stringify({ reason: decision.reason, ...error }),
      });
  }

  /** Topic → topic: publish the event on the next topic (one hop further), at least once. */
  /** A topic forward or an SQS send, retried like a webhook delivery. */
  async function forward(m: LeasedMessage, env: PublishEnvelope | SqsEnvelope): Promise<void> {
    if (env.kind === 'publish' && env.hop > limits.maxHops) {
      const e = AsyncErrors.LOOP_DETECTED({
        function: `topic ${env.topic}`,
        hops: env.hop,
        limit: limits.maxHops,
      });
      await queue.deadLetter(m.id, m.leaseToken, {
        error: JSON.stringify({ reason: 'LoopDetected', errorCode: e.code, errorMessage: e.message }),
      });
      return;
    }
    // A CONSUMER span per attempt (tracing on): the next publish or the SQS send continues it.
    const span =
      d.tracing &&
      forwardSpan(
        d.tracing,
        m,
        env.kind === 'sqs' ? `sqs:${env.queue}` : `topic:${env.topic}`,
        env.traceparent,
      );
    const traceparent = span ? span.traceparent : env.traceparent;
    try {
      if (env.kind === 'sqs') {
        if (!d.publish?.sqs) throw AsyncErrors.NOT_AVAILABLE({ feature: 'SQS queues' });
        await d.publish.sqs(m.tenant, traceparent === env.traceparent ? env : { ...env, traceparent });
      } else {
        if (!d.publish?.handler) throw AsyncErrors.NOT_AVAILABLE({ feature: 'the event bus' });
        await d.publish.handler(m.tenant, env.topic, env.event, env.hop, traceparent);
      }
      span?.end();
      await queue.ack(m.id, m.leaseToken, { result: '{"payload":{"forwarded":true}}' });
    } catch (e) {
      const err = toNimbusError(e);
      if (span) {
        span.fail(err.code);
        span.end();
      }
      const decision = decideRetry({
        policy: WEBHOOK_POLICY,
        failure:
          err.status === 429
            ? 'throttled'
            : err.status === 404 || err.status === 400
              ? 'non-retriable'
              : 'system',
        failuresSoFar: m.failures,
        enqueuedAt: m.enqueuedAt,
        now: clock.now(),
        random: random(),
      });
      const error = JSON.stringify({ errorCode: err.code, errorMessage: err.message });
      if (decision.action === 'retry')
        await queue.nack(m.id, m.leaseToken, {
          retryAt: decision.at,
          countFailure: decision.countFailure,
          error,
        });
      else
        await queue.deadLetter(m.id, m.leaseToken, {
          error: JSON.stringify({ reason: decision.reason, errorCode: err.code, errorMessage: err.message }),
        });
    }
  }

  function sweepLoop(): void {
    cancelSweep = clock.setTimeout(() => {
      const keep = Math.max(limits.resultRetentionSec, limits.idempotencyWindowSec) * 1000;
      queue
        .sweep(clock.now() - keep)
        .catch((e: unknown) => log('error', { err: e }, 'queue sweep failed'))
        .finally(() => {
          if (!closed) sweepLoop();
        });
    }, 60_000);
  }

  // ------------------------------------------------------------------ context client

  function targetOf(v: unknown): { functionName: string; qualifier?: string } {
    if (typeof v === 'string') {
      const [functionName, qualifier] = v.split(':');
      return { functionName: functionName ?? '', qualifier };
    }
    const o = (v ?? {}) as { function?: unknown; functionName?: unknown; qualifier?: unknown };
    const name = o.function ?? o.functionName;
    if (typeof name !== 'string' || !name)
      throw AsyncErrors.BAD_TIMER({ reason: 'target needs a function name' });
    return { functionName: name, qualifier: typeof o.qualifier === 'string' ? o.qualifier : undefined };
  }
  const payloadText = (v: unknown) => (v === undefined ? '{}' : JSON.stringify(v));

  function contextCalls(caller: CallerContext) {
    const hop = caller.hop + 1;
    const guard = (fn: string) => {
      if (hop > limits.maxHops)
        throw AsyncErrors.LOOP_DETECTED({ function: fn, hops: hop, limit: limits.maxHops });
    };
    return async (op: string, raw: unknown): Promise<unknown> => {
      const a = (raw ?? {}) as Record<string, unknown>;
      switch (op) {
        case 'invoke': {
          const t = targetOf(a.functionName ?? a.function);
          guard(t.functionName);
          const delayMs = typeof a.delaySeconds === 'number' ? a.delaySeconds * 1000 : undefined;
          const r = await submit({
            tenant: caller.tenant,
            functionName: t.functionName,
            qualifier: (typeof a.qualifier === 'string' ? a.qualifier : undefined) ?? t.qualifier,
            payload: payloadText(a.payload),
            source: 'function',
            idempotencyKey: typeof a.idempotencyKey === 'string' ? a.idempotencyKey : undefined,
            hop,
            delayMs,
            traceparent: caller.traceparent,
          });
          return { id: r.id, duplicate: r.duplicate };
        }
        case 'timer.schedule': {
          const t = targetOf(a.target);
          guard(t.functionName);
          const r = await schedule({
            tenant: caller.tenant,
            functionName: t.functionName,
            qualifier: t.qualifier,
            payload: payloadText(a.payload),
            at: timeOf(a.at),
            delayMs: typeof a.delaySeconds === 'number' ? a.delaySeconds * 1000 : undefined,
            idempotencyKey: typeof a.idempotencyKey === 'string' ? a.idempotencyKey : undefined,
            hop,
          });
          return { id: r.id, fireAt: iso(r.fireAt), duplicate: r.duplicate };
        }
        case 'timer.cancel': {
          await cancel(caller.tenant, String(a.id ?? ''));
          return { cancelled: true };
        }
        case 'publish': {
          if (!d.publish?.handler)
            throw AsyncErrors.NOT_AVAILABLE({ feature: 'publishing to topics (the event bus)' });
          if (typeof a.topic !== 'string')
            throw CoreErrors.VALIDATION({ reason: 'publish(topic, event): topic is a string' });
          const ev = eventFromFunction(caller.functionName, a.event, clock.now());
          const [r] = (await d.publish.handler(
            caller.tenant,
            a.topic,
            JSON.stringify(ev),
            caller.hop,
            caller.traceparent,
          )) as {
            id: string;
            deliveries: number;
          }[];
          return r;
        }
        default:
          throw AsyncErrors.UNKNOWN_CALL({ op });
      }
    };
  }

  async function cancel(tenant: TenantId, id: string): Promise<void> {
    await getOwned(tenant, id);
    if (!(await queue.cancel(id))) throw AsyncErrors.NOT_CANCELLABLE({ id });
  }

  return {
    submit,
    async get(tenant, id) {
      return view(await getOwned(tenant, id));
    },
    schedule,
    cancel,
    async listTimers(tenant, functionName) {
      const ms = await queue.list({
        tenant,
        state: 'queued',
        source: 'timer',
        queue: functionName ? functionQueue(tenant, functionName) : undefined,
        limit: 1000,
      });
      return ms.map(view);
    },
    async listDead(q) {
      const ms = await queue.list({
        tenant: q.tenant,
        state: 'dead',
        queue: q.functionName ? functionQueue(q.tenant, q.functionName) : undefined,
        after: q.after,
        limit: q.limit,
      });
      return ms.map(view);
    },
    async replay(tenant, opts) {
      const n = await queue.replay(await idsFor(tenant, opts));
      kick();
      return n;
    },
    async purge(tenant, opts) {
      return queue.purge(await idsFor(tenant, opts));
    },
    async stats(tenant) {
      const all = await queue.stats();
      const prefix = `${FN_PREFIX}${tenant}/`;
      return all
        .filter((s) => s.queue.startsWith(prefix))
        .map((s) => ({ ...s, functionName: s.queue.slice(prefix.length) }));
    },
    contextCalls,
    async start() {
      if (started) return;
      const n = await queue.recover();
      if (n > 0) log('info', { released: n }, 'released async leases left by the previous run');
      started = true;
      sweepLoop();
      kick();
    },
    async close() {
      closed = true;
      cancelWake?.();
      cancelSweep?.();
      if (running > 0)
        await new Promise<void>((r) => {
          const t = setTimeout(r, 5000);
          idleWaiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
    },
    kick,
    status: () => ({ running, capacity: limits.concurrency }),
  };
}

export { parseTimerTime } from './outcome.ts';
