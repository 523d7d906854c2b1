import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readHttpCloudEvents, validateCloudEvent } from './cloudevents.ts';
import { compileTransformer, parseJsonPath } from './transform.ts';

const EV = { specversion: '1.0', id: 'e1', source: '/shop', type: 'order.placed', data: { amount: 5 } };
const code = (re: RegExp) => (e: Error & { code?: string }) =>
  e.code?.startsWith('NIMBUS_ERR_EVENTS_') === true && re.test(e.message);

describe('CloudEvents', () => {
  it('reads structured, batch and binary modes', () => {
    const json = (v: unknown) => Buffer.from(JSON.stringify(v));
    assert.deepEqual(readHttpCloudEvents({ 'content-type': 'application/cloudevents+json' }, json(EV)), [EV]);
    const batch = readHttpCloudEvents(
      { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' },
      json([EV, { ...EV, id: 'e2' }]),
    );
    assert.deepEqual(
      batch.map((e) => e.id),
      ['e1', 'e2'],
    );
    const bin = readHttpCloudEvents(
      {
        'ce-specversion': '1.0',
        'ce-id': 'b1',
        'ce-source': '/x',
        'ce-type': 't',
        'ce-subject': 's',
        'ce-region': 'eu',
        'content-type': 'application/json',
      },
      json({ a: 1 }),
    );
    assert.deepEqual(bin[0], {
      specversion: '1.0',
      id: 'b1',
      source: '/x',
      type: 't',
      subject: 's',
      region: 'eu',
      datacontenttype: 'application/json',
      data: { a: 1 },
    });
    const png = readHttpCloudEvents(
      {
        'ce-specversion': '1.0',
        'ce-id': 'p',
        'ce-source': '/x',
        'ce-type': 't',
        'content-type': 'image/png',
      },
      Buffer.from([1, 2, 3]),
    );
    assert.equal(png[0]?.data_base64, 'AQID');
  });
  const bad: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{ ...EV, specversion: '0.3' }, /specversion/],
    [{ ...EV, id: '' }, /missing or empty id/],
    [{ specversion: '1.0' }, /id, source, type/],
    [{ ...EV, time: 'yesterday' }, /RFC 3339/],
    [{ ...EV, data_base64: 'AA==' }, /not both/],
    [{ ...EV, Bad_Name: 1 }, /attribute name/],
    [{ ...EV, ext: { nested: true } }, /string, number or boolean/],
  ];
  for (const [ev, re] of bad)
    it(`rejects ${JSON.stringify(ev)}`, () => assert.throws(() => validateCloudEvent(ev), code(re)));
  it('rejects malformed bodies and unknown modes with coded errors', () => {
    assert.throws(
      () => readHttpCloudEvents({ 'content-type': 'application/cloudevents+json' }, Buffer.from('{')),
      code(/not JSON/),
    );
    assert.throws(
      () => readHttpCloudEvents({ 'content-type': 'text/plain' }, Buffer.from('x')),
      code(/ce-\* headers/),
    );
    assert.throws(
      () => readHttpCloudEvents({ 'content-type': 'application/cloudevents-batch+json' }, Buffer.from('[]')),
      code(/non-empty/),
    );
  });
});

describe('input transformers', () => {
  it('parses JSONPaths', () => {
    assert.deepEqual(parseJsonPath('$'), []);
    assert.deepEqual(parseJsonPath("$.data.items[1]['sku code']"), ['data', 'items', 1, 'sku code']);
    assert.throws(() => parseJsonPath('data.x'), code(/must start with \$/));
  });
  it('places values inside and outside strings, and the whole event', () => {
    const t = compileTransformer({
      inputPathsMap: { amount: '$.data.amount', src: '$.source', missing: '$.data.nope' },
      inputTemplate:
        '{"text": "order from <src> of <amount>", "amount": <amount>, "m": <missing>, "all": <aws.events.event>}',
    });
    assert.deepEqual(JSON.parse(t.apply(EV)), { text: 'order from /shop of 5', amount: 5, m: null, all: EV });
    const plain = compileTransformer({ inputPathsMap: { t: '$.type' }, inputTemplate: 'got <t>' });
    assert.equal(JSON.parse(plain.apply(EV)), 'got "order.placed"');
    const quoted = compileTransformer({ inputPathsMap: { s: '$.source' }, inputTemplate: '"<s>"' });
    assert.equal(JSON.parse(quoted.apply({ source: 'a "quoted" word' })), 'a "quoted" word');
  });
  it('rejects bad transformers', () => {
    assert.throws(
      () => compileTransformer({ inputPathsMap: { 'aws.x': '$' }, inputTemplate: '' }),
      code(/placeholder/),
    );
    assert.throws(
      () => compileTransformer({ inputPathsMap: { a: '$..x' }, inputTemplate: '' }),
      code(/cannot read/),
    );
  });
});
