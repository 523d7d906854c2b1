/**
 * `npm run test:cluster-chaos` — the cluster chaos acceptance run of issue 18: a 3-node cluster,
 * 10,000 async invocations and 200 workflow executions submitted over every node while
 *   1. the scheduler leader is SIGKILLed and restarted at once (its recover() frees its leases),
 *   2. NATS is SIGKILLed and started again,
 *   3. PostgreSQL is crash-stopped (pg_ctl -m immediate) and started again,
 *   4. node 0 is cut off from PostgreSQL and NATS (a silent partition) for 25 s from 8 s before a
 *      schedule tick, while it keeps running,
 *   5. node 0's NATS link alone goes silent for 20 s (/healthz must notice by pings),
 *   6. the leader is paused (SIGSTOP) for 20 s, past its 15 s lease, then resumed,
 *   7. the first node is SIGKILLed again and left down until the others re-ran its leased work.
 * Prints the figures (JSON); exits 1 if anything acknowledged was lost or any other check failed
 * (support/cluster-drill.ts, drillProblems). About 5 minutes on 2 cores.
 *
 *   node test/cluster-chaos.ts [--invocations 10000] [--executions 200] [--rate 50] [--no-extra]
 *
 * `--no-extra` runs only the issue's own faults (two kills, one NATS restart).
 */
import { parseArgs } from 'node:util';
import { drillProblems, type Fault, runClusterDrill } from './support/cluster-drill.ts';

const { values } = parseArgs({
  options: {
    invocations: { type: 'string', default: '10000' },
    executions: { type: 'string', default: '200' },
    rate: { type: 'string', default: '50' },
    'no-extra': { type: 'boolean', default: false },
  },
});
const faults: Fault[] = values['no-extra']
  ? [
      { kind: 'kill', at: 0.15, restart: 'at-once' },
      { kind: 'nats-restart', at: 0.35 },
      { kind: 'kill', at: 0.55, restart: 'after-takeover' },
    ]
  : [
      { kind: 'kill', at: 0.1, restart: 'at-once' },
      { kind: 'nats-restart', at: 0.25 },
      { kind: 'pg-restart', at: 0.35 },
      { kind: 'partition', at: 0.45, partitionMs: 25_000, beforeTickMs: 8000 },
      { kind: 'partition', at: 0.5, partitionMs: 20_000, links: ['nats'] },
      { kind: 'pause', at: 0.6, pauseMs: 20_000 },
      { kind: 'kill', at: 0.7, restart: 'after-takeover' },
    ];
const r = await runClusterDrill({
  invocations: Number(values.invocations),
  executions: Number(values.executions),
  ratePerSec: Number(values.rate),
  faults,
  timersAtSec: [10, 45, 90, 150, 240],
  drainTimeoutMs: 600_000,
  log: (l) => console.log(`${new Date().toISOString().slice(11, 19)} ${l}`),
});
const problems = drillProblems(r);
console.log(
  JSON.stringify(
    {
      ...r,
      invocations: {
        ...r.invocations,
        lost: r.invocations.lost.length,
        lostSample: r.invocations.lost.slice(0, 10),
      },
      executions: {
        ...r.executions,
        lost: r.executions.lost.length,
        lostSample: r.executions.lost.slice(0, 10),
      },
      problems,
    },
    null,
    2,
  ),
);
process.exit(problems.length === 0 ? 0 : 1);
