/**
 * The `Tracing` port over the OpenTelemetry SDK: one TracerProvider per platform (never the
 * global one: tests run several platforms in one process), a sampler from OTEL_TRACES_SAMPLER,
 * a BatchSpanProcessor and the OTLP/HTTP (JSON) exporter. Imported only when tracing is on.
 */

import { randomFillSync } from 'node:crypto';
import {
  type Attributes,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { formatTraceparent, parseTraceparent } from './trace-context.ts';
import type { SpanHandle, SpanKindName, SpanOptions, Tracing, TracingConfig } from './tracing.ts';

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

function samplerOf(c: TracingConfig): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(c.ratio);
  switch (c.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      // The root's ratio is decided in `start` before any SDK work (see there); what reaches the
      // SDK as a root is already chosen.
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** A remote span context from a `traceparent` (undefined when it is not a valid one). */
function remote(traceparent: string | undefined): SpanContext | undefined {
  // Parsed again for each child (a map of recent ones kept them alive into the old generation:
  // GC cost more than the parse).
  if (traceparent === undefined) return undefined;
  const t = parseTraceparent(traceparent);
  return t
    ? {
        traceId: t.traceId,
        spanId: t.spanId,
        traceFlags: t.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      }
    : undefined;
}

class Handle implements SpanHandle {
  readonly #span: Span;
  #ended = false;
  readonly traceparent: string;

  constructor(span: Span) {
    this.#span = span;
    const c = span.spanContext();
    this.traceparent = formatTraceparent({
      traceId: c.traceId,
      spanId: c.spanId,
      sampled: (c.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    });
  }

  set(key: string, value: string | number | boolean | undefined): void {
    if (value !== undefined) this.#span.setAttribute(key, value);
  }

  fail(reason: string): void {
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: reason.slice(0, 200) });
  }

  end(endTime?: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span.end(endTime);
  }
}

/** 8 random bytes as 16 hex digits, from a pooled buffer (one syscall per 512 ids). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function spanIdHex(): string {
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 8;
  return pool.toString('hex', poolAt - 8, poolAt);
}

/**
 * A child of an unsampled parent under a parent-based sampler: it is not sampled either, so no
 * SDK span is made; it only carries the trace id on (a new span id, flags 00) for propagation.
 */
class UnsampledHandle implements SpanHandle {
  readonly traceparent: string;
  constructor(traceId: string) {
    this.traceparent = `00-${traceId}-${spanIdHex()}-00`;
  }
  set(): void {}
  fail(): void {}
  end(): void {}
}

/** The longest a platform stop waits for the last spans to be exported. */
const SHUTDOWN_MS = 3000;

export interface OtelTracingOptions {
  /** Replaces the OTLP exporter (tests of the tracing module itself). */
  readonly exporter?: SpanExporter;
  /** BatchSpanProcessor delay between exports (default 1 s). */
  readonly scheduledDelayMillis?: number;
  /** How long one export may take, its retries included (default 10 s). */
  readonly exportTimeoutMillis?: number;
  /**
   * An export failed (collector down, refused): spans of that batch are dropped, requests are not
   * affected. Called for the first failure, then at most once a minute.
   */
  readonly onExportError?: (e: Error) => void;
}

/** The exporter, with failed exports reported (rate-limited) instead of swallowed. */
function reporting(inner: SpanExporter, onError: ((e: Error) => void) | undefined): SpanExporter {
  if (!onError) return inner;
  let last = Number.NEGATIVE_INFINITY;
  return {
    export(spans, done) {
      inner.export(spans, (r) => {
        if (r.code !== 0 && Date.now() - last >= 60_000) {
          last = Date.now();
          onError(r.error ?? new Error('span export failed'));
        }
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush ? { forceFlush: () => inner.forceFlush!() } : {}),
  };
}

export function createOtelTracing(c: TracingConfig, o: OtelTracingOptions = {}): Tracing {
  const exporter = reporting(
    o.exporter ??
      new OTLPTraceExporter({
        url: c.endpoint,
        headers: { ...c.headers },
        timeoutMillis: o.exportTimeoutMillis ?? 10_000,
      }),
    o.onExportError,
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': c.serviceName }),
    sampler: samplerOf(c),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: o.scheduledDelayMillis ?? 1000,
        maxQueueSize: 8192,
        maxExportBatchSize: 512,
      }),
    ],
  });
  const tracer = provider.getTracer('nimbus');
  const parentBased = c.sampler.startsWith('parentbased_');
  const rootRatio = c.sampler === 'parentbased_traceidratio' ? c.ratio : undefined;
  let closed: Promise<void> | undefined;
  return {
    start(name: string, opts: SpanOptions = {}): SpanHandle {
      const parent = remote(opts.parent);
      // Most spans at a low ratio: the request's first span decided, its children follow.
      if (
        parentBased &&
        parent !== undefined &&
        (parent.traceFlags & TraceFlags.SAMPLED) === 0 &&
        (opts.links === undefined || opts.links.length === 0)
      )
        return new UnsampledHandle(parent.traceId);
      // A new trace under parentbased_traceidratio: most are not sampled, and cost one id.
      if (
        rootRatio !== undefined &&
        parent === undefined &&
        (opts.links === undefined || opts.links.length === 0)
      ) {
        if (Math.random() >= rootRatio) return new UnsampledHandle(spanIdHex() + spanIdHex());
      }
      const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
      const links: Link[] = [];
      for (const l of opts.links ?? []) {
        const sc = remote(l);
        if (sc) links.push({ context: sc });
      }
      // Attributes are set once the sampler has decided: an unsampled span (most of them at a low
      // ratio) skips building and sanitizing them (our samplers do not read attributes).
      const span = tracer.startSpan(
        name,
        {
          kind: KINDS[opts.kind ?? 'internal'],
          ...(links.length > 0 ? { links } : {}),
          ...(opts.startTime !== undefined ? { startTime: opts.startTime } : {}),
          root: !parent,
        },
        ctx,
      );
      if (opts.attributes && span.isRecording()) {
        const attributes: Attributes = {};
        for (const [k, v] of Object.entries(opts.attributes)) if (v !== undefined) attributes[k] = v;
        span.setAttributes(attributes);
      }
      return new Handle(span);
    },
    // Export failures are reported through onExportError; flushing never fails the caller.
    flush: () => provider.forceFlush().catch(() => {}),
    shutdown() {
      // Bounded: a collector that is down must not hold up the platform's stop for the exporter's
      // whole retry budget (10 s).
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SHUTDOWN_MS);
        timer.unref();
        provider.shutdown().then(resolve, resolve);
      });
      return closed;
    },
  };
}
