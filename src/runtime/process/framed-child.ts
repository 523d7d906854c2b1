/**
 * A sandboxed child process that speaks length-prefixed frames on fd 3: spawn (own process group,
 * empty env), frame decoding (a protocol violation kills it), exit tracking with the reason and the
 * last 4 KiB of stderr, SIGKILL of the whole tree (cgroup first), and dispose. Shared by process
 * instances and isolate hosts; what an exit means for the work in flight is the owner's
 * `onExited`, which runs before the `onExit` listeners.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { InstanceCgroup } from './cgroups.ts';
import { encodeFrame, encodePayloadFrame, FrameDecoder } from './frames.ts';

export interface FramedChildOptions {
  readonly cmd: string;
  readonly args: string[];
  readonly cgroup: InstanceCgroup | undefined;
  readonly onFrame: (m: Record<string, unknown>) => void;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  readonly onExited: () => void;
}

export class FramedChild {
  readonly child: ChildProcess;
  /** fd 3; the owner may pause/resume it for backpressure. */
  readonly chan: Duplex;
  readonly #o: FramedChildOptions;
  #exited = false;
  #exitInfo = '';
  #stderrTail = '';
  readonly #onExit: (() => void)[] = [];

  constructor(o: FramedChildOptions) {
    this.#o = o;
    this.child = spawn(o.cmd, o.args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true, env: {} });
    this.chan = this.child.stdio[3] as Duplex;
    const decoder = new FrameDecoder(o.onFrame, (reason) => {
      this.#exitInfo = `protocol violation: ${reason}`;
      this.kill();
    });
    this.chan.on('data', (c: Buffer) => decoder.push(c));
    this.chan.on('error', () => {});
    this.child.stdout?.on('data', (c: Buffer) => o.onStdout?.(c));
    this.child.stderr?.on('data', (c: Buffer) => {
      this.#stderrTail = (this.#stderrTail + c.toString('utf8')).slice(-4096);
      o.onStderr?.(c);
    });
    this.child.on('error', (e) => {
      this.#exitInfo = `spawn failed: ${e.message}`;
      this.#markExited();
    });
    this.child.on('exit', (code, signal) => {
      this.#exitInfo ||= signal ? `killed by ${signal}` : `exit code ${code}`;
      this.#markExited();
    });
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** How it ended (exit code, signal, protocol violation) — empty while it runs. */
  get exitInfo(): string {
    return this.#exitInfo;
  }

  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** The exit reason with the end of its stderr. */
  describeExit(): string {
    return `${this.#exitInfo}${this.#stderrTail ? `: ${this.#stderrTail.trim().slice(-300)}` : ''}`;
  }

  /**
   * Sends a frame. The first frame of an event-loop turn is written at once; the frames sent after
   * it in the same turn go out together in one write after the turn's I/O callbacks
   * (setImmediate): with several invocations in flight, one syscall (and one wake-up of the
   * instance) carries them.
   */
  send(msg: unknown): void {
    this.#queue(encodeFrame(msg));
  }

  /**
   * Sends `msg` with `payload` as raw bytes after its header (the child must understand it).
   * `defer`: the child is busy with earlier work, so this frame waits for the turn's batch even
   * when it is the first of the turn (no latency lost: the child reads it when it is done).
   */
  sendWithPayload(msg: Record<string, unknown>, payload: string, defer = false): void {
    this.#queue(encodePayloadFrame(msg, payload), defer);
  }

  /** The first frame of a turn is written at once (no added latency); later ones wait for #flush. */
  #queue(frame: Buffer, defer = false): void {
    if (this.#exited) return;
    if (this.#inTurn) {
      this.#out.push(frame);
      return;
    }
    if (defer) {
      this.#inTurn = true;
      this.#out.push(frame);
      setImmediate(this.#flush);
      return;
    }
    this.#inTurn = true;
    setImmediate(this.#flush);
    try {
      this.chan.write(frame);
    } catch {
      // The exit handler reports it.
    }
  }

  #inTurn = false;
  #out: Buffer[] = [];
  readonly #flush = (): void => {
    this.#inTurn = false;
    const out = this.#out;
    this.#out = [];
    if (this.#exited || out.length === 0) return;
    try {
      this.chan.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    } catch {
      // The exit handler reports it.
    }
  };

  /** SIGKILLs the whole tree: the cgroup's processes, then the process group. */
  kill(): void {
    this.#o.cgroup?.killAll();
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

  /** Kills it, waits (≤ 2 s) for the exit, removes its cgroup. Idempotent. */
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
    await this.#o.cgroup?.remove();
  }

  onExit(fn: () => void): void {
    if (this.#exited) fn();
    else this.#onExit.push(fn);
  }

  #markExited(): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#o.onExited();
    for (const fn of this.#onExit.splice(0)) fn();
  }
}
