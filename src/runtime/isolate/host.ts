/**
 * The platform side of one isolate host process (host.worker.mjs): spawns it through the same
 * sandbox command as process instances, speaks frames on fd 3, routes replies and log lines to
 * the isolate instance they belong to, and turns the host's death into a CRASH (or OOM) outcome
 * for every invocation in flight. Nothing the host does may throw into or hang the platform.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/ports.ts';
import type { FunctionErrorPayload } from '../../core/types.ts';
import type { InstanceCgroup } from '../process/cgroups.ts';
import { encodeFrame, FrameDecoder } from '../process/frames.ts';

/** What an instance hears from the host about itself. */
export type HostEvent =
  | { t: 'created'; initMs: number; heap: number }
  | { t: 'create-error'; error: FunctionErrorPayload }
  | { t: 'result'; requestId: string; payload: string; heap: number }
  | { t: 'error'; requestId: string; error: FunctionErrorPayload; heap: number }
  | { t: 'failed'; requestId: string; failure: 'timeout' | 'oom' | 'crash'; message: string }
  | { t: 'log'; requestId: string | undefined; stream: 'stdout' | 'stderr'; message: string; ts: number }
  | { t: 'host-exit'; reason: string; oom: boolean };

export type HostListener = (e: HostEvent) => void;

export class IsolateHost {
  readonly id: string;
  readonly child: ChildProcess;
  readonly cgroup: InstanceCgroup | undefined;
  readonly booted: Promise<void>;
  /** Code keys this host holds (sent once per host; it forgets on our `forget`). */
  readonly codeSent = new Set<string>();
  #clock: Clock;
  #chan: Duplex;
  #exited = false;
  #exitInfo = '';
  #stderrTail = '';
  readonly #listeners = new Map<string, HostListener>();
  #onExit: (() => void)[] = [];
  #bootWaiter: ((ok: boolean) => void) | undefined;

  constructor(o: {
    id: string;
    cmd: string;
    args: string[];
    cgroup: InstanceCgroup | undefined;
    clock: Clock;
  }) {
    this.id = o.id;
    this.cgroup = o.cgroup;
    this.#clock = o.clock;
    this.child = spawn(o.cmd, o.args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true, env: {} });
    this.#chan = this.child.stdio[3] as Duplex;
    const decoder = new FrameDecoder(
      (m) => this.#onFrame(m),
      (reason) => {
        this.#exitInfo = `protocol violation: ${reason}`;
        this.kill();
      },
    );
    this.#chan.on('data', (c: Buffer) => decoder.push(c));
    this.#chan.on('error', () => {});
    // The host itself prints nothing; stray output (isolated-vm warnings) is kept for diagnostics.
    this.child.stdout?.on('data', () => {});
    this.child.stderr?.on('data', (c: Buffer) => {
      this.#stderrTail = (this.#stderrTail + c.toString('utf8')).slice(-4096);
      if (process.env.ISO_DEBUG) process.stderr.write(c);
    });
    this.child.on('error', (e) => {
      this.#exitInfo = `spawn failed: ${e.message}`;
      this.#markExited();
    });
    this.child.on('exit', (code, signal) => {
      this.#exitInfo ||= signal ? `killed by ${signal}` : `exit code ${code}`;
      this.#markExited();
    });
    this.booted = new Promise<void>((resolve, reject) => {
      const cancel = this.#clock.setTimeout(() => {
        this.#bootWaiter = undefined;
        this.kill();
        reject(new Error('isolate host did not boot within 15 s'));
      }, 15_000);
      this.#bootWaiter = (ok) => {
        cancel();
        this.#bootWaiter = undefined;
        if (ok) resolve();
        else reject(new Error(`isolate host exited while booting (${this.describeExit()})`));
      };
    });
    this.booted.catch(() => {});
  }

  get alive(): boolean {
    return !this.#exited;
  }

  describeExit(): string {
    return `${this.#exitInfo}${this.#stderrTail ? `: ${this.#stderrTail.trim().slice(-300)}` : ''}`;
  }

  /** Registers the instance `id` for its events; returns the unregister function. */
  listen(id: string, fn: HostListener): () => void {
    this.#listeners.set(id, fn);
    return () => {
      if (this.#listeners.get(id) === fn) this.#listeners.delete(id);
    };
  }

  send(msg: Record<string, unknown>): void {
    if (this.#exited) return;
    try {
      this.#chan.write(encodeFrame(msg));
    } catch {
      // The exit handler reports it.
    }
  }

  kill(): void {
    this.cgroup?.killAll();
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // gone
      }
    }
  }

  async dispose(): Promise<void> {
    if (!this.#exited) {
      this.kill();
      await new Promise<void>((r) => {
        const t = setTimeout(r, 2000);
        this.onExit(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    await this.cgroup?.remove();
  }

  onExit(fn: () => void): void {
    if (this.#exited) fn();
    else this.#onExit.push(fn);
  }

  #onFrame(m: Record<string, unknown>): void {
    if (m.t === 'booted') {
      this.#bootWaiter?.(true);
      return;
    }
    const fn = typeof m.id === 'string' ? this.#listeners.get(m.id) : undefined;
    if (!fn) return;
    const rid = typeof m.requestId === 'string' ? m.requestId : undefined;
    const error = (e: unknown): FunctionErrorPayload => {
      const x = (e ?? {}) as Partial<FunctionErrorPayload>;
      return {
        errorType: String(x.errorType ?? 'Error'),
        errorMessage: String(x.errorMessage ?? ''),
        trace: Array.isArray(x.trace) ? x.trace.map(String) : [],
        ...(Number.isFinite(x.retryAfterMs) ? { retryAfterMs: Number(x.retryAfterMs) } : {}),
      };
    };
    switch (m.t) {
      case 'created':
        fn({ t: 'created', initMs: Number(m.initMs) || 0, heap: Number(m.heap) || 0 });
        return;
      case 'create-error':
        fn({ t: 'create-error', error: error(m.error) });
        return;
      case 'result':
        if (rid)
          fn({
            t: 'result',
            requestId: rid,
            payload: String(m.payload ?? 'null'),
            heap: Number(m.heap) || 0,
          });
        return;
      case 'error':
        if (rid) fn({ t: 'error', requestId: rid, error: error(m.error), heap: Number(m.heap) || 0 });
        return;
      case 'failed': {
        const failure = m.failure === 'timeout' || m.failure === 'oom' ? m.failure : 'crash';
        if (rid) fn({ t: 'failed', requestId: rid, failure, message: String(m.message ?? '') });
        return;
      }
      case 'log':
        fn({
          t: 'log',
          requestId: rid,
          stream: m.stream === 'stderr' ? 'stderr' : 'stdout',
          message: String(m.message ?? ''),
          ts: Number(m.ts) || this.#clock.now(),
        });
        return;
    }
  }

  #markExited(): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#bootWaiter?.(false);
    const oom =
      (this.cgroup?.oomKills() ?? 0) > 0 || /heap out of memory|Allocation failed/.test(this.#stderrTail);
    const reason = `isolate host exited (${this.describeExit()})`;
    for (const fn of [...this.#listeners.values()]) fn({ t: 'host-exit', reason, oom });
    this.#listeners.clear();
    for (const fn of this.#onExit.splice(0)) fn();
  }
}
