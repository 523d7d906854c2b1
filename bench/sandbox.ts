/**
 * bench/sandbox.ts — what containment costs when no pre-booted process is waiting: boot +
 * specialize of one instance (the path a burst beyond the pool takes), per sandbox kind, with the
 * instance's own egress network (veth + nftables) and with a loopback-only namespace, next to a
 * bare `node` process start + the same handler import, all in this run.
 *
 *   npm run bench:sandbox                 # 25 samples each
 *   npm run bench:sandbox -- --n 50
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/core/clock.ts';
import { createProcessSandboxFactory } from '../src/runtime/index.ts';
import type { EgressNetwork } from '../src/runtime/process/network.ts';
import { pct, printTable } from './support/load.ts';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '25' } } });
const N = Number(args.n);

const LOOPBACK_ONLY: EgressNetwork = {
  mode: 'isolated',
  nsenter: undefined,
  reason: 'benchmark: loopback-only namespace',
  prepare: async () => undefined,
  apply: async () => {},
  release: async () => {},
  describe: () => 'loopback only',
  filterInPlace: () => undefined,
  platformAddress: async () => undefined,
  allowPlatformPorts: async () => async () => {},
};

const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-sandbox-'));
await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => 1;');

async function bare(): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(join(dir, 'index.mjs'))});`,
      ]);
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
    });
    xs.push(performance.now() - t);
  }
  return xs;
}

async function sandboxed(kind: 'bwrap' | 'unshare', egress?: EgressNetwork): Promise<number[] | string> {
  const f = createProcessSandboxFactory({
    kind,
    poolSize: 0,
    maxPoolSize: 0,
    hiddenPaths: [],
    clock: systemClock,
    ...(egress ? { egress } : {}),
  });
  const xs: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const sb = await f.create({
        tenant: 'default',
        functionName: `b${i}`,
        version: '$LATEST',
        family: 'node',
        codeDir: dir,
        entry: 'index.mjs',
        exportName: 'handler',
        config: {
          runtime: 'nodejs24.x',
          handler: 'index.handler',
          memoryMb: 128,
          timeoutSec: 10,
          environment: {},
          description: '',
        },
        functionArn: `arn:aws:lambda:local-1:000000000000:function:b${i}`,
        region: 'local-1',
      });
      xs.push(performance.now() - t);
      await sb.dispose();
    }
    return xs;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await f.close();
  }
}

const base = await bare();
const rows: string[][] = [['case', 'p50', 'p90', 'vs bare node p50']];
const add = (label: string, xs: number[] | string) => {
  if (typeof xs === 'string') rows.push([label, 'FAILED', xs.slice(0, 60), '']);
  else
    rows.push([
      label,
      `${pct(xs, 50).toFixed(1)} ms`,
      `${pct(xs, 90).toFixed(1)} ms`,
      `${(pct(xs, 50) / pct(base, 50)).toFixed(2)}×`,
    ]);
};
add('bare node start + import (baseline)', base);
for (const kind of ['bwrap', 'unshare'] as const) {
  add(`${kind}: boot + specialize, own egress network`, await sandboxed(kind));
  add(`${kind}: boot + specialize, loopback-only namespace`, await sandboxed(kind, LOOPBACK_ONLY));
}
printTable(rows);
process.exit(0);
