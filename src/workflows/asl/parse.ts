/**
 * @module workflows/asl/parse
 * A state machine definition from its text: JSON (what AWS stores), or YAML (what people write
 * next to serverless.yml) when the text is not JSON. A syntax error, an oversized text or a value
 * JSON cannot hold is a coded error (`NIMBUS_ERR_ASL_*`). The result is plain JSON data, not yet
 * validated: hand it to validateDefinition (validate.ts).
 */
import { parseAllDocuments, parseDocument } from 'yaml';
import { defineErrors } from '../../core/errors.ts';
import type { Json, JsonObject } from './types.ts';

export const DefinitionErrors = defineErrors('ASL', {
  SYNTAX: {
    status: 400,
    kind: 'user',
    message: 'the state machine definition is not valid {format}: {reason}',
    hint: 'a definition is a JSON object (or YAML) with StartAt and States, as in the Amazon States Language',
  },
  TOO_LARGE: {
    status: 400,
    kind: 'user',
    message: 'the state machine definition text is {size} bytes; the limit is {limit} bytes',
    hint: 'Step Functions caps definitions at 1 MiB: split the workflow or move data out of it',
  },
  NOT_JSON: {
    status: 400,
    kind: 'user',
    message: 'the state machine definition holds a value JSON cannot represent at {path}: {reason}',
  },
});

export const DEFINITION_LIMITS = {
  /** Serialized JSON bytes, as Step Functions counts them. */
  maxBytes: 1024 * 1024,
  maxStateNameLength: 80,
  /** States in total, nested ones included. */
  maxStates: 10_000,
  /** Parallel/Map inside Parallel/Map … */
  maxNesting: 32,
  /** Any JSON nesting (templates too): bounds every recursive walk that runs after the guards. */
  maxJsonDepth: 256,
  maxJsonValues: 1_000_000,
} as const;

/**
 * Why a value is too big or too deep to be a definition (validate.ts asks first, so that nothing
 * recursive ever meets a hostile shape), or undefined. Iterative; the size is measured last.
 */
export function definitionShapeProblem(def: unknown): string | undefined {
  const { maxJsonValues, maxJsonDepth, maxBytes } = DEFINITION_LIMITS;
  const stack: [unknown, number][] = [[def, 1]];
  for (let values = 1; stack.length > 0; values++) {
    const [v, depth] = stack.pop()!;
    if (values > maxJsonValues) return `the definition holds more than ${maxJsonValues} JSON values`;
    if (depth > maxJsonDepth) return `the definition is nested deeper than ${maxJsonDepth} levels`;
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else if (typeof v === 'object' && v !== null)
      for (const x of Object.values(v)) stack.push([x, depth + 1]);
  }
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(def) ?? '', 'utf8');
  } catch (e) {
    return `the definition is not JSON data: ${e instanceof Error ? e.message : String(e)}`;
  }
  return bytes > maxBytes
    ? `the definition is ${bytes} bytes serialized; the limit is ${maxBytes}`
    : undefined;
}

/** Text beyond this is refused before parsing (the definition itself may be 1 MiB as JSON). */
export const MAX_DEFINITION_TEXT_BYTES = 2 * 1024 * 1024;
/** Nesting beyond this is refused while normalising (validate.ts refuses far less). */
const MAX_VALUE_DEPTH = 1_000;

/** Parses a definition text: JSON when it reads as JSON, else YAML (one document). */
export function parseDefinition(text: string): unknown {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_DEFINITION_TEXT_BYTES)
    throw DefinitionErrors.TOO_LARGE({ size, limit: MAX_DEFINITION_TEXT_BYTES });
  const body = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(body)?.[0];
  if (first === undefined)
    throw DefinitionErrors.SYNTAX({ format: 'JSON or YAML', reason: 'the text is empty' });
  if (first === '{' || first === '[') {
    try {
      return definitionFromValue(JSON.parse(body));
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      // `{a: 1}` is YAML flow style, not JSON: let YAML try before reporting the JSON error.
      if (!looksLikeYamlFlow(body))
        throw DefinitionErrors.SYNTAX({ format: 'JSON', reason: e.message }, { cause: e });
    }
  }
  try {
    return definitionFromValue(parseYaml(body));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // the parser's own recursion, on hostile nesting
    throw DefinitionErrors.SYNTAX({ format: 'YAML', reason: 'nested too deeply' }, { cause: e });
  }
}

function looksLikeYamlFlow(body: string): boolean {
  const doc = parseDocument(body, { logLevel: 'silent' });
  return doc.errors.length === 0;
}

function parseYaml(body: string): unknown {
  const options = { uniqueKeys: true, logLevel: 'silent', prettyErrors: true, schema: 'core' } as const;
  const docs = parseAllDocuments(body, options);
  const [doc, extra] = Array.isArray(docs) ? docs : [];
  if (!doc) throw DefinitionErrors.SYNTAX({ format: 'YAML', reason: 'the text holds no document' });
  if (extra)
    throw DefinitionErrors.SYNTAX({ format: 'YAML', reason: 'the text holds more than one document' });
  const err = doc.errors[0];
  if (err)
    throw DefinitionErrors.SYNTAX({ format: 'YAML', reason: err.message.split('\n')[0] }, { cause: err });
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw DefinitionErrors.SYNTAX(
      { format: 'YAML', reason: e instanceof Error ? e.message : String(e) },
      { cause: e },
    );
  }
}

/**
 * A parsed value as plain JSON: YAML's Map/Set (custom tags) become objects/arrays, keys become
 * strings, `__proto__` stays an ordinary key; NaN/Infinity (YAML `.nan`, `.inf`), bigints,
 * functions, dates and undefined are refused with their path.
 */
export function definitionFromValue(v: unknown): Json {
  return toJson(v, '$', 0);
}

function toJson(v: unknown, path: string, depth: number): Json {
  if (depth > MAX_VALUE_DEPTH)
    throw DefinitionErrors.NOT_JSON({ path, reason: `nested deeper than ${MAX_VALUE_DEPTH}` });
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw DefinitionErrors.NOT_JSON({ path, reason: `${v} is not a JSON number` });
    return v;
  }
  if (Array.isArray(v) || v instanceof Set) {
    return Array.from(v as Iterable<unknown>, (item, i) => toJson(item, `${path}[${i}]`, depth + 1));
  }
  if (v instanceof Map) {
    const out: JsonObject = {};
    for (const [k, item] of v) setKey(out, String(k), toJson(item, `${path}.${String(k)}`, depth + 1));
    return out;
  }
  if (typeof v === 'object' && !(v instanceof Date) && !ArrayBuffer.isView(v)) {
    const out: JsonObject = {};
    for (const [k, item] of Object.entries(v)) setKey(out, k, toJson(item, `${path}.${k}`, depth + 1));
    return out;
  }
  const what = v instanceof Date ? 'a date (quote it to keep it a string)' : `a ${typeof v}`;
  throw DefinitionErrors.NOT_JSON({ path, reason: `${what} is not JSON` });
}

function setKey(o: JsonObject, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
