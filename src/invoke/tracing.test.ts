/**
 * The invocation's spans over the real OpenTelemetry SDK (an in-memory exporter, the SDK's own):
 * throttled admission, a failed cold start, a function error, the API request span. The happy path
 * through a real platform is in test/tracing.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtelTracing } from '../observability/tracing-otel.ts';
import { RuntimeErrors } from '../runtime/errors.ts';
import { SchedulerErrors } from '../scheduler/errors.ts';
import { InvokeTrace } from './tracing.ts';
import type { InvokeRequest } from './types.ts';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function traced(
  req: Partial<InvokeRequest>,
  steps: (tt: InvokeTrace) => void,
): Promise<Map<string, ReadableSpan>> {
  const exporter = new InMemorySpanExporter();
  const t = createOtelTracing(
    {
      endpoint: 'http://127.0.0.1:1/v1/traces',
      serviceName: 's',
      sampler: 'always_on',
      ratio: 1,
      headers: {},
    },
    { exporter },
  );
  steps(
    new InvokeTrace(t, {
      tenant: 'default',
      functionName: 'f',
      payload: '{}',
      trigger: { type: 'http', routeKey: 'GET /f' },
      traceparent: PARENT,
      ...req,
    }),
  );
  await t.flush();
  const spans = new Map(exporter.getFinishedSpans().map((s) => [s.name, s] as const));
  await t.shutdown();
  return spans;
}

const parentOf = (s: ReadableSpan | undefined) => s?.parentSpanContext?.spanId;

describe('invocation spans', () => {
  it('a throttled admission is marked and failed; no run span', async () => {
    const spans = await traced({}, (tt) => {
      const adm = tt.admission();
      const e = SchedulerErrors.THROTTLED({ function: 'f', limit: 1 });
      tt.rejected(adm, e);
      tt.failed(e);
    });
    const adm = spans.get('admission');
    assert.equal(adm?.attributes['nimbus.admission.throttled'], true);
    assert.equal(adm?.status.code, 2);
    assert.equal(adm?.status.message, 'NIMBUS_ERR_SCHEDULER_THROTTLED');
    assert.equal(parentOf(adm), '00f067aa0ba902b7');
    assert.equal(adm?.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(spans.has('invoke f'), false);
  });

  it('an init failure is a failed cold start under the admission', async () => {
    const spans = await traced({}, (tt) => {
      const adm = tt.admission();
      tt.rejected(adm, RuntimeErrors.INIT({ reason: 'boom' }));
    });
    const cold = spans.get('cold start');
    assert.equal(cold?.status.code, 2);
    assert.equal(parentOf(cold), spans.get('admission')?.spanContext().spanId);
    assert.equal(spans.get('admission')?.attributes['nimbus.admission.cold'], true);
  });

  it('a function error fails the run span with its error type', async () => {
    const spans = await traced({}, (tt) => {
      const adm = tt.admission();
      tt.admitted(adm, true, 42.5);
      tt.run('req-1', true, '3');
      tt.ran({
        ok: false,
        failure: 'function',
        error: { errorType: 'TypeError', errorMessage: 'x', trace: [] },
        durationMs: 1,
        maxRssBytes: 0,
        logs: [],
      });
    });
    const run = spans.get('invoke f');
    assert.equal(run?.attributes['nimbus.outcome'], 'function');
    assert.equal(run?.attributes['error.type'], 'TypeError');
    assert.equal(run?.attributes['faas.invocation_id'], 'req-1');
    assert.equal(run?.attributes['faas.coldstart'], true);
    assert.equal(run?.attributes['faas.version'], '3');
    assert.equal(run?.status.code, 2);
    assert.equal(spans.get('cold start')?.attributes['nimbus.init_duration_ms'], 42.5);
  });

  it('API callers get a SERVER request span around the rest; a malformed parent starts a new trace', async () => {
    const spans = await traced({ trigger: { type: 'api' }, traceparent: 'not-a-traceparent' }, (tt) => {
      const adm = tt.admission();
      tt.admitted(adm, false, undefined);
      tt.run('req-2', false, '$LATEST');
      tt.ran({ ok: true, payload: '1', durationMs: 1, maxRssBytes: 0, logs: [] });
      tt.done({
        requestId: 'req-2',
        version: '$LATEST',
        payload: '1',
        cold: false,
        durationMs: 1,
        billedDurationMs: 1,
        maxRssBytes: 0,
        memoryMb: 128,
      });
    });
    const req = spans.get('Invoke f');
    assert.equal(req?.kind, 1); // SERVER
    assert.equal(parentOf(req), undefined);
    assert.notEqual(req?.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(parentOf(spans.get('invoke f')), req?.spanContext().spanId);
    assert.equal(parentOf(spans.get('admission')), req?.spanContext().spanId);
    assert.equal(spans.has('cold start'), false);
  });
});
