/**
 * @module workflows/engine/runtime
 * The executor's runtime state of one execution (stored as JSON in the execution row, replaced
 * at every committed transition), the events that move it, and the commands a transition asks the
 * executor to carry out after the commit.
 *
 * An execution is a tree of frames: the root runs the top-level states; a Parallel state gives
 * each branch a child frame, a Map each running iteration. A frame is at one state at a time and
 * is either computing (never stored) or waiting: for a Task's answer, a timer (Wait, a retry
 * interval, a timeout), a callback (task token), or its child frames. Every wait has a token; an
 * event whose token no frame waits for any more is stale and changes nothing — that is what makes
 * a redelivered event, a late answer after a timeout and a timer of an abandoned branch harmless.
 */
import type { Json } from '../asl/types.ts';

export interface Runtime {
  readonly v: 1;
  started: boolean;
  frames: Record<string, Frame>;
  nextFrame: number;
  nextToken: number;
  /** History events written so far (the next event's id is this + 1). */
  events: number;
  /** The execution-level TimeoutSeconds timer. */
  timeoutToken?: string | undefined;
  /** Where the execution failed (the root's state and its input): RedriveExecution restarts here. */
  failedAt?: { state: string; input: Json; vars: Record<string, Json> } | undefined;
  /** The trace the execution belongs to (W3C `traceparent` of its start): Task invokes continue it. */
  traceparent?: string | undefined;
}

export interface Frame {
  /** '' for the top level, else `<parent scope>/<state>#<branch>` or `…/<state>#map`. */
  readonly scope: string;
  readonly parent?: string | undefined;
  /** Index of this branch / iteration in the parent's results. */
  readonly slot?: number | undefined;
  state: string;
  /** The current state's raw input. */
  input: Json;
  vars: Record<string, Json>;
  enteredAt: number;
  /** Retries of the current state so far ($$.State.RetryCount). */
  retryCount: number;
  /** Attempts used per retrier of the current state (by index). */
  retriers: number[];
  /** The event the frame's last history event was (previousEventId of the next one). */
  lastEvent: number;
  readonly mapItem?: { readonly index: number; readonly value: Json } | undefined;
  wait?: Waiting | undefined;
}

export type Waiting =
  | {
      readonly kind: 'task';
      readonly token: string;
      /** History flavour: a function ARN (Lambda* events) or an integration (Task* events). */
      readonly style: 'lambda' | 'integration';
      readonly resource: string;
      readonly resourceType: string;
      /** Integration name in Task* events: `invoke`, `invoke.waitForTaskToken`, … */
      readonly integration: string;
      /** `.waitForTaskToken`: the secret part of the task token; the invoke's answer only submits. */
      readonly callbackNonce?: string | undefined;
      submitted?: boolean;
      readonly timeoutToken?: string | undefined;
      heartbeatToken?: string | undefined;
      readonly heartbeatSec?: number | undefined;
      /** Parameters (lambda:invoke) to shape the result: the answer is wrapped. */
      readonly wrap?: boolean | undefined;
      /** `nimbus:waitForEvent`: the topic and pattern a subscription waits on (while this waits). */
      readonly event?: { readonly topic: string; readonly pattern?: string | undefined } | undefined;
    }
  | { readonly kind: 'wait'; readonly token: string }
  /** A distributed Map reading its items (ItemReader) before it starts. */
  | { readonly kind: 'reader'; readonly token: string }
  /** A state to enter in the next transition (a long run of instantaneous states yielded). */
  | { readonly kind: 'enter'; readonly token: string; readonly state: string; readonly input: Json }
  | { readonly kind: 'retry'; readonly token: string }
  | {
      readonly kind: 'parallel';
      readonly token: string;
      pending: number;
      results: Json[];
    }
  | {
      readonly kind: 'map';
      readonly token: string;
      readonly items: Json[];
      /** The input ItemSelector sees (after InputPath). */
      readonly max: number;
      next: number;
      running: number;
      done: number;
      failed: number;
      readonly toleratedCount: number;
      readonly toleratedPct: number;
      results: Json[];
    };

/** What moves an execution. */
export type WorkflowEvent =
  | { readonly type: 'start' }
  | {
      readonly type: 'result';
      readonly token: string;
      readonly ok: true;
      readonly payload: Json;
      readonly version?: string;
    }
  | {
      readonly type: 'result';
      readonly token: string;
      readonly ok: false;
      readonly error: string;
      readonly cause: string;
    }
  | { readonly type: 'timer'; readonly token: string }
  | {
      readonly type: 'callback';
      readonly token: string;
      readonly nonce: string;
      readonly ok: boolean;
      readonly output?: Json;
      readonly error?: string;
      readonly cause?: string;
    }
  | { readonly type: 'heartbeat'; readonly token: string; readonly nonce: string }
  /** StopExecution, the platform giving up on an execution, or a synchronous run outliving its wait. */
  | {
      readonly type: 'stop';
      readonly error?: string | undefined;
      readonly cause?: string | undefined;
      /** How it ends: ABORTED (StopExecution, the default), FAILED (the platform gave up), TIMED_OUT. */
      readonly status?: 'ABORTED' | 'FAILED' | 'TIMED_OUT';
    }
  | { readonly type: 'redrive' };

/** What the executor does after a transition commits. */
export type Command =
  | {
      readonly kind: 'invoke';
      readonly token: string;
      /** Stable across redeliveries and crashes: execution + frame + state + attempt. */
      readonly key: string;
      readonly functionName: string;
      readonly qualifier?: string | undefined;
      /** JSON text. */
      readonly payload: string;
    }
  | { readonly kind: 'timer'; readonly token: string; readonly at: number }
  /**
   * A service call the executor makes after the commit (an SQS/SNS/EventBridge integration, an
   * ItemReader): its answer comes back as a `result` event for `token`.
   */
  | { readonly kind: 'call'; readonly token: string; readonly integration: string; readonly params: Json };

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly ts: number;
  readonly type: string;
  /** `{ <type>EventDetails: {...} }` as GetExecutionHistory shows it (or `{}`). */
  readonly details: Record<string, Json>;
}

export function newRuntime(): Runtime {
  return { v: 1, started: false, frames: {}, nextFrame: 1, nextToken: 1, events: 0 };
}
