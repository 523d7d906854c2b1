/**
 * @module workflows/asl/jsonpath-io
 * The JSONPath query language's StateIO: InputPath → Parameters → [work] → ResultSelector →
 * ResultPath → OutputPath, Assign as a payload template, Choice comparison rules, Wait/Fail/Map
 * fields read from the input by path. Paths and templates come from jsonpath.ts, payload.ts,
 * intrinsics.ts and choice.ts; this module only wires ASL's rules for which value each one sees:
 * - InputPath / OutputPath: default `$`, `null` gives `{}`;
 * - ResultPath: default `$` (the result replaces the input), `null` discards the result, a
 *   reference path sets it into the raw input (not the InputPath-filtered one);
 * - Assign: `$` is the result after ResultSelector (Task, Map, Parallel), the error output
 *   (Catch), else the effective input; variables are those in scope before the state;
 * - paths inside a state (ItemsPath, SecondsPath, TimeoutSecondsPath, …) read the input after
 *   InputPath; Fail's ErrorPath/CausePath read the raw input (Fail has no InputPath).
 */
import { firstMatchingRule, parseTimestamp } from './choice.ts';
import type { StateIO, StateOutput } from './io.ts';
import { evaluatePath, setAtPath, showJson } from './jsonpath.ts';
import { evaluateAssign, evaluateDynamic, evaluatePayload, type PayloadEnv } from './payload.ts';
import {
  type ContextObject,
  type Json,
  type JsonObject,
  type State,
  StatesError,
  type Variables,
} from './types.ts';

export type JsonPathIOEnv = PayloadEnv;

type NumberFieldName =
  | 'TimeoutSeconds'
  | 'HeartbeatSeconds'
  | 'MaxConcurrency'
  | 'ToleratedFailurePercentage'
  | 'ToleratedFailureCount';

const runtime = (message: string) => new StatesError('States.Runtime', message);

/** What a `…Path` number field must hold, by field. */
const NUMBER_RULES: Record<NumberFieldName, { readonly ok: (n: number) => boolean; readonly want: string }> =
  {
    TimeoutSeconds: { ok: (n) => Number.isSafeInteger(n) && n > 0, want: 'a positive integer' },
    HeartbeatSeconds: { ok: (n) => Number.isSafeInteger(n) && n > 0, want: 'a positive integer' },
    MaxConcurrency: { ok: (n) => Number.isSafeInteger(n) && n >= 0, want: 'a non-negative integer' },
    ToleratedFailureCount: { ok: (n) => Number.isSafeInteger(n) && n >= 0, want: 'a non-negative integer' },
    ToleratedFailurePercentage: { ok: (n) => n >= 0 && n <= 100, want: 'a number from 0 to 100' },
  };

/** A state's fields read by name (the StateIO methods take the union `State`). */
const fieldOf = (state: State, name: string): unknown => (state as unknown as Record<string, unknown>)[name];

/** InputPath: default `$`, `null` gives `{}`. */
function applyInputPath(state: State, raw: Json, ctx: ContextObject, vars: Variables): Json {
  const path = state.InputPath;
  if (path === undefined) return raw;
  if (path === null) return {};
  return evaluatePath(path, raw, ctx, vars, 'InputPath');
}

/** OutputPath: default `$`, `null` gives `{}`. */
function applyOutputPath(state: State, value: Json, ctx: ContextObject, vars: Variables): Json {
  const path = state.OutputPath;
  if (path === undefined) return value;
  if (path === null) return {};
  return evaluatePath(path, value, ctx, vars, 'OutputPath');
}

/** ResultPath: default `$` (the result), `null` (the raw input), else the result set into the raw input. */
function applyResultPath(path: string | null | undefined, raw: Json, result: Json): Json {
  if (path === undefined) return result;
  if (path === null) return raw;
  return setAtPath(raw, path, result);
}

