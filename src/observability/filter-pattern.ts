/**
 * CloudWatch Logs filter patterns (FilterLogEvents `filterPattern`, metric and subscription
 * filters): a parser into a small tree and a matcher over one log event's message. Pure: no I/O,
 * no clock, no regular expression built from the pattern — wildcards are matched by splitting on
 * `*` and searching the pieces in order, so a hostile pattern cannot backtrack.
 *
 * Three forms, as CloudWatch has them:
 * - **terms**: `ERROR`, `ERROR Exception` (all), `"exact phrase"`, `?ERROR ?WARN` (any of the `?`
 *   terms), `-DEBUG` / `-"health check"` (none). Terms are case-sensitive substrings. A pattern
 *   with required terms and `?` terms needs all the required ones and at least one `?` one.
 * - **JSON**: `{ $.level = "error" && ($.latency > 100 || $.user.id = 42) }`, with `=`, `!=`,
 *   `<`, `<=`, `>`, `>=`, string wildcards (`"err*"`, `123.123.*`), `IS NULL`, `IS TRUE`,
 *   `IS FALSE`, `NOT EXISTS`, `EXISTS`, array indexes (`$.a[0].b`). The event is JSON if its
 *   message is, or if it ends with a JSON object after a text prefix (Lambda's
 *   `<time>\t<request id>\tINFO\t{...}` lines).
 * - **space-delimited**: `[ip, user, ..., status = 5*, bytes > 1000]`: the message is split on
 *   spaces (a `"quoted"` or `[bracketed]` run is one field, without its quotes or brackets);
 *   `...` stands for any number of fields; without one the field counts must agree. A field's
 *   conditions may be joined with `&&` and `||` (`status = 4* || status = 5*`).
 *
 * Not supported (a coded NIMBUS_ERR_FILTER_PATTERN_UNSUPPORTED): `%regex%` terms and
 * `=%regex%` values, `[*]` and `.*` selectors, the `$.` key quoting syntax (`$.['a b']`).
 */
import { defineErrors } from '../core/errors.ts';

/** CloudWatch's own limit on a filter pattern. */
export const MAX_PATTERN_LENGTH = 1024;
/** Nesting of parentheses in a JSON pattern: far beyond any real pattern, far below the stack. */
const MAX_DEPTH = 32;
/** Fields of a space-delimited pattern (bounds the field × token matching work per event). */
const MAX_FIELDS = 100;

export const FilterPatternErrors = defineErrors('FILTER_PATTERN', {
  INVALID: {
    status: 400,
    kind: 'user',
    message: 'invalid filter pattern: {reason}',
    hint: 'see the CloudWatch Logs filter pattern syntax (docs/API.md, "CloudWatch Logs")',
  },
  TOO_LONG: {
    status: 400,
    kind: 'user',
    message: 'the filter pattern is {length} characters long; the limit is {max}',
  },
  UNSUPPORTED: {
    status: 400,
    kind: 'user',
    message: 'unsupported filter pattern: {what} is not supported by Nimbus',
    hint: 'use terms, JSON ({ $.field = value }) or space-delimited ([a, b, ...]) patterns',
  },
});

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
type Value =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly n: number };
type PathStep = string | number;

export type JsonExpr =
  | { readonly type: 'and' | 'or'; readonly left: JsonExpr; readonly right: JsonExpr }
  | { readonly type: 'cmp'; readonly path: readonly PathStep[]; readonly op: Op; readonly value: Value }
  | {
      readonly type: 'is';
      readonly path: readonly PathStep[];
      readonly what: 'null' | 'true' | 'false' | 'exists' | 'not-exists';
    };

/** One condition of a space-delimited field (the field's own name is implied). */
type FieldExpr =
  | { readonly type: 'and' | 'or'; readonly left: FieldExpr; readonly right: FieldExpr }
  | { readonly type: 'cmp'; readonly op: Op; readonly value: Value };

type Field =
  | { readonly type: 'ellipsis' }
  | { readonly type: 'field'; readonly name: string; readonly cond?: FieldExpr };

export type FilterPattern =
  | { readonly type: 'all' }
  | {
      readonly type: 'terms';
      readonly required: readonly string[];
      readonly optional: readonly string[];
      readonly excluded: readonly string[];
    }
  | { readonly type: 'json'; readonly expr: JsonExpr }
  | { readonly type: 'delimited'; readonly fields: readonly Field[] };

const invalid = (reason: string) => FilterPatternErrors.INVALID({ reason });
/** A piece of the pattern, quoted for an error message (never the whole of a long pattern). */
const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

