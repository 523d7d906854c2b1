/**
 * @module workflows/engine/engine
 * The state-transition function: (definition, runtime state, event, now) → (new runtime state,
 * history events, commands). It does no I/O: the executor loads the execution, calls `apply`,
 * commits the result in one store transaction and only then carries out the commands (invoke a
 * function, arm a timer). Instantaneous states (Pass, Choice, Succeed, Fail, a Wait already due)
 * run inside one transition; a state that must wait for the world (Task, Wait, a retry interval,
 * Parallel/Map children) ends it. The same inputs give the same outputs, except for what the
 * injected `random`/`nonce` provide.
 */
import type { ErrorOutput, StateIO, StateOutput } from '../asl/io.ts';
import {
  type ContextObject,
  isStatesError,
  type Json,
  type JsonObject,
  type MapState,
  type ParallelState,
  type QueryLanguage,
  type State,
  type StateMachineDefinition,
  type TaskState,
} from '../asl/types.ts';
import { decideRetry, findCatcher } from './errors.ts';
import type { Command, Frame, HistoryEvent, Runtime, Waiting, WorkflowEvent } from './runtime.ts';
import { startTask, taskEvent } from './tasks.ts';

export interface ExecutionMeta {
  readonly arn: string;
  readonly name: string;
  readonly machineArn: string;
  readonly machineName: string;
  readonly roleArn: string;
  readonly input: Json;
  readonly startedAt: number;
  readonly redriveCount: number;
  readonly region: string;
}

export interface EngineDeps {
  readonly io: (language: QueryLanguage) => StateIO;
  readonly random: () => number;
  /** A fresh secret for a task token. */
  readonly nonce: () => string;
  /** Why an event pattern (JSON text) is invalid, or undefined when it compiles. */
  readonly checkPattern?: (pattern: string) => string | undefined;
}

export type ExecutionEnd =
  | { readonly status: 'SUCCEEDED'; readonly output: Json }
  | { readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; readonly error: string; readonly cause: string };

export interface Transition {
  readonly rt: Runtime;
  readonly history: HistoryEvent[];
  readonly commands: Command[];
  readonly end?: ExecutionEnd | undefined;
  readonly redriven?: boolean;
}

/** AWS's quota: an execution's history holds at most 25,000 events. */
export const MAX_HISTORY_EVENTS = 25_000;
/** AWS's quota on a state's input and output (and on task results). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** States entered in one transition before the rest is deferred to the next one. */
export const MAX_STATES_PER_TRANSITION = 500;

class HistoryFull extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();
const json = (v: Json | undefined) => JSON.stringify(v ?? null);
const io$ = (v: Json | undefined) => ({ output: json(v), outputDetails: { truncated: false } });

/**
 * Applies one event. undefined when the event changes nothing (a stale token, a start that
 * already happened): the executor then commits nothing.
 */
export async function apply(
  def: StateMachineDefinition,
  meta: ExecutionMeta,
  current: Runtime,
  event: WorkflowEvent,
  now: number,
  deps: EngineDeps,
): Promise<Transition | undefined> {
  const t = new Tx(def, meta, structuredClone(current), now, deps);
  try {
    if (!(await t.dispatch(event))) return undefined;
    await t.drain();
  } catch (e) {
    if (!(e instanceof HistoryFull)) throw e;
    t.endWith({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: `The execution reached the limit of ${MAX_HISTORY_EVENTS} history events.`,
    });
  }
  return t.result();
}

class Tx {
  readonly history: HistoryEvent[] = [];
  readonly commands: Command[] = [];
  end: ExecutionEnd | undefined;
  redriven = false;
  private readonly todo: (() => Promise<void>)[] = [];
  private entered = 0;
  private readonly scopes = new Map<string, StateMachineDefinition>();

  readonly def: StateMachineDefinition;
  readonly meta: ExecutionMeta;
  readonly rt: Runtime;
  readonly now: number;
  readonly deps: EngineDeps;

