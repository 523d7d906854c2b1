import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionConfig } from '../core/types.ts';
import { scalingConfigProblems } from './config.ts';
import {
  effectiveScaling,
  ewma,
  floorInstances,
  ISOLATE_RESERVATION_MB,
  instanceReservationMb,
  mayQueue,
  pickEvictions,
  provisionedAt,
  sharedStartsNeeded,
  startsNeeded,
} from './scaling.ts';

const base: FunctionConfig = {
  runtime: 'nodejs24.x',
  handler: 'index.handler',
  memoryMb: 128,
  timeoutSec: 3,
  environment: {},
  description: '',
};
const D = { functionConcurrency: 50 };

describe('effectiveScaling', () => {
  const cases: [string, Partial<FunctionConfig>, { cap: number; perInstance: number; reserved?: number }][] =
    [
      ['defaults: Lambda semantics, platform concurrency', {}, { cap: 50, perInstance: 1 }],
      [
        'reserved concurrency caps (and reserves)',
        { reservedConcurrency: 5 },
        { cap: 5, perInstance: 1, reserved: 5 },
      ],
      ['max instances × 1', { scaling: { maxInstances: 3 } }, { cap: 3, perInstance: 1 }],
      [
        'max instances × per-instance concurrency',
        { scaling: { maxInstances: 3, perInstanceConcurrency: 8 } },
        { cap: 24, perInstance: 8 },
      ],
      [
        'reserved below max instances × N wins',
        { reservedConcurrency: 10, scaling: { maxInstances: 3, perInstanceConcurrency: 8 } },
        { cap: 10, perInstance: 8, reserved: 10 },
      ],
    ];
  for (const [name, cfg, want] of cases) {
    it(name, () => {
      const e = effectiveScaling({ ...base, ...cfg }, D);
      assert.equal(e.cap, want.cap);
      assert.equal(e.perInstance, want.perInstance);
      assert.equal(e.reserved, want.reserved);
    });
  }
});

describe('effectiveScaling: HTTP sharing', () => {
  const S = { functionConcurrency: 50, httpSharing: 16 };
  it('a Node function without perInstanceConcurrency shares HTTP requests up to the platform limit', () => {
    const e = effectiveScaling(base, S, 'node');
    assert.deepEqual([e.perInstance, e.shared, e.cap], [1, 16, 50]);
    assert.equal(effectiveScaling({ ...base, scaling: { maxInstances: 2 } }, S, 'node').cap, 32);
  });
  it('perInstanceConcurrency (1 included) is the function choosing: no sharing beyond it', () => {
    const one = effectiveScaling({ ...base, scaling: { perInstanceConcurrency: 1 } }, S, 'node');
    assert.deepEqual([one.perInstance, one.shared], [1, 1]);
    const eight = effectiveScaling({ ...base, scaling: { perInstanceConcurrency: 8 } }, S, 'node');
    assert.deepEqual([eight.perInstance, eight.shared], [8, 8]);
  });
  it('other runtimes and the platform default of 1 keep one request per instance', () => {
    assert.equal(effectiveScaling({ ...base, runtime: 'python3.12' }, S, 'python').shared, 1);
    assert.equal(effectiveScaling(base, { functionConcurrency: 50, httpSharing: 1 }, 'node').shared, 1);
    assert.equal(effectiveScaling(base, D, 'node').shared, 1);
  });
});

describe('sharedStartsNeeded', () => {
  const o = {
    exclusiveWaiting: 0,
    sharedWaiting: 0,
    shared: 16,
    starting: 0,
    live: 0,
    maxInstances: Infinity,
    maxStarts: 8,
  };
  const cases: [string, Partial<typeof o>, number][] = [
    ['nothing waits', {}, 0],
    ['32 HTTP requests from zero: two instances', { sharedWaiting: 32 }, 2],
    ['17 HTTP requests: two', { sharedWaiting: 17 }, 2],
    ['each exclusive waiter needs its own instance', { exclusiveWaiting: 3, sharedWaiting: 5 }, 4],
    ['starts in flight cover needs', { sharedWaiting: 32, starting: 2 }, 0],
    ['bounded by max instances', { exclusiveWaiting: 5, live: 2, maxInstances: 4 }, 2],
    ['bounded by concurrent starts', { exclusiveWaiting: 20 }, 8],
  ];
  for (const [name, over, want] of cases) {
    it(name, () => assert.equal(sharedStartsNeeded({ ...o, ...over }), want));
  }
});

