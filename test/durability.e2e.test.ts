/**
 * Acceptance: 2,000 async invocations, the platform SIGKILLed three times while they are
 * submitted and run, restarted on the same data dir: every acknowledged invocation completes.
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
    asyncConcurrency: concurrency,
    log: (l) => console.log(`# ${l}`),
  });
  console.log(
    `# durability: ${JSON.stringify({ ...r, lost: r.lost.length, restartMs: r.restartMs.map(Math.round) })}`,
  );
  assert.equal(r.kills, 3);
  assert.deepEqual(r.lost, [], 'every acknowledged invocation completed');
  assert.equal(r.completed, r.acknowledged);
  assert.ok(r.acknowledged >= 2000 - r.unanswered);
  assert.ok(
    r.duplicates <= r.kills * concurrency,
    `duplicates (${r.duplicates}) only where a kill orphaned a running lease (≤ ${r.kills * concurrency})`,
  );
});