  constructor(def: StateMachineDefinition, meta: ExecutionMeta, rt: Runtime, now: number, deps: EngineDeps) {
    this.def = def;
    this.meta = meta;
    this.rt = rt;
    this.now = now;
    this.deps = deps;
  }

  result(): Transition {
    return {
      rt: this.rt,
      history: this.history,
      commands: this.commands,
      end: this.end,
      redriven: this.redriven,
    };
  }

  async drain(): Promise<void> {
    while (this.todo.length > 0 && !this.end) await this.todo.shift()!();
  }

  // ------------------------------------------------------------ events

  async dispatch(e: WorkflowEvent): Promise<boolean> {
    switch (e.type) {
      case 'start':
        if (this.rt.started) return false;
        this.rt.started = true;
        this.armTimeout();
        this.enter(this.newFrame({ scope: '', vars: {} }), this.def.StartAt, this.meta.input);
        return true;
      case 'stop':
        this.endWith({
          status: e.status ?? 'ABORTED',
          error: e.error ?? 'States.Aborted',
          cause: e.cause ?? 'The execution was stopped.',
        });
        return true;
      case 'redrive': {
        const at = this.rt.failedAt;
        if (!at) return false;
        this.rt.failedAt = undefined;
        this.redriven = true;
        this.emit(undefined, 'ExecutionRedriven', {
          executionRedrivenEventDetails: { redriveCount: this.meta.redriveCount },
        });
        this.armTimeout();
        this.enter(this.newFrame({ scope: '', vars: at.vars }), at.state, at.input);
        return true;
      }
      case 'timer':
        return this.onTimer(e.token);
      case 'result':
        return this.onResult(e);
      case 'callback':
      case 'heartbeat':
        return this.onCallback(e);
    }
  }

  private armTimeout(): void {
    if (this.def.TimeoutSeconds === undefined) return;
    this.rt.timeoutToken = this.token('x');
    this.commands.push({
      kind: 'timer',
      token: this.rt.timeoutToken,
      at: this.now + this.def.TimeoutSeconds * 1000,
    });
  }

  private waiting(token: string): [string, Frame] | undefined {
    const id = token.slice(0, token.indexOf('.'));
    const f = this.rt.frames[id];
    return f ? [id, f] : undefined;
  }

  private async onTimer(token: string): Promise<boolean> {
    if (token === this.rt.timeoutToken) {
      this.endWith({
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'The execution ran longer than its TimeoutSeconds.',
      });
      return true;
    }
    const found = this.waiting(token);
    if (!found) return false;
    const [id, f] = found;
    const w = f.wait;
    if (!w) return false;
    if (w.kind === 'enter' && w.token === token) {
      f.wait = undefined;
      this.enter(id, w.state, w.input);
      return true;
    }
    if ((w.kind === 'wait' || w.kind === 'retry') && w.token === token) {
      f.wait = undefined;
      if (w.kind === 'retry') this.todo.push(() => this.run(id));
      else
        this.todo.push(() =>
          this.guard(id, async () =>
            this.complete(id, await this.io(id).plainOutput(this.state(id), f.input, this.ctx(id), f.vars)),
          ),
        );
      return true;
    }
    if (w.kind === 'task' && (w.timeoutToken === token || w.heartbeatToken === token)) {
      const heartbeat = w.heartbeatToken === token;
      const error = heartbeat ? 'States.HeartbeatTimeout' : 'States.Timeout';
      const cause = heartbeat
        ? `The task sent no heartbeat for ${w.heartbeatSec} seconds.`
        : 'The task ran longer than its TimeoutSeconds.';
      f.wait = undefined;
      taskEvent(this, id, w, 'TimedOut', { error, cause });
      this.todo.push(() => this.stateFailed(id, error, cause));
      return true;
    }
    return false;
  }