describe('floorInstances', () => {
  const e = (s: FunctionConfig['scaling']) => effectiveScaling({ ...base, scaling: s }, D);
  it('provisioned concurrency needs ⌈P / N⌉ instances', () => {
    assert.equal(floorInstances(e({ perInstanceConcurrency: 4 }), 10), 3);
    assert.equal(floorInstances(e({}), 3), 3);
  });
  it('min instances, whichever is larger, bounded by max instances', () => {
    assert.equal(floorInstances(e({ minInstances: 2 }), 1), 2);
    assert.equal(floorInstances(e({ minInstances: 2, maxInstances: 4 }), 10), 4);
    assert.equal(floorInstances(e({}), 0), 0);
  });
});

describe('startsNeeded (singleflight)', () => {
  const row = (o: Partial<Parameters<typeof startsNeeded>[0]>) =>
    startsNeeded({
      waiting: 0,
      starting: 0,
      live: 0,
      perInstance: 1,
      maxInstances: 1000,
      maxStarts: 8,
      ...o,
    });
  const cases: [string, Partial<Parameters<typeof startsNeeded>[0]>, number][] = [
    ['nothing waits: no start', { waiting: 0 }, 0],
    ['one request: one start', { waiting: 1 }, 1],
    ['a start in flight covers the request', { waiting: 1, starting: 1 }, 0],
    [
      '100 requests, 10 per instance: 8 starts now (bounded), 10 in total',
      { waiting: 100, perInstance: 10 },
      8,
    ],
    ['…and the remaining 2 once 8 are on their way', { waiting: 100, perInstance: 10, starting: 8 }, 0],
    ['…2 more when 6 of them finished starting', { waiting: 20, perInstance: 10, starting: 0, live: 8 }, 2],
    ['max instances bounds the starts', { waiting: 50, live: 3, maxInstances: 4 }, 1],
    ['at max instances: none', { waiting: 50, live: 4, maxInstances: 4 }, 0],
    ['partial instance: rounds up', { waiting: 11, perInstance: 10 }, 2],
  ];
  for (const [name, o, want] of cases) it(name, () => assert.equal(row(o), want));
});

describe('mayQueue', () => {
  const q = (o: Partial<Parameters<typeof mayQueue>[0]>) =>
    mayQueue({
      waiting: 0,
      cap: 4,
      serviceMs: 100,
      maxWaitMs: 2000,
      maxQueue: 1000,
      waitFactor: 1,
      floorMs: 10,
      ...o,
    });
  it('queues one round of waiters (expected wait ≤ one run time)', () => {
    assert.equal(q({ waiting: 0 }).queue, true);
    assert.equal(q({ waiting: 3 }).queue, true);
    assert.deepEqual(q({ waiting: 4 }), { queue: false, reason: 'expected-wait' });
  });
  it('a larger wait factor admits more rounds', () => {
    assert.equal(q({ waiting: 11, waitFactor: 3 }).queue, true);
    assert.equal(q({ waiting: 12, waitFactor: 3 }).queue, false);
  });
  it('the hard wait bound caps the factor', () => {
    assert.equal(q({ waiting: 0, serviceMs: 5000 }).queue, false);
  });
  it('without a run-time sample only the hard bounds apply', () => {
    assert.equal(q({ waiting: 900, serviceMs: undefined }).queue, true);
    assert.deepEqual(q({ waiting: 1000, serviceMs: undefined }), { queue: false, reason: 'queue-full' });
  });
  it('no wait configured: throttle at once (Lambda)', () => {
    assert.deepEqual(q({ maxWaitMs: 0 }), { queue: false, reason: 'no-wait' });
  });
  it('very fast functions still get the floor', () => {
    assert.equal(q({ waiting: 4, serviceMs: 1 }).queue, true); // 2 rounds × 1 ms ≤ 10 ms floor
  });
});

describe('instanceReservationMb', () => {
  it('process instances reserve their memory size, isolates a few MB', () => {
    assert.equal(instanceReservationMb({ memoryMb: 512 }), 512);
    assert.equal(instanceReservationMb({ memoryMb: 512, isolation: 'process' }), 512);
    assert.equal(instanceReservationMb({ memoryMb: 512, isolation: 'isolate' }), ISOLATE_RESERVATION_MB);
  });
});

