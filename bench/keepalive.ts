/**
 * bench/keepalive.ts — a replayed synthetic day (periodic, diurnal, bursty and rare functions):
 * cold-start rate and idle instance-seconds for fixed keep-alive (10 min) vs adaptive (hybrid
 * histogram) vs predictive (seasonal fit + fixed). The previous synthetic day trains the
 * adaptive and predictive policies. Deterministic (seeded).
 *
 *   npm run bench:keepalive
 */
import { type PolicyName, simulate, syntheticDay } from '../src/scheduler/simulate.ts';
import { printTable } from './support/load.ts';

const history = syntheticDay(1);
const day = syntheticDay(2);
const policies: PolicyName[] = ['fixed', 'adaptive', 'predictive'];
const rows = [['function', 'invocations', ...policies.flatMap((p) => [`${p} cold %`, `${p} idle s`])]];
const totals = Object.fromEntries(policies.map((p) => [p, { inv: 0, cold: 0, idle: 0 }]));
for (const [name, trace] of Object.entries(day)) {
  const row = [name, String(trace.length)];
  for (const p of policies) {
    const r = simulate(p, trace, history[name] ?? []);
    totals[p]!.inv += r.invocations;
    totals[p]!.cold += r.coldStarts;
    totals[p]!.idle += r.idleSeconds;
    row.push(((100 * r.coldStarts) / Math.max(1, r.invocations)).toFixed(1), String(r.idleSeconds));
  }
  rows.push(row);
}
rows.push([
  'all',
  String(totals.fixed!.inv),
  ...policies.flatMap((p) => [
    ((100 * totals[p]!.cold) / totals[p]!.inv).toFixed(1),
    String(totals[p]!.idle),
  ]),
]);
printTable(rows);
console.log(
  "\nfixed = 10-minute keep-alive; adaptive = hybrid histogram (Shahrad et al., ATC'20); predictive = 10-minute keep-alive + instances kept warm in minutes the daily fit predicts ≥ 0.15 calls",
);
