/**
 * A tenant's logs setting (`PUT /v1/settings/logs`): retention by age and size, redaction
 * patterns, and the flood cap. Kept in the settings store under `logs` and cached in memory
 * (the flood cap and redaction read it per line, synchronously); the cache reloads on every
 * retention sweep, so a change made on another node arrives within one sweep interval.
 */
import type { SettingsRepo } from '../core/ports.ts';
import type { TenantId } from '../core/types.ts';
import { LogErrors } from './errors.ts';
import { DEFAULT_LOG_RATE, type LogRateLimits } from './flood.ts';

export const LOG_SETTINGS_KEY = 'logs';

export interface LogSettings {
  /** Lines (and invocation records) older than this many days are deleted. */
  readonly retentionDays: number;
  /** The tenant's stored line messages are trimmed (oldest first) to this size; null: no cap. */
  readonly maxMegabytes: number | null;
  /** Regexes whose matches are replaced by `***` in stored lines (see `checkPattern`). */
  readonly redact: readonly string[];
  readonly linesPerSecond: number;
  readonly bytesPerSecond: number;
}

export const DEFAULT_LOG_SETTINGS: LogSettings = Object.freeze({
  retentionDays: 30,
  maxMegabytes: null,
  redact: Object.freeze([]) as readonly string[],
  linesPerSecond: DEFAULT_LOG_RATE.linesPerSecond,
  bytesPerSecond: DEFAULT_LOG_RATE.bytesPerSecond,
});

export const MAX_PATTERN_LENGTH = 200;
export const MAX_PATTERNS = 20;
/** Repeating quantifiers (`*`, `+`, `{n,}`, `{n,m}`) one pattern may have. */
const MAX_REPEATS = 2;

/**
 * Refuses a redaction pattern that could make the platform spend unbounded time (a ReDoS): too
 * long, a backreference or lookaround, a repeated group that holds a repeat or an alternation
 * (`(a+)+`, `(a|aa)*`), more than two repeating quantifiers; then it must compile. What passes
 * is at worst cubic in its input, and it only ever sees pieces of 256 characters (`redactWith`).
 */
