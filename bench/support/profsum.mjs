import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 30);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0;
  self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
}
const agg = new Map();
let total = 0, idle = 0;
for (const [id, t] of self) {
  const n = byId.get(id); const cf = n.callFrame;
  const name = cf.functionName || '(anon)';
  if (name === '(idle)') { idle += t; continue; }
  total += t;
  const url = (cf.url || '').replace(/^file:\/\/\/work\/main\//, '').replace(/^node:/, 'node:');
  const k = `${name} ${url}:${cf.lineNumber + 1}`;
  agg.set(k, (agg.get(k) ?? 0) + t);
}
console.log(`busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`);
for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
// by file
const byFile = new Map();
for (const [k, t] of agg) { const f = k.split(' ')[1].replace(/:\d+$/, ''); byFile.set(f, (byFile.get(f) ?? 0) + t); }
console.log('--- by file');
for (const [k, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
