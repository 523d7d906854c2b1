/**
 * W3C trace context (`traceparent`) and AWS X-Ray (`X-Amzn-Trace-Id`, `_X_AMZN_TRACE_ID`) headers:
 * parsing and conversion. Pure functions, no OpenTelemetry import: they run on the gateway's path
 * even with tracing off. Hostile input (any header a client sends) yields `undefined`, never a throw.
 *
 * The sandbox-side harnesses carry their own copy of `toXRay` (they may not import host code).
 */

export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span. */
  readonly spanId: string;
  readonly sampled: boolean;
}

/** Longer values are refused before any regex runs (a header can be 16 KB). */
const MAX_HEADER = 512;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * A `traceparent` header per W3C Trace Context level 1: version 00 is exactly 55 characters; a
 * higher version may carry more fields after a `-` (read as 00); version ff, zero ids, upper case
 * and anything else are invalid.
 */
export function parseTraceparent(value: string | undefined | null): TraceParent | undefined {
  if (typeof value !== 'string' || value.length > MAX_HEADER) return undefined;
  const v = value.trim();
  const m = TRACEPARENT.exec(v);
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  return { traceId: traceId!, spanId: spanId!, sampled: (Number.parseInt(flags!, 16) & 1) === 1 };
}

export function formatTraceparent(t: TraceParent): string {
  return `00-${t.traceId}-${t.spanId}-${t.sampled ? '01' : '00'}`;
}

/** `Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx;Parent=<16 hex>;Sampled=1` (Lambda's `_X_AMZN_TRACE_ID`). */
export function toXRay(t: TraceParent): string {
  return `Root=1-${t.traceId.slice(0, 8)}-${t.traceId.slice(8)};Parent=${t.spanId};Sampled=${t.sampled ? 1 : 0}`;
}

const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const HEX16 = /^[0-9a-f]{16}$/;

/**
 * An `X-Amzn-Trace-Id` header (what the AWS SDK sends from `_X_AMZN_TRACE_ID` inside Lambda):
 * `Root` and `Parent` are required (without a parent there is no span to continue); `Sampled`
 * absent or `?` counts as sampled, as the X-Ray propagator reads it. Other fields (`Lineage`,
 * `Self`) are ignored.
 */
export function parseXRay(value: string | undefined | null): TraceParent | undefined {
  if (typeof value !== 'string' || value.length > MAX_HEADER) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = true;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (k === 'Root') root = v;
    else if (k === 'Parent') parent = v;
    else if (k === 'Sampled') sampled = v !== '0';
  }
  const m = root === undefined ? null : XRAY_ROOT.exec(root);
  if (!m || parent === undefined || !HEX16.test(parent)) return undefined;
  const traceId = m[1]! + m[2]!;
  if (traceId === ZERO_TRACE || parent === ZERO_SPAN) return undefined;
  return { traceId, spanId: parent, sampled };
}

/**
 * The trace an incoming request continues: its `traceparent`, else its `X-Amzn-Trace-Id`
 * (converted), else none. Returns a normalized `traceparent` (lowercase, version 00).
 */
export function incomingTraceparent(header: (name: string) => string | undefined): string | undefined {
  const t = parseTraceparent(header('traceparent')) ?? parseXRay(header('x-amzn-trace-id'));
  return t ? formatTraceparent(t) : undefined;
}

/** A `traceparent` that is already valid, normalized; anything else: undefined. */
export function validTraceparent(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = parseTraceparent(value);
  return t ? formatTraceparent(t) : undefined;
}

/** `incomingTraceparent` over Node's request headers (lowercase names; repeated ones ignored). */
export function traceparentOfHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  return incomingTraceparent((n) => {
    const v = headers[n];
    return typeof v === 'string' ? v : undefined;
  });
}

/** An X-Ray header (an SQS message's `AWSTraceHeader`) as a normalized `traceparent`; else undefined. */
export function traceparentOfXRay(value: string | undefined): string | undefined {
  const t = parseXRay(value);
  return t ? formatTraceparent(t) : undefined;
}

/** A `traceparent` in X-Ray form (what SQS keeps as `AWSTraceHeader`); an invalid one: undefined. */
export function xrayOfTraceparent(value: string | undefined): string | undefined {
  const t = parseTraceparent(value);
  return t ? toXRay(t) : undefined;
}
