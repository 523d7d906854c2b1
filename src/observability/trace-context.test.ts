import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../config/index.ts';
import { isNimbusError } from '../core/errors.ts';
import {
  formatTraceparent,
  incomingTraceparent,
  parseTraceparent,
  parseXRay,
  toXRay,
  validTraceparent,
} from './trace-context.ts';
import { tracingFromEnv } from './tracing.ts';
import { createOtelTracing } from './tracing-otel.ts';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

describe('traceparent', () => {
  it('parses valid headers (sampled flag, surrounding whitespace, future versions)', () => {
    assert.deepEqual(parseTraceparent(`00-${T}-${S}-01`), { traceId: T, spanId: S, sampled: true });
    assert.deepEqual(parseTraceparent(` 00-${T}-${S}-00 `), { traceId: T, spanId: S, sampled: false });
    assert.deepEqual(parseTraceparent(`00-${T}-${S}-03`)?.sampled, true);
    assert.deepEqual(parseTraceparent(`01-${T}-${S}-01-future-stuff`)?.traceId, T);
  });

  it('refuses hostile and malformed values', () => {
    for (const bad of [
      undefined,
      null,
      '',
      'garbage',
      `00-${T}-${S}`,
      `00-${T.toUpperCase()}-${S}-01`,
      `ff-${T}-${S}-01`,
      `00-${'0'.repeat(32)}-${S}-01`,
      `00-${T}-${'0'.repeat(16)}-01`,
      `00-${T}-${S}-01-extra`,
      `00-${T}-${S}-1`,
      `00-${T}0-${S}-01`,
      `00_${T}_${S}_01`,
      `00-${T}-${S}-01\r\nx-evil: 1`,
      `00-${T}-${S}-01${'a'.repeat(100_000)}`,
      '00-\u0000'.repeat(20),
    ])
      assert.equal(parseTraceparent(bad as string), undefined, String(bad).slice(0, 80));
  });

  it('never throws on any string; what it accepts formats back to a canonical header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const t = parseTraceparent(s);
        if (t) assert.equal(parseTraceparent(formatTraceparent(t))?.traceId, t.traceId);
      }),
    );
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
        const h = formatTraceparent({ traceId, spanId, sampled });
        assert.deepEqual(parseTraceparent(h), { traceId, spanId, sampled });
        assert.equal(validTraceparent(h), h);
        // W3C ↔ X-Ray round trip.
        assert.deepEqual(parseXRay(toXRay({ traceId, spanId, sampled })), { traceId, spanId, sampled });
      }),
    );
  });
});

describe('X-Ray', () => {
  it('converts W3C to Lambda\u2019s _X_AMZN_TRACE_ID form', () => {
    assert.equal(
      toXRay({ traceId: T, spanId: S, sampled: true }),
      `Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${S};Sampled=1`,
    );
    assert.equal(toXRay({ traceId: T, spanId: S, sampled: false }).endsWith('Sampled=0'), true);
  });

  it('reads X-Amzn-Trace-Id in any field order, with Lineage and without Sampled', () => {
    const root = 'Root=1-4bf92f35-77b34da6a3ce929d0e0e4736';
    assert.deepEqual(parseXRay(`${root};Parent=${S};Sampled=1`), { traceId: T, spanId: S, sampled: true });
    assert.deepEqual(parseXRay(`Sampled=0;Parent=${S};${root};Lineage=a87bd80c:1|68fd508a:5`), {
      traceId: T,
      spanId: S,
      sampled: false,
    });
    assert.equal(parseXRay(`${root};Parent=${S}`)?.sampled, true);
    assert.equal(parseXRay(`Root=1-4BF92F35-77B34DA6A3CE929D0E0E4736;Parent=${S}`)?.traceId, T);
  });

  it('refuses roots without a parent and malformed ids', () => {
    for (const bad of [
      'Root=1-4bf92f35-77b34da6a3ce929d0e0e4736',
      `Root=2-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${S}`,
      `Root=1-4bf92f35-77b34da6;Parent=${S}`,
      `Root=1-00000000-000000000000000000000000;Parent=${S}`,
      'Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=zz',
      `Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${'0'.repeat(16)}`,
      ';;;===;',
      `Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${S};${'x'.repeat(1000)}`,
    ])
      assert.equal(parseXRay(bad), undefined, bad.slice(0, 80));
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void parseXRay(s)));
  });

  it('an incoming request continues traceparent first, then X-Amzn-Trace-Id', () => {
    const h =
      (m: Record<string, string>) =>
      (n: string): string | undefined =>
        m[n];
    const xray = `Root=1-aaaabbbb-ccccddddeeeeffff00001111;Parent=${S};Sampled=1`;
    assert.equal(incomingTraceparent(h({ traceparent: `00-${T}-${S}-01` })), `00-${T}-${S}-01`);
    assert.equal(
      incomingTraceparent(h({ traceparent: 'bad', 'x-amzn-trace-id': xray })),
      `00-aaaabbbbccccddddeeeeffff00001111-${S}-01`,
    );
    assert.equal(incomingTraceparent(h({})), undefined);
  });
});

