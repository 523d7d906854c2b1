/**
 * @module workflows/asl/payload
 * JSONPath payload templates: Parameters, ResultSelector, ItemSelector and Assign. The template is
 * copied recursively (through objects and arrays); a key ending in `.$` takes its value from a path
 * (`$.x`, `$$.x`, `$var`) or an intrinsic function (`States.…(…)`), and loses the `.$` in the output.
 */
import { evaluateIntrinsic, type IntrinsicEnv, isIntrinsic } from './intrinsics.ts';
import { evaluatePath, isJsonObject } from './jsonpath.ts';
import { type ContextObject, type Json, type JsonObject, StatesError, type Variables } from './types.ts';

/** Options for payload evaluation: injected randomness for intrinsics. */
export type PayloadEnv = Omit<IntrinsicEnv, 'field'>;

/**
 * The value of a `.$` field: an intrinsic function call or a path. `field` names the key (e.g.
 * `greeting.$`) in error messages. Anything else is `States.Runtime`.
 */
export function evaluateDynamic(
  expr: unknown,
  data: Json,
  ctx: ContextObject,
  vars: Variables,
  field: string,
  env: PayloadEnv = {},
): Json {
  if (typeof expr !== 'string')
    throw new StatesError(
      'States.Runtime',
      `The value of the field '${field}' must be a path or an intrinsic function (a string), got ${JSON.stringify(expr)}`,
    );
  if (isIntrinsic(expr)) return evaluateIntrinsic(expr, data, ctx, vars, { ...env, field });
  if (expr.startsWith('$')) return evaluatePath(expr, data, ctx, vars, field);
  throw new StatesError(
    'States.Runtime',
    `The value of the field '${field}' must be a path ('$…', '$$…', '$name…') or an intrinsic function ('States.…'), got '${expr}'`,
  );
}

/**
 * A payload template evaluated with `$` = `data`, `$$` = `ctx` and variables `vars`. The result is a
 * fresh value (the template's literal parts are copied, never shared).
 */
export function evaluatePayload(
  template: Json,
  data: Json,
  ctx: ContextObject,
  vars: Variables,
  env: PayloadEnv = {},
): Json {
  if (Array.isArray(template)) return template.map((item) => evaluatePayload(item, data, ctx, vars, env));
  if (!isJsonObject(template)) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    const dynamic = key.length > 2 && key.endsWith('.$');
    const v = dynamic
      ? evaluateDynamic(value, data, ctx, vars, key, env)
      : evaluatePayload(value, data, ctx, vars, env);
    // defineProperty: a key such as `__proto__` stays an own property.
    Object.defineProperty(out, dynamic ? key.slice(0, -2) : key, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** An Assign block evaluated as a payload template: the variables it sets, by name. */
export function evaluateAssign(
  assign: JsonObject,
  data: Json,
  ctx: ContextObject,
  vars: Variables,
  env: PayloadEnv = {},
): Record<string, Json> {
  const out = evaluatePayload(assign, data, ctx, vars, env);
  // An object template always evaluates to an object.
  return out as Record<string, Json>;
}