// ---------------------------------------------------------------------------------- parsing

/** Parses a filter pattern; throws a coded FILTER_PATTERN error for anything it cannot take. */
export function parseFilterPattern(pattern: string): FilterPattern {
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw FilterPatternErrors.TOO_LONG({ length: pattern.length, max: MAX_PATTERN_LENGTH });
  const p = pattern.trim();
  if (p === '') return { type: 'all' };
  if (p.startsWith('{')) {
    if (!p.endsWith('}')) throw invalid('a JSON pattern must end with "}"');
    return { type: 'json', expr: new JsonParser(lexJson(p.slice(1, -1))).parse() };
  }
  if (p.startsWith('[')) {
    if (!p.endsWith(']')) throw invalid('a space-delimited pattern must end with "]"');
    return { type: 'delimited', fields: parseFields(p.slice(1, -1)) };
  }
  return parseTerms(p);
}

/** Reads a `"..."` string starting at `s[i]` (the quote); `\"` and `\\` escape. */
function readQuoted(s: string, i: number): { text: string; end: number } {
  let text = '';
  let j = i + 1;
  for (; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\' && j + 1 < s.length) {
      text += s[++j];
      continue;
    }
    if (c === '"') return { text, end: j + 1 };
    text += c;
  }
  throw invalid(`unterminated quoted string starting at character ${i + 1}`);
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

function parseTerms(p: string): FilterPattern {
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  let i = 0;
  while (i < p.length) {
    if (isSpace(p[i])) {
      i++;
      continue;
    }
    const at = i;
    let list = required;
    if (p[i] === '?') {
      list = optional;
      i++;
    } else if (p[i] === '-' && i + 1 < p.length && !isSpace(p[i + 1])) {
      list = excluded;
      i++;
    }
    let term: string;
    if (p[i] === '"') {
      const q = readQuoted(p, i);
      term = q.text;
      i = q.end;
      if (i < p.length && !isSpace(p[i]))
        throw invalid(`expected a space after the quoted term at character ${at + 1}`);
    } else {
      const start = i;
      while (i < p.length && !isSpace(p[i])) {
        if (p[i] === '"') throw invalid(`a quote inside the term at character ${start + 1}`);
        i++;
      }
      term = p.slice(start, i);
      if (term.length > 1 && term.startsWith('%') && term.endsWith('%'))
        throw FilterPatternErrors.UNSUPPORTED({ what: 'a regular expression term (%...%)' });
    }
    if (term === '') throw invalid(`an empty term at character ${at + 1}`);
    list.push(term);
  }
  return { type: 'terms', required, optional, excluded };
}

type JsonToken =
  | { readonly t: '(' | ')' | '&&' | '||'; readonly at: number }
  | { readonly t: 'op'; readonly op: Op; readonly at: number }
  | { readonly t: 'sel'; readonly path: readonly PathStep[]; readonly at: number }
  | { readonly t: 'str'; readonly text: string; readonly at: number }
  | { readonly t: 'word'; readonly text: string; readonly at: number };

const WORD_STOP = new Set(['(', ')', '=', '!', '<', '>', '&', '|', '"']);

/** Tokens of a JSON pattern's body (between the braces). */
function lexJson(s: string): JsonToken[] {
  const out: JsonToken[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const at = i + 2; // 1-based, counting the opening brace
    if (isSpace(c)) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (c === '(' || c === ')') {
      out.push({ t: c, at });
      i++;
    } else if (two === '&&' || two === '||') {
      out.push({ t: two, at });
      i += 2;
    } else if (two === '!=' || two === '<=' || two === '>=') {
      out.push({ t: 'op', op: two, at });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      out.push({ t: 'op', op: c, at });
      i++;
    } else if (c === '"') {
      const q = readQuoted(s, i);
      out.push({ t: 'str', text: q.text, at });
      i = q.end;
    } else if (c === '$') {
      const start = i;
      while (i < s.length && !isSpace(s[i]) && !WORD_STOP.has(s[i]!)) i++;
      out.push({ t: 'sel', path: parseSelector(s.slice(start, i)), at });
    } else {
      const start = i;
      while (i < s.length && !isSpace(s[i]) && !WORD_STOP.has(s[i]!)) i++;
      if (i === start) throw invalid(`unexpected ${quote(c)} at character ${at}`);
      out.push({ t: 'word', text: s.slice(start, i), at });
    }
  }
  return out;
}