describe('tracing configuration (OTEL_* variables)', () => {
  it('is off without an endpoint or with OTEL_TRACES_EXPORTER=none', () => {
    assert.equal(tracingFromEnv({}).tracing, undefined);
    assert.equal(
      tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).tracing,
      undefined,
    );
    assert.equal(loadConfig({}, {}).tracing, undefined);
  });

  it('reads endpoint, service name, sampler and headers', () => {
    const c = loadConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'edge',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-team=core',
      },
    ).tracing;
    assert.deepEqual(c, {
      endpoint: 'http://collector:4318/v1/traces',
      serviceName: 'edge',
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
      headers: { authorization: 'Bearer abc', 'x-team': 'core' },
    });
    const specific = tracingFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom/path',
    }).tracing;
    assert.equal(specific?.endpoint, 'https://b/custom/path');
    assert.equal(specific?.sampler, 'parentbased_always_on');
    assert.equal(specific?.serviceName, 'nimbus');
  });

  it('lists every problem as a configuration error', () => {
    try {
      loadConfig(
        {},
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
          OTEL_TRACES_SAMPLER: 'sometimes',
          OTEL_EXPORTER_OTLP_HEADERS: 'novalue',
        },
      );
      assert.fail('expected CONFIG_INVALID');
    } catch (e) {
      assert.ok(isNimbusError(e) && e.code === 'NIMBUS_ERR_CONFIG_INVALID', String(e));
      assert.match(e.message, /OTEL_EXPORTER_OTLP_ENDPOINT/);
      assert.match(e.message, /OTEL_TRACES_SAMPLER/);
      assert.match(e.message, /OTEL_EXPORTER_OTLP_HEADERS/);
    }
    assert.match(
      tracingFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }).problems[0] ?? '',
      /OTEL_TRACES_SAMPLER_ARG/,
    );
  });

  it('the sampler ratio decides which new traces are recorded; children follow their parent', async () => {
    const exported: string[] = [];
    const t = createOtelTracing(
      {
        endpoint: 'http://127.0.0.1:1/v1/traces',
        serviceName: 's',
        sampler: 'parentbased_traceidratio',
        ratio: 0,
        headers: {},
      },
      {
        exporter: {
          export: (spans, done) => {
            for (const s of spans) exported.push(s.name);
            done({ code: 0 });
          },
          shutdown: async () => {},
        },
      },
    );
    const root = t.start('root');
    assert.match(root.traceparent, /-00$/, 'ratio 0: not sampled');
    root.end();
    const child = t.start('child of a sampled caller', { parent: `00-${T}-${S}-01` });
    assert.equal(child.traceparent.slice(0, 35), `00-${T}`);
    assert.match(child.traceparent, /-01$/);
    child.end();
    await t.shutdown();
    assert.deepEqual(exported, ['child of a sampled caller']);
  });

  it('an unreachable collector drops spans and says so (rate-limited); nothing throws', async () => {
    const errors: Error[] = [];
    const t = createOtelTracing(
      {
        // A port nothing listens on (1: tcpmux, refused at once on loopback).
        endpoint: 'http://127.0.0.1:1/v1/traces',
        serviceName: 's',
        sampler: 'always_on',
        ratio: 1,
        headers: {},
      },
      { onExportError: (e) => errors.push(e), exportTimeoutMillis: 300 },
    );
    for (let i = 0; i < 2; i++) {
      t.start('a').end();
      await t.flush();
    }
    await t.shutdown();
    assert.equal(errors.length, 1, 'one report per minute');
    assert.ok(errors[0] instanceof Error);
  });
});