export function checkPattern(src: string): RegExp {
  const bad = (reason: string) =>
    LogErrors.BAD_PATTERN({ pattern: JSON.stringify(src.slice(0, 60)), reason });
  if (typeof src !== 'string' || src.length === 0) throw bad('empty');
  if (src.length > MAX_PATTERN_LENGTH) throw bad(`longer than ${MAX_PATTERN_LENGTH} characters`);
  // Group frames: does the group hold a repeat / an alternation?
  const stack: { repeat: boolean; alt: boolean }[] = [{ repeat: false, alt: false }];
  let repeats = 0;
  let lastGroup: { repeat: boolean; alt: boolean } | undefined;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    let atom: { repeat: boolean; alt: boolean } | undefined;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') throw bad('backreferences are not allowed');
      i++;
    } else if (c === '[') {
      // A character class: skip to its closing bracket.
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') {
        if (src[i] === '\\') i++;
        i++;
      }
    } else if (c === '(') {
      if (
        src.startsWith('(?=', i) ||
        src.startsWith('(?!', i) ||
        src.startsWith('(?<=', i) ||
        src.startsWith('(?<!', i)
      )
        throw bad('lookarounds are not allowed');
      stack.push({ repeat: false, alt: false });
      lastGroup = undefined;
      continue;
    } else if (c === ')') {
      if (stack.length === 1) throw bad('unbalanced parenthesis');
      atom = stack.pop()!;
      const outer = stack.at(-1)!;
      outer.repeat ||= atom.repeat;
      lastGroup = atom;
      continue;
    } else if (c === '|') {
      stack.at(-1)!.alt = true;
    } else if (c === '*' || c === '+' || c === '{') {
      let bounded1 = false;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (!m) {
          lastGroup = undefined;
          continue; // a literal brace
        }
        bounded1 = m[2] === undefined || m[3] === '1' || m[3] === '0';
        i += m[0].length - 1;
      }
      if (!bounded1) {
        if (lastGroup && (lastGroup.repeat || lastGroup.alt))
          throw bad('a repeated group holds a repeat or an alternation (nested quantifiers)');
        if (++repeats > MAX_REPEATS) throw bad(`more than ${MAX_REPEATS} repeating quantifiers`);
        stack.at(-1)!.repeat = true;
      }
      if (src[i + 1] === '?' || src[i + 1] === '+') i++; // lazy
    }
    lastGroup = undefined;
  }
  if (stack.length !== 1) throw bad('unbalanced parenthesis');
  try {
    return new RegExp(src, 'g');
  } catch (e) {
    throw bad((e as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

/** Pieces a line is redacted in (a match longer than this, or across a cut, is not found). */
const PIECE = 256;
/** A line whose redaction takes longer than this has the rest replaced (it fails closed). */
const LINE_BUDGET_MS = 20;

/**
 * Replaces the patterns' matches by `***`, piece by piece (cut at whitespace where there is
 * some near the end of a piece), within a time budget per line: past it, what is left of the
 * line is replaced whole, so a slow pattern can cost a bounded time and never leak.
 */
export function redactWith(patterns: readonly RegExp[], message: string, now: () => number): string {
  if (patterns.length === 0) return message;
  const t0 = now();
  let out = '';
  let i = 0;
  while (i < message.length) {
    let end = Math.min(message.length, i + PIECE);
    if (end < message.length) {
      const ws = message.slice(i + PIECE - 64, end).search(/\s(?=\S*$)/);
      if (ws >= 0) end = i + PIECE - 64 + ws + 1;
    }
    let piece = message.slice(i, end);
    for (const re of patterns) {
      re.lastIndex = 0;
      piece = piece.replace(re, '***');
    }
    out += piece;
    i = end;
    if (i < message.length && now() - t0 > LINE_BUDGET_MS) return `${out}*** [redaction time limit]`;
  }
  return out;
}

/** Validates a logs setting body (a partial one merges over the current setting). */
export function parseLogSettings(body: unknown, current: LogSettings = DEFAULT_LOG_SETTINGS): LogSettings {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw LogErrors.BAD_QUERY({ reason: 'the logs setting is a JSON object' });
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set(['retentionDays', 'maxMegabytes', 'redact', 'linesPerSecond', 'bytesPerSecond']);
  for (const k of Object.keys(b))
    if (!known.has(k)) problems.push(`unknown field ${JSON.stringify(k.slice(0, 40))}`);
  const int = (k: string, min: number, max: number): number | undefined => {
    const v = b[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${k} must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return v;
  };
  const retentionDays = int('retentionDays', 1, 3650);
  const maxMegabytes = b.maxMegabytes === null ? null : int('maxMegabytes', 1, 1024 * 1024);
  const linesPerSecond = int('linesPerSecond', 1, 1_000_000);
  const bytesPerSecond = int('bytesPerSecond', 1024, 1024 * 1024 * 1024);
  let redact: string[] | undefined;
  if (b.redact !== undefined) {
    if (!Array.isArray(b.redact) || b.redact.some((p) => typeof p !== 'string'))
      problems.push('redact must be an array of strings');
    else if (b.redact.length > MAX_PATTERNS) problems.push(`redact holds at most ${MAX_PATTERNS} patterns`);
    else {
      for (const p of b.redact as string[]) checkPattern(p);
      redact = b.redact as string[];
    }
  }
  if (problems.length > 0) throw LogErrors.BAD_QUERY({ reason: problems.join('; ') });
  return {
    retentionDays: retentionDays ?? current.retentionDays,
    maxMegabytes: maxMegabytes === undefined ? current.maxMegabytes : maxMegabytes,
    redact: redact ?? current.redact,
    linesPerSecond: linesPerSecond ?? current.linesPerSecond,
    bytesPerSecond: bytesPerSecond ?? current.bytesPerSecond,
  };
}

interface Entry {
  readonly settings: LogSettings;
  readonly patterns: readonly RegExp[];
  readonly rate: LogRateLimits;
}

const entryOf = (s: LogSettings): Entry => {
  const patterns: RegExp[] = [];
  for (const p of s.redact) {
    try {
      patterns.push(checkPattern(p));
    } catch {
      // Stored before a stricter check: skipped (the setting is refused on its next PUT).
    }
  }
  return {
    settings: s,
    patterns,
    rate: { linesPerSecond: s.linesPerSecond, bytesPerSecond: s.bytesPerSecond },
  };
};
const DEFAULT_ENTRY = entryOf(DEFAULT_LOG_SETTINGS);

/** Every tenant's logs setting, in memory (the per-line readers are synchronous). */
export class LogSettingsCache {
  readonly #repo: SettingsRepo;
  readonly #now: () => number;
  #byTenant = new Map<TenantId, Entry>();

  /** `now`: a monotonic ms clock (the redaction time budget). */
  constructor(repo: SettingsRepo, now: () => number) {
    this.#repo = repo;
    this.#now = now;
  }

  async load(): Promise<void> {
    const next = new Map<TenantId, Entry>();
    for (const { tenant, value } of await this.#repo.listKey<Partial<LogSettings>>(LOG_SETTINGS_KEY)) {
      try {
        next.set(tenant, entryOf(parseLogSettings(value)));
      } catch {
        // A stored value that no longer validates: the defaults apply.
      }
    }
    this.#byTenant = next;
  }

  get(tenant: TenantId): LogSettings {
    return (this.#byTenant.get(tenant) ?? DEFAULT_ENTRY).settings;
  }

  /** Tenants with a setting of their own. */
  configured(): TenantId[] {
    return [...this.#byTenant.keys()];
  }

  async put(tenant: TenantId, s: LogSettings): Promise<void> {
    await this.#repo.put(tenant, LOG_SETTINGS_KEY, s);
    this.#byTenant.set(tenant, entryOf(s));
  }

  async delete(tenant: TenantId): Promise<void> {
    await this.#repo.delete(tenant, LOG_SETTINGS_KEY);
    this.#byTenant.delete(tenant);
  }

  rate(tenant: TenantId): LogRateLimits {
    return (this.#byTenant.get(tenant) ?? DEFAULT_ENTRY).rate;
  }

  redact(tenant: TenantId, message: string): string {
    const e = this.#byTenant.get(tenant);
    return e && e.patterns.length > 0 ? redactWith(e.patterns, message, this.#now) : message;
  }
}
