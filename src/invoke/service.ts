/**
 * Sync invoke: resolve qualifier → concurrency permit → warm or cold instance → run with deadline
 * → logs (START/…/END/REPORT) + one usage record. Platform failures (timeout, OOM, crash, init)
 * come back as Lambda does it: a 200 with `X-Amz-Function-Error: Unhandled`, plus our coded
 * `errorCode`. Only request problems (not found, throttled, too large) are thrown.
 */

import type { BudgetService } from '../budgets/index.ts';
import { CoreErrors, isNimbusError } from '../core/errors.ts';
import { newRequestId } from '../core/ids.ts';
import type { Clock, ContextCallHandler, InvokeOutcome } from '../core/ports.ts';
import type { FunctionErrorPayload, Invocation, LogLine, UsageRecord } from '../core/types.ts';
import { computeUsage, hostArchitecture, type PriceBook } from '../metering/index.ts';
import {
  endLine,
  invokeErrorLine,
  type LogSink,
  logTail,
  reportLine,
  startLine,
} from '../observability/logs.ts';
import { validTraceparent } from '../observability/trace-context.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { RegistryService } from '../registry/types.ts';
import type { Lease, Scheduler } from '../scheduler/index.ts';
import { type InvokeTrace, type TraceableInvokeService, tracedInvokeService } from './tracing.ts';
import type { InvokeRequest, InvokeResult, InvokeService } from './types.ts';

export interface InvokeDeps {
  readonly registry: RegistryService;
  readonly scheduler: Scheduler;
  /** Finished invocations (usage record + the function's lines), batched into the store. */
  readonly logs: LogSink;
  readonly clock: Clock;
  readonly maxPayloadBytes: number;
  readonly onError?: (e: unknown) => void;
  /** Prometheus counters and the rollup windows (src/observability/metrics.ts); absent: metrics off. */
  readonly metrics?: {
    invocation(u: UsageRecord): void;
    throttle(tenant: string, functionName: string): void;
  };
  /** The price table: every usage record carries its cost (absent: cost 0). */
  readonly prices?: PriceBook;
  /** Budgets: admission refuses a spent one; every finished invocation adds to the spends. */
  readonly budgets?: Pick<BudgetService, 'admit' | 'record'>;
  /**
   * Serves the function's context client (async invoke, timers, publish). Late-bound: the async
   * service is built after the invoke service it uses.
   */
  readonly contextCalls?: {
    handler?: (caller: {
      tenant: string;
      functionName: string;
      requestId: string;
      hop: number;
      /** The invocation's trace context: the context calls it makes continue its trace. */
      traceparent?: string | undefined;
    }) => ContextCallHandler;
  };
  /** Spans (src/invoke/tracing.ts); absent: tracing off, no span work at all. */
  readonly tracing?: Tracing | undefined;
}

const ARCH = hostArchitecture();

const OUTCOME: Record<string, UsageRecord['outcome']> = {
  function: 'error',
  timeout: 'timeout',
  oom: 'oom',
  crash: 'crash',
  init: 'error',
};

