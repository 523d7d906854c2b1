/**
 * @module workflows/engine/tasks
 * Task states for the transition function (engine.ts): invoking a function (its ARN or name:
 * Lambda* history events) or the `lambda:invoke` integration (Task* events, the answer wrapped
 * as `{ExecutedVersion, Payload, StatusCode, …}`), `.waitForTaskToken` callbacks, the
 * SQS/SNS/EventBridge integrations (a `call` command) and `nimbus:waitForEvent`. Each starts a
 * wait and emits its commands; the answers come back through engine.ts's event handlers.
 */
import type { StateIO } from '../asl/io.ts';
import { isJsonObject } from '../asl/jsonpath.ts';
import { parseFunctionName, parseResource } from '../asl/resources.ts';
import type { ContextObject, Json, JsonObject, TaskState } from '../asl/types.ts';
import type { EngineDeps, ExecutionMeta } from './engine.ts';
import type { Command, Runtime, Waiting } from './runtime.ts';
import { encodeTaskToken } from './task-token.ts';

/** What a Task needs of the transition in progress (engine.ts's Tx). */
export interface TaskHost {
  readonly rt: Runtime;
  readonly now: number;
  readonly meta: ExecutionMeta;
  readonly deps: EngineDeps;
  readonly commands: Command[];
  io(id: string): StateIO;
  ctx(id: string, extra?: Partial<Pick<ContextObject, 'Task' | 'Map'>>): ContextObject;
  token(id: string): string;
  emit(frameId: string | undefined, type: string, details: Record<string, Json>): number;
  stateFailed(id: string, error: string, cause: string): Promise<void>;
}

const json = (v: Json | undefined) => JSON.stringify(v ?? null);
const asObject = (v: Json): JsonObject => (isJsonObject(v) ? v : {});

/** The timer tokens of a Task: TimeoutSeconds, and HeartbeatSeconds where a heartbeat can come. */
interface TaskTimers {
  readonly timeoutToken?: string | undefined;
  readonly heartbeatToken?: string | undefined;
  readonly heartbeatSec?: number | undefined;
  readonly timeoutSec?: number | undefined;
}

function taskTimers(h: TaskHost, id: string, timeoutSec?: number, heartbeatSec?: number): TaskTimers {
  return {
    timeoutToken: timeoutSec === undefined ? undefined : h.token(id),
    heartbeatToken: heartbeatSec === undefined ? undefined : h.token(id),
    heartbeatSec,
    timeoutSec,
  };
}

/** Arms the timers (after the Task's own command). */
function armTimers(h: TaskHost, t: TaskTimers): void {
  if (t.timeoutToken)
    h.commands.push({ kind: 'timer', token: t.timeoutToken, at: h.now + t.timeoutSec! * 1000 });
  if (t.heartbeatToken)
    h.commands.push({ kind: 'timer', token: t.heartbeatToken, at: h.now + t.heartbeatSec! * 1000 });
}

/** `timeoutInSeconds` / `heartbeatInSeconds` of a Scheduled event, when the Task has them. */
const timerDetails = (t: TaskTimers) => ({
  ...(t.timeoutSec === undefined ? {} : { timeoutInSeconds: t.timeoutSec }),
  ...(t.heartbeatSec === undefined ? {} : { heartbeatInSeconds: t.heartbeatSec }),
});

/** What the wait keeps of the timers. */
const waitTimers = (t: TaskTimers) => ({
  timeoutToken: t.timeoutToken,
  heartbeatToken: t.heartbeatToken,
  heartbeatSec: t.heartbeatSec,
});

