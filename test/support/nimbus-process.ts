/** A real `nimbus start` in a child process (for tests that SIGKILL and restart the platform). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Starts the platform on `apiPort` (gateway on `port`, 0 = any; S3 on any) with `env` added to
 * this process's environment, and resolves once `/healthz` answers. Rejects if it exits first,
 * or after `timeoutMs` (default: no limit but the test's own).
 */
export async function startNimbusProcess(o: {
  apiPort: number;
  port?: number;
  dataDir: string;
  env: Record<string, string>;
  args?: readonly string[];
  timeoutMs?: number;
}): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'start',
      '--json',
      '--port',
      String(o.port ?? 0),
      '--api-port',
      String(o.apiPort),
      '--s3-port',
      '0',
      '--data-dir',
      o.dataDir,
      ...(o.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } },
  );
  // Its stderr goes on to ours, and its end is kept: a start that fails says why in the error.
  // With --json a failed start prints its coded error on stdout: kept too (and always drained).
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => {
    process.stderr.write(c);
    tail = (tail + c.toString('utf8')).slice(-2000);
  });
  child.stdout?.on('data', (c: Buffer) => {
    tail = (tail + c.toString('utf8')).slice(-2000);
  });
  const end = Date.now() + (o.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${o.apiPort}/healthz`)).ok) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) {
      // Let the last of its stderr arrive.
      await new Promise((r) => setTimeout(r, 50));
      throw new Error(`nimbus exited with ${child.exitCode} during start: ${tail.trim().slice(-1000)}`);
    }
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error('nimbus did not start');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