describe('pickEvictions (node memory budget, LRU)', () => {
  const c = (lastUsed: number, memoryMb = 128) => ({ lastUsed, memoryMb });
  it('nothing to evict when it fits', () => {
    assert.deepEqual(pickEvictions([c(1)], 128, 128, 512), []);
  });
  it('evicts the least recently used first, only as many as needed', () => {
    const a = c(30);
    const b = c(10);
    const d = c(20);
    assert.deepEqual(pickEvictions([a, b, d], 512, 256, 512), [b, d]);
  });
  it('undefined when evicting everything is not enough', () => {
    assert.equal(pickEvictions([c(1)], 512, 512, 512), undefined);
  });
});

describe('provisionedAt (scheduled provisioned concurrency)', () => {
  const day = Date.UTC(2026, 10, 24); // a Tuesday
  const schedule = [
    { schedule: 'cron(0 8 ? * MON-FRI *)', provisionedConcurrency: 10 },
    { schedule: 'cron(0 18 ? * MON-FRI *)', provisionedConcurrency: 1 },
  ];
  it('business hours: the 08:00 entry is in force until 18:00', () => {
    const r = provisionedAt(0, schedule, day + 12 * 3_600_000);
    assert.equal(r.value, 10);
    assert.equal(r.until, day + 18 * 3_600_000);
  });
  it('evening: the 18:00 entry is in force until 08:00 next day', () => {
    const r = provisionedAt(0, schedule, day + 20 * 3_600_000);
    assert.equal(r.value, 1);
    assert.equal(r.until, day + 32 * 3_600_000);
  });
  it('no schedule: the base value, forever', () => {
    assert.deepEqual(provisionedAt(3, [], day), { value: 3, until: Number.POSITIVE_INFINITY });
  });
});

describe('scaling config validation', () => {
  it('accepts a full config', () => {
    assert.deepEqual(
      scalingConfigProblems(
        {
          minInstances: 1,
          maxInstances: 10,
          perInstanceConcurrency: 8,
          provisionedConcurrency: 4,
          provisionedSchedule: [{ schedule: 'rate(1 hour)', provisionedConcurrency: 2 }],
        },
        'node',
      ),
      [],
    );
  });
  it('names each problem', () => {
    const p = scalingConfigProblems(
      {
        minInstances: 5,
        maxInstances: 2,
        perInstanceConcurrency: 4,
        provisionedSchedule: [{ schedule: 'every day', provisionedConcurrency: 1 }],
      },
      'python',
    );
    assert.ok(p.some((l) => l.startsWith('scaling.minInstances')));
    assert.ok(p.some((l) => l.startsWith('scaling.provisionedSchedule.0.schedule')));
    assert.ok(p.some((l) => l.includes('Node.js runtimes only')));
  });
});

it('ewma', () => {
  assert.equal(ewma(undefined, 10), 10);
  assert.equal(ewma(10, 20, 0.5), 15);
});

it('queue-aware scale-out: short runs behind slow starts wait for busy instances', () => {
  const base = { perInstance: 1, maxInstances: 100, maxStarts: 8 };
  // 0.5 ms runs, 20 ms starts: each busy slot serves 40 waiters before a new instance is ready.
  assert.equal(
    startsNeeded({ ...base, waiting: 30, starting: 0, live: 2, busy: 2, runMs: 0.5, startMs: 20 }),
    0,
  );
  // Beyond what the busy slots cover, scale out for the rest.
  assert.equal(
    startsNeeded({ ...base, waiting: 85, starting: 0, live: 2, busy: 2, runMs: 0.5, startMs: 20 }),
    5,
  );
  // Fewer instances than cores: scale to the cores first (CPU-bound work uses them all).
  assert.equal(
    startsNeeded({
      ...base,
      waiting: 30,
      starting: 0,
      live: 1,
      busy: 1,
      runMs: 0.5,
      startMs: 20,
      minParallel: 4,
    }),
    3,
  );
  // Long runs (≥ the start time) or no samples yet: one start per uncovered waiter, as Lambda does.
  assert.equal(
    startsNeeded({ ...base, waiting: 5, starting: 0, live: 2, busy: 2, runMs: 300, startMs: 20 }),
    5,
  );
  assert.equal(startsNeeded({ ...base, waiting: 5, starting: 0, live: 2, busy: 2, minParallel: 2 }), 5);
  // Never beyond the instance bound.
  assert.equal(
    startsNeeded({ ...base, waiting: 30, starting: 0, live: 1, busy: 1, minParallel: 8, maxInstances: 3 }),
    2,
  );
});