  private async onResult(e: Extract<WorkflowEvent, { type: 'result' }>): Promise<boolean> {
    const found = this.waiting(e.token);
    const w = found?.[1].wait;
    if (found && w?.kind === 'reader' && w.token === e.token) {
      const [id, f] = found;
      f.wait = undefined;
      if (!e.ok) this.todo.push(() => this.stateFailed(id, e.error, e.cause));
      else
        this.todo.push(() =>
          this.guard(id, () => this.beginMap(id, Array.isArray(e.payload) ? e.payload : [])),
        );
      return true;
    }
    if (!found || w?.kind !== 'task' || w.token !== e.token || w.submitted) return false;
    const [id, f] = found;
    if (!e.ok) {
      f.wait = undefined;
      taskEvent(this, id, w, 'Failed', { error: e.error, cause: e.cause });
      this.todo.push(() => this.stateFailed(id, e.error, e.cause));
      return true;
    }
    const result: Json = w.wrap
      ? {
          ExecutedVersion: e.version ?? '$LATEST',
          Payload: e.payload,
          SdkHttpMetadata: { HttpStatusCode: 200 },
          SdkResponseMetadata: {},
          StatusCode: 200,
        }
      : e.payload;
    if (w.callbackNonce !== undefined) {
      taskEvent(this, id, w, 'Submitted', { ...io$(result) });
      w.submitted = true;
      return true;
    }
    f.wait = undefined;
    taskEvent(this, id, w, 'Succeeded', { ...io$(result) });
    this.todo.push(() => this.finishTask(id, result));
    return true;
  }

  private async onCallback(e: Extract<WorkflowEvent, { type: 'callback' | 'heartbeat' }>): Promise<boolean> {
    const found = this.waiting(e.token);
    const w = found?.[1].wait;
    if (!found || w?.kind !== 'task' || w.token !== e.token || w.callbackNonce !== e.nonce) return false;
    const [id, f] = found;
    if (e.type === 'heartbeat') {
      // Accepted like AWS even without HeartbeatSeconds (nothing to extend then).
      if (w.heartbeatSec === undefined) return true;
      w.heartbeatToken = this.token(id);
      this.commands.push({ kind: 'timer', token: w.heartbeatToken, at: this.now + w.heartbeatSec * 1000 });
      return true;
    }
    f.wait = undefined;
    if (e.ok) {
      taskEvent(this, id, w, 'Succeeded', { ...io$(e.output) });
      this.todo.push(() => this.finishTask(id, e.output ?? null));
    } else {
      const error = e.error ?? 'States.TaskFailed';
      const cause = e.cause ?? '';
      taskEvent(this, id, w, 'Failed', { error, cause });
      this.todo.push(() => this.stateFailed(id, error, cause));
    }
    return true;
  }

  // ------------------------------------------------------------ frames and states

  private newFrame(p: {
    scope: string;
    vars: Record<string, Json>;
    parent?: string;
    slot?: number;
    mapItem?: Frame['mapItem'];
  }): string {
    const id = `f${this.rt.nextFrame++}`;
    const parentEvent = p.parent ? (this.rt.frames[p.parent]?.lastEvent ?? this.rt.events) : this.rt.events;
    this.rt.frames[id] = {
      scope: p.scope,
      parent: p.parent,
      slot: p.slot,
      state: '',
      input: null,
      vars: p.vars,
      enteredAt: this.now,
      retryCount: 0,
      retriers: [],
      lastEvent: parentEvent,
      mapItem: p.mapItem,
    };
    return id;
  }

  token(frameId: string): string {
    return `${frameId}.${this.rt.nextToken++}`;
  }

  private scopeDef(scope: string): StateMachineDefinition {
    let d = this.scopes.get(scope);
    if (d) return d;
    d = this.def;
    if (scope !== '')
      for (const part of scope.split('/').slice(1)) {
        const [name, branch] = part.split('#') as [string, string];
        const s = d.States[name] as ParallelState | MapState;
        d =
          branch === 'map'
            ? ((s as MapState).ItemProcessor ?? (s as MapState).Iterator)!
            : (s as ParallelState).Branches[Number(branch)]!;
      }
    this.scopes.set(scope, d);
    return d;
  }

  private state(id: string): State {
    const f = this.rt.frames[id]!;
    return this.scopeDef(f.scope).States[f.state]!;
  }