export async function startTask(h: TaskHost, id: string, s: TaskState): Promise<void> {
  const f = h.rt.frames[id]!;
  const io = h.io(id);
  const r = parseResource(s.Resource);
  if ('invalid' in r) return h.stateFailed(id, 'States.Runtime', `Resource ${s.Resource}: ${r.invalid}`);
  if (r.kind === 'nimbus:waitForEvent') return waitForEvent(h, id, s);
  if (r.kind !== 'function' && r.kind !== 'lambda:invoke') return callService(h, id, s, r.kind, r.wait);
  const token = h.token(id);
  const callback = r.kind === 'lambda:invoke' && r.wait === 'token';
  const nonce = callback ? h.deps.nonce() : undefined;
  const ctx = h.ctx(id, nonce ? { Task: { Token: encodeTaskToken({ arn: h.meta.arn, token, nonce }) } } : {});
  const effective = await io.effectiveInput(s, f.input, ctx, f.vars);
  const timers = taskTimers(
    h,
    id,
    await io.numberField(s, 'TimeoutSeconds', f.input, ctx, f.vars),
    await io.numberField(s, 'HeartbeatSeconds', f.input, ctx, f.vars),
  );

  let functionName: string;
  let qualifier: string | undefined;
  let payload: Json;
  let w: Extract<Waiting, { kind: 'task' }>;
  if (r.kind === 'function') {
    functionName = r.functionName;
    qualifier = r.qualifier;
    payload = effective;
    w = {
      kind: 'task',
      token,
      style: 'lambda',
      resource: s.Resource,
      resourceType: 'lambda',
      integration: 'invoke',
      ...waitTimers(timers),
    };
    h.emit(id, 'LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource: s.Resource,
        input: json(effective),
        inputDetails: { truncated: false },
        ...(timers.timeoutSec === undefined ? {} : { timeoutInSeconds: timers.timeoutSec }),
      },
    });
  } else {
    const params = asObject(effective);
    const fnParam = params.FunctionName;
    const parsed =
      typeof fnParam === 'string' ? parseFunctionName(fnParam) : { invalid: 'FunctionName is missing' };
    if ('invalid' in parsed) return h.stateFailed(id, 'States.Runtime', `lambda:invoke: ${parsed.invalid}`);
    functionName = parsed.functionName;
    qualifier = typeof params.Qualifier === 'string' ? params.Qualifier : parsed.qualifier;
    payload = params.Payload ?? {};
    const integration = callback ? 'invoke.waitForTaskToken' : 'invoke';
    // (The answer of a waitForTaskToken invoke only submits the task; it is shown wrapped too.)
    w = {
      kind: 'task',
      token,
      style: 'integration',
      resource: integration,
      resourceType: 'lambda',
      integration,
      callbackNonce: nonce,
      wrap: true,
      ...waitTimers(timers),
    };
    h.emit(id, 'TaskScheduled', {
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource: integration,
        region: h.meta.region,
        parameters: json(effective),
        ...timerDetails(timers),
      },
    });
  }
  f.wait = w;
  h.commands.push({
    kind: 'invoke',
    token,
    key: `${h.meta.arn}#${h.meta.redriveCount}#${id}#${f.state}#${f.retryCount}`,
    functionName,
    qualifier,
    payload: json(payload),
  });
  armTimers(h, timers);
}

/**
 * `nimbus:waitForEvent`: Parameters (Arguments) name a Topic and optionally an event Pattern;
 * the first matching event published there completes the Task with the event (a CloudEvent) as
 * its result. TimeoutSeconds bounds the wait (States.Timeout). The executor keeps a
 * subscription while the Task waits.
 */
