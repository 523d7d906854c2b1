/**
 * Traces: the platform's spans (gateway → admission → cold start → invoke → queue hops…),
 * exported over OTLP/HTTP. This file holds the port the flows call (`Tracing`, `SpanHandle`) and
 * the configuration read from the standard OTEL_* variables; it imports no OpenTelemetry code, so
 * with tracing off nothing of the SDK is even loaded (src/observability/tracing-otel.ts is
 * imported by the composition root only when tracing is on). Components get `tracing: undefined`
 * when it is off: every hook is one optional-chaining check, no span objects.
 *
 * Trace context crosses component boundaries as a W3C `traceparent` string (what an
 * `InvokeRequest`, a queue envelope and a function's context carry), so no OpenTelemetry type
 * leaks into the flows.
 */

export type SpanKindName = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type SpanAttributeValue = string | number | boolean;

export interface SpanOptions {
  readonly kind?: SpanKindName;
  /** The parent (a `traceparent`); absent or invalid: the span starts a new trace. */
  readonly parent?: string | undefined;
  /** Spans this one follows from without being their child (`traceparent`s; invalid ones skipped). */
  readonly links?: readonly (string | undefined)[];
  readonly attributes?: Readonly<Record<string, SpanAttributeValue | undefined>>;
  /** Epoch ms, for spans recorded after the fact (a cold start measured by the instance). */
  readonly startTime?: number;
}

export interface SpanHandle {
  /** This span's context as a `traceparent`: the parent of whatever it causes. */
  readonly traceparent: string;
  set(key: string, value: SpanAttributeValue | undefined): void;
  /** Marks the span failed (status ERROR) with a short reason. */
  fail(reason: string): void;
  /** Ends the span (at `endTime`, epoch ms, when given). Later calls are ignored. */
  end(endTime?: number): void;
}

export interface Tracing {
  start(name: string, opts?: SpanOptions): SpanHandle;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Flushes and stops the exporter (platform close). */
  shutdown(): Promise<void>;
}

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface TracingConfig {
  /** Full URL spans are POSTed to (…/v1/traces). */
  readonly endpoint: string;
  readonly serviceName: string;
  readonly sampler: SamplerName;
  /** The ratio for the traceidratio samplers (0..1). */
  readonly ratio: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The standard OpenTelemetry SDK variables (not NIMBUS_*: collectors, operators and
 * orchestrators already set these). Tracing is on when an OTLP endpoint is set and
 * OTEL_TRACES_EXPORTER is not `none`. Returns the problems found (listed with the rest of the
 * configuration's) instead of throwing.
 */
export function tracingFromEnv(env: Readonly<Record<string, string | undefined>>): {
  tracing?: TracingConfig;
  problems: string[];
} {
  const problems: string[] = [];
  const get = (k: string) => {
    const v = env[k]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const exporters = (get('OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((s) => s.trim());
  if (exporters.includes('none')) return { problems };
  for (const e of exporters)
    if (e !== 'otlp')
      problems.push(`OTEL_TRACES_EXPORTER: "${e}" is not supported (otlp or none; OTLP over HTTP/JSON)`);
  const specific = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = get('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (specific === undefined && base === undefined) return { problems: [] };
  // The signal-specific endpoint is used as is; the base one gets the signal's path appended.
  const endpoint = specific ?? `${base!.replace(/\/+$/, '')}/v1/traces`;
  try {
    const u = new URL(endpoint);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    problems.push(
      `${specific !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'}: not an http(s) URL`,
    );
  }
  const samplerRaw = get('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const sampler = SAMPLERS.includes(samplerRaw as SamplerName) ? (samplerRaw as SamplerName) : undefined;
  if (!sampler) problems.push(`OTEL_TRACES_SAMPLER: "${samplerRaw}" is not one of ${SAMPLERS.join(', ')}`);
  const argRaw = get('OTEL_TRACES_SAMPLER_ARG');
  let ratio = 1;
  if (argRaw !== undefined && sampler?.endsWith('traceidratio')) {
    ratio = Number(argRaw);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG: "${argRaw}" is not a ratio between 0 and 1`);
      ratio = 1;
    }
  }
  const headers: Record<string, string> = {};
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = get(name);
    if (raw === undefined) continue;
    for (const pair of raw.split(',')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      const k = eq > 0 ? safeDecode(pair.slice(0, eq).trim()) : undefined;
      const v = eq > 0 ? safeDecode(pair.slice(eq + 1).trim()) : undefined;
      if (!k || v === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || /[\r\n]/.test(v)) {
        problems.push(`${name}: expected key=value pairs separated by commas`);
        break;
      }
      headers[k.toLowerCase()] = v;
    }
  }
  if (problems.length > 0 || !sampler) return { problems };
  return {
    tracing: Object.freeze({
      endpoint,
      serviceName: get('OTEL_SERVICE_NAME') ?? 'nimbus',
      sampler,
      ratio,
      headers: Object.freeze(headers),
    }),
    problems,
  };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The variables `tracingFromEnv` reads (docs, `nimbus start --help`). */
export const OTEL_ENV_VARS = Object.freeze([
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_TRACES_EXPORTER',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SERVICE_NAME',
]);

/** The OTel FaaS trigger of an invocation (`faas.trigger`). */
export function faasTrigger(t: { type: string; source?: string }): string {
  if (t.type === 'http') return 'http';
  if (t.type !== 'async' || t.source === undefined) return 'other';
  if (t.source === 'schedule' || t.source === 'timer') return 'timer';
  // Event deliveries are queued with the source `topic:<name>`.
  if (t.source.startsWith('topic:')) return 'pubsub';
  return 'other';
}
