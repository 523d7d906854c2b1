/**
 * Reading an invocation's outcome: what kind of failure it was (for the retry policy), plus small
 * parsing helpers shared by the async service.
 */
import { parseForView } from '../core/json.ts';
import type { InvokeResult } from '../invoke/types.ts';
import { AsyncErrors } from './errors.ts';
import type { FailureKind } from './retry.ts';

export const safeJson = parseForView;

export function classify(
  r: InvokeResult,
): { kind: FailureKind; retryAfterMs?: number; error: Record<string, unknown> } | undefined {
  if (!r.functionError) {
    // A returned marker from the SDK (`retryAfter(ms)` / `nonRetriable(msg)`).
    if (r.payload.startsWith('{"__nimbus":')) {
      const m = safeJson(r.payload) as { __nimbus?: string; ms?: number; message?: string };
      if (m.__nimbus === 'retry-after')
        return {
          kind: 'retry-after',
          retryAfterMs: Number(m.ms) || 0,
          error: { errorType: 'RetryAfter', ms: m.ms },
        };
      if (m.__nimbus === 'non-retriable')
        return { kind: 'non-retriable', error: { errorType: 'NonRetriable', errorMessage: m.message ?? '' } };
    }
    return undefined;
  }
  const e = (safeJson(r.payload) ?? {}) as {
    errorType?: string;
    errorMessage?: string;
    retryAfterMs?: number;
  };
  const error = {
    errorType: e.errorType ?? 'Error',
    errorMessage: e.errorMessage ?? '',
    ...(r.errorCode ? { errorCode: r.errorCode } : {}),
  };
  const code = r.errorCode ?? '';
  if (code.endsWith('_TIMEOUT')) return { kind: 'timeout', error };
  if (code.endsWith('_OOM')) return { kind: 'oom', error };
  if (code.endsWith('_CRASH')) return { kind: 'crash', error };
  if (code.startsWith('NIMBUS_ERR_RUNTIME_') && code !== 'NIMBUS_ERR_RUNTIME_RESPONSE_TOO_LARGE')
    return { kind: 'init', error };
  if (e.errorType === 'NonRetriableError') return { kind: 'non-retriable', error };
  if (e.errorType === 'RetryAfterError' && Number.isFinite(e.retryAfterMs))
    return { kind: 'retry-after', retryAfterMs: Number(e.retryAfterMs), error };
  return { kind: 'function', error };
}

export function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function parseTimerTime(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw AsyncErrors.BAD_TIMER({ reason: `"at" is not a valid time: ${v}` });
    return t;
  }
  throw AsyncErrors.BAD_TIMER({ reason: '"at" must be an ISO time or epoch milliseconds' });
}
