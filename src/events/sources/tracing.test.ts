import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchLinks, destinationOf, firstContext } from './tracing.ts';

const tp = (trace: string, span: string) =>
  `00-${trace.repeat(32 / trace.length)}-${span.repeat(16 / span.length)}-01`;

describe('event source batch traces', () => {
  it('continue the first valid context and link the distinct others', () => {
    const a = tp('a', '1');
    const b = tp('b', '2');
    const r = batchLinks([undefined, 'garbage', a, b, a, `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`, b]);
    assert.deepEqual(r, { parent: a, links: [b] });
    assert.deepEqual(batchLinks([undefined, 'nope']), { links: [] });
  });

  it('keep at most 32 links (a batch can hold 1000 messages)', () => {
    const many = Array.from({ length: 100 }, (_, i) => tp('c', (i + 1).toString(16).padStart(16, '0')));
    const r = batchLinks(many);
    assert.equal(r.parent, many[0]);
    assert.equal(r.links.length, 32);
    assert.deepEqual(r.links, many.slice(1, 33));
  });

  it('normalize what they pass on (tracing off)', () => {
    const padded = `00-${'d'.repeat(32)}-${'e'.repeat(16)}-01`;
    assert.equal(
      firstContext([{ t: undefined }, { t: ' bad ' }, { t: ` ${padded} ` }], (x) => x.t),
      padded,
    );
    assert.equal(
      firstContext([{ t: undefined }], (x) => x.t),
      undefined,
    );
  });

  it('name what a source consumes', () => {
    assert.equal(destinationOf('nats', { subject: 'a.b' }), 'a.b');
    assert.equal(destinationOf('rabbitmq', { queue: 'q' }), 'q');
    assert.equal(destinationOf('postgres', { tables: ['public.a', 'b'] }), 'public.a,b');
    assert.equal(destinationOf('postgres', { table: 'x' }), 'x');
    assert.equal(destinationOf('mqtt', {}), undefined);
  });
});
