import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DEFAULT_RETRY_POLICY, decideRetry, type RetryInput } from './retry.ts';

const P = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1000, maxDelayMs: 10_000 };
const base: RetryInput = {
  policy: P,
  failure: 'function',
  failuresSoFar: 0,
  enqueuedAt: 0,
  now: 0,
  random: 0.5,
};

describe('backoffDelay', () => {
  const cases: [n: number, random: number, ms: number][] = [
    [1, 0, 500],
    [1, 0.999999, 1000],
    [1, 0.5, 750],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [4, 1, 8000],
    [5, 1, 10_000], // capped
    [30, 0, 5000], // capped, half fixed
  ];
  for (const [n, r, ms] of cases)
    it(`retry ${n}, random ${r} → ${ms} ms`, () => assert.equal(backoffDelay(P, n, r), ms));
  it('Lambda-like defaults: ~1 min then ~2 min', () => {
    assert.equal(backoffDelay(DEFAULT_RETRY_POLICY, 1, 1), 60_000);
    assert.equal(backoffDelay(DEFAULT_RETRY_POLICY, 2, 1), 120_000);
  });
});

describe('decideRetry', () => {
  const table: [name: string, input: Partial<RetryInput>, expected: unknown][] = [
    ['first failure retries', {}, { action: 'retry', at: 750, countFailure: true }],
    ['second failure retries', { failuresSoFar: 1 }, { action: 'retry', at: 1500, countFailure: true }],
    [
      'third failure with 2 retries → dead',
      { failuresSoFar: 2 },
      { action: 'dead', reason: 'RetriesExhausted' },
    ],
    [
      'zero retries → dead at once',
      { policy: { ...P, maximumRetryAttempts: 0 } },
      { action: 'dead', reason: 'RetriesExhausted' },
    ],
    [
      'Nimbus allows more than 2',
      { policy: { ...P, maximumRetryAttempts: 5 }, failuresSoFar: 4 },
      { action: 'retry', at: 7500, countFailure: true },
    ],
    [
      'timeouts count',
      { failure: 'timeout', failuresSoFar: 2 },
      { action: 'dead', reason: 'RetriesExhausted' },
    ],
    ['OOM counts', { failure: 'oom' }, { action: 'retry', at: 750, countFailure: true }],
    ['crash counts', { failure: 'crash' }, { action: 'retry', at: 750, countFailure: true }],
    ['non-retriable → dead', { failure: 'non-retriable' }, { action: 'dead', reason: 'NonRetriable' }],
    [
      'retry-after honours the asked delay, not counted',
      { failure: 'retry-after', retryAfterMs: 4321, failuresSoFar: 2 },
      { action: 'retry', at: 4321, countFailure: false },
    ],
    [
      'throttled: soon, not counted',
      { failure: 'throttled', failuresSoFar: 2 },
      { action: 'retry', at: 1500, countFailure: false },
    ],
    [
      'a retry past the maximum event age → dead',
      { policy: { ...P, maximumEventAgeSec: 60 }, now: 59_500 },
      { action: 'dead', reason: 'EventAgeExceeded' },
    ],
    [
      'retry-after past the event age → dead',
      { failure: 'retry-after', retryAfterMs: 100_000, policy: { ...P, maximumEventAgeSec: 60 } },
      { action: 'dead', reason: 'EventAgeExceeded' },
    ],
    [
      'throttled forever ends at the event age',
      { failure: 'throttled', policy: { ...P, maximumEventAgeSec: 60 }, now: 59_000 },
      { action: 'dead', reason: 'EventAgeExceeded' },
    ],
  ];
  for (const [name, input, expected] of table)
    it(name, () => assert.deepEqual(decideRetry({ ...base, ...input }), expected));
});
