/**
 * Function-log filters of `GET /v1/functions/:name/logs` and `nimbus logs --filter`: a minimum
 * level, free text (case-insensitive substrings, matched by the store) and field filters on JSON
 * lines (`user.id=42`, `ms>100`, `name!=x`; `level=error` also matches the line's own level),
 * matched here, on the lines the store returned.
 */
import type { LogLevel, StoredLogLine } from '../core/types.ts';
import { LogErrors } from './errors.ts';
import { normalizeLevel } from './levels.ts';

export type FieldOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

export interface FieldFilter {
  readonly path: readonly string[];
  readonly op: FieldOp;
  readonly value: string;
  /** The value as a number, when it is one (then `>`… compare numbers). */
  readonly num: number | undefined;
}

export interface LogFilter {
  readonly minLevel?: LogLevel;
  /** Case-insensitive substrings, all required. */
  readonly text: readonly string[];
  readonly fields: readonly FieldFilter[];
}

export const MAX_FILTERS = 16;
export const MAX_FILTER_LENGTH = 1024;
const MAX_PATH_DEPTH = 16;
/** JSON lines longer than this are not parsed for field filters (they do not match). */
const MAX_JSON_FILTER_LINE = 64 * 1024;

/** A comma followed by `key<op>`: where a comma-separated filter list is cut. */
const SPLIT_RE = /,(?=\s*[A-Za-z_$@][\w$@.-]*\s*(?:!=|>=|<=|=|>|<))/;
const FILTER_RE = /^([A-Za-z_$@][\w$@-]*(?:\.[\w$@-]+)*)\s*(!=|>=|<=|=|>|<)\s*(.*)$/s;

export function parseLevel(v: string): LogLevel {
  const l = normalizeLevel(v);
  if (!l) throw LogErrors.BAD_LEVEL({ level: JSON.stringify(v.slice(0, 40)) });
  return l;
}

/** One `--filter` / `filter=` entry: a field filter, or free text when it has no operator. */
export function parseFilterEntry(raw: string): FieldFilter | string {
  if (raw.length > MAX_FILTER_LENGTH)
    throw LogErrors.BAD_FILTER({
      filter: `(${raw.length} characters)`,
      reason: `longer than ${MAX_FILTER_LENGTH}`,
    });
  const m = FILTER_RE.exec(raw.trim());
  if (!m) return raw;
  const path = m[1]!.split('.');
  if (path.length > MAX_PATH_DEPTH)
    throw LogErrors.BAD_FILTER({ filter: JSON.stringify(raw.slice(0, 80)), reason: 'path too deep' });
  let value = m[3]!.trim();
  // A quoted value is taken literally ("42" is the string 42).
  const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
  if (quoted) value = value.slice(1, -1);
  const op = m[2] as FieldOp;
  const n = !quoted && value !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;
  if ((op === '>' || op === '>=' || op === '<' || op === '<=') && n === undefined)
    throw LogErrors.BAD_FILTER({ filter: JSON.stringify(raw.slice(0, 80)), reason: `${op} needs a number` });
  if (path.length === 1 && path[0] === 'level' && op === '=' && !normalizeLevel(value))
    throw LogErrors.BAD_FILTER({
      filter: JSON.stringify(raw.slice(0, 80)),
      reason: `unknown level ${value}`,
    });
  return { path, op, value, num: n };
}

/**
 * The filter of a query: `level` (minimum), `q` (free text) and `filter` entries (repeatable,
 * or comma-separated; a field value with a comma goes in its own `filter=`).
 */
export function parseLogFilter(o: {
  level?: string | undefined;
  q?: string | readonly string[] | undefined;
  filter?: string | readonly string[] | undefined;
}): LogFilter {
  const list = (v: string | readonly string[] | undefined) =>
    v === undefined ? [] : typeof v === 'string' ? [v] : v;
  const text: string[] = [];
  const fields: FieldFilter[] = [];
  for (const q of list(o.q)) {
    if (q.length > MAX_FILTER_LENGTH)
      throw LogErrors.BAD_QUERY({ reason: `q is longer than ${MAX_FILTER_LENGTH}` });
    if (q !== '') text.push(q);
  }
  const entries: string[] = [];
  for (const f of list(o.filter)) {
    if (f.length > MAX_FILTER_LENGTH * MAX_FILTERS)
      throw LogErrors.BAD_FILTER({ filter: `(${f.length} characters)`, reason: 'too long' });
    // Comma-separated: a comma starts a new entry only where a `key<op>` follows it.
    entries.push(...f.split(SPLIT_RE).filter((e) => e.trim() !== ''));
  }
  if (entries.length + text.length > MAX_FILTERS)
    throw LogErrors.BAD_QUERY({ reason: `more than ${MAX_FILTERS} filters` });
  for (const e of entries) {
    const f = parseFilterEntry(e);
    if (typeof f === 'string') {
      if (f.trim() !== '') text.push(f.trim());
    } else fields.push(f);
  }
  return { ...(o.level ? { minLevel: parseLevel(o.level) } : {}), text, fields };
}

export const isEmptyFilter = (f: LogFilter) => !f.minLevel && f.text.length === 0 && f.fields.length === 0;

function at(o: unknown, path: readonly string[]): unknown {
  let v = o;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function compare(v: unknown, f: FieldFilter): boolean {
  if (v === undefined) return false;
  if (f.op === '=' || f.op === '!=') {
    const eq =
      typeof v === 'number'
        ? f.num !== undefined && v === f.num
        : typeof v === 'string'
          ? v === f.value
          : typeof v === 'boolean' || v === null
            ? String(v) === f.value
            : false;
    return f.op === '=' ? eq : !eq;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || f.num === undefined) return false;
  return f.op === '>' ? n > f.num : f.op === '>=' ? n >= f.num : f.op === '<' ? n < f.num : n <= f.num;
}

/** Does a line pass the field filters (the store applied level and text already)? */
export function matchesFields(l: StoredLogLine, fields: readonly FieldFilter[]): boolean {
  if (fields.length === 0) return true;
  let parsed: unknown;
  let tried = false;
  const json = () => {
    if (!tried) {
      tried = true;
      if (l.message.charCodeAt(0) === 123 && l.message.length <= MAX_JSON_FILTER_LINE) {
        try {
          parsed = JSON.parse(l.message);
        } catch {
          parsed = undefined;
        }
      }
    }
    return parsed;
  };
  for (const f of fields) {
    if (f.path.length === 1 && f.path[0] === 'level' && (f.op === '=' || f.op === '!=')) {
      const want = normalizeLevel(f.value);
      // Lines without a level: by stream; START/END/REPORT count as INFO (as for `level=`).
      const own = l.level ?? (l.stream === 'stderr' ? 'ERROR' : 'INFO');
      const fromJson = normalizeLevel(at(json(), ['level']));
      const eq = want !== undefined && (own === want || fromJson === want);
      if (f.op === '=' ? !eq : eq) return false;
      continue;
    }
    if (!compare(at(json(), f.path), f)) return false;
  }
  return true;
}