async function waitForEvent(h: TaskHost, id: string, s: TaskState): Promise<void> {
  const f = h.rt.frames[id]!;
  const io = h.io(id);
  const ctx = h.ctx(id);
  const effective = await io.effectiveInput(s, f.input, ctx, f.vars);
  const timeoutSec = await io.numberField(s, 'TimeoutSeconds', f.input, ctx, f.vars);
  const p = asObject(effective);
  if (typeof p.Topic !== 'string' || !/^[A-Za-z0-9._-]{1,256}$/.test(p.Topic))
    return h.stateFailed(id, 'States.Runtime', 'nimbus:waitForEvent: Parameters.Topic must name a topic');
  let pattern: string | undefined;
  if (p.Pattern !== undefined && p.Pattern !== null) {
    pattern = JSON.stringify(p.Pattern);
    const bad = h.deps.checkPattern?.(pattern);
    if (bad) return h.stateFailed(id, 'States.Runtime', `nimbus:waitForEvent: Parameters.Pattern: ${bad}`);
  }
  const token = h.token(id);
  const timers = taskTimers(h, id, timeoutSec);
  const base = { resourceType: 'nimbus', resource: 'waitForEvent' };
  f.wait = {
    kind: 'task',
    token,
    style: 'integration',
    ...base,
    integration: 'waitForEvent',
    callbackNonce: h.deps.nonce(),
    submitted: true,
    timeoutToken: timers.timeoutToken,
    event: { topic: p.Topic, pattern },
  };
  h.emit(id, 'TaskScheduled', {
    taskScheduledEventDetails: {
      ...base,
      region: h.meta.region,
      parameters: json(effective),
      ...timerDetails(timers),
    },
  });
  h.emit(id, 'TaskStarted', { taskStartedEventDetails: base });
  armTimers(h, timers);
}

/**
 * SQS sendMessage, SNS publish, EventBridge putEvents: the executor makes the call after the
 * commit and answers with the service's response (or, `.waitForTaskToken`, only submits).
 */
async function callService(
  h: TaskHost,
  id: string,
  s: TaskState,
  integration: string,
  wait: 'none' | 'token',
): Promise<void> {
  const f = h.rt.frames[id]!;
  const io = h.io(id);
  const token = h.token(id);
  const nonce = wait === 'token' ? h.deps.nonce() : undefined;
  const ctx = h.ctx(id, nonce ? { Task: { Token: encodeTaskToken({ arn: h.meta.arn, token, nonce }) } } : {});
  const params = await io.effectiveInput(s, f.input, ctx, f.vars);
  const timeoutSec = await io.numberField(s, 'TimeoutSeconds', f.input, ctx, f.vars);
  const heartbeatSec = await io.numberField(s, 'HeartbeatSeconds', f.input, ctx, f.vars);
  const [resourceType, action] = integration.split(':') as [string, string];
  const resource = wait === 'token' ? `${action}.waitForTaskToken` : action;
  // Only a callback Task can be sent heartbeats.
  const timers = taskTimers(h, id, timeoutSec, nonce ? heartbeatSec : undefined);
  f.wait = {
    kind: 'task',
    token,
    style: 'integration',
    resource,
    resourceType,
    integration: resource,
    callbackNonce: nonce,
    ...waitTimers(timers),
  };
  h.emit(id, 'TaskScheduled', {
    taskScheduledEventDetails: {
      resourceType,
      resource,
      region: h.meta.region,
      parameters: json(params),
      ...timerDetails(timers),
    },
  });
  h.commands.push({ kind: 'call', token, integration, params });
  armTimers(h, timers);
}

/** Lambda* events for a function ARN, Task* events for an integration (Started precedes the outcome). */
export function taskEvent(
  h: TaskHost,
  id: string,
  w: Extract<Waiting, { kind: 'task' }>,
  what: 'Succeeded' | 'Failed' | 'TimedOut' | 'Submitted',
  body: JsonObject,
): void {
  if (w.style === 'lambda') {
    if (what !== 'TimedOut') h.emit(id, 'LambdaFunctionStarted', {});
    h.emit(id, `LambdaFunction${what}`, { [`lambdaFunction${what}EventDetails`]: body });
    return;
  }
  const base = { resourceType: w.resourceType, resource: w.resource };
  if (what !== 'TimedOut' && !w.submitted) h.emit(id, 'TaskStarted', { taskStartedEventDetails: base });
  h.emit(id, `Task${what}`, { [`task${what}EventDetails`]: { ...base, ...body } });
}
