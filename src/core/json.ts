/**
 * Bounds on JSON documents the platform parses and keeps (configs, event patterns, schedule inputs,
 * events). V8's JSON.parse takes any depth, but JSON.stringify, structuredClone and every
 * recursive walk over the value overflow the stack a few thousand levels down: a 100k-deep body
 * would parse, then fail as a 500 wherever it is next serialized.
 */

/** The deepest nesting of arrays and objects accepted in such a document. */
export const MAX_JSON_DEPTH = 256;

/**
 * A function's answer parsed for a JSON view (REST invoke, invocation status, destinations), or —
 * when it nests too deep to be serialized again — a note saying so (the Lambda Invoke API and the
 * gateway return the raw bytes). Text that is not JSON is returned as it is.
 */
export function parseForView(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  if (jsonTooDeep(text)) {
    return { unreadable: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels (${text.length} bytes)` };
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when `text` nests arrays/objects deeper than `limit`. Scans brackets outside strings in
 * one pass without parsing (UTF-8 safe: these ASCII bytes never occur inside multi-byte sequences);
 * invalid JSON is left for the parser to reject.
 */
export function jsonTooDeep(text: Uint8Array | string, limit = MAX_JSON_DEPTH): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}
