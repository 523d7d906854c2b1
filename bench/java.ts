/**
 * bench/java.ts — Java 17 figures through the real platform (in-process, ephemeral ports):
 * deploy (javac) time, cold start with and without a pre-booted JVM of the function's memory size,
 * warm invoke latency, and the RSS of idle pooled / specialized JVMs.
 *
 *   npx node bench/java.ts [--cold 5] [--warm 300] [--memory 256]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findJdk } from '../src/runtime/java/toolchain.ts';
import { startTestPlatform } from '../test/helpers.ts';

const { values: args } = parseArgs({
  options: {
    cold: { type: 'string', default: '5' },
    warm: { type: 'string', default: '300' },
    memory: { type: 'string', default: '256' },
  },
});
const MEMORY = Number(args.memory);
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS (MB) of the sandboxed harness JVMs, by whether they have been specialized. */
function jvms(): { pid: number; rssMb: number }[] {
  const out: { pid: number; rssMb: number }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes('nimbus.harness.Main') || !cmd.startsWith('/usr/lib/jvm')) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1];
      out.push({ pid: Number(d), rssMb: Number(rss) / 1024 });
    } catch {
      // gone
    }
  }
  return out;
}

const p = await startTestPlatform({ poolSize: 1 });
try {
  const invoke = (fn: string, body: unknown) =>
    p.json<{ ok: boolean; cold?: boolean; initDurationMs?: number }>(
      'POST',
      `/v1/functions/${fn}/invoke`,
      body,
    );
  const deploy = async (name: string) => {
    const t = performance.now();
    const d = await p.deployDir(name, 'examples/hello-java', {
      runtime: 'java17',
      handler: 'example.Hello::handleRequest',
      memoryMb: MEMORY,
    });
    if (d.status !== 201) throw new Error(JSON.stringify(d.body));
    return performance.now() - t;
  };
  // let the warm-up pool boot (the first run also compiles the runtime jar)
  for (let i = 0; i < 100 && jvms().length === 0; i++) await sleep(100);
  await sleep(500);
  const idle = jvms();
  const deployMs = await deploy('bench-java-0');
  let t = performance.now();
  const first = await invoke('bench-java-0', { name: 'a' });
  const firstMs = performance.now() - t;
  console.log(
    `deploy (javac): ${deployMs.toFixed(0)} ms; first invoke, JVM booted for another size: ${firstMs.toFixed(0)} ms (init ${first.body.initDurationMs?.toFixed(0)} ms)`,
  );
  const cold: number[] = [];
  const init: number[] = [];
  for (let i = 1; i <= Number(args.cold); i++) {
    await deploy(`bench-java-${i}`);
    await sleep(2500); // the pool refills with a JVM of this size
    t = performance.now();
    const r = await invoke(`bench-java-${i}`, { name: 'b' });
    cold.push(performance.now() - t);
    init.push(r.body.initDurationMs ?? Number.NaN);
    if (!r.body.cold) throw new Error('expected a cold start');
  }
  console.log(
    `cold start from the pre-booted pool (deploy done → first response): p50 ${pct(cold, 0.5).toFixed(0)} ms, max ${Math.max(...cold).toFixed(0)} ms; init p50 ${pct(init, 0.5).toFixed(0)} ms`,
  );
  const warm: number[] = [];
  for (let i = 0; i < 50; i++) await invoke('bench-java-0', { name: 'w' });
  for (let i = 0; i < Number(args.warm); i++) {
    t = performance.now();
    await invoke('bench-java-0', { name: 'w' });
    warm.push(performance.now() - t);
  }
  console.log(
    `warm invoke (REST API round trip): p50 ${pct(warm, 0.5).toFixed(1)} ms, p99 ${pct(warm, 0.99).toFixed(1)} ms`,
  );
  const all = jvms();
  const idlePids = new Set(idle.map((j) => j.pid));
  console.log(
    `idle pre-booted JVM RSS (128 MB profile, before any Java use): ${idle.map((j) => j.rssMb.toFixed(1)).join(', ')} MB`,
  );
  console.log(
    `JVMs now (specialized + pooled, ${MEMORY} MB profile): ${all
      .filter((j) => !idlePids.has(j.pid))
      .map((j) => j.rssMb.toFixed(1))
      .join(', ')} MB`,
  );
  console.log(`JDK ${findJdk()?.version} at ${findJdk()?.home}`);
} finally {
  await p.stop();
}
