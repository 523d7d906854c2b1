/**
 * @module workflows/executor
 * The durable executor: applies one event to one execution and commits the outcome before
 * anything happens in the world.
 *
 * One step: read the execution (its definition snapshot, runtime state and seq) → `apply` (pure)
 * → one store transaction: the new runtime state under a compare-and-set on seq, the history
 * events, and the commands as outbox rows → the outbox relay moves them into the queue (each with
 * a fixed dedupe key, so a relay redone after a crash enqueues nothing twice). A crash before the
 * commit loses nothing: the event's queue message is delivered again. A crash after it: the
 * message comes back, finds that no frame waits for its token any more, and changes nothing.
 *
 * Task invocations go through the async path (src/async/) with a reply address: the function's
 * outcome comes back as a `result` event in the tenant's workflow queue, committed with the
 * invocation's ack. Their queue message id (the function's request id) is derived from the
 * execution, frame, state and attempt: stable across redeliveries, new for every ASL retry.
 * Timers (Wait, retry intervals, timeouts) are delayed messages in the same queue: a waiting
 * execution holds no instance and no memory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { functionQueue, workflowItem, workflowResultItem } from '../async/service.ts';
import type { InvokeEnvelope, WorkflowEnvelope } from '../async/types.ts';
import type { Clock, Queue, Store } from '../core/ports.ts';
import type { EnqueueItem, ExecutionRecord, LeasedMessage, TenantId } from '../core/types.ts';
import { compilePattern, type EventPattern } from '../events/pattern.ts';
import type { StateIO } from './asl/io.ts';
import { type Json, type QueryLanguage, type StateMachineDefinition, StatesError } from './asl/types.ts';
import { apply, type ExecutionMeta, type Transition } from './engine/engine.ts';
import type { Command, Runtime, WorkflowEvent } from './engine/runtime.ts';
import { callError, type Integration } from './integrations.ts';

export interface ExecutorDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly region: string;
  readonly io: (language: QueryLanguage) => StateIO;
  /** Moves committed outbox rows into the queue (and wakes the dispatcher). */
  readonly relay: () => Promise<void>;
  readonly random?: () => number;
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
  /** Called after an execution's final transition commits. */
  readonly onEnd?: (tenant: TenantId, arn: string) => void;
  /** After any transition commits: the machine, how many states it entered, its end status if it ended (metrics). */
  readonly onTransition?: (tenant: TenantId, machine: string, statesEntered: number, end?: string) => void;
  /**
   * Whether the state machine's role may invoke the function: undefined when it may, else why not
   * (the Task then fails with States.Permissions and the function never runs).
   */
  readonly authorizeTask?: (
    tenant: TenantId,
    roleArn: string,
    functionName: string,
  ) => Promise<string | undefined>;
  /** Service calls of Tasks and Map readers (src/workflows/integrations.ts). */
  readonly integrations?: Readonly<Record<string, Integration>>;
  /** Rebuilds a topic's delivery index after its workflow-wait subscriptions changed. */
  readonly reloadTopic?: (tenant: TenantId, topic: string) => Promise<void>;
}

interface CallEvent {
  readonly type: 'call';
  readonly token: string;
  readonly integration: string;
  readonly params: Json;
}

interface EventWait {
  readonly topic: string;
  readonly pattern?: string | undefined;
  readonly nonce: string;
}

/** The `nimbus:waitForEvent` Tasks waiting in a runtime state, by token. */
function eventWaits(rt: Runtime): Map<string, EventWait> {
  const out = new Map<string, EventWait>();
  for (const f of Object.values(rt.frames)) {
    const w = f.wait;
    if (w?.kind === 'task' && w.event && w.callbackNonce)
      out.set(w.token, { topic: w.event.topic, pattern: w.event.pattern, nonce: w.callbackNonce });
  }
  return out;
}

/** Commit conflicts (another handler moved the execution first) are retried this many times. */
const MAX_CONFLICTS = 50;
/** A message whose step keeps throwing is retried this often, then its execution fails. */
const MAX_STEP_ATTEMPTS = 8;
/** Task invocations wait in their function's queue at most this long (then Lambda.ServiceException). */
const TASK_EVENT_AGE_SEC = 6 * 3600;

export function machineArnOf(region: string, account: string, name: string): string {
  return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
}

