/**
 * One sandboxed process: boot (generic), specialize (init), invoke with a deadline — one at a
 * time, or up to `concurrency` at once for Node handlers that opted in (frames are routed by
 * request id) — and every way it can die (timeout kill, OOM, exit, protocol garbage) mapped to an
 * outcome. Nothing an instance does may throw into or hang the host.
 */
import type { ChildProcess } from 'node:child_process';
import { CoreErrors, type NimbusErrorJSON, toNimbusError } from '../../core/errors.ts';
import type { Clock, ContextCallHandler, InvokeOutcome, ResponseStreamSink } from '../../core/ports.ts';
import type { FunctionErrorPayload, Invocation, LogLine, LogStream } from '../../core/types.ts';
import {
  DEFAULT_LOG_RATE,
  droppedLine,
  LogRateLimiter,
  type LogRateLimits,
} from '../../observability/flood.ts';
import { levelOf } from '../../observability/levels.ts';
import { RuntimeErrors } from '../errors.ts';
import type { InstanceCgroup } from './cgroups.ts';
import { FramedChild } from './framed-child.ts';

const MAX_RESPONSE = 6 * 1024 * 1024;
const MAX_LOG_LINE = 256 * 1024;
/** Context-client calls one invocation may make (a runaway loop must not flood the platform). */
const MAX_CALLS = 1000;

/**
 * How long after its last answer an idle instance is frozen: the most time its code can run
 * between invocations (the hostile battery checks none runs in a 3 s idle period).
 */
export const FREEZE_AFTER_MS = 50;

export interface LogTarget {
  tenant: string;
  functionName: string;
  version: string;
}

interface Pending {
  requestId: string;
  logs: LogLine[];
  resolve: (o: InvokeOutcome) => void;
  started: number;
  cancelTimer: () => void;
  timedOut: boolean;
  calls: ContextCallHandler | undefined;
  callCount: number;
  limits: { memoryMb: number; timeoutSec: number };
  sink: ResponseStreamSink | undefined;
  /** Lines the flood cap (or the per-invocation cap) dropped. */
  dropped: number;
}

export class ProcessInstance {
  readonly id: string;
  readonly child: ChildProcess;
  readonly cgroup: InstanceCgroup | undefined;
  readonly booted: Promise<void>;
  #clock: Clock;
  readonly #proc: FramedChild;
  #frameWaiters: ((msg: Record<string, unknown>) => boolean)[] = [];
  /** Invocations in flight by request id (the init phase is the pseudo request `init`). */
  readonly #pending = new Map<string, Pending>();
  #concurrency = 1;
  readonly #payloadFrames: boolean;
  /** Set when a timeout killed the process: the other invocations in flight report why. */
  #killedFor: string | undefined;
  #target: LogTarget | undefined;
  #raw = { stdout: '', stderr: '' };
  readonly #rate: LogRateLimiter;