/** `$.a.b[0].c` → ['a', 'b', 0, 'c']. */
function parseSelector(sel: string): PathStep[] {
  const path: PathStep[] = [];
  let i = 1;
  if (sel.length === 1) throw invalid('a selector needs a field: $.name');
  while (i < sel.length) {
    const c = sel[i];
    if (c === '.') {
      const start = ++i;
      while (i < sel.length && sel[i] !== '.' && sel[i] !== '[') i++;
      const key = sel.slice(start, i);
      if (key === '*') throw FilterPatternErrors.UNSUPPORTED({ what: 'the $.* wildcard selector' });
      if (!/^[A-Za-z0-9_@:-]+$/.test(key))
        throw invalid(`bad field name ${quote(key)} in selector ${quote(sel)}`);
      path.push(key);
    } else if (c === '[') {
      const close = sel.indexOf(']', i);
      if (close < 0) throw invalid(`unclosed "[" in selector ${quote(sel)}`);
      const idx = sel.slice(i + 1, close);
      if (idx === '*') throw FilterPatternErrors.UNSUPPORTED({ what: 'the [*] array wildcard' });
      if (!/^\d{1,6}$/.test(idx)) throw invalid(`bad array index ${quote(idx)} in selector ${quote(sel)}`);
      path.push(Number(idx));
      i = close + 1;
    } else {
      throw invalid(`a selector goes on with "." or "[": ${quote(sel)}`);
    }
  }
  return path;
}

/** A value token: a quoted string, a number, or a bare word (a string, wildcards allowed). */
function readValue(tok: JsonToken | undefined, op: Op): Value {
  if (!tok || (tok.t !== 'str' && tok.t !== 'word'))
    throw invalid(`expected a value after ${op}${tok ? ` at character ${tok.at}` : ' (end of pattern)'}`);
  if (tok.t === 'word' && tok.text.length > 1 && tok.text.startsWith('%') && tok.text.endsWith('%'))
    throw FilterPatternErrors.UNSUPPORTED({ what: 'a regular expression value (%...%)' });
  const n =
    tok.t === 'word' && /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(tok.text) ? Number(tok.text) : NaN;
  if (!Number.isNaN(n)) return { kind: 'number', n };
  if (op !== '=' && op !== '!=')
    throw invalid(`${op} compares numbers; got ${quote(tok.t === 'str' ? `"${tok.text}"` : tok.text)}`);
  return { kind: 'string', text: tok.text };
}

class JsonParser {
  #i = 0;
  #depth = 0;
  readonly #toks: readonly JsonToken[];
  constructor(toks: readonly JsonToken[]) {
    this.#toks = toks;
  }

