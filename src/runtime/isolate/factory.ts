/**
 * The isolate SandboxFactory (kind `isolate`): function instances are V8 isolates (isolated-vm)
 * inside one long-lived, sandboxed isolate host process per tenant. A cold start is "compile and
 * evaluate the module in a fresh isolate" — no process to boot — and an idle instance costs its
 * isolate's heap (≈1.3 MiB), not a process.
 *
 * Two boundaries: the isolate (own heap and memoryLimit, no Node APIs, CPU timeout) inside the
 * jailed host (the same bubblewrap/unshare command, cgroup, prlimit, clean env and uid drop as
 * process instances). Tenants never share a host. Once isolates are in use, one spare host is kept
 * booted so a new tenant's first cold start does not pay the host's start-up (none before that).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNimbusError, type NimbusErrorJSON } from '../../core/errors.ts';
import type {
  Clock,
  InstanceSpec,
  InvokeOutcome,
  IsolationReport,
  Sandbox,
  SandboxFactory,
  SandboxStats,
} from '../../core/ports.ts';
import type { FunctionErrorPayload, LogLine, TenantId } from '../../core/types.ts';
import { droppedLine, LogRateLimiter, type LogRateLimits } from '../../observability/flood.ts';
import { levelOf } from '../../observability/levels.ts';
import { RuntimeErrors } from '../errors.ts';
import { InstanceCgroup } from '../process/cgroups.ts';
import { prepareViewDirs, SANDBOX_UID, sandboxCommand, type ViewDirs } from '../process/command.ts';
import { detectHost } from '../process/host.ts';
import { type HostEvent, IsolateHost } from './host.ts';

export interface IsolateSandboxOptions {
  readonly clock: Clock;
  /** Paths invisible inside the host sandbox (the platform data dir). */
  readonly hiddenPaths: readonly string[];
  readonly kind?: 'auto' | 'bwrap' | 'unshare';
  readonly nodeBinary?: string;
  /** cgroup memory limit of one tenant's host process (all its isolates). Default 2048. */
  readonly hostMemoryMb?: number;
  /** Upper bound of one isolate's heap limit; the function's memory size is clamped to it. Default 512. */
  readonly maxIsolateMemoryMb?: number;
  readonly pidsLimit?: number;
  /** Init (module evaluation) time limit. Default 10 s. */
  readonly initTimeoutMs?: number;
  readonly workDir?: string;
  readonly tmpSizeMb?: number;
  /** A tenant's flood cap for its instances' lines (observability/flood.ts); default 1,000 lines/s. */
  readonly logRate?: (tenant: string) => LogRateLimits;
  /** Keep one booted host ready for the next tenant. Default true. */
  readonly spareHost?: boolean;
}

const HOST_FILE = fileURLToPath(new URL('./host.worker.mjs', import.meta.url));
const MAX_RESPONSE = 6 * 1024 * 1024;
const MAX_CODE_BYTES = 16 * 1024 * 1024;
const MAX_LOG_LINES = 10_000;
/** The host gets this long past a deadline to report the timeout before it is considered hung. */
const HOST_GRACE_MS = 1500;
/** Code directories a host keeps (the platform tells it which to forget). */
const HOST_CODE_ENTRIES = 128;