export function createInvokeService(d: InvokeDeps): InvokeService {
  const svc: TraceableInvokeService = {
    async dryRun(tenant, functionName, qualifier) {
      await d.registry.resolve(tenant, functionName, qualifier);
    },

    async invoke(req: InvokeRequest, tt?: InvokeTrace): Promise<InvokeResult> {
      const size = Buffer.byteLength(req.payload, 'utf8');
      if (size > d.maxPayloadBytes) throw CoreErrors.PAYLOAD_TOO_LARGE({ size, limit: d.maxPayloadBytes });
      const payload = req.payload.length === 0 ? '{}' : req.payload;
      const target = await d.registry.resolve(req.tenant, req.functionName, req.qualifier);
      // A spent budget refuses the invocation before it takes a slot (429, retryable).
      d.budgets?.admit(req.tenant, req.functionName);
      const requestId = req.requestId ?? newRequestId();
      const base = { tenant: req.tenant, functionName: req.functionName, version: target.version, requestId };
      const platformLine = (message: string, instanceId: string): LogLine => ({
        ...base,
        ts: d.clock.now(),
        stream: 'platform',
        message,
        instanceId,
      });

      const startedAt = d.clock.now();
      const t0 = d.clock.monotonic();
      let lease: Lease;
      const adm = tt?.admission();
      try {
        lease = await d.scheduler.acquire(
          {
            tenant: req.tenant,
            functionName: req.functionName,
            version: target.version,
            config: target.config,
            code: target.code,
          },
          req.signal,
          // HTTP requests may share an instance (scaling's `shared`); nothing else does.
          req.trigger.type === 'http',
        );
      } catch (e) {
        tt?.rejected(adm, e);
        // Init failures are the function's fault: answer like Lambda (200 + Unhandled), not as a
        // request error. Everything else (throttling, platform trouble) is thrown.
        if (isNimbusError(e) && e.status === 429) d.metrics?.throttle(req.tenant, req.functionName);
        if (!isNimbusError(e) || !e.code.startsWith('NIMBUS_ERR_RUNTIME_') || e.kind === 'system') throw e;
        const det = (e.details ?? {}) as { error?: FunctionErrorPayload; logs?: LogLine[] };
        const durationMs = d.clock.monotonic() - t0;
        return finish({
          outcome: {
            ok: false,
            failure: 'init',
            error: det.error ?? {
              errorType: 'Runtime.ImportModuleError',
              errorMessage: e.message,
              trace: [],
            },
            platformError: e.toJSON(),
            durationMs,
            maxRssBytes: 0,
            logs: (det.logs ?? []).map((l) => ({ ...l, requestId })),
          },
          cold: true,
          initDurationMs: durationMs,
          instanceId: 'init',
        });
      }

      const sb = lease.sandbox;
      tt?.admitted(adm, lease.cold, sb.initDurationMs);
      // The function's parent span: this run's (tracing on), else a valid incoming one.
      const traceparent = tt
        ? tt.run(requestId, lease.cold, target.version).traceparent
        : validTraceparent(req.traceparent);
      const inv: Invocation = {
        id: requestId,
        tenant: req.tenant,
        functionName: req.functionName,
        version: target.version,
        qualifier: req.qualifier,
        trigger: req.trigger,
        payload,
        attempt: req.attempt ?? 1,
        deadline: d.clock.now() + target.config.timeoutSec * 1000,
        traceparent,
        clientContext: req.clientContext,
      };
      const calls = d.contextCalls?.handler?.({
        tenant: req.tenant,
        functionName: req.functionName,
        requestId,
        hop: req.hop ?? 0,
        traceparent,
      });
      let outcome: InvokeOutcome;
      try {
        outcome = await sb.invoke(inv, req.signal, req.stream, calls);
      } finally {
        lease.release();
      }
      tt?.ran(outcome);
      return finish({
        outcome,
        cold: lease.cold,
        initDurationMs: lease.cold ? sb.initDurationMs : undefined,
        instanceId: sb.id,
      });

      function finish(r: {
        outcome: InvokeOutcome;
        cold: boolean;
        initDurationMs: number | undefined;
        instanceId: string;
      }): InvokeResult {
        const o = r.outcome;
        const usage = computeUsage({
          tenant: req.tenant,
          requestId,
          functionName: req.functionName,
          version: target.version,
          startedAt,
          durationMs: o.durationMs,
          memoryMb: target.config.memoryMb,
          maxRssBytes: o.maxRssBytes,
          initDurationMs: r.initDurationMs,
          outcome: o.ok ? 'success' : (OUTCOME[o.failure] ?? 'error'),
          attempt: req.attempt,
          price: d.prices?.price({
            family: target.code.family,
            isolation: target.config.isolation ?? 'process',
            architecture: ARCH,
          }),
        });
        d.budgets?.record(usage);
        const status = o.ok ? undefined : o.failure === 'function' ? undefined : o.failure;
        // The function's own lines; an unhandled error is among them, as Lambda's runtimes print it.
        const own: readonly LogLine[] =
          !o.ok && o.failure === 'function'
            ? [
                ...o.logs,
                {
                  ...platformLine(invokeErrorLine(target.code.family, o.error), r.instanceId),
                  stream: 'stderr' as const,
                  level: 'ERROR' as const,
                },
              ]
            : o.logs;
        // One compact record; START/END/REPORT are rendered from it when the logs are read.
        d.logs.write([{ usage, instanceId: r.instanceId, status, lines: own }]);
        d.metrics?.invocation(usage);
        // The tail (X-Amz-Log-Result) renders them now, as the store would.
        const lines = (): LogLine[] => [
          { ...platformLine(startLine(requestId, target.version), r.instanceId), ts: startedAt },
          ...own,
          platformLine(endLine(requestId), r.instanceId),
          platformLine(
            reportLine({
              requestId,
              durationMs: usage.durationMs,
              billedDurationMs: usage.billedDurationMs,
              memoryMb: usage.memoryMb,
              maxRssBytes: usage.maxRssBytes,
              initDurationMs: r.initDurationMs,
              status,
              costUsd: usage.costUsd,
            }),
            r.instanceId,
          ),
        ];
        const result: InvokeResult = {
          requestId,
          version: target.version,
          payload: o.ok ? o.payload : JSON.stringify(o.error),
          functionError: o.ok ? undefined : 'Unhandled',
          errorCode: o.ok ? undefined : o.platformError?.code,
          cold: r.cold,
          initDurationMs: r.initDurationMs,
          durationMs: usage.durationMs,
          billedDurationMs: usage.billedDurationMs,
          maxRssBytes: usage.maxRssBytes,
          memoryMb: usage.memoryMb,
          logTail: req.logTail ? logTail(lines()) : undefined,
          streamed: o.ok ? o.streamed : undefined,
        };
        return result;
      }
    },
  };
  return d.tracing ? tracedInvokeService(svc, d.tracing) : svc;
}
