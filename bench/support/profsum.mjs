// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function (name, file, line) as a
// share of the process's busy (non-idle) time, then the same grouped by file (node_modules by
// package, Node's own modules together, native frames such as writev as "(native)"), and the
// inclusive time (self + callees) of our own functions and those of our dependencies.
//   node bench/support/profsum.mjs <file.cpuprofile> [top N]
import { readFileSync } from 'node:fs';

const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 30);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < p.samples.length; i++) {
  self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
}
const root = new URL('../../', import.meta.url).pathname;
const byFn = new Map();
const byFile = new Map();
let busy = 0;
let idle = 0;
for (const [id, t] of self) {
  const cf = byId.get(id).callFrame;
  const name = cf.functionName || '(anonymous)';
  if (name === '(idle)') {
    idle += t;
    continue;
  }
  busy += t;
  const url = (cf.url || '').replace(/^file:\/\//, '').replace(root, '');
  const k = `${name} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`;
  byFn.set(k, (byFn.get(k) ?? 0) + t);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  const file = nm
    ? `node_modules/${nm[1]}`
    : url.startsWith('node:')
      ? 'node: (built-in modules)'
      : url || '(native)';
  byFile.set(file, (byFile.get(file) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
console.log(`busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`);
for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${pct(t)}  ${k}`);
// Inclusive time of our own functions (src/): self plus everything they called, once per stack.
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of self) {
  if (byId.get(id).callFrame.functionName === '(idle)') continue;
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    const url = (cf.url || '').replace(/^file:\/\//, '').replace(root, '');
    if (!url.startsWith('src/') && !url.includes('node_modules/')) continue;
    const k = `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber + 1}`;
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + t);
  }
}
console.log('--- inclusive (src/ and node_modules)');
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${pct(t)}  ${k}`);
console.log('--- by file');
for (const [k, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(t)}  ${k}`);