  parse(): JsonExpr {
    if (this.#toks.length === 0) throw invalid('an empty JSON pattern: write { $.field = value }');
    const e = this.#or();
    const rest = this.#toks[this.#i];
    if (rest) throw invalid(`unexpected ${describe(rest)} at character ${rest.at}`);
    return e;
  }

  #or(): JsonExpr {
    let left = this.#and();
    while (this.#toks[this.#i]?.t === '||') {
      this.#i++;
      left = { type: 'or', left, right: this.#and() };
    }
    return left;
  }

  #and(): JsonExpr {
    let left = this.#unary();
    while (this.#toks[this.#i]?.t === '&&') {
      this.#i++;
      left = { type: 'and', left, right: this.#unary() };
    }
    return left;
  }

  #unary(): JsonExpr {
    const tok = this.#toks[this.#i++];
    if (!tok) throw invalid('the pattern ends where a condition was expected');
    if (tok.t === '(') {
      if (++this.#depth > MAX_DEPTH) throw invalid(`parentheses nested deeper than ${MAX_DEPTH}`);
      const e = this.#or();
      const close = this.#toks[this.#i++];
      if (close?.t !== ')') throw invalid(`missing ")" for the "(" at character ${tok.at}`);
      this.#depth--;
      return e;
    }
    if (tok.t !== 'sel')
      throw invalid(`expected a selector ($.field) at character ${tok.at}, got ${describe(tok)}`);
    const next = this.#toks[this.#i++];
    if (next?.t === 'op')
      return { type: 'cmp', path: tok.path, op: next.op, value: readValue(this.#toks[this.#i++], next.op) };
    if (next?.t === 'word') {
      const kw = next.text.toUpperCase();
      if (kw === 'EXISTS') return { type: 'is', path: tok.path, what: 'exists' };
      const arg = this.#toks[this.#i++];
      const a = arg?.t === 'word' ? arg.text.toUpperCase() : '';
      if (kw === 'IS' && (a === 'NULL' || a === 'TRUE' || a === 'FALSE'))
        return { type: 'is', path: tok.path, what: a === 'NULL' ? 'null' : a === 'TRUE' ? 'true' : 'false' };
      if (kw === 'NOT' && a === 'EXISTS') return { type: 'is', path: tok.path, what: 'not-exists' };
    }
    throw invalid(
      `expected an operator (=, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) after the selector at character ${tok.at}`,
    );
  }
}

function describe(t: JsonToken): string {
  switch (t.t) {
    case 'op':
      return quote(t.op);
    case 'sel':
      return 'a selector';
    case 'str':
      return `the string ${quote(t.text)}`;
    case 'word':
      return quote(t.text);
    default:
      return quote(t.t);
  }
}

/** Splits on top-level commas (not inside quotes). */
function splitFields(body: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') {
      const q = readQuoted(body, i);
      cur += body.slice(i, q.end);
      i = q.end - 1;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function parseFields(body: string): Field[] {
  if (body.trim() === '') throw invalid('an empty space-delimited pattern: write [field, ...]');
  const raw = splitFields(body);
  if (raw.length > MAX_FIELDS) throw invalid(`more than ${MAX_FIELDS} fields`);
  return raw.map((f, n) => {
    const s = f.trim();
    if (s === '') throw invalid(`field ${n + 1} is empty`);
    if (s === '...') return { type: 'ellipsis' };
    const toks = lexJson(s);
    const first = toks[0];
    if (first?.t !== 'word' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(first.text))
      throw invalid(`field ${n + 1} must start with a name (letters, digits, _): ${quote(s)}`);
    if (toks.length === 1) return { type: 'field', name: first.text };
    return { type: 'field', name: first.text, cond: new FieldParser(toks, first.text, n + 1).parse() };
  });
}

/** Conditions on one space-delimited field: `name op value` joined by && / || (and parentheses). */
class FieldParser {
  #i = 0;
  #depth = 0;
  readonly #toks: readonly JsonToken[];
  readonly #name: string;
  readonly #n: number;
  constructor(toks: readonly JsonToken[], name: string, n: number) {
    this.#toks = toks;
    this.#name = name;
    this.#n = n;
  }
  parse(): FieldExpr {
    const e = this.#or();
    if (this.#i < this.#toks.length) throw invalid(`unexpected input in field ${this.#n}`);
    return e;
  }
  #or(): FieldExpr {
    let left = this.#and();
    while (this.#toks[this.#i]?.t === '||') {
      this.#i++;
      left = { type: 'or', left, right: this.#and() };
    }
    return left;
  }
  #and(): FieldExpr {
    let left = this.#cmp();
    while (this.#toks[this.#i]?.t === '&&') {
      this.#i++;
      left = { type: 'and', left, right: this.#cmp() };
    }
    return left;
  }
  #cmp(): FieldExpr {
    const tok = this.#toks[this.#i++];
    if (tok?.t === '(') {
      if (++this.#depth > MAX_DEPTH) throw invalid(`parentheses nested deeper than ${MAX_DEPTH}`);
      const e = this.#or();
      if (this.#toks[this.#i++]?.t !== ')') throw invalid(`missing ")" in field ${this.#n}`);
      this.#depth--;
      return e;
    }
    if (tok?.t !== 'word' || tok.text !== this.#name)
      throw invalid(`field ${this.#n}: each condition names the field (${this.#name} = value)`);
    const op = this.#toks[this.#i++];
    if (op?.t !== 'op') throw invalid(`field ${this.#n}: expected an operator after ${this.#name}`);
    return { type: 'cmp', op: op.op, value: readValue(this.#toks[this.#i++], op.op) };
  }
}

// --------------------------------------------------------------------------------- matching

/**
 * Does `s` match the glob `g` in full (`*` = any run of characters, nothing else special)?
 * Greedy leftmost search of the pieces between stars: linear in |s| per piece, no backtracking.
 */
export function globMatch(g: string, s: string): boolean {
  if (!g.includes('*')) return g === s;
  const parts = g.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (s.length < first.length + last.length) return false;
  if (!s.startsWith(first) || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (let k = 1; k < parts.length - 1; k++) {
    const piece = parts[k]!;
    if (piece === '') continue;
    const at = s.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

function compare(field: unknown, op: Op, v: Value): boolean {
  if (field === undefined) return false;
  if (v.kind === 'number') {
    if (typeof field !== 'number') return false;
    switch (op) {
      case '=':
        return field === v.n;
      case '!=':
        return field !== v.n;
      case '<':
        return field < v.n;
      case '<=':
        return field <= v.n;
      case '>':
        return field > v.n;
      case '>=':
        return field >= v.n;
    }
  }
  // Strings compare with strings; a number or boolean by its JSON text (`$.status = 5*`).
  const text =
    typeof field === 'string'
      ? field
      : typeof field === 'number' || typeof field === 'boolean'
        ? String(field)
        : undefined;
  if (text === undefined) return op === '!=' && field !== null;
  const eq = globMatch(v.text, text);
  return op === '=' ? eq : !eq;
}

/** A field's value in an event: a number if it reads as one, else the text. */
function delimitedValue(text: string, v: Value): unknown {
  if (v.kind === 'number') {
    const n = text.trim() === '' ? NaN : Number(text);
    return Number.isNaN(n) ? undefined : n;
  }
  return text;
}

function evalField(e: FieldExpr, text: string): boolean {
  switch (e.type) {
    case 'and':
      return evalField(e.left, text) && evalField(e.right, text);
    case 'or':
      return evalField(e.left, text) || evalField(e.right, text);
    case 'cmp':
      return compare(delimitedValue(text, e.value), e.op, e.value);
  }
}

function lookup(root: unknown, path: readonly PathStep[]): unknown {
  let cur = root;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[step];
    } else {
      if (Array.isArray(cur) || !Object.hasOwn(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

function evalJson(e: JsonExpr, doc: unknown): boolean {
  switch (e.type) {
    case 'and':
      return evalJson(e.left, doc) && evalJson(e.right, doc);
    case 'or':
      return evalJson(e.left, doc) || evalJson(e.right, doc);
    case 'cmp':
      return compare(lookup(doc, e.path), e.op, e.value);
    case 'is': {
      const v = lookup(doc, e.path);
      switch (e.what) {
        case 'null':
          return v === null;
        case 'true':
          return v === true;
        case 'false':
          return v === false;
        case 'exists':
          return v !== undefined;
        case 'not-exists':
          return v === undefined;
      }
    }
  }
}

/** The JSON object of an event: the whole message, or a trailing `{...}` after a text prefix. */
export function eventJson(message: string): unknown {
  const m = message.trimEnd();
  if (!m.endsWith('}')) return undefined;
  const start = m.startsWith('{') ? 0 : m.indexOf('{');
  if (start < 0) return undefined;
  try {
    const v: unknown = JSON.parse(m.slice(start));
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Splits an event on spaces; a `"quoted"` or `[bracketed]` run is one field (delimiters dropped). */
export function eventFields(message: string): string[] {
  const out: string[] = [];
  const s = message;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const close = c === '"' ? '"' : c === '[' ? ']' : undefined;
    if (close) {
      const end = s.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(s.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const start = i;
    while (i < s.length && s[i] !== ' ' && s[i] !== '\t' && s[i] !== '\n' && s[i] !== '\r') i++;
    out.push(s.slice(start, i));
  }
  return out;
}

/** Fields against tokens, `...` matching any run: one boolean row per field (no backtracking). */
function matchDelimited(fields: readonly Field[], toks: readonly string[]): boolean {
  const hasEllipsis = fields.some((f) => f.type === 'ellipsis');
  if (!hasEllipsis && fields.length !== toks.length) return false;
  // row[j]: the fields so far can consume exactly the first j tokens.
  let row = new Uint8Array(toks.length + 1);
  row[0] = 1;
  for (const f of fields) {
    const next = new Uint8Array(toks.length + 1);
    if (f.type === 'ellipsis') {
      let any = 0;
      for (let j = 0; j <= toks.length; j++) {
        any |= row[j]!;
        next[j] = any;
      }
    } else {
      let alive = false;
      for (let j = 0; j < toks.length; j++)
        if (row[j] && (!f.cond || evalField(f.cond, toks[j]!))) {
          next[j + 1] = 1;
          alive = true;
        }
      if (!alive) return false;
    }
    row = next;
  }
  return row[toks.length] === 1;
}

/** Does a message match a parsed pattern? */
export function matchesPattern(p: FilterPattern, message: string): boolean {
  switch (p.type) {
    case 'all':
      return true;
    case 'terms':
      return (
        p.required.every((t) => message.includes(t)) &&
        !p.excluded.some((t) => message.includes(t)) &&
        (p.optional.length === 0 || p.optional.some((t) => message.includes(t)))
      );
    case 'json': {
      const doc = eventJson(message);
      return doc !== undefined && evalJson(p.expr, doc);
    }
    case 'delimited':
      return matchDelimited(p.fields, eventFields(message));
  }
}

/** Parses once, returns a matcher (the shape FilterLogEvents uses). */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const p = parseFilterPattern(pattern ?? '');
  return (m) => matchesPattern(p, m);
}
