/**
 * The hostile-function battery's harness: a real platform per sandbox kind, hostile functions
 * deployed through the REST API, and a neighbour function whose latency is compared with its
 * baseline after every case (a contained case must not slow other functions down).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fixture, startTestPlatform, type TestPlatform } from '../helpers.ts';

export type SandboxKind = 'bwrap' | 'unshare';

/** Sandbox kinds this machine can run; in CI a missing one fails instead of being skipped. */
export function sandboxKinds(): { kind: SandboxKind; skip: string | false }[] {
  const root = process.getuid?.() === 0;
  const has = (bin: string) =>
    ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].some((d) => existsSync(`${d}/${bin}`));
  const ci = process.env.CI === 'true';
  const why = (missing: string | false): string | false => {
    if (!missing) return false;
    if (ci) return false; // run it and let it fail loudly
    return missing;
  };
  return [
    { kind: 'bwrap', skip: why(!has('bwrap') && 'bubblewrap is not installed (apt-get install bubblewrap)') },
    { kind: 'unshare', skip: why(!root && 'the unshare sandbox needs root') },
  ];
}

/** Network tests need root, iproute2 and nftables (veth + egress policy). */
export function networkSkip(): string | false {
  const root = process.getuid?.() === 0;
  const missing = !root
    ? 'egress tests need root'
    : ['ip', 'nft', 'nsenter'].find((b) => {
        try {
          execFileSync('sh', ['-c', `command -v ${b}`]);
          return false;
        } catch {
          return true;
        }
      });
  if (!missing) return false;
  if (process.env.CI === 'true') return false;
  return typeof missing === 'string' && missing.includes(' ') ? missing : `${missing} is not installed`;
}

export interface InvokeResult {
  status: number;
  ok: boolean;
  result: unknown;
  code: string | undefined;
  error: Record<string, unknown> | undefined;
  durationMs: number;
}

export interface Hostile {
  readonly p: TestPlatform;
  deploy(name: string, files: Record<string, string>, config?: Record<string, unknown>): Promise<void>;
  invoke(name: string, payload?: unknown): Promise<InvokeResult>;
  /** The neighbour's latency now (median of 5): take it right before a case. */
  neighbourBaseline(): Promise<number>;
  /**
   * Neighbour latency (median of 5) is within 2× its baseline (+ 25 ms for timer noise on a
   * shared 2-core machine) now, or within a second: right after a case the platform may still be
   * draining what the hostile instance wrote (an output flood is 50 MB of frames to read and
   * drop), but it must not stay slower. The baseline is the one taken before the case, or the
   * platform's first.
   */
  neighbourOk(label: string, baseline?: number): Promise<void>;
  stop(): Promise<void>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function startHostile(
  kind: SandboxKind,
  overrides: Record<string, string | number> = {},
): Promise<Hostile> {
  const p = await startTestPlatform({ sandbox: kind, poolSize: 2, ...overrides });
  const deploy: Hostile['deploy'] = async (name, files, config = {}) => {
    const dir = await fixture(files);
    const r = await p.deployDir(name, dir, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      timeoutSec: 5,
      ...config,
    });
    assert.ok(r.status === 200 || r.status === 201, `deploy ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const invoke: Hostile['invoke'] = async (name, payload = {}) => {
    const t0 = performance.now();
    const r = await p.json<{ ok: boolean; result: unknown; error?: Record<string, unknown> }>(
      'POST',
      `/v1/functions/${name}/invoke`,
      payload,
    );
    const body = r.body as { ok: boolean; result: unknown; error?: Record<string, unknown>; code?: string };
    return {
      status: r.status,
      ok: body.ok === true,
      result: body.result,
      error: body.error,
      code: (body.error?.code as string | undefined) ?? body.code,
      durationMs: performance.now() - t0,
    };
  };
  await deploy('neighbour', { 'index.mjs': 'export const handler = async (e) => ({ pong: e.n ?? 0 });' });
  const sample = async () => {
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await invoke('neighbour', { n: i });
      assert.equal(r.ok, true, JSON.stringify(r));
      xs.push(r.durationMs);
    }
    return median(xs);
  };
  await sample(); // cold start out of the way
  const baseline = await sample();
  return {
    p,
    deploy,
    invoke,
    neighbourBaseline: sample,
    async neighbourOk(label, before = baseline) {
      const seen: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 300));
        const now = await sample();
        if (now <= 2 * before + 25) return;
        seen.push(now);
      }
      assert.fail(
        `${label}: neighbour medians ${seen.map((x) => x.toFixed(1)).join(', ')} ms (over ~1 s) vs baseline ${before.toFixed(1)} ms`,
      );
    },
    stop: () => p.stop(),
  };
}

/** No answer the platform gives may carry a stack trace or an internal path. */
export function assertNoLeak(x: unknown): void {
  const s = JSON.stringify(x);
  for (const bad of ['/work/', 'node_modules', '.nimbus', 'admin-credentials', 'master.key', 'src/runtime']) {
    assert.ok(!s.includes(bad), `answer leaks ${bad}: ${s.slice(0, 500)}`);
  }
}
