/**
 * Acceptance: 2,000 async invocations, the platform SIGKILLed three times while they are
 * submitted and run and once more while the acknowledged ones drain, restarted on the same data
 * dir each time: every acknowledged invocation completes.
 * Duplicates are reported; they can only come from leases orphaned by a kill (at most the
 * dispatcher's concurrency per kill).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runDrill } from './support/durability.ts';

it('loses no acknowledged async invocation across three SIGKILLs', async () => {
  const concurrency = 16;
  const r = await runDrill({
    invocations: 2000,
    kills: 3,
    drainKills: 1,
    asyncConcurrency: concurrency,
    // Inside the test's own timeout: a stuck drain fails with the statuses of what did not run
    // (one clean-clone run this session hung here instead, the file process kept alive).
    drainTimeoutMs: 120_000,
    log: (l) => console.log(`# ${l}`),
  });
  console.log(
    `# durability: ${JSON.stringify({ ...r, lost: r.lost.length, restartMs: r.restartMs.map(Math.round) })}`,
  );
  assert.equal(r.kills, 4);
  assert.equal(r.pendingAtDrainKills.length, 1, 'one kill came while acknowledged work was pending');
  assert.ok(r.pendingAtDrainKills[0]! > 0);
  assert.deepEqual(r.lost, [], 'every acknowledged invocation completed');
  assert.equal(r.completed, r.acknowledged);
  // The drill resubmits what a kill left unanswered, so every one of the 2,000 ends acknowledged.
  assert.equal(r.acknowledged, 2000);
  assert.ok(
    r.duplicates <= r.kills * concurrency,
    `duplicates (${r.duplicates}) only where a kill orphaned a running lease (≤ ${r.kills * concurrency})`,
  );
});
