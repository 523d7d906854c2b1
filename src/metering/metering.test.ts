import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billedDurationMs, computeUsage } from './index.ts';

describe('metering', () => {
  const cases: [number, number][] = [
    [0, 1],
    [0.2, 1],
    [1, 1],
    [1.0001, 2],
    [99.5, 100],
    [900000, 900000],
  ];
  for (const [d, b] of cases) it(`bills ${d} ms as ${b} ms`, () => assert.equal(billedDurationMs(d), b));

  it('computes GB-seconds from memory and billed duration', () => {
    const u = computeUsage({
      tenant: 'default',
      requestId: 'r',
      functionName: 'f',
      version: '$LATEST',
      startedAt: 0,
      durationMs: 999.2,
      memoryMb: 2048,
      maxRssBytes: 1,
      outcome: 'success',
    });
    assert.equal(u.billedDurationMs, 1000);
    assert.equal(u.gbSeconds, 2);
  });
});

describe('price table', () => {
  it('picks the most specific entry, defaults to Lambda prices, and costs one request plus GB-seconds', async () => {
    const { DEFAULT_PRICES, PriceBook, costOf, parsePriceTable, priceFor } = await import('./prices.ts');
    const k = { family: 'node', isolation: 'process' as const, architecture: 'x86_64' as const };
    assert.deepEqual(priceFor(DEFAULT_PRICES, k), { perRequest: 0.0000002, perGbSecond: 0.0000166667 });
    assert.equal(priceFor(DEFAULT_PRICES, { ...k, architecture: 'arm64' }).perGbSecond, 0.0000133334);
    const t = parsePriceTable({
      entries: [
        { perRequest: 1, perGbSecond: 1 },
        { family: 'node', perRequest: 2, perGbSecond: 2 },
        { family: 'node', isolation: 'isolate', perRequest: 3, perGbSecond: 3 },
      ],
    });
    assert.equal(priceFor(t, k).perRequest, 2);
    assert.equal(priceFor(t, { ...k, isolation: 'isolate' }).perRequest, 3);
    assert.equal(priceFor(t, { ...k, family: 'python' }).perRequest, 1);
    const book = new PriceBook(t);
    assert.equal(book.price(k).perRequest, 2);
    book.set(DEFAULT_PRICES);
    assert.equal(book.price(k).perRequest, 0.0000002);
    // 128 MB for 100 ms at Lambda's x86 price: 0.0125 GB-s.
    const u = computeUsage({
      tenant: 't',
      requestId: 'r',
      functionName: 'f',
      version: '1',
      startedAt: 0,
      durationMs: 99.2,
      memoryMb: 128,
      maxRssBytes: 1,
      outcome: 'success',
      price: book.price(k),
    });
    assert.equal(u.gbSeconds, 0.0125);
    assert.ok(Math.abs((u.costUsd ?? 0) - (0.0000002 + 0.0125 * 0.0000166667)) < 1e-18);
    assert.equal(costOf({ perRequest: 0, perGbSecond: 0 }, 5), 0);
    assert.throws(
      () => parsePriceTable({ entries: [{ perRequest: 1 }] }),
      /NIMBUS_ERR_PRICES_INVALID|invalid price table/,
    );
  });
});