  io(id: string): StateIO {
    return this.deps.io(this.state(id).QueryLanguage ?? this.def.QueryLanguage ?? 'JSONPath');
  }

  ctx(id: string, extra?: Partial<Pick<ContextObject, 'Task' | 'Map'>>): ContextObject {
    const f = this.rt.frames[id]!;
    const m = this.meta;
    return {
      Execution: {
        Id: m.arn,
        Input: m.input,
        Name: m.name,
        RoleArn: m.roleArn,
        StartTime: iso(m.startedAt),
        RedriveCount: m.redriveCount,
      },
      State: { EnteredTime: iso(f.enteredAt), Name: f.state, RetryCount: f.retryCount },
      StateMachine: { Id: m.machineArn, Name: m.machineName },
      ...extra,
    };
  }

  emit(frameId: string | undefined, type: string, details: Record<string, Json>, final = false): number {
    if (this.rt.events >= MAX_HISTORY_EVENTS && !final) throw new HistoryFull();
    const id = ++this.rt.events;
    const f = frameId === undefined ? undefined : this.rt.frames[frameId];
    const previousEventId = f ? f.lastEvent : id - 1;
    if (f) f.lastEvent = id;
    this.history.push({ id, previousEventId, ts: this.now, type, details });
    return id;
  }

  private enter(id: string, name: string, input: Json): void {
    this.todo.push(async () => {
      const f = this.rt.frames[id];
      if (!f) return;
      if (++this.entered > MAX_STATES_PER_TRANSITION) {
        // A long run of instantaneous states (a Pass/Choice loop) yields: the rest continues in
        // a transition of its own, so one execution cannot hold the executor.
        const token = this.token(id);
        f.wait = { kind: 'enter', token, state: name, input };
        this.commands.push({ kind: 'timer', token, at: this.now });
        return;
      }
      Object.assign(f, {
        state: name,
        input,
        enteredAt: this.now,
        retryCount: 0,
        retriers: [],
        wait: undefined,
      });
      const s = this.state(id);
      this.emit(id, `${s.Type}StateEntered`, {
        stateEnteredEventDetails: { name, input: json(input), inputDetails: { truncated: false } },
      });
      await this.run(id);
    });
  }

  /** Runs a frame's current state (on entry and on every retry); its failures go to stateFailed. */
  private async run(id: string): Promise<void> {
    await this.guard(id, async () => {
      const f = this.rt.frames[id]!;
      const s = this.state(id);
      const io = this.io(id);
      const ctx = this.ctx(id);
      switch (s.Type) {
        case 'Pass':
          return this.complete(id, await io.passOutput(s, f.input, ctx, f.vars));
        case 'Succeed':
          return this.complete(id, await io.plainOutput(s, f.input, ctx, f.vars));
        case 'Choice': {
          const r = await io.choose(s, f.input, ctx, f.vars);
          if (r.next === undefined)
            return this.stateFailed(
              id,
              'States.NoChoiceMatched',
              `No Choice rule matched and there was no Default in state ${f.state}.`,
            );
          return this.complete(id, r, r.next);
        }
        case 'Wait': {
          const at = await io.waitUntil(s, f.input, ctx, f.vars, this.now);
          if (at <= this.now) return this.complete(id, await io.plainOutput(s, f.input, ctx, f.vars));
          const token = this.token(id);
          f.wait = { kind: 'wait', token };
          this.commands.push({ kind: 'timer', token, at });
          return;
        }
        case 'Fail': {
          const r = await io.failure(s, f.input, ctx, f.vars);
          return this.frameFailed(id, r.error ?? 'States.Fail', r.cause ?? '');
        }
        case 'Task':
          return startTask(this, id, s);
        case 'Parallel':
          return this.startParallel(id, s);
        case 'Map':
          return this.startMap(id, s);
      }
    });
  }