/** Creates the JSONPath StateIO; `env` injects randomness into intrinsic functions (tests). */
export function createJsonPathIO(env: JsonPathIOEnv = {}): StateIO {
  const assignOf = (
    assign: JsonObject | undefined,
    data: Json,
    ctx: ContextObject,
    vars: Variables,
  ): Record<string, Json> | undefined =>
    assign === undefined ? undefined : evaluateAssign(assign, data, ctx, vars, env);

  /** A string from Error/ErrorPath or Cause/CausePath (the path form may be an intrinsic). */
  const failField = (
    literal: string | undefined,
    path: string | undefined,
    name: 'Error' | 'Cause',
    raw: Json,
    ctx: ContextObject,
    vars: Variables,
  ): string | undefined => {
    if (literal !== undefined) return literal;
    if (path === undefined) return undefined;
    const v = evaluateDynamic(path, raw, ctx, vars, `${name}Path`, env);
    if (typeof v !== 'string')
      throw runtime(`The ${name}Path '${path}' must give a string, got ${showJson(v)}`);
    return v;
  };

  return {
    async effectiveInput(state, raw, ctx, vars) {
      const input = applyInputPath(state, raw, ctx, vars);
      return state.Parameters === undefined
        ? input
        : evaluatePayload(state.Parameters, input, ctx, vars, env);
    },

    async resultOutput(state, raw, result, ctx, vars) {
      const selected =
        state.ResultSelector === undefined
          ? result
          : evaluatePayload(state.ResultSelector, result, ctx, vars, env);
      const assign = assignOf(state.Assign, selected, ctx, vars);
      const combined = applyResultPath(state.ResultPath, raw, selected);
      return { output: applyOutputPath(state, combined, ctx, vars), assign };
    },

    async passOutput(state, raw, ctx, vars) {
      const input = applyInputPath(state, raw, ctx, vars);
      const effective =
        state.Parameters === undefined ? input : evaluatePayload(state.Parameters, input, ctx, vars, env);
      const result = state.Result === undefined ? effective : state.Result;
      const assign = assignOf(state.Assign, effective, ctx, vars);
      const combined = applyResultPath(state.ResultPath, raw, result);
      return { output: applyOutputPath(state, combined, ctx, vars), assign };
    },

    async plainOutput(state, raw, ctx, vars) {
      const input = applyInputPath(state, raw, ctx, vars);
      const assign = assignOf(state.Assign, input, ctx, vars);
      return { output: applyOutputPath(state, input, ctx, vars), assign };
    },

    async choose(state, raw, ctx, vars) {
      const input = applyInputPath(state, raw, ctx, vars);
      const rule = firstMatchingRule(state.Choices, input, ctx, vars);
      const stateAssign = assignOf(state.Assign, input, ctx, vars);
      const ruleAssign = assignOf(rule?.Assign, input, ctx, vars);
      const assign = ruleAssign === undefined ? stateAssign : { ...stateAssign, ...ruleAssign };
      const output = applyOutputPath(state, input, ctx, vars);
      const next = rule ? rule.Next : state.Default;
      const out: StateOutput & { readonly next: string | undefined } = { output, assign, next };
      return out;
    },

    async waitUntil(state, raw, ctx, vars, now) {
      if (state.Seconds !== undefined) {
        if (typeof state.Seconds !== 'number' || !(state.Seconds >= 0))
          throw runtime(`Wait Seconds must be a non-negative number, got ${showJson(state.Seconds)}`);
        return now + state.Seconds * 1000;
      }
      if (state.Timestamp !== undefined) {
        const t = typeof state.Timestamp === 'string' ? parseTimestamp(state.Timestamp) : undefined;
        if (!t)
          throw runtime(`Wait Timestamp must be an RFC 3339 timestamp, got ${showJson(state.Timestamp)}`);
        return t.ms;
      }
      const input = applyInputPath(state, raw, ctx, vars);
      if (state.SecondsPath !== undefined) {
        const v = evaluatePath(state.SecondsPath, input, ctx, vars, 'SecondsPath');
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
          throw runtime(
            `The SecondsPath '${state.SecondsPath}' must give a non-negative integer, got ${showJson(v)}`,
          );
        return now + v * 1000;
      }
      if (state.TimestampPath !== undefined) {
        const v = evaluatePath(state.TimestampPath, input, ctx, vars, 'TimestampPath');
        const t = typeof v === 'string' ? parseTimestamp(v) : undefined;
        if (!t)
          throw runtime(
            `The TimestampPath '${state.TimestampPath}' must give an RFC 3339 timestamp, got ${showJson(v)}`,
          );
        return t.ms;
      }
      throw runtime('A Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath');
    },

    async failure(state, raw, ctx, vars) {
      const error = failField(state.Error, state.ErrorPath, 'Error', raw, ctx, vars);
      const cause = failField(state.Cause, state.CausePath, 'Cause', raw, ctx, vars);
      const out: { error?: string; cause?: string } = {};
      if (error !== undefined) out.error = error;
      if (cause !== undefined) out.cause = cause;
      return out;
    },

    async mapItems(state, raw, ctx, vars) {
      const input = applyInputPath(state, raw, ctx, vars);
      const path = state.ItemsPath ?? '$';
      const items = evaluatePath(path, input, ctx, vars, 'ItemsPath');
      if (!Array.isArray(items))
        throw runtime(`The ItemsPath '${path}' must select an array, got ${showJson(items)}`);
      return items;
    },

    async mapItemInput(state, raw, ctx, vars) {
      const selector = state.ItemSelector ?? state.Parameters;
      if (selector !== undefined)
        return evaluatePayload(selector, applyInputPath(state, raw, ctx, vars), ctx, vars, env);
      if (!ctx.Map) throw runtime('mapItemInput called outside a Map iteration (no $$.Map.Item)');
      return ctx.Map.Item.Value;
    },

    async numberField(state, field, raw, ctx, vars) {
      const literal = fieldOf(state, field);
      if (literal !== undefined) {
        if (typeof literal !== 'number' || !Number.isFinite(literal))
          throw runtime(`${field} must be a number, got ${showJson(literal)}`);
        return literal;
      }
      const path = fieldOf(state, `${field}Path`);
      if (path === undefined) return undefined;
      if (typeof path !== 'string') throw runtime(`${field}Path must be a path, got ${showJson(path)}`);
      const v = evaluatePath(path, applyInputPath(state, raw, ctx, vars), ctx, vars, `${field}Path`);
      const rule = NUMBER_RULES[field];
      if (typeof v !== 'number' || !rule.ok(v))
        throw runtime(`The ${field}Path '${path}' must give ${rule.want}, got ${showJson(v)}`);
      return v;
    },

    async catchOutput(catcher, raw, error, ctx, vars) {
      const assign = assignOf(catcher.Assign, error, ctx, vars);
      return { output: applyResultPath(catcher.ResultPath, raw, error), assign };
    },
  };
}

/** The JSONPath StateIO with real randomness. */
export const jsonPathIO: StateIO = createJsonPathIO();
