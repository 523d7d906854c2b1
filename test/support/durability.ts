/**
 * Durability drill: submit N async invocations to a real `nimbus start` process, SIGKILL it K
 * times while work is being submitted and run, restart it on the same data dir, and check that
 * every acknowledged (202) invocation completes. The function reports each execution to a counter
 * server here, so duplicates (an invocation that ran more than once) are counted exactly.
 *
 * Used by test/durability.e2e.test.ts (small) and test/chaos.ts (`npm run test:chaos`, large).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipFiles } from '../../src/registry/build/index.ts';
import { freePort, startNimbusProcess } from './nimbus-process.ts';
import { startSink } from './sink.ts';

export interface DrillOptions {
  readonly invocations: number;
  /** SIGKILLs while invocations are being submitted. */
  readonly kills: number;
  /** SIGKILLs after submission, while acknowledged invocations are still waiting or running. */
  readonly drainKills?: number;
  /** Concurrent submitters. */
  readonly submitters?: number;
  readonly asyncConcurrency?: number;
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly log?: (line: string) => void;
  /** Give up waiting for completion after this long. */
  readonly drainTimeoutMs?: number;
}

export interface DrillReport {
  readonly submitted: number;
  readonly acknowledged: number;
  /** Submits that got no answer because the platform was killed (not acknowledged: allowed). */
  readonly unanswered: number;
  readonly kills: number;
  /** For each kill during the drain: acknowledged invocations that had not run yet at that moment. */
  readonly pendingAtDrainKills: number[];
  readonly completed: number;
  /** Acknowledged invocations that never ran to completion (must be 0). */
  readonly lost: string[];
  /** Acknowledged invocations that ran more than once. */
  readonly duplicates: number;
  /** Executions that ran but whose invocation was not acknowledged (the 202 was lost in a kill). */
  readonly unacknowledgedRuns: number;
  readonly submitSeconds: number;
  readonly totalSeconds: number;
  readonly restartMs: number[];
}

