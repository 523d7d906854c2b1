/** Shared e2e helpers: a real platform on ephemeral ports in a temp data dir, and a REST client. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/index.ts';
import type { Clock } from '../src/core/ports.ts';
import { zipDirectory } from '../src/registry/build/index.ts';
import { type RunningPlatform, startPlatform } from '../src/server/index.ts';

const run = promisify(execFile);

export interface TestPlatform extends RunningPlatform {
  readonly dataDir: string;
  readonly secret: string;
  /** Platform log lines (pino JSON) written so far, at the configured `logLevel` (default warn). */
  readonly logs: readonly string[];
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  deployDir(
    name: string,
    dir: string,
    config: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  overrides: Record<string, string | number> = {},
  /** `env`: variables the config loader reads besides the overrides (e.g. OTEL_* for traces). */
  opts: { clock?: Clock; budgetRecheckMs?: number; alertIntervalMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<TestPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-e2e-'));
  const config = loadConfig(
    { port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'warn', poolSize: 2, ...overrides },
    opts.env ?? {},
  );
  const lines: string[] = [];
  // Platform errors also go to the test's stderr in CI: an "internal error" a test sees then has
  // its cause in the CI output (two clean-clone runs saw one on a deploy).
  const log = (l: string) => {
    lines.push(l);
    if (process.env.CI === 'true' && /"level":(50|60)/.test(l))
      process.stderr.write(`[platform error] ${l}\n`);
  };
  const p = await startPlatform(config, {
    log,
    clock: opts.clock,
    budgetRecheckMs: opts.budgetRecheckMs,
    alertIntervalMs: opts.alertIntervalMs,
  });
  const secret = p.admin.secret ?? config.adminSecret;
  if (!secret) throw new Error('expected generated admin credentials');
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const json = async <T>(method: string, path: string, body?: unknown) => {
    const r = await api(method, path, body);
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    ...p,
    dataDir,
    secret,
    logs: lines,
    api,
    json,
    async deployDir(name, dir, cfg) {
      const zip = await zipDirectory(dir);
      return json('PUT', `/v1/functions/${name}`, {
        ...cfg,
        code: { zipBase64: Buffer.from(zip).toString('base64') },
      });
    },
    async stop() {
      await p.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Writes files (path → content) into a fresh temp dir and returns it. */
export async function fixture(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-fn-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

/**
 * Waits for a condition instead of sleeping for a guessed time: polls `check` until it returns a
 * value other than undefined/false, and fails with `what` after a generous deadline (loaded CI
 * machines are slow; a passing run does not wait for the deadline).
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the real `nimbus` CLI (bin/nimbus.mjs) as a child process; never throws on exit codes. */
/** What an AWS SDK call failed with (fails the test if it succeeded). */
export async function sdkError(
  p: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

export function cliRunner(env: () => NodeJS.ProcessEnv) {
  return async (...args: string[]) => {
    try {
      const r = await run(process.execPath, ['bin/nimbus.mjs', ...args], { env: env(), timeout: 60_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
}
