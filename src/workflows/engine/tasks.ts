/**
 * @module workflows/engine/tasks
 * Task states for the transition function (engine.ts): invoking a function (its ARN or name:
 * Lambda* history events) or the `lambda:invoke` integration (Task* events, the answer wrapped
 * as `{ExecutedVersion, Payload, StatusCode, …}`), `.waitForTaskToken` callbacks, the
 * SQS/SNS/EventBridge integrations (a `call` command) and `nimbus:waitForEvent`. Each starts a
 * wait and emits its commands; the answers come back through engine.ts's event handlers.
 */
import type { StateIO } from '../asl/io.ts';
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
  const timeoutSec = await io.numberField(s, 'TimeoutSeconds', f.input, ctx, f.vars);
  const heartbeatSec = await io.numberField(s, 'HeartbeatSeconds', f.input, ctx, f.vars);

  let functionName: string;
  let qualifier: string | undefined;
  let payload: Json;
  let w: Extract<Waiting, { kind: 'task' }>;
  const timers = {
    timeoutToken: timeoutSec === undefined ? undefined : h.token(id),
    heartbeatToken: heartbeatSec === undefined ? undefined : h.token(id),
    heartbeatSec,
  };
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
      ...timers,
    };
    h.emit(id, 'LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource: s.Resource,
        input: json(effective),
        inputDetails: { truncated: false },
        ...(timeoutSec === undefined ? {} : { timeoutInSeconds: timeoutSec }),
      },
    });
  } else {
    const params = (
      effective && typeof effective === 'object' && !Array.isArray(effective) ? effective : {}
    ) as JsonObject;
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
      ...timers,
    };
    h.emit(id, 'TaskScheduled', {
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource: integration,
        region: h.meta.region,
        parameters: json(effective),
        ...(timeoutSec === undefined ? {} : { timeoutInSeconds: timeoutSec }),
        ...(heartbeatSec === undefined ? {} : { heartbeatInSeconds: heartbeatSec }),
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
  if (timers.timeoutToken)
    h.commands.push({ kind: 'timer', token: timers.timeoutToken, at: h.now + timeoutSec! * 1000 });
  if (timers.heartbeatToken)
    h.commands.push({
      kind: 'timer',
      token: timers.heartbeatToken,
      at: h.now + heartbeatSec! * 1000,
    });
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
  const p = (
    effective && typeof effective === 'object' && !Array.isArray(effective) ? effective : {}
  ) as JsonObject;
  if (typeof p.Topic !== 'string' || !/^[A-Za-z0-9._-]{1,256}$/.test(p.Topic))
    return h.stateFailed(id, 'States.Runtime', 'nimbus:waitForEvent: Parameters.Topic must name a topic');
  let pattern: string | undefined;
  if (p.Pattern !== undefined && p.Pattern !== null) {
    pattern = JSON.stringify(p.Pattern);
    const bad = h.deps.checkPattern?.(pattern);
    if (bad) return h.stateFailed(id, 'States.Runtime', `nimbus:waitForEvent: Parameters.Pattern: ${bad}`);
  }
  const token = h.token(id);
  const timeoutToken = timeoutSec === undefined ? undefined : h.token(id);
  const base = { resourceType: 'nimbus', resource: 'waitForEvent' };
  f.wait = {
    kind: 'task',
    token,
    style: 'integration',
    ...base,
    integration: 'waitForEvent',
    callbackNonce: h.deps.nonce(),
    submitted: true,
    timeoutToken,
    event: { topic: p.Topic, pattern },
  };
  h.emit(id, 'TaskScheduled', {
    taskScheduledEventDetails: {
      ...base,
      region: h.meta.region,
      parameters: json(effective),
      ...(timeoutSec === undefined ? {} : { timeoutInSeconds: timeoutSec }),
    },
  });
  h.emit(id, 'TaskStarted', { taskStartedEventDetails: base });
  if (timeoutToken) h.commands.push({ kind: 'timer', token: timeoutToken, at: h.now + timeoutSec! * 1000 });
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
  const timers = {
    timeoutToken: timeoutSec === undefined ? undefined : h.token(id),
    heartbeatToken: heartbeatSec === undefined || !nonce ? undefined : h.token(id),
    heartbeatSec: nonce ? heartbeatSec : undefined,
  };
  f.wait = {
    kind: 'task',
    token,
    style: 'integration',
    resource,
    resourceType,
    integration: resource,
    callbackNonce: nonce,
    ...timers,
  };
  h.emit(id, 'TaskScheduled', {
    taskScheduledEventDetails: {
      resourceType,
      resource,
      region: h.meta.region,
      parameters: json(params),
      ...(timeoutSec === undefined ? {} : { timeoutInSeconds: timeoutSec }),
      ...(timers.heartbeatSec === undefined ? {} : { heartbeatInSeconds: timers.heartbeatSec }),
    },
  });
  h.commands.push({ kind: 'call', token, integration, params });
  if (timers.timeoutToken)
    h.commands.push({ kind: 'timer', token: timers.timeoutToken, at: h.now + timeoutSec! * 1000 });
  if (timers.heartbeatToken)
    h.commands.push({
      kind: 'timer',
      token: timers.heartbeatToken,
      at: h.now + heartbeatSec! * 1000,
    });
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
