/**
 * The platform side of one isolate host process (host.worker.mjs): spawns it through the same
 * sandbox command as process instances, speaks frames on fd 3, routes replies and log lines to
 * the isolate instance they belong to, and turns the host's death into a CRASH (or OOM) outcome
 * for every invocation in flight. Nothing the host does may throw into or hang the platform.
 */
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../core/ports.ts';
import type { FunctionErrorPayload } from '../../core/types.ts';
import type { InstanceCgroup } from '../process/cgroups.ts';
import { FramedChild } from '../process/framed-child.ts';

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
  readonly #proc: FramedChild;
  readonly #listeners = new Map<string, HostListener>();
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
    // The host itself prints nothing; stray stderr (isolated-vm warnings) is kept for diagnostics.
    this.#proc = new FramedChild({
      cmd: o.cmd,
      args: o.args,
      cgroup: o.cgroup,
      onFrame: (m) => this.#onFrame(m),
      onStderr: (c) => {
        if (process.env.ISO_DEBUG) process.stderr.write(c);
      },
      onExited: () => this.#hostExited(),
    });
    this.child = this.#proc.child;
    this.booted = new Promise<void>((resolve, reject) => {
      // Real time, like the process instances' boot limit: a test's fake clock must not fail it.
      const timer = setTimeout(() => {
        this.#bootWaiter = undefined;
        this.kill();
        reject(new Error('isolate host did not boot within 15 s'));
      }, 15_000);
      this.#bootWaiter = (ok) => {
        clearTimeout(timer);
        this.#bootWaiter = undefined;
        if (ok) resolve();
        else reject(new Error(`isolate host exited while booting (${this.describeExit()})`));
      };
    });
    this.booted.catch(() => {});
  }

  get alive(): boolean {
    return !this.#proc.exited;
  }

  describeExit(): string {
    return this.#proc.describeExit();
  }

  /** Registers the instance `id` for its events; returns the unregister function. */
  listen(id: string, fn: HostListener): () => void {
    this.#listeners.set(id, fn);
    return () => {
      if (this.#listeners.get(id) === fn) this.#listeners.delete(id);
    };
  }

  send(msg: Record<string, unknown>): void {
    this.#proc.send(msg);
  }

  kill(): void {
    this.#proc.kill();
  }

  dispose(): Promise<void> {
    return this.#proc.dispose();
  }

  onExit(fn: () => void): void {
    this.#proc.onExit(fn);
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

  /** The host is gone: a boot in progress fails, every instance hears `host-exit`. */
  #hostExited(): void {
    this.#bootWaiter?.(false);
    const oom =
      (this.cgroup?.oomKills() ?? 0) > 0 ||
      /heap out of memory|Allocation failed/.test(this.#proc.stderrTail);
    const reason = `isolate host exited (${this.describeExit()})`;
    for (const fn of [...this.#listeners.values()]) fn({ t: 'host-exit', reason, oom });
    this.#listeners.clear();
  }
}
