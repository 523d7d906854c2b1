/**
 * Log levels of function lines: from the console method (the Node harness sends it), from a JSON
 * line's own `level` / `levelname` / `severity` field (Lambda's JSON log format), else from the
 * stream (stderr → ERROR, stdout → INFO).
 */
import type { LogLevel, LogStream } from '../core/types.ts';

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** Spellings other loggers use for our levels (Python's WARNING and CRITICAL, pino's numbers…). */
const ALIASES: Record<string, LogLevel> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  ERR: 'ERROR',
  FATAL: 'FATAL',
  CRITICAL: 'FATAL',
  '10': 'TRACE',
  '20': 'DEBUG',
  '30': 'INFO',
  '40': 'WARN',
  '50': 'ERROR',
  '60': 'FATAL',
};

/** A level name in any case (or an alias) → our level; undefined if it is none. */
export function normalizeLevel(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return ALIASES[String(v)];
  if (typeof v !== 'string' || v.length > 16) return undefined;
  return ALIASES[v.toUpperCase()];
}

export const levelRank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);

/** The levels at or above `min` (what `level=warn` selects). */
export function levelsFrom(min: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(levelRank(min));
}

/** JSON lines longer than this are not parsed on the platform for their level. */
const MAX_JSON_LEVEL_SCAN = 16 * 1024;

/** The top-level `level`/`levelname`/`severity` of a JSON object line, if it has one. */
export function jsonLevel(message: string): LogLevel | undefined {
  if (message.length > MAX_JSON_LEVEL_SCAN || message.charCodeAt(0) !== 123 /* { */) return undefined;
  // Cheap pre-check before parsing: most lines that start with `{` are not log records.
  if (!/"(level|levelname|severity)"/.test(message)) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  return normalizeLevel(r.level) ?? normalizeLevel(r.levelname) ?? normalizeLevel(r.severity);
}

/**
 * A function line's level: the harness's when it sent one (the Node harness already applied the
 * JSON rule inside the sandbox, off the platform's CPU), else a JSON line's own, else the stream's.
 */
export function levelOf(stream: LogStream, message: string, sent?: unknown): LogLevel {
  return normalizeLevel(sent) ?? jsonLevel(message) ?? (stream === 'stderr' ? 'ERROR' : 'INFO');
}