  constructor(o: {
    id: string;
    cmd: string;
    args: string[];
    cgroup: InstanceCgroup | undefined;
    clock: Clock;
    /** The harness reads invoke frames with a raw payload (PROTOCOL.md); the Node harness does. */
    payloadFrames?: boolean;
    /** The flood cap of a tenant's instances (observability/flood.ts); the default otherwise. */
    logRate?: (tenant: string) => LogRateLimits;
  }) {
    this.id = o.id;
    const logRate = o.logRate;
    this.#rate = new LogRateLimiter(
      o.clock,
      logRate && (() => (this.#target ? logRate(this.#target.tenant) : DEFAULT_LOG_RATE)),
    );
    this.#payloadFrames = o.payloadFrames === true;
    this.cgroup = o.cgroup;
    this.#clock = o.clock;
    this.#proc = new FramedChild({
      cmd: o.cmd,
      args: o.args,
      cgroup: o.cgroup,
      onFrame: (m) => this.#onFrame(m),
      onStdout: (c) => this.#onRaw('stdout', c),
      onStderr: (c) => this.#onRaw('stderr', c),
      onExited: () => this.#failInFlight(),
    });
    this.child = this.#proc.child;
    this.booted = this.#waitFrame((m) => m.t === 'booted', 15_000, 'boot').then(() => undefined);
    this.booted.catch(() => {});
  }

  get alive(): boolean {
    return !this.#proc.exited;
  }

  /** Sends `init` and waits for `ready` (→ init ms) or `init-error` (→ throws RUNTIME_INIT). */
  /** V8 compile cache files ([relative path, base64]) handed back by a producing init. */
  compileCacheFiles: readonly [string, string][] | undefined;

  async specialize(
    init: Record<string, unknown>,
    target: LogTarget,
    timeoutMs: number,
    concurrency = 1,
  ): Promise<number> {
    this.#target = target;
    this.#concurrency = Math.max(1, concurrency);
    await this.booted;
    const initLogs: LogLine[] = [];
    this.#pending.set('init', {
      requestId: 'init',
      logs: initLogs,
      resolve: () => {},
      started: this.#clock.now(),
      cancelTimer: () => {},
      timedOut: false,
      calls: undefined,
      callCount: 0,
      limits: { memoryMb: 0, timeoutSec: 0 },
      sink: undefined,
      dropped: 0,
    });
    this.#send({ t: 'init', ...init, concurrency: this.#concurrency });
    let msg: Record<string, unknown>;
    try {
      msg = await this.#waitFrame((m) => m.t === 'ready' || m.t === 'init-error', timeoutMs, 'init');
    } catch (e) {
      this.kill();
      const reason = (e as Error).message;
      throw RuntimeErrors.INIT(
        { function: target.functionName, reason },
        {
          details: {
            error: { errorType: 'Runtime.InitError', errorMessage: reason, trace: [] },
            logs: initLogs,
          },
        },
      );
    } finally {
      const ip = this.#pending.get('init');
      if (ip) this.#linesOf(ip);
      this.#pending.delete('init');
    }
    if (msg.t === 'init-error') {
      this.kill();
      const error = msg.error as FunctionErrorPayload;
      const factory =
        error.errorType === 'Runtime.HandlerNotFound' ? RuntimeErrors.HANDLER_NOT_FOUND : RuntimeErrors.INIT;
      throw factory(
        {
          function: target.functionName,
          reason: `${error.errorType}: ${error.errorMessage}`,
          handler: init.exportName,
          entry: init.entry,
        },
        { details: { error, logs: initLogs } },
      );
    }
    // What the module printed while loading is shown with the first invocation (as on Lambda,
    // where init output precedes the first START line).
    this.#initLogs = initLogs;
    if (Array.isArray(msg.compileCache)) this.compileCacheFiles = msg.compileCache as [string, string][];
    return Number(msg.initMs ?? 0);
  }

  #initLogs: LogLine[] = [];

  invoke(
    inv: Invocation,
    invokedFunctionArn: string,
    limits: { memoryMb: number; timeoutSec: number },
    signal?: AbortSignal,
    sink?: ResponseStreamSink,
    calls?: ContextCallHandler,
  ): Promise<InvokeOutcome> {
    const start = this.#clock.monotonic();
    if (this.#proc.exited || this.#pending.size >= this.#concurrency || this.#pending.has(inv.id)) {
      return Promise.resolve(
        this.#failure(
          'crash',
          start,
          [],
          RuntimeErrors.CRASH({
            function: inv.functionName,
            reason: this.#proc.exited ? 'instance is gone' : 'instance is busy',
          }).toJSON(),
        ),
      );
    }
    return new Promise<InvokeOutcome>((resolve) => {
      const p: Pending = {
        requestId: inv.id,
        logs: this.#initLogs.splice(0).map((l) => ({ ...l, requestId: inv.id })),
        resolve,
        started: start,
        cancelTimer: () => {},
        timedOut: false,
        calls,
        callCount: 0,
        limits,
        sink,
        dropped: 0,
      };
      this.#pending.set(inv.id, p);
      // A timed-out invocation cannot be stopped inside a shared process: the process is killed
      // (its siblings, with per-instance concurrency, fail as crashed and are told why).
      const onTimeout = () => {
        if (this.#pending.get(inv.id) !== p) return;
        p.timedOut = true;
        this.#killedFor ??= `invocation ${inv.id} in the same instance timed out`;
        this.kill();
      };
      p.cancelTimer = this.#clock.setTimeout(onTimeout, Math.max(0, inv.deadline - this.#clock.now()));
      signal?.addEventListener('abort', onTimeout, { once: true });
      this.#cancelFreeze?.();
      this.#cancelFreeze = undefined;
      this.cgroup?.thaw();
      const frame = {
        t: 'invoke',
        requestId: inv.id,
        deadline: inv.deadline,
        invokedFunctionArn,
        traceparent: inv.traceparent,
        clientContext: inv.clientContext,
        stream: sink !== undefined,
      };
      // The event as raw bytes after the header where the harness reads that (Node), not a JSON
      // string escaped inside the JSON frame.
      // An instance already working on others reads it after them: it joins the turn's batch.
      if (this.#payloadFrames) this.#proc.sendWithPayload(frame, inv.payload, this.#pending.size > 1);
      else this.#send({ ...frame, payload: inv.payload });
    });
  }

  /** SIGKILLs the process tree. */
  kill(): void {
    this.#proc.kill();
  }

  /** Kills the process tree and waits (bounded) for it to exit, then frees the cgroup. */
  dispose(): Promise<void> {
    return this.#proc.dispose();
  }

  onExit(fn: () => void): void {
    this.#proc.onExit(fn);
  }

  #send(msg: unknown): void {
    this.#proc.send(msg);
  }

  #waitFrame(
    match: (m: Record<string, unknown>) => boolean,
    timeoutMs: number,
    phase: string,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      let done = false;
      // Boot and init limits bound real OS work (a process starting, a module importing), so they
      // run on real time: a test's fake clock jumping ahead must not fail a boot in progress.
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        reject(new Error(`${phase} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const cancel = () => clearTimeout(timer);
      this.#frameWaiters.push((m) => {
        if (done || !match(m)) return false;
        done = true;
        cancel();
        resolve(m);
        return true;
      });
      this.onExit(() => {
        if (done) return;
        done = true;
        cancel();
        reject(new Error(`process exited during ${phase} (${this.#proc.describeExit()})`));
      });
    });
  }

  /**
   * The invocation a log line belongs to: by its request id, else (raw fd 1/2 output) the only
   * one in flight, else the oldest (best effort with per-instance concurrency).
   */
  #owner(requestId?: unknown): Pending | undefined {
    if (typeof requestId === 'string') {
      const p = this.#pending.get(requestId);
      if (p) return p;
    }
    return this.#pending.values().next().value;
  }

  #log(stream: LogStream, message: string, ts: number, requestId?: unknown, level?: unknown): void {
    const p = this.#owner(requestId);
    if (!p || !this.#target) return;
    // The flood cap (per instance and second) and the per-invocation cap: dropped, counted.
    if (p.logs.length > 10_000 || !this.#rate.admit(message.length)) {
      p.dropped++;
      return;
    }
    const text = message.length > MAX_LOG_LINE ? `${message.slice(0, MAX_LOG_LINE)}… [truncated]` : message;
    p.logs.push({
      ...this.#target,
      requestId: p.requestId,
      ts,
      stream,
      message: text,
      instanceId: this.id,
      level: levelOf(stream, text, level),
    });
  }

  /** The invocation's lines, with one platform line saying how many were dropped, if any. */
  #linesOf(p: Pending): LogLine[] {
    if (p.dropped === 0 || !this.#target) return p.logs;
    p.logs.push({
      ...this.#target,
      requestId: p.requestId,
      ts: this.#clock.now(),
      stream: 'platform',
      message: droppedLine(p.dropped),
      instanceId: this.id,
      level: 'WARN',
    });
    p.dropped = 0;
    return p.logs;
  }

  /** A context-client call from the function: served by the host, answered with a `reply` frame. */
  #onCall(p: Pending, m: Record<string, unknown>): void {
    const callId = m.callId;
    const reply = (frame: Record<string, unknown>) => {
      if (this.#pending.get(p.requestId) === p) this.#send({ t: 'reply', callId, ...frame });
    };
    const fail = (e: unknown) => reply({ ok: false, error: toNimbusError(e).toJSON() });
    if (!p.calls) {
      fail(CoreErrors.VALIDATION({ reason: 'the context client is not available for this invocation' }));
      return;
    }
    if (++p.callCount > MAX_CALLS) {
      fail(CoreErrors.VALIDATION({ reason: `more than ${MAX_CALLS} context calls in one invocation` }));
      return;
    }
    p.calls(String(m.op ?? ''), m.args).then((value) => reply({ ok: true, value: value ?? null }), fail);
  }

  #onRaw(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = this.#raw[stream] + chunk.toString('utf8');
    const lines = text.split('\n');
    this.#raw[stream] = (lines.pop() ?? '').slice(-MAX_LOG_LINE);
    for (const l of lines) this.#log(stream, l, this.#clock.now());
  }

  #onFrame(m: Record<string, unknown>): void {
    if (m.t === 'log') {
      const stream = m.stream === 'stderr' ? 'stderr' : 'stdout';
      this.#log(stream, String(m.message ?? ''), Number(m.ts) || this.#clock.now(), m.requestId, m.level);
      return;
    }
    for (let i = 0; i < this.#frameWaiters.length; i++) {
      if (this.#frameWaiters[i]!(m)) {
        this.#frameWaiters.splice(i, 1);
        return;
      }
    }
    const p = typeof m.requestId === 'string' ? this.#pending.get(m.requestId) : undefined;
    if (!p || p.requestId === 'init') return;
    if (m.t === 'call') {
      this.#onCall(p, m);
      return;
    }
    if (m.t === 'head' || m.t === 'chunk') {
      this.#onStreamFrame(p, m);
      return;
    }
    if (m.t === 'result') {
      const payload = String(m.payload ?? 'null');
      if (Buffer.byteLength(payload) > MAX_RESPONSE) {
        this.#settle(
          p,
          this.#failure(
            'function',
            p.started,
            p.logs,
            RuntimeErrors.RESPONSE_TOO_LARGE({
              size: Buffer.byteLength(payload),
              limit: MAX_RESPONSE,
            }).toJSON(),
            Number(m.rss),
          ),
        );
        return;
      }
      this.#settle(p, {
        ok: true,
        payload,
        streamed: m.streamed === true,
        durationMs: this.#clock.monotonic() - p.started,
        maxRssBytes: this.#peak(Number(m.rss)),
        logs: p.logs,
      });
    } else if (m.t === 'error') {
      const error = m.error as FunctionErrorPayload;
      this.#settle(p, {
        ok: false,
        failure: 'function',
        error: {
          errorType: String(error?.errorType ?? 'Error'),
          errorMessage: String(error?.errorMessage ?? ''),
          trace: Array.isArray(error?.trace) ? error.trace.map(String) : [],
          ...(Number.isFinite(error?.retryAfterMs) ? { retryAfterMs: Number(error.retryAfterMs) } : {}),
        },
        durationMs: this.#clock.monotonic() - p.started,
        maxRssBytes: this.#peak(Number(m.rss)),
        logs: p.logs,
      });
    }
  }

  #onStreamFrame(p: Pending, m: Record<string, unknown>): void {
    const sink = p.sink;
    if (!sink) return;
    if (m.t === 'head') {
      const headers: Record<string, string> = {};
      if (m.headers && typeof m.headers === 'object') {
        for (const [k, v] of Object.entries(m.headers as Record<string, unknown>)) headers[k] = String(v);
      }
      const cookies = Array.isArray(m.cookies) ? m.cookies.map(String) : [];
      sink.head({ statusCode: Number(m.statusCode) || 200, headers, cookies });
      return;
    }
    const data = Buffer.from(String(m.data ?? ''), 'base64');
    if (!sink.chunk(data)) {
      // The client is slower than the function: stop reading the channel, so the harness's
      // writes block (kernel socket buffers fill) until the client drains.
      this.#proc.chan.pause();
      sink.onDrain(() => this.#proc.chan.resume());
    }
  }

  /**
   * Max memory used, as Lambda's REPORT shows it: the instance's peak so far (cgroup v2
   * memory.peak cannot be reset, so v1 is read the same way). The cgroup file is read at most
   * every 250 ms (two syscalls per invocation showed up in profiles); between reads the harness's
   * own RSS keeps the figure a lower bound that only grows.
   */
  #peak(reported: number, fresh = false): number {
    const rss = Number.isFinite(reported) ? reported : 0;
    if (this.cgroup) {
      const now = this.#clock.now();
      if (fresh || now - this.#peakReadAt >= 250) {
        this.#peakReadAt = now;
        this.#peakBytes = Math.max(this.#peakBytes, this.cgroup.peakBytes() ?? 0);
      }
    }
    this.#peakBytes = Math.max(this.#peakBytes, rss);
    return this.#peakBytes;
  }
  #peakReadAt = Number.NEGATIVE_INFINITY;
  #peakBytes = 0;

  #settle(p: Pending, o: InvokeOutcome): void {
    if (this.#pending.get(p.requestId) !== p) return;
    this.#pending.delete(p.requestId);
    this.#linesOf(p); // o.logs is p.logs
    if (p.sink) this.#proc.chan.resume();
    p.cancelTimer();
    // An instance that has answered gets no CPU until its next invocation (Lambda freezes the
    // execution environment the same way): no background work, no billing leak. The freeze
    // lands FREEZE_AFTER_MS after the last answer, unless another invocation came first: a busy
    // instance is not frozen and thawed around every request (two synchronous cgroup writes that
    // took a third of the platform's CPU under load).
    if (this.#pending.size === 0 && !this.#proc.exited && this.cgroup?.canFreeze) {
      this.#cancelFreeze?.();
      this.#cancelFreeze = this.#clock.setTimeout(() => {
        this.#cancelFreeze = undefined;
        if (this.#pending.size === 0 && !this.#proc.exited) this.cgroup?.freeze();
      }, FREEZE_AFTER_MS);
    }
    p.resolve(o);
  }
  #cancelFreeze: (() => void) | undefined;

  #failure(
    failure: 'function' | 'timeout' | 'oom' | 'crash',
    started: number,
    logs: readonly LogLine[],
    platformError: NimbusErrorJSON,
    rss = Number.NaN,
  ): InvokeOutcome {
    const errorType =
      failure === 'timeout'
        ? 'Sandbox.Timedout'
        : failure === 'oom'
          ? 'Runtime.OutOfMemory'
          : failure === 'crash'
            ? 'Runtime.ExitError'
            : 'Function.ResponseSizeTooLarge';
    return {
      ok: false,
      failure,
      error: { errorType, errorMessage: platformError.message, trace: [] },
      platformError,
      durationMs: this.#clock.monotonic() - started,
      maxRssBytes: this.#peak(rss, true),
      logs,
    };
  }

  /** The process is gone: every invocation in flight fails (timeout, OOM or crash). */
  #failInFlight(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.#raw[s]) this.#log(s, this.#raw[s], this.#clock.now());
      this.#raw[s] = '';
    }
    const fn = this.#target?.functionName ?? '?';
    const oom =
      (this.cgroup?.oomKills() ?? 0) > 0 ||
      /heap out of memory|Allocation failed|MemoryError/.test(this.#proc.stderrTail);
    for (const p of [...this.#pending.values()]) {
      if (p.requestId === 'init') continue;
      const err = p.timedOut
        ? RuntimeErrors.TIMEOUT({ function: fn, timeoutSec: p.limits.timeoutSec })
        : oom
          ? RuntimeErrors.OOM({ function: fn, memoryMb: p.limits.memoryMb })
          : RuntimeErrors.CRASH({ function: fn, reason: this.#killedFor ?? this.#proc.exitInfo });
      const failure = p.timedOut ? 'timeout' : oom ? 'oom' : 'crash';
      this.#settle(p, this.#failure(failure, p.started, p.logs, err.toJSON()));
    }
  }
}