const KEY_ID = 'NKDRILL0000000000001';
const SECRET = 'drill-secret-0123456789abcdef';

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const log = o.log ?? (() => {});
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-drill-'));
  const [apiPort, port] = [await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const auth = { authorization: `Bearer ${SECRET}` };

  // Counter: each execution of the function reports its request id here.
  const hits = new Map<string, number>();
  // Functions cannot reach this process's loopback (own network namespace): the counter is a
  // receiver in a test network namespace (support/sink.ts).
  const counter = await startSink((r) => {
    const id = new URL(r.url, 'http://x').searchParams.get('id');
    if (id) hits.set(id, (hits.get(id) ?? 0) + 1);
  });

  let child: ChildProcess | undefined;
  const restartMs: number[] = [];
  const start = async () => {
    const t0 = performance.now();
    child = await startNimbusProcess({
      apiPort,
      port,
      dataDir,
      env: {
        NIMBUS_ADMIN_KEY_ID: KEY_ID,
        NIMBUS_ADMIN_SECRET: SECRET,
        NIMBUS_LOG_LEVEL: 'error',
        NIMBUS_ASYNC_CONCURRENCY: String(o.asyncConcurrency ?? 16),
        NIMBUS_ASYNC_MAX_QUEUE_DEPTH: String(Math.max(100_000, o.invocations * 2)),
        NIMBUS_SQLITE_SYNCHRONOUS: o.synchronous ?? 'NORMAL',
      },
    });
    restartMs.push(performance.now() - t0);
  };
  const kill = async () => {
    const c = child;
    if (!c) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };

  const t0 = performance.now();
  try {
    await start();
    const zip = zipFiles({
      'index.mjs': new TextEncoder().encode(`export const handler = async (e, ctx) => {
        const r = await fetch(process.env.COUNTER_URL + '/hit?id=' + ctx.awsRequestId);
        await r.text();
        return { n: e.n };
      };`),
    });
    const dep = await fetch(`${api}/v1/functions/work`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        timeoutSec: 10,
        environment: { COUNTER_URL: counter.url },
        async: { maximumRetryAttempts: 5, retryBaseDelayMs: 100 },
        code: { zipBase64: Buffer.from(zip).toString('base64') },
      }),
    });
    if (dep.status >= 300) throw new Error(`deploy failed: ${dep.status} ${await dep.text()}`);

    // Kill points spread over submission; `drainKills` more follow while the queue drains.
    const killAt = Array.from({ length: o.kills }, (_, i) =>
      Math.floor(((i + 1) * o.invocations) / (o.kills + 1)),
    );
    const acked: string[] = [];
    let next = 0;
    let unanswered = 0;
    let killing: Promise<void> | undefined;
    let killed = 0;
    const submitOne = async (n: number) => {
      for (;;) {
        if (killing) await killing;
        try {
          const r = await fetch(`${api}/v1/functions/work/invoke-async`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ n }),
          });
          const body = (await r.json()) as { id?: string };
          if (r.status === 202 && body.id) {
            acked.push(body.id);
            return;
          }
          if (r.status === 503) continue; // closing
          throw new Error(`submit ${n}: HTTP ${r.status} ${JSON.stringify(body)}`);
        } catch (e) {
          if (e instanceof Error && e.message.startsWith('submit')) throw e;
          // The platform died under this request: not acknowledged. Submit it again (a new event).
          unanswered++;
        }
      }
    };
    const submitters = Array.from({ length: o.submitters ?? 16 }, async () => {
      for (;;) {
        const n = next++;
        if (n >= o.invocations) return;
        if (killed < killAt.length && n >= killAt[killed]! && !killing) {
          killed++;
          killing = (async () => {
            await kill();
            log(`kill ${killed}/${o.kills} after ${acked.length} acknowledged`);
            await start();
          })().finally(() => {
            killing = undefined;
          });
        }
        await submitOne(n);
      }
    });
    await Promise.all(submitters);
    if (killing) await killing;
    const submitSeconds = (performance.now() - t0) / 1000;
    log(`submitted ${o.invocations} in ${submitSeconds.toFixed(1)} s (${acked.length} acknowledged)`);

    // Kills during the drain: acknowledged work is queued or running when the platform dies.
    const pendingAtDrainKills: number[] = [];
    for (let i = 0; i < (o.drainKills ?? 0); i++) {
      await new Promise((r) => setTimeout(r, 200)); // let the restarted dispatcher take leases
      const pendingNow = acked.filter((id) => !hits.has(id)).length;
      if (pendingNow === 0) break;
      await kill();
      pendingAtDrainKills.push(pendingNow);
      killed++;
      log(`kill during the drain: ${pendingNow} of ${acked.length} acknowledged not run yet`);
      await start();
    }

    // Wait until every acknowledged invocation ran and reports succeeded.
    const deadline = Date.now() + (o.drainTimeoutMs ?? 600_000);
    let pending = [...acked];
    while (pending.length > 0 && Date.now() < deadline) {
      pending = pending.filter((id) => !hits.has(id));
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 100));
    }
    const lost: string[] = [];
    for (let i = 0; i < acked.length; i += 64) {
      const batch = acked.slice(i, i + 64);
      const states = await Promise.all(
        batch.map(async (id) => {
          for (let tries = 0; ; tries++) {
            const r = await fetch(`${api}/v1/invocations/${id}`, { headers: auth });
            const v = (await r.json()) as { status?: string };
            if (v.status === 'succeeded' || tries > 200 || Date.now() > deadline) return v.status;
            await new Promise((res) => setTimeout(res, 50));
          }
        }),
      );
      states.forEach((s, j) => {
        if (s !== 'succeeded') lost.push(`${batch[j]}:${s}`);
      });
    }
    const ackedSet = new Set(acked);
    let duplicates = 0;
    let unacknowledgedRuns = 0;
    for (const [id, n] of hits) {
      if (!ackedSet.has(id)) unacknowledgedRuns++;
      else if (n > 1) duplicates++;
    }
    return {
      submitted: o.invocations,
      acknowledged: acked.length,
      unanswered,
      kills: killed,
      pendingAtDrainKills,
      completed: acked.length - lost.length,
      lost,
      duplicates,
      unacknowledgedRuns,
      submitSeconds,
      totalSeconds: (performance.now() - t0) / 1000,
      restartMs,
    };
  } finally {
    await kill().catch(() => {});
    counter.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