export function createExecutor(d: ExecutorDeps) {
  const random = d.random ?? Math.random;
  const log = d.log ?? (() => {});
  /** One event at a time per execution on this node (fewer wasted compare-and-set rounds). */
  const lanes = new Map<string, Promise<unknown>>();

  function lane<T>(arn: string, fn: () => Promise<T>): Promise<T> {
    const prev = lanes.get(arn) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    lanes.set(arn, tail);
    void tail.then(() => {
      if (lanes.get(arn) === tail) lanes.delete(arn);
    });
    return next;
  }

  function metaOf(rec: ExecutionRecord): ExecutionMeta {
    const account = rec.arn.split(':')[4] ?? '';
    return {
      arn: rec.arn,
      name: rec.name,
      machineArn: machineArnOf(d.region, account, rec.machine),
      machineName: rec.machine,
      roleArn: rec.roleArn,
      input: JSON.parse(rec.input) as Json,
      startedAt: rec.startedAt,
      redriveCount: rec.redriveCount,
      region: d.region,
    };
  }

  function itemOf(tenant: TenantId, arn: string, c: Command, traceparent?: string): EnqueueItem {
    if (c.kind === 'call')
      return workflowItem(
        tenant,
        arn,
        { type: 'call', token: c.token, integration: c.integration, params: c.params },
        `wfc:${arn}:${c.token}`,
      );
    if (c.kind === 'timer')
      return workflowItem(tenant, arn, { type: 'timer', token: c.token }, `wft:${arn}:${c.token}`, c.at);
    const env: InvokeEnvelope = {
      v: 1,
      kind: 'invoke',
      function: c.functionName,
      qualifier: c.qualifier,
      payload: c.payload,
      hop: 0,
      retry: { maximumRetryAttempts: 0, maximumEventAgeSec: TASK_EVENT_AGE_SEC },
      reply: { arn, token: c.token },
      traceparent,
    };
    return {
      queue: functionQueue(tenant, c.functionName),
      tenant,
      id: stableId(c.key),
      body: JSON.stringify(env),
      source: 'workflow',
      dedupeKey: `wfi:${c.key}`,
    };
  }

  /** The command's queue item; an invoke the role may not make becomes its failure instead. */
  async function permitted(
    tenant: TenantId,
    rec: ExecutionRecord,
    c: Command,
    traceparent?: string,
  ): Promise<EnqueueItem> {
    const denied =
      c.kind === 'invoke' ? await d.authorizeTask?.(tenant, rec.roleArn, c.functionName) : undefined;
    if (denied === undefined || c.kind !== 'invoke') return itemOf(tenant, rec.arn, c, traceparent);
    return workflowResultItem(tenant, rec.arn, c.token, {
      ok: false,
      error: 'States.Permissions',
      cause: denied,
    });
  }

  /**
   * Applies `event` to the execution and commits it. `prepare` may change the record before the
   * engine sees it (a redrive sets RUNNING and counts itself). Returns the transition, or
   * undefined when the event changed nothing (stale, or the execution is not running).
   */
  async function step(
    tenant: TenantId,
    arn: string,
    event: WorkflowEvent,
    prepare?: (rec: ExecutionRecord) => ExecutionRecord | undefined,
  ): Promise<Transition | undefined> {
    return lane(arn, async () => {
      for (let round = 0; round < MAX_CONFLICTS; round++) {
        const stored = await d.store.workflows.getExecution(tenant, arn);
        if (!stored) return undefined;
        const rec = prepare ? prepare(stored) : stored;
        if (rec?.status !== 'RUNNING') return undefined;
        const def = JSON.parse(rec.definition) as StateMachineDefinition;
        const rt = JSON.parse(rec.state) as Runtime;
        const now = d.clock.now();
        const tr = await apply(def, metaOf(rec), rt, event, now, {
          io: d.io,
          random,
          nonce: () => randomBytes(16).toString('hex'),
          checkPattern,
        });
        if (!tr) return undefined;
        const end = tr.end;
        const next: ExecutionRecord = {
          ...rec,
          seq: stored.seq + 1,
          state: JSON.stringify(tr.rt),
          ...(end
            ? {
                status: end.status,
                stoppedAt: now,
                output: end.status === 'SUCCEEDED' ? JSON.stringify(end.output) : null,
                error: end.status === 'SUCCEEDED' ? null : end.error,
                cause: end.status === 'SUCCEEDED' ? null : end.cause,
              }
            : {}),
        };
        const items = end
          ? []
          : await Promise.all(
              tr.commands.map(async (c) => ({
                tenant,
                item: JSON.stringify(await permitted(tenant, rec, c, rt.traceparent)),
              })),
            );
        const history = tr.history.map((h) => ({ ...h, details: JSON.stringify(h.details) }));
        // Event waits that began or ended in this transition: their subscriptions change with it.
        const before = eventWaits(rt);
        const after = eventWaits(tr.rt);
        const added = [...after].filter(([t]) => !before.has(t));
        const removed = [...before].filter(([t]) => !after.has(t));
        const ok = await d.store.transaction(async (tx) => {
          if (!(await tx.workflows.commitTransition(next, stored.seq, history))) return false;
          if (items.length > 0) await tx.outbox.add(items);
          for (const [token, w] of added) {
            if (!(await tx.topics.get(tenant, w.topic)))
              await tx.topics.put({ tenant, name: w.topic, description: '', createdAt: now });
            await tx.subscriptions.create({
              tenant,
              id: waitSubscriptionId(arn, token),
              topic: w.topic,
              pattern: w.pattern,
              target: { type: 'workflow', arn, token, nonce: w.nonce },
              origin: 'api',
              owner: `wf:${arn}`,
              description: `${rec.machine}/${rec.name} waits for an event`,
              createdAt: now,
            });
          }
          for (const [token] of removed)
            await tx.subscriptions.delete(tenant, waitSubscriptionId(arn, token));
          return true;
        });
        if (!ok) continue;
        for (const topic of new Set([...added, ...removed].map(([, w]) => w.topic)))
          await d.reloadTopic?.(tenant, topic);
        if (items.length > 0) await d.relay();
        d.onTransition?.(
          tenant,
          rec.machine,
          tr.history.reduce((n, h) => (h.type.endsWith('StateEntered') ? n + 1 : n), 0),
          end?.status,
        );
        if (end) d.onEnd?.(tenant, arn);
        return tr;
      }
      throw new Error(`execution ${arn}: ${MAX_CONFLICTS} commit conflicts in a row`);
    });
  }

  /**
   * Makes a service call a transition asked for — unless nothing waits for it any more (a
   * redelivery after the answer was applied) — and applies its answer.
   */
  async function call(tenant: TenantId, arn: string, ev: CallEvent): Promise<void> {
    const rec = await d.store.workflows.getExecution(tenant, arn);
    if (rec?.status !== 'RUNNING') return;
    const rt = JSON.parse(rec.state) as Runtime;
    const w = rt.frames[ev.token.slice(0, ev.token.indexOf('.'))]?.wait;
    if (!w || w.token !== ev.token || (w.kind === 'task' && w.submitted)) return;
    const run = d.integrations?.[ev.integration];
    let answer: WorkflowEvent;
    try {
      if (!run) throw new StatesError('States.Runtime', `the ${ev.integration} integration is not available`);
      answer = { type: 'result', token: ev.token, ok: true, payload: await run(tenant, ev.params) };
    } catch (e) {
      answer = { type: 'result', token: ev.token, ok: false, ...callError(ev.integration, e) };
    }
    await step(tenant, arn, answer);
  }

  /** The async dispatcher hands every `wf/` message here. */
  async function handle(m: LeasedMessage, queue: Pick<Queue, 'ack' | 'nack' | 'deadLetter'>) {
    let env: WorkflowEnvelope;
    try {
      env = JSON.parse(m.body) as WorkflowEnvelope;
      if (env.kind !== 'wf' || typeof env.arn !== 'string' || typeof env.event?.type !== 'string')
        throw new Error('not a workflow envelope');
    } catch (e) {
      await queue.deadLetter(m.id, m.leaseToken, {
        error: JSON.stringify({ reason: 'MalformedMessage', errorMessage: (e as Error).message }),
      });
      return;
    }
    try {
      if (env.event.type === 'call') await call(m.tenant, env.arn, env.event as unknown as CallEvent);
      else await step(m.tenant, env.arn, env.event as unknown as WorkflowEvent);
    } catch (e) {
      log(
        'error',
        { err: e, arn: env.arn, event: env.event.type, attempt: m.attempts },
        'workflow step failed',
      );
      if (m.attempts < MAX_STEP_ATTEMPTS) {
        await queue.nack(m.id, m.leaseToken, {
          retryAt: d.clock.now() + Math.min(60_000, 500 * 2 ** m.attempts),
          error: String((e as Error).message),
        });
        return;
      }
      // A step that keeps failing (a platform fault, or a bug) ends the execution instead of
      // looping: it fails with the reason, and can be redriven once the cause is fixed.
      await step(m.tenant, env.arn, {
        type: 'stop',
        status: 'FAILED',
        error: 'States.Runtime',
        cause: `the executor could not apply a ${env.event.type} event: ${(e as Error).message}`,
      }).catch(() => undefined);
    }
    await queue.ack(m.id, m.leaseToken);
  }

  return { step, handle, metaOf, itemOf };
}

export type Executor = ReturnType<typeof createExecutor>;

/** A UUID-shaped id derived from a key (the same key always gives the same id). */
export function stableId(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const startItem = (tenant: TenantId, arn: string): EnqueueItem =>
  workflowItem(tenant, arn, { type: 'start' }, `wfs:${arn}`);

const waitSubscriptionId = (arn: string, token: string) =>
  `wf_${stableId(`${arn}#${token}`).replace(/-/g, '').slice(0, 24)}`;

function checkPattern(pattern: string): string | undefined {
  try {
    compilePattern(JSON.parse(pattern) as EventPattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