  private async guard(id: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!isStatesError(e)) throw e;
      if (this.rt.frames[id]) await this.stateFailed(id, e.error, e.cause);
    }
  }

  /** The state is done with `out`: assign its variables, exit, then Next (or `next`) or End. */
  private async complete(id: string, out: StateOutput, next?: string): Promise<void> {
    const f = this.rt.frames[id]!;
    const s = this.state(id);
    const size = Buffer.byteLength(json(out.output));
    if (size > MAX_PAYLOAD_BYTES)
      return this.stateFailed(
        id,
        'States.DataLimitExceeded',
        `The state/task '${f.state}' returned a result with a size exceeding the maximum number of bytes service limit (${size} > ${MAX_PAYLOAD_BYTES}).`,
      );
    if (out.assign) f.vars = { ...f.vars, ...out.assign };
    const exited: JsonObject = { name: f.state, ...io$(out.output) };
    if (out.assign) {
      exited.assignedVariables = Object.fromEntries(Object.entries(out.assign).map(([k, v]) => [k, json(v)]));
      exited.assignedVariablesDetails = { truncated: false };
    }
    this.emit(id, `${s.Type}StateExited`, { stateExitedEventDetails: exited });
    // A Choice's rule and a Catch name where to go, whatever the state's own End says.
    const to = next ?? (s.End ? undefined : s.Next);
    if (s.Type === 'Succeed' || to === undefined) return this.frameDone(id, out.output);
    this.enter(id, to, out.output);
  }

  /** A state raised an error: its Retry, else its Catch, else the frame fails. */
  async stateFailed(id: string, error: string, cause: string): Promise<void> {
    const f = this.rt.frames[id]!;
    const s = this.state(id);
    const retriers = 'Retry' in s ? s.Retry : undefined;
    const d = decideRetry(retriers, f.retriers, error, this.deps.random);
    if (d.retry) {
      f.retriers[d.index] = (f.retriers[d.index] ?? 0) + 1;
      f.retryCount++;
      if (d.delayMs <= 0) {
        this.todo.push(() => this.run(id));
        return;
      }
      const token = this.token(id);
      f.wait = { kind: 'retry', token };
      this.commands.push({ kind: 'timer', token, at: this.now + d.delayMs });
      return;
    }
    const catcher = 'Catch' in s ? findCatcher(s.Catch, error) : undefined;
    if (catcher) {
      const errorOutput: ErrorOutput = { Error: error, Cause: cause };
      let out: StateOutput;
      try {
        out = await this.io(id).catchOutput(catcher, f.input, errorOutput, this.ctx(id), f.vars);
      } catch (e) {
        if (!isStatesError(e)) throw e;
        return this.frameFailed(id, e.error, e.cause);
      }
      return this.complete(id, out, catcher.Next);
    }
    return this.frameFailed(id, error, cause);
  }

  /** The frame reached an End: the execution succeeds, or the parent gets the branch's output. */
  private async frameDone(id: string, output: Json): Promise<void> {
    const f = this.rt.frames[id]!;
    if (f.parent === undefined) {
      this.endWith({ status: 'SUCCEEDED', output });
      return;
    }
    const pid = f.parent;
    const p = this.rt.frames[pid]!;
    delete this.rt.frames[id];
    const w = p.wait;
    if (w?.kind === 'parallel') {
      w.results[f.slot!] = output;
      if (--w.pending === 0) await this.childrenDone(pid, 'Parallel', w.results);
    } else if (w?.kind === 'map') {
      w.results[f.slot!] = output;
      w.running--;
      w.done++;
      this.emit(pid, 'MapIterationSucceeded', {
        mapIterationSucceededEventDetails: { name: p.state, index: f.slot! },
      });
      await this.mapProgress(pid);
    }
  }

  private async childrenDone(pid: string, kind: 'Parallel' | 'Map', results: Json[]): Promise<void> {
    const p = this.rt.frames[pid]!;
    p.wait = undefined;
    this.emit(pid, `${kind}StateSucceeded`, {});
    await this.guard(pid, async () => {
      const s = this.state(pid) as ParallelState | MapState;
      await this.complete(pid, await this.io(pid).resultOutput(s, p.input, results, this.ctx(pid), p.vars));
    });
  }

  /** The frame failed (no Retry/Catch took it): the execution fails, or its parent state does. */
  private async frameFailed(id: string, error: string, cause: string): Promise<void> {
    const f = this.rt.frames[id]!;
    if (f.parent === undefined) {
      this.rt.failedAt = { state: f.state, input: f.input, vars: f.vars };
      this.endWith({ status: 'FAILED', error, cause });
      return;
    }
    const pid = f.parent;
    const p = this.rt.frames[pid]!;
    this.dropTree(id);
    const w = p.wait;
    if (w?.kind === 'map') {
      w.running--;
      w.done++;
      w.failed++;
      w.results[f.slot!] = { Error: error, Cause: cause };
      this.emit(pid, 'MapIterationFailed', {
        mapIterationFailedEventDetails: { name: p.state, index: f.slot! },
      });
      if (!mapFailed(w)) return this.mapProgress(pid);
      this.abortChildren(pid);
      this.emit(pid, 'MapStateFailed', {});
      const tolerant = w.toleratedCount > 0 || w.toleratedPct > 0;
      return this.stateFailed(
        pid,
        tolerant ? 'States.ExceedToleratedFailureThreshold' : error,
        tolerant ? `${w.failed} of ${w.items.length} iterations failed, more than tolerated.` : cause,
      );
    }
    if (w?.kind === 'parallel') {
      this.abortChildren(pid);
      this.emit(pid, 'ParallelStateFailed', {});
      return this.stateFailed(pid, error, cause);
    }
  }

  /** Removes a frame and everything under it (their pending tokens become stale). */
  private dropTree(id: string): void {
    for (const [cid, c] of Object.entries(this.rt.frames)) if (c.parent === id) this.dropTree(cid);
    delete this.rt.frames[id];
  }

  private abortChildren(pid: string): void {
    for (const [cid, c] of Object.entries(this.rt.frames)) if (c.parent === pid) this.dropTree(cid);
    this.rt.frames[pid]!.wait = undefined;
  }

  endWith(end: ExecutionEnd): void {
    if (this.end) return;
    this.end = end;
    const type = { SUCCEEDED: 'Succeeded', FAILED: 'Failed', TIMED_OUT: 'TimedOut', ABORTED: 'Aborted' }[
      end.status
    ];
    const key = `execution${type}EventDetails`;
    if (end.status !== 'SUCCEEDED' && !this.rt.failedAt) {
      // Timed out or stopped: a redrive restarts the top-level state that was running.
      const root = Object.values(this.rt.frames).find((f) => f.parent === undefined && f.state !== '');
      if (root) this.rt.failedAt = { state: root.state, input: root.input, vars: root.vars };
    }
    this.emit(
      undefined,
      `Execution${type}`,
      { [key]: end.status === 'SUCCEEDED' ? io$(end.output) : { error: end.error, cause: end.cause } },
      true,
    );
    this.rt.frames = {};
    this.rt.timeoutToken = undefined;
  }

  // ------------------------------------------------------------ Task

  private async finishTask(id: string, result: Json): Promise<void> {
    await this.guard(id, async () => {
      const f = this.rt.frames[id]!;
      const s = this.state(id) as TaskState;
      await this.complete(id, await this.io(id).resultOutput(s, f.input, result, this.ctx(id), f.vars));
    });
  }

  // ------------------------------------------------------------ Parallel and Map

  private async startParallel(id: string, s: ParallelState): Promise<void> {
    const f = this.rt.frames[id]!;
    const effective = await this.io(id).effectiveInput(s, f.input, this.ctx(id), f.vars);
    this.emit(id, 'ParallelStateStarted', {});
    if (s.Branches.length === 0) return this.childrenDone(id, 'Parallel', []);
    f.wait = { kind: 'parallel', token: this.token(id), pending: s.Branches.length, results: [] };
    s.Branches.forEach((b, i) => {
      const child = this.newFrame({
        scope: `${f.scope}/${f.state}#${i}`,
        vars: { ...f.vars },
        parent: id,
        slot: i,
      });
      this.enter(child, b.StartAt, effective);
    });
  }

  private async startMap(id: string, s: MapState): Promise<void> {
    const f = this.rt.frames[id]!;
    const io = this.io(id);
    const ctx = this.ctx(id);
    if (s.ItemReader) {
      // The reader's Parameters/Arguments evaluate like a Task's (after the Map's InputPath).
      const reader = s.ItemReader;
      const params = await io.effectiveInput(
        {
          Type: 'Task',
          Resource: reader.Resource,
          InputPath: s.InputPath,
          Parameters: reader.Parameters,
          Arguments: reader.Arguments,
          QueryLanguage: s.QueryLanguage,
        } as TaskState,
        f.input,
        ctx,
        f.vars,
      );
      const token = this.token(id);
      f.wait = { kind: 'reader', token };
      const integration = reader.Resource.endsWith(':getObject') ? 's3:getObject' : 's3:listObjectsV2';
      this.commands.push({
        kind: 'call',
        token,
        integration,
        params: { ...(params as JsonObject), ReaderConfig: (reader.ReaderConfig ?? {}) as JsonObject },
      });
      return;
    }
    await this.beginMap(id, await io.mapItems(s, f.input, ctx, f.vars));
  }

  private async beginMap(id: string, items: Json[]): Promise<void> {
    const f = this.rt.frames[id]!;
    const s = this.state(id) as MapState;
    const io = this.io(id);
    const ctx = this.ctx(id);
    const max = (await io.numberField(s, 'MaxConcurrency', f.input, ctx, f.vars)) ?? 0;
    const count = (await io.numberField(s, 'ToleratedFailureCount', f.input, ctx, f.vars)) ?? 0;
    const pct = (await io.numberField(s, 'ToleratedFailurePercentage', f.input, ctx, f.vars)) ?? 0;
    this.emit(id, 'MapStateStarted', { mapStateStartedEventDetails: { length: items.length } });
    if (items.length === 0) return this.childrenDone(id, 'Map', []);
    f.wait = {
      kind: 'map',
      token: this.token(id),
      items,
      max: max > 0 ? max : items.length,
      next: 0,
      running: 0,
      done: 0,
      failed: 0,
      toleratedCount: count,
      toleratedPct: pct,
      results: [],
    };
    await this.mapProgress(id);
  }

  /** Starts iterations up to MaxConcurrency; completes the Map when every item is done. */
  private mapProgress(id: string): Promise<void> {
    return this.guard(id, () => this.launch(id));
  }

  private async launch(id: string): Promise<void> {
    const f = this.rt.frames[id]!;
    const w = f.wait;
    if (w?.kind !== 'map') return;
    if (w.done === w.items.length) return this.childrenDone(id, 'Map', w.results);
    const s = this.state(id) as MapState;
    const proc = (s.ItemProcessor ?? s.Iterator)!;
    while (w.running < w.max && w.next < w.items.length) {
      const index = w.next++;
      const value = w.items[index]!;
      const input = await this.io(id).mapItemInput(
        s,
        f.input,
        this.ctx(id, { Map: { Item: { Index: index, Value: value } } }),
        f.vars,
      );
      w.running++;
      const child = this.newFrame({
        scope: `${f.scope}/${f.state}#map`,
        vars: { ...f.vars },
        parent: id,
        slot: index,
        mapItem: { index, value },
      });
      this.emit(id, 'MapIterationStarted', { mapIterationStartedEventDetails: { name: f.state, index } });
      this.enter(child, proc.StartAt, input);
    }
  }
}

/**
 * A Map fails when more iterations failed than it tolerates: any failure without a tolerance;
 * with ToleratedFailureCount and/or ToleratedFailurePercentage, when either is exceeded.
 */
function mapFailed(w: Extract<Waiting, { kind: 'map' }>): boolean {
  if (w.failed === 0) return false;
  if (w.toleratedCount <= 0 && w.toleratedPct <= 0) return true;
  if (w.toleratedCount > 0 && w.failed > w.toleratedCount) return true;
  return w.toleratedPct > 0 && (w.failed / w.items.length) * 100 > w.toleratedPct;
}
