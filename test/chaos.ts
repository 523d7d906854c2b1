/**
 * `npm run test:chaos` — the large durability drill: 100,000 async invocations, 50 SIGKILLs of
 * the platform while they are submitted and run. Prints the figures; exits 1 if any acknowledged
 * invocation was lost.
 *
 *   npx node test/chaos.ts --invocations 100000 --kills 50 [--sync FULL]
 */
import { parseArgs } from 'node:util';
import { runDrill } from './support/durability.ts';

const { values } = parseArgs({
  options: {
    invocations: { type: 'string', default: '100000' },
    kills: { type: 'string', default: '50' },
    sync: { type: 'string', default: 'NORMAL' },
    concurrency: { type: 'string', default: '16' },
  },
});
const concurrency = Number(values.concurrency);
const r = await runDrill({
  invocations: Number(values.invocations),
  kills: Number(values.kills),
  asyncConcurrency: concurrency,
  submitters: 32,
  synchronous: values.sync === 'FULL' ? 'FULL' : 'NORMAL',
  drainTimeoutMs: 30 * 60_000,
  log: (l) => console.log(l),
});
const restart = [...r.restartMs].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      ...r,
      lost: r.lost.length,
      lostSample: r.lost.slice(0, 10),
      duplicateBound: r.kills * concurrency,
      restartMsP50: Math.round(restart[Math.floor(restart.length / 2)] ?? 0),
      restartMsMax: Math.round(restart.at(-1) ?? 0),
      restartMs: undefined,
    },
    null,
    2,
  ),
);
process.exit(r.lost.length === 0 && r.completed === r.acknowledged ? 0 : 1);