/** Where isolated-vm lives, or why it cannot be loaded (the isolate runtime is then unavailable). */
function locateIsolatedVm(): { path: string; dirs: string[] } | { error: string } {
  try {
    const req = createRequire(import.meta.url);
    const path = req.resolve('isolated-vm');
    req(path);
    const dirs = [dirname(path)];
    try {
      dirs.push(dirname(req.resolve('node-gyp-build', { paths: [dirname(path)] })));
    } catch {
      // bundled with it
    }
    return { path, dirs };
  } catch (e) {
    return { error: `isolated-vm cannot be loaded: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The function's JavaScript files (relative path → source); bundles are one file. */
async function readCode(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) await walk(p);
      } else if (/\.(mjs|js)$/.test(e.name)) {
        total += (await stat(join(dir, p))).size;
        if (total > MAX_CODE_BYTES)
          throw new Error(`the code is larger than ${MAX_CODE_BYTES} bytes of JavaScript`);
        files[p] = await readFile(join(dir, p), 'utf8');
      }
    }
  };
  await walk('');
  return files;
}

export function createIsolateSandboxFactory(o: IsolateSandboxOptions): SandboxFactory {
  const clock = o.clock;
  const ivm = locateIsolatedVm();
  const tools = detectHost(o.kind ?? 'auto', o.hiddenPaths);
  const { kind, cg } = tools;
  const workDir = o.workDir ?? join(tmpdir(), `nimbus-isolate-${process.pid}`);
  const nodeBin = o.nodeBinary ?? process.execPath;
  const hostMemoryMb = o.hostMemoryMb ?? 2048;
  const maxIsolateMb = o.maxIsolateMemoryMb ?? 512;
  const initTimeoutMs = o.initTimeoutMs ?? 10_000;
  const codeCache = new Map<string, Record<string, string>>();
  const hosts = new Map<TenantId, IsolateHost>();
  const starting = new Map<TenantId, Promise<IsolateHost>>();
  let spare: Promise<IsolateHost> | undefined;
  let used = false;
  let closed = false;
  const allHosts = new Set<IsolateHost>();

  function unavailable(): Error | undefined {
    if ('error' in ivm) return RuntimeErrors.SANDBOX_UNAVAILABLE({ sandbox: 'isolate', reason: ivm.error });
    return tools.unavailable();
  }

  let view: ViewDirs | undefined;

  async function bootHost(): Promise<IsolateHost> {
    const err = unavailable();
    if (err) throw err;
    if ('error' in ivm) throw new Error(ivm.error);
    const id = `isohost_${randomBytes(6).toString('hex')}`;
    // The host gets an empty read-only /var/task: code travels in the `create` frames.
    const slot = join(workDir, 'empty');
    await mkdir(slot, { recursive: true, mode: 0o755 });
    // One /etc snapshot per factory (made again if the workDir was removed meanwhile).
    if (!view || !existsSync(view.etcDir)) view = await prepareViewDirs(workDir);
    const cgroup = cg.kind === 'none' ? undefined : new InstanceCgroup(cg, id, o.pidsLimit ?? 256);
    cgroup?.setMemoryLimit(hostMemoryMb * 1024 * 1024);
    // Isolates have no network APIs; the host process gets a namespace with only loopback.
    const { cmd, args } = sandboxCommand({
      host: tools,
      view,
      cgroupProcs: cgroup?.procsFiles() ?? [],
      slot,
      runtimeFiles: [nodeBin, HOST_FILE, ...ivm.dirs],
      program: [nodeBin, '--no-node-snapshot', '--disable-warning=ExperimentalWarning', HOST_FILE, ivm.path],
      tmpSizeMb: o.tmpSizeMb ?? 64,
    });
    const host = new IsolateHost({ id, cmd, args, cgroup, clock });
    allHosts.add(host);
    host.onExit(() => {
      allHosts.delete(host);
      void host.cgroup?.remove();
    });
    try {
      await host.booted;
    } catch (e) {
      void host.dispose();
      throw e;
    }
    return host;
  }

  function refillSpare(): void {
    if (closed || spare || o.spareHost === false || unavailable()) return;
    const p = bootHost();
    spare = p;
    p.then(
      (h) =>
        h.onExit(() => {
          if (spare === p) spare = undefined;
        }),
      () => {
        if (spare === p) spare = undefined;
      },
    );
  }

  /** The tenant's host: the running one, else the spare, else a fresh boot (one at a time). */
  async function hostFor(tenant: TenantId): Promise<IsolateHost> {
    used = true;
    const h = hosts.get(tenant);
    if (h?.alive) return h;
    const inFlight = starting.get(tenant);
    if (inFlight) return inFlight;
    const p = (async () => {
      let host: IsolateHost | undefined;
      const s = spare;
      if (s) {
        spare = undefined;
        host = await s.catch(() => undefined);
        if (host && !host.alive) host = undefined;
      }
      host ??= await bootHost();
      hosts.set(tenant, host);
      host.onExit(() => {
        if (hosts.get(tenant) === host) hosts.delete(tenant);
      });
      return host;
    })();
    starting.set(tenant, p);
    try {
      return await p;
    } finally {
      starting.delete(tenant);
      refillSpare();
    }
  }

  async function codeOf(dir: string): Promise<Record<string, string>> {
    const hit = codeCache.get(dir);
    if (hit) return hit;
    const files = await readCode(dir);
    // Unpacked code directories are content-addressed and immutable: cache a few hundred.
    if (codeCache.size >= 256) codeCache.delete(codeCache.keys().next().value!);
    codeCache.set(dir, files);
    return files;
  }

  return {
    kind: 'isolate',

    async create(spec: InstanceSpec): Promise<Sandbox> {
      if (closed) throw RuntimeErrors.UNAVAILABLE({ reason: 'sandbox factory is closed' });
      if (spec.family !== 'node') {
        throw RuntimeErrors.UNSUPPORTED_RUNTIME(
          { runtime: spec.config.runtime },
          { hint: 'the isolate runtime runs Node (JavaScript) functions only; use isolation: process' },
        );
      }
      const t0 = clock.monotonic();
      let host: IsolateHost;
      try {
        host = await hostFor(spec.tenant);
      } catch (e) {
        if (isNimbusError(e)) throw e;
        throw RuntimeErrors.UNAVAILABLE({ reason: (e as Error).message }, { cause: e });
      }
      const initLogs: LogLine[] = [];
      const initFail = (reason: string, error?: FunctionErrorPayload) =>
        RuntimeErrors.INIT(
          { function: spec.functionName, reason },
          {
            details: {
              error: error ?? { errorType: 'Runtime.InitError', errorMessage: reason, trace: [] },
              logs: initLogs,
            },
          },
        );
      // A host receives each code directory once (the JSON of a large bundle is not free).
      const codeKey = spec.codeDir;
      let files: Record<string, string> | undefined;
      if (!host.codeSent.has(codeKey)) {
        try {
          files = await codeOf(codeKey);
        } catch (e) {
          throw initFail((e as Error).message);
        }
        host.codeSent.add(codeKey);
        if (host.codeSent.size > HOST_CODE_ENTRIES) {
          const oldest = host.codeSent.values().next().value!;
          host.codeSent.delete(oldest);
          host.send({ t: 'forget', codeKey: oldest });
        }
      }
      const id = `iso_${randomBytes(8).toString('hex')}`;
      const target = { tenant: spec.tenant, functionName: spec.functionName, version: spec.version };
      const concurrency = Math.max(1, spec.concurrency ?? spec.config.scaling?.perInstanceConcurrency ?? 1);
      const limits = { memoryMb: spec.config.memoryMb, timeoutSec: spec.config.timeoutSec };

      interface Pending {
        readonly requestId: string;
        readonly logs: LogLine[];
        readonly started: number;
        readonly resolve: (o: InvokeOutcome) => void;
        cancelTimer: () => void;
      }
      const pending = new Map<string, Pending>();
      let alive = true;
      let heap = 0;
      let phase: 'init' | 'ready' = 'init';
      let onInit: ((e: HostEvent) => void) | undefined;

      // The flood cap per instance (as for process instances): dropped lines counted per invocation.
      const logRate = o.logRate;
      const rate = new LogRateLimiter(clock, logRate && (() => logRate(spec.tenant)));
      const dropped = new WeakMap<LogLine[], number>();
      const pushLog = (logs: LogLine[], requestId: string, e: Extract<HostEvent, { t: 'log' }>) => {
        if (logs.length >= MAX_LOG_LINES || !rate.admit(e.message.length)) {
          dropped.set(logs, (dropped.get(logs) ?? 0) + 1);
          return;
        }
        logs.push({
          ...target,
          requestId,
          ts: e.ts,
          stream: e.stream,
          message: e.message,
          instanceId: id,
          level: levelOf(e.stream, e.message),
        });
      };
      const failure = (
        kind: 'function' | 'timeout' | 'oom' | 'crash',
        p: Pending,
        platformError: NimbusErrorJSON,
      ): InvokeOutcome => ({
        ok: false,
        failure: kind,
        error: {
          errorType:
            kind === 'timeout'
              ? 'Sandbox.Timedout'
              : kind === 'oom'
                ? 'Runtime.OutOfMemory'
                : kind === 'crash'
                  ? 'Runtime.ExitError'
                  : 'Function.ResponseSizeTooLarge',
          errorMessage: platformError.message,
          trace: [],
        },
        platformError,
        durationMs: clock.monotonic() - p.started,
        maxRssBytes: heap,
        logs: p.logs,
      });
      const settle = (p: Pending, o: InvokeOutcome) => {
        if (pending.get(p.requestId) !== p) return;
        pending.delete(p.requestId);
        p.cancelTimer();
        const n = dropped.get(p.logs) ?? 0;
        if (n > 0) {
          dropped.delete(p.logs);
          p.logs.push({
            ...target,
            requestId: p.requestId,
            ts: clock.now(),
            stream: 'platform',
            message: droppedLine(n),
            instanceId: id,
            level: 'WARN',
          });
        }
        p.resolve(o);
      };
      const gone = (kindOf: (p: Pending) => ['timeout' | 'oom' | 'crash', NimbusErrorJSON]) => {
        alive = false;
        unlisten();
        for (const p of [...pending.values()]) {
          const [k, err] = kindOf(p);
          settle(p, failure(k, p, err));
        }
      };
      const fn = spec.functionName;
      const crashErr = (reason: string) => RuntimeErrors.CRASH({ function: fn, reason }).toJSON();

      const unlisten = host.listen(id, (e) => {
        if (phase === 'init') {
          if (e.t === 'log') pushLog(initLogs, 'init', e);
          else onInit?.(e);
          return;
        }
        switch (e.t) {
          case 'log': {
            const p = (e.requestId ? pending.get(e.requestId) : undefined) ?? pending.values().next().value;
            if (p) pushLog(p.logs, p.requestId, e);
            return;
          }
          case 'result': {
            const p = pending.get(e.requestId);
            if (!p) return;
            heap = e.heap;
            const size = Buffer.byteLength(e.payload);
            if (size > MAX_RESPONSE) {
              settle(
                p,
                failure(
                  'function',
                  p,
                  RuntimeErrors.RESPONSE_TOO_LARGE({ size, limit: MAX_RESPONSE }).toJSON(),
                ),
              );
              return;
            }
            settle(p, {
              ok: true,
              payload: e.payload,
              durationMs: clock.monotonic() - p.started,
              maxRssBytes: heap,
              logs: p.logs,
            });
            return;
          }
          case 'error': {
            const p = pending.get(e.requestId);
            if (!p) return;
            heap = e.heap;
            settle(p, {
              ok: false,
              failure: 'function',
              error: e.error,
              durationMs: clock.monotonic() - p.started,
              maxRssBytes: heap,
              logs: p.logs,
            });
            return;
          }
          case 'failed': {
            // The host disposed the isolate: this instance is gone.
            const first = e.requestId;
            gone((p) => {
              if (p.requestId !== first) return ['crash', crashErr(e.message)];
              if (e.failure === 'timeout')
                return ['timeout', RuntimeErrors.TIMEOUT({ function: fn, ...limits }).toJSON()];
              if (e.failure === 'oom')
                return ['oom', RuntimeErrors.OOM({ function: fn, ...limits }).toJSON()];
              return ['crash', crashErr(e.message)];
            });
            return;
          }
          case 'host-exit':
            gone(() =>
              e.oom
                ? ['oom', RuntimeErrors.OOM({ function: fn, ...limits }).toJSON()]
                : ['crash', crashErr(e.reason)],
            );
            return;
        }
      });

      const now = new Date(clock.now());
      const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
      const created = await new Promise<HostEvent>((resolve) => {
        const cancel = clock.setTimeout(
          () =>
            resolve({
              t: 'create-error',
              error: {
                errorType: 'Runtime.InitTimeout',
                errorMessage: `init did not finish within ${initTimeoutMs} ms`,
                trace: [],
              },
            }),
          initTimeoutMs + HOST_GRACE_MS,
        );
        onInit = (e) => {
          if (e.t === 'created' || e.t === 'create-error' || e.t === 'host-exit') {
            cancel();
            resolve(e);
          }
        };
        host.send({
          t: 'create',
          id,
          codeKey,
          files,
          entry: spec.entry,
          exportName: spec.exportName,
          memoryLimitMb: Math.max(8, Math.min(maxIsolateMb, spec.config.memoryMb)),
          memoryMb: spec.config.memoryMb,
          timeoutMs: spec.config.timeoutSec * 1000,
          initTimeoutMs,
          functionName: spec.functionName,
          functionVersion: spec.version,
          logGroupName: `/aws/lambda/${spec.functionName}`,
          logStreamName: `${day}/[${spec.version}]${id}`,
          env: spec.config.environment,
        });
      });
      onInit = undefined;
      if (created.t !== 'created') {
        unlisten();
        host.send({ t: 'dispose', id });
        if (created.t === 'host-exit') throw initFail(created.reason);
        if (created.t !== 'create-error') throw initFail('unexpected reply from the isolate host');
        const error = created.error;
        if (error.errorType === 'Runtime.HandlerNotFound') {
          throw RuntimeErrors.HANDLER_NOT_FOUND(
            { function: fn, handler: spec.exportName, entry: spec.entry },
            { details: { error, logs: initLogs } },
          );
        }
        throw initFail(`${error.errorType}: ${error.errorMessage}`, error);
      }
      phase = 'ready';
      heap = created.heap;
      const initDurationMs = clock.monotonic() - t0;
      const createdAt = clock.now();
      let lastUsedAt = createdAt;
      let invocations = 0;
      // What the module printed while loading is shown with the first invocation (as on Lambda).
      let carry: LogLine[] = initLogs;

      const sandbox: Sandbox = {
        id,
        spec,
        initDurationMs,
        get alive() {
          return alive && host.alive;
        },
        invoke(inv, signal) {
          const started = clock.monotonic();
          if (!sandbox.alive || pending.size >= concurrency || pending.has(inv.id)) {
            const reason = !sandbox.alive ? 'instance is gone' : 'instance is busy';
            return Promise.resolve({
              ok: false,
              failure: 'crash',
              error: { errorType: 'Runtime.ExitError', errorMessage: reason, trace: [] },
              platformError: crashErr(reason),
              durationMs: 0,
              maxRssBytes: heap,
              logs: [],
            } satisfies InvokeOutcome);
          }
          invocations++;
          lastUsedAt = clock.now();
          const base = spec.functionArn.split(':').slice(0, 7).join(':');
          const timeoutMs = Math.max(1, inv.deadline - clock.now());
          return new Promise<InvokeOutcome>((resolve) => {
            const p: Pending = {
              requestId: inv.id,
              logs: carry.splice(0).map((l) => ({ ...l, requestId: inv.id })),
              started,
              resolve,
              cancelTimer: () => {},
            };
            pending.set(inv.id, p);
            const timedOut = () => {
              if (pending.get(inv.id) !== p) return;
              host.send({ t: 'dispose', id });
              gone((q) =>
                q === p
                  ? ['timeout', RuntimeErrors.TIMEOUT({ function: fn, ...limits }).toJSON()]
                  : ['crash', crashErr(`invocation ${inv.id} in the same instance timed out`)],
              );
            };
            // The host ends overruns itself; this backstop covers a host that stopped answering.
            const cancel = clock.setTimeout(() => {
              if (pending.get(inv.id) !== p) return;
              timedOut();
              host.kill();
            }, timeoutMs + HOST_GRACE_MS);
            signal?.addEventListener('abort', timedOut, { once: true });
            p.cancelTimer = () => {
              cancel();
              signal?.removeEventListener('abort', timedOut);
            };
            host.send({
              t: 'invoke',
              id,
              requestId: inv.id,
              payload: inv.payload,
              timeoutMs,
              invokedFunctionArn: inv.qualifier ? `${base}:${inv.qualifier}` : base,
              clientContext: inv.clientContext,
              traceparent: inv.traceparent,
            });
          });
        },
        stats(): SandboxStats {
          return { pid: host.child.pid, rssBytes: heap, invocations, createdAt, lastUsedAt };
        },
        async dispose() {
          if (!alive) return;
          host.send({ t: 'dispose', id });
          gone(() => ['crash', crashErr('instance disposed')]);
          carry = [];
        },
      };
      return sandbox;
    },

    isolation(): IsolationReport {
      const on = (active: boolean, detail: string) => ({ active, detail });
      const err = unavailable();
      return {
        sandbox: err
          ? `none usable: ${err.message}`
          : `V8 isolates (isolated-vm) in a ${kind} jailed host per tenant`,
        features: {
          'isolate:heap': on(
            !err,
            `own V8 heap per function instance, memoryLimit = memory (≤ ${maxIsolateMb} MB)`,
          ),
          'isolate:cpu': on(
            !err,
            'per-invocation CPU timeout = function timeout; overrun disposes the isolate',
          ),
          'isolate:no-node-apis': on(
            !err,
            'no process, require, fs, net; console/TextEncoder/crypto/setTimeout only',
          ),
          'isolate:host-per-tenant': on(!err, 'tenants never share a host process'),
          'isolate:host-sandbox': on(
            !err,
            `host runs under ${kind}, uid ${SANDBOX_UID}, clean env, data dir hidden`,
          ),
          'isolate:host-cgroup': on(
            cg.kind !== 'none',
            cg.kind === 'none'
              ? cg.reason
              : `host memory.max = ${hostMemoryMb} MB, pids.max = ${o.pidsLimit ?? 256}`,
          ),
        },
      };
    },

    // No host before the first isolate function is used (a platform without isolate functions
    // should not carry a ~50 MB host); from then on a spare is kept for the next tenant.
    async warmup() {
      if (hosts.size === 0 && !used) return;
      refillSpare();
      await spare?.catch(() => undefined);
    },

    async close() {
      closed = true;
      const s = spare;
      spare = undefined;
      await s?.catch(() => undefined);
      await Promise.allSettled([...allHosts].map((h) => h.dispose()));
      hosts.clear();
      if (!o.workDir) await rm(workDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
