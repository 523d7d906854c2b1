/** Retry and Catch decisions, table-tested (ASL spec and AWS "Handling errors"). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Retrier } from '../asl/types.ts';
import { decideRetry, errorMatches, findCatcher } from './errors.ts';

describe('error name matching', () => {
  const cases: [string[], string, boolean][] = [
    [['Custom'], 'Custom', true],
    [['Custom'], 'Other', false],
    [['States.ALL'], 'Custom', true],
    [['States.ALL'], 'States.Timeout', true],
    [['States.ALL'], 'States.TaskFailed', true],
    [['States.ALL'], 'States.Runtime', false],
    [['States.ALL'], 'States.DataLimitExceeded', false],
    [['States.DataLimitExceeded'], 'States.DataLimitExceeded', true],
    [['States.TaskFailed'], 'Lambda.ServiceException', true],
    [['States.TaskFailed'], 'States.Timeout', false],
    [['States.TaskFailed'], 'States.HeartbeatTimeout', false],
    [['States.TaskFailed'], 'States.Runtime', false],
    [['States.Timeout'], 'States.HeartbeatTimeout', true],
    [['States.HeartbeatTimeout'], 'States.Timeout', false],
    [['A', 'B'], 'B', true],
  ];
  for (const [names, error, want] of cases)
    it(`${names.join(',')} ${want ? 'matches' : 'does not match'} ${error}`, () => {
      assert.equal(errorMatches(names, error), want);
    });
});

describe('retry decisions', () => {
  const r = (o: Partial<Retrier>): Retrier => ({ ErrorEquals: ['States.ALL'], ...o });
  const never = () => 0.5;
  const cases: [string, Retrier[] | undefined, number[], string, ReturnType<typeof decideRetry>][] = [
    ['no Retry field', undefined, [], 'E', { retry: false }],
    ['defaults: 1 s, ×2, 3 attempts', [r({})], [], 'E', { retry: true, index: 0, delayMs: 1000 }],
    ['second attempt doubles', [r({})], [1], 'E', { retry: true, index: 0, delayMs: 2000 }],
    ['third attempt', [r({})], [2], 'E', { retry: true, index: 0, delayMs: 4000 }],
    ['exhausted after MaxAttempts', [r({})], [3], 'E', { retry: false }],
    ['MaxAttempts 0 never retries', [r({ MaxAttempts: 0 })], [], 'E', { retry: false }],
    [
      'IntervalSeconds and BackoffRate',
      [r({ IntervalSeconds: 3, BackoffRate: 1.5 })],
      [2],
      'E',
      { retry: true, index: 0, delayMs: 6750 },
    ],
    [
      'MaxDelaySeconds caps',
      [r({ IntervalSeconds: 10, BackoffRate: 10, MaxAttempts: 5, MaxDelaySeconds: 30 })],
      [2],
      'E',
      { retry: true, index: 0, delayMs: 30_000 },
    ],
    [
      'FULL jitter draws below the delay',
      [r({ IntervalSeconds: 4, JitterStrategy: 'FULL' })],
      [0],
      'E',
      { retry: true, index: 0, delayMs: 2000 },
    ],
    [
      'the first matching retrier decides',
      [r({ ErrorEquals: ['E'], MaxAttempts: 1 }), r({ MaxAttempts: 5 })],
      [1],
      'E',
      { retry: false },
    ],
    [
      'a later retrier for another error',
      [r({ ErrorEquals: ['X'] }), r({ IntervalSeconds: 2 })],
      [0, 0],
      'E',
      { retry: true, index: 1, delayMs: 2000 },
    ],
    ['States.Runtime is never retried by States.ALL', [r({})], [], 'States.Runtime', { retry: false }],
    [
      'attempts are counted per retrier',
      [r({ ErrorEquals: ['A'], MaxAttempts: 1 }), r({ ErrorEquals: ['B'], MaxAttempts: 2 })],
      [1, 0],
      'B',
      { retry: true, index: 1, delayMs: 1000 },
    ],
  ];
  for (const [name, retriers, used, error, want] of cases)
    it(name, () => {
      assert.deepEqual(decideRetry(retriers, used, error, never), want);
    });
});

describe('catch decisions', () => {
  const catchers = [
    { ErrorEquals: ['Custom'], Next: 'A' },
    { ErrorEquals: ['States.TaskFailed'], Next: 'B' },
    { ErrorEquals: ['States.ALL'], Next: 'C' },
  ];
  for (const [error, next] of [
    ['Custom', 'A'],
    ['Lambda.Unknown', 'B'],
    ['States.Timeout', 'C'],
    ['States.Runtime', undefined],
  ] as const)
    it(`${error} → ${next ?? 'not caught'}`, () => {
      assert.equal(findCatcher(catchers, error)?.Next, next);
    });
});
