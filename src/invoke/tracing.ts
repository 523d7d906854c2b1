/**
 * The spans of one sync invocation (tracing on only; with it off the service never builds this):
 *
 *   [Invoke <fn> (SERVER; API / CLI callers only: the request itself)]
 *     ├─ admission        scheduler acquire: waited, throttled, cold
 *     │    └─ cold start  the instance's init (recorded from its measured init duration)
 *     └─ invoke <fn>      the function run (SERVER, faas.*): the function's parent span
 *
 * Everything hangs off `req.traceparent` (the gateway's span, a queue consumer's span, an
 * incoming header); an absent or malformed one starts a new trace.
 */
import { isNimbusError } from '../core/errors.ts';
import type { InvokeOutcome } from '../core/ports.ts';
import { validTraceparent } from '../observability/trace-context.ts';
import { faasTrigger, type SpanHandle, type Tracing } from '../observability/tracing.ts';
import type { InvokeRequest, InvokeResult, InvokeService } from './types.ts';

export class InvokeTrace {
  readonly #t: Tracing;
  readonly #req: InvokeRequest;
  /** The request span (API / CLI callers). */
  readonly #request: SpanHandle | undefined;
  /** Where this invocation's spans hang. */
  readonly #parent: string | undefined;
  readonly #open = new Set<SpanHandle>();
  #run: SpanHandle | undefined;
  #admittedAt = 0;

  constructor(t: Tracing, req: InvokeRequest) {
    this.#t = t;
    this.#req = req;
    const incoming = validTraceparent(req.traceparent);
    if (req.trigger.type === 'api' || req.trigger.type === 'cli') {
      this.#request = this.#span(`Invoke ${req.functionName}`, 'server', incoming, {
        'rpc.system': 'aws-api',
        'rpc.method': 'Invoke',
        'faas.invoked_name': req.functionName,
      });
      this.#parent = this.#request.traceparent;
    } else this.#parent = incoming;
  }

  #span(
    name: string,
    kind: 'server' | 'internal',
    parent: string | undefined,
    attributes: Record<string, string | number | boolean | undefined>,
    startTime?: number,
  ): SpanHandle {
    const s = this.#t.start(name, {
      kind,
      parent,
      attributes: { 'nimbus.tenant': this.#req.tenant, 'faas.name': this.#req.functionName, ...attributes },
      ...(startTime !== undefined ? { startTime } : {}),
    });
    this.#open.add(s);
    return s;
  }

  #end(s: SpanHandle | undefined, at?: number): void {
    if (!s) return;
    s.end(at);
    this.#open.delete(s);
  }

  /** Before the scheduler's acquire. */
  admission(): SpanHandle {
    this.#admittedAt = Date.now();
    return this.#span('admission', 'internal', this.#parent, {});
  }

  /** The acquire succeeded: the admission span ends; a cold start gets its own span. */
  admitted(adm: SpanHandle | undefined, cold: boolean, initDurationMs: number | undefined): void {
    if (!adm) return;
    const now = Date.now();
    const init = cold && initDurationMs !== undefined ? initDurationMs : 0;
    adm.set('nimbus.admission.cold', cold);
    // Time spent waiting for a slot or an instance, beyond the instance's own init.
    adm.set('nimbus.admission.waited_ms', Math.max(0, Math.round(now - this.#admittedAt - init)));
    adm.set('nimbus.admission.throttled', false);
    if (cold && initDurationMs !== undefined) {
      const s = this.#span('cold start', 'internal', adm.traceparent, { 'faas.coldstart': true }, now - init);
      s.set('nimbus.init_duration_ms', Math.round(init * 100) / 100);
      this.#end(s, now);
    }
    this.#end(adm, now);
  }

  /** The acquire failed: throttled (429), an init failure (a failed cold start), or worse. */
  rejected(adm: SpanHandle | undefined, e: unknown): void {
    if (!adm) return;
    const now = Date.now();
    const throttled = isNimbusError(e) && e.status === 429;
    adm.set('nimbus.admission.throttled', throttled);
    if (isNimbusError(e) && e.code.startsWith('NIMBUS_ERR_RUNTIME_') && e.kind !== 'system') {
      adm.set('nimbus.admission.cold', true);
      const s = this.#span(
        'cold start',
        'internal',
        adm.traceparent,
        { 'faas.coldstart': true },
        this.#admittedAt,
      );
      s.fail(e.code);
      this.#end(s, now);
    } else adm.fail(isNimbusError(e) ? e.code : 'acquire failed');
    this.#end(adm, now);
  }

  /** The function run starts: its span is the function's parent. */
  run(requestId: string, cold: boolean, version: string): SpanHandle {
    this.#run = this.#span(`invoke ${this.#req.functionName}`, 'server', this.#parent, {
      'faas.invocation_id': requestId,
      'faas.coldstart': cold,
      'faas.version': version,
      'faas.trigger': faasTrigger(this.#req.trigger as { type: string; source?: string }),
      'nimbus.trigger': this.#req.trigger.type,
      'nimbus.attempt': this.#req.attempt,
    });
    return this.#run;
  }

  ran(o: InvokeOutcome): void {
    const s = this.#run;
    if (!s) return;
    s.set('nimbus.outcome', o.ok ? 'success' : o.failure);
    if (!o.ok) {
      s.set('error.type', o.failure === 'function' ? o.error.errorType.slice(0, 100) : o.failure);
      s.fail(o.failure === 'function' ? 'function error' : o.failure);
    }
    this.#end(s);
  }

  done(r: InvokeResult): void {
    if (this.#request) {
      this.#request.set('faas.invocation_id', r.requestId);
      if (r.functionError) this.#request.set('nimbus.function_error', r.functionError);
    }
    this.#closeAll();
  }

  failed(e: unknown): void {
    const reason = isNimbusError(e) ? e.code : 'invoke failed';
    if (this.#request) {
      if (isNimbusError(e)) this.#request.set('http.response.status_code', e.status);
      this.#request.fail(reason);
    }
    this.#run?.fail(reason);
    this.#closeAll();
  }

  #closeAll(): void {
    for (const s of [...this.#open].reverse()) s.end();
    this.#open.clear();
  }
}

/** The invoke service's implementation: it records spans when handed an `InvokeTrace`. */
export interface TraceableInvokeService extends InvokeService {
  invoke(req: InvokeRequest, tt?: InvokeTrace): Promise<InvokeResult>;
}

/** The service with every invocation traced. */
export function tracedInvokeService(svc: TraceableInvokeService, t: Tracing): InvokeService {
  return {
    dryRun: (tenant, fn, qualifier) => svc.dryRun(tenant, fn, qualifier),
    async invoke(req) {
      const tt = new InvokeTrace(t, req);
      try {
        const r = await svc.invoke(req, tt);
        tt.done(r);
        return r;
      } catch (e) {
        tt.failed(e);
        throw e;
      }
    },
  };
}
