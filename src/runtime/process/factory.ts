/**
 * The process SandboxFactory: a pool of pre-booted, already-sandboxed generic harness processes
 * per runtime family; `create(spec)` specializes one with a function (code copied into its
 * read-only /var/task slot, memory limit applied, `init` sent) and refills the pool behind it.
 *
 * Sandbox (bubblewrap): user/pid/ipc/uts(/net) namespaces, read-only host root, tmpfs over the
 * platform's data and run dirs, private /tmp, clean env, uid 65534. When the platform runs as
 * root the process first drops to uid 65534 *outside* too (setpriv), so root-owned host files stay
 * unreadable even though the root filesystem is visible read-only. cgroups bound memory and pids;
 * prlimit sets RLIMITs.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNimbusError } from '../../core/errors.ts';
import type {
  Clock,
  InstanceSpec,
  IsolationReport,
  Sandbox,
  SandboxFactory,
  SandboxStats,
} from '../../core/ports.ts';
import type { RuntimeFamily } from '../../core/types.ts';
import type { LogRateLimits } from '../../observability/flood.ts';
import { DEFAULT_EGRESS, type EgressPolicy } from '../../security/egress.ts';
import { RuntimeErrors } from '../errors.ts';
import { findJdk, JAVA_MAIN_CLASS, jvmArgs, runtimeJar } from '../java/toolchain.ts';
import { InstanceCgroup } from './cgroups.ts';
import { CODE_ROOT, prepareViewDirs, SANDBOX_UID, sandboxCommand, type ViewDirs } from './command.ts';
import { CompileCaches } from './compile-cache.ts';
import { detectHost } from './host.ts';
import { ProcessInstance } from './instance.ts';
import { linkTree } from './link-tree.ts';
import { createEgressNetwork, type EgressNetwork, type NetNs } from './network.ts';
import { PoolSizer } from './pool-sizer.ts';

export interface ProcessSandboxOptions {
  readonly kind?: 'auto' | 'bwrap' | 'unshare';
  /** Base pre-booted pool size (node; other families keep at most 1); grows with cold-start bursts. */
  readonly poolSize: number;
  /** Bound on the adaptive pool size per family. Default 16. */
  readonly maxPoolSize?: number;
  /** Host directory for per-instance /var/task slots; must not be inside a 0700 directory. */
  readonly workDir?: string;
  /** Paths invisible inside the sandbox (the platform data dir). */
  readonly hiddenPaths: readonly string[];
  readonly clock: Clock;
  readonly nodeBinary?: string;
  readonly pythonBinary?: string;
  /** JDK for the java family (default: the one the system `javac` resolves to). */
  readonly javaHome?: string;
  readonly pidsLimit?: number;
  /** Network namespaces and egress filtering (default: veth + nftables when root, else loopback only). */
  readonly egress?: EgressNetwork;
  /** Init (module import) time limit; Lambda's is 10 s. */
  readonly initTimeoutMs?: number;
  /** A tenant's flood cap for its instances' lines (observability/flood.ts); default 1,000 lines/s. */
  readonly logRate?: (tenant: string) => LogRateLimits;
  /** A node_modules directory every instance sees read-only at /node_modules (the provided SDK). */
  readonly providedModules?: string | undefined;
  readonly tmpSizeMb?: number;
}

const HARNESS = {
  node: fileURLToPath(new URL('../harness/node/harness.mjs', import.meta.url)),
  python: fileURLToPath(new URL('../harness/python/harness.py', import.meta.url)),
  provided: fileURLToPath(new URL('../harness/provided/shim.mjs', import.meta.url)),
};

function pythonFor(dropPrivileges: boolean, configured?: string): string | undefined {
  if (configured) return configured;
  // A dropped-privilege sandbox cannot execute an interpreter under /root (pyenv): prefer the system one.
  const candidates = ['/usr/bin/python3', '/usr/local/bin/python3'];
  if (!dropPrivileges) {
    try {
      candidates.unshift(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim());
    } catch {
      // none on PATH
    }
  }
  return candidates.find((c) => c && existsSync(c));
}

/** How long after a cold start the generic pool is topped up (see create()). */
const REFILL_DELAY_MS = 30;

export interface ProcessSandboxFactory extends SandboxFactory {
  /** Functions of this family exist: keep a pre-booted process of it (non-node families start at 0). */
  expect(family: RuntimeFamily): void;
}

export function createProcessSandboxFactory(o: ProcessSandboxOptions): ProcessSandboxFactory {
  const clock = o.clock;
  const host = detectHost(o.kind ?? 'auto', o.hiddenPaths);
  const { kind, bwrap, unshare: unshareBin, setpriv, prlimit, isRoot, cg, hidden, unavailable } = host;
  const dropPrivileges = Boolean(setpriv);
  const workDir =
    o.workDir ??
    join(tmpdir(), `nimbus-run-${createHash('sha256').update(hidden.join('|')).digest('hex').slice(0, 12)}`);
  const nodeBin = o.nodeBinary ?? process.execPath;
  const pythonBin = pythonFor(dropPrivileges, o.pythonBinary);
  const pidsLimit = o.pidsLimit ?? 256;
  const initTimeoutMs = o.initTimeoutMs ?? 10_000;
  const codeRoot = CODE_ROOT;
  const egress = o.egress ?? createEgressNetwork();
  const netns = new Map<ProcessInstance, NetNs>();
  const releasing = new Set<Promise<void>>();
  /** Frees an instance's network namespace; close() waits for the ones still under way. */
  function releaseNetns(ns: NetNs): Promise<void> {
    const p = egress.release(ns).finally(() => releasing.delete(p));
    releasing.add(p);
    return p;
  }
  let workDirReady: Promise<ViewDirs> | undefined;
  const jdk = findJdk(o.javaHome);
  const pools: Record<RuntimeFamily, ProcessInstance[]> = { node: [], python: [], provided: [], java: [] };
  const booting: Record<RuntimeFamily, number> = { node: 0, python: 0, provided: 0, java: 0 };
  // A JVM's heap is fixed when it boots: pooled JVMs are booted for the memory size last asked for
  // (a create for another size boots its own, and the pool follows the new size).
  const javaMemory = new Map<ProcessInstance, number>();
  let javaPoolMemoryMb = 128;
  const slots = new Map<string, string>();
  const live = new Set<ProcessInstance>();
  let closed = false;
  const compileCaches = new CompileCaches(join(workDir, 'v8cache'));
  const sizer = new PoolSizer({ clock, base: o.poolSize, max: o.maxPoolSize ?? 16 });
  const shrinkTimers = new Map<RuntimeFamily, () => void>();

  const runtimeFiles = [
    nodeBin,
    HARNESS.node,
    HARNESS.python,
    HARNESS.provided,
    ...(pythonBin ? [pythonBin] : []),
  ];

  function ensureWorkDir(): Promise<ViewDirs> {
    workDirReady ??= (async () => {
      await mkdir(join(workDir, 'slots'), { recursive: true });
      const view = await prepareViewDirs(workDir);
      await chmod(join(workDir, 'slots'), 0o711);
      return view;
    })();
    return workDirReady;
  }

  async function boot(
    family: RuntimeFamily,
    memoryMb = javaPoolMemoryMb,
    pooled = true,
  ): Promise<ProcessInstance> {
    const err = unavailable();
    if (err) throw err;
    if (family === 'python' && !pythonBin) {
      throw RuntimeErrors.UNAVAILABLE({
        reason: 'no python3 interpreter usable by the sandbox (install python3)',
      });
    }
    if (family === 'java' && !jdk) {
      throw RuntimeErrors.UNAVAILABLE({
        reason: 'no JDK 17+ usable by the sandbox (install openjdk-17-jdk-headless)',
      });
    }
    let program: string[];
    let files = runtimeFiles;
    if (family === 'java') {
      let jar: string;
      try {
        jar = await runtimeJar(jdk!);
      } catch (e) {
        throw RuntimeErrors.UNAVAILABLE({ reason: (e as Error).message }, { cause: e });
      }
      files = [...runtimeFiles, jar];
      program = [jdk!.java, ...jvmArgs(memoryMb, { pooled }), '-cp', jar, JAVA_MAIN_CLASS];
    } else {
      program =
        family === 'node'
          ? [
              nodeBin,
              '--disable-warning=ExperimentalWarning',
              '--stack-size=984',
              // V8's young generation sized as Lambda's bootstrap does for 128 MB (memory / 10 / 2):
              // the process boots before its function (and memory size) is known, and V8's
              // default, sized for the host's RAM, let a busy 128 MB instance grow to 144 MB and
              // be OOM-killed (84 MB with this under the same load).
              '--max-semi-space-size=6',
              HARNESS.node,
            ]
          : family === 'provided'
            ? [nodeBin, HARNESS.provided]
            : [pythonBin!, '-u', '-B', HARNESS.python];
    }
    const view = await ensureWorkDir();
    const id = `inst_${randomBytes(8).toString('hex')}`;
    const slot = join(workDir, 'slots', id);
    await mkdir(slot, { mode: 0o755 });
    // The instance's own network namespace, with the default egress policy until specialized.
    let ns: NetNs | undefined;
    try {
      ns = await egress.prepare(DEFAULT_EGRESS);
    } catch (e) {
      await rm(slot, { recursive: true, force: true }).catch(() => {});
      throw RuntimeErrors.UNAVAILABLE({ reason: `network namespace: ${(e as Error).message}` }, { cause: e });
    }
    const cgroup = cg.kind === 'none' ? undefined : new InstanceCgroup(cg, id, pidsLimit);
    // A generic process gets the smallest function size until it is specialized.
    cgroup?.setMemoryLimit(128 * 1024 * 1024 + 64 * 1024 * 1024);
    let command: { cmd: string; args: string[] };
    try {
      command = sandboxCommand({
        host,
        view,
        cgroupProcs: cgroup?.procsFiles() ?? [],
        nsenter: egress.nsenter,
        slot,
        runtimeFiles: files,
        extraMounts: o.providedModules ? [{ src: o.providedModules, dst: '/node_modules' }] : undefined,
        program,
        netns: ns?.path,
        tmpSizeMb: o.tmpSizeMb ?? 512,
        // The JVM cannot open a socket through /proc/self/fd/3: it gets the channel as stdin
        // (System.inheritedChannel) and starts in the code root, Lambda's working directory.
        ...(family === 'java' ? { channelOnStdin: true, cwd: codeRoot } : {}),
      });
    } catch (e) {
      // A runtime file that cannot be resolved: nothing was started, free what was set up.
      if (ns) await releaseNetns(ns);
      await cgroup?.remove();
      throw RuntimeErrors.UNAVAILABLE({ reason: (e as Error).message }, { cause: e });
    }
    const { cmd, args } = command;
    const inst = new ProcessInstance({
      id,
      cmd,
      args,
      cgroup,
      clock,
      payloadFrames: family === 'node',
      logRate: o.logRate,
    });
    slots.set(id, slot);
    if (ns) netns.set(inst, ns);
    live.add(inst);
    if (family === 'java') javaMemory.set(inst, memoryMb);
    inst.onExit(() => {
      live.delete(inst);
      const n = netns.get(inst);
      netns.delete(inst);
      if (n) releaseNetns(n);
      javaMemory.delete(inst);
      const i = pools[family].indexOf(inst);
      if (i >= 0) pools[family].splice(i, 1);
    });
    // close() ran while this boot was under way: it only saw the instances live at that moment.
    if (closed) {
      void disposeInstance(inst);
      throw RuntimeErrors.UNAVAILABLE({ reason: 'sandbox factory is closed' });
    }
    return inst;
  }

  /** Boots generic processes up to the family's adaptive target; surplus ones are stopped. */
  function refill(family: RuntimeFamily): void {
    const target = sizer.target(family);
    while (!closed && pools[family].length > target) void disposeInstance(pools[family].pop()!);
    if (target > sizer.base(family) && !closed) {
      // Re-evaluate once the burst window has passed, so the pool shrinks back when quiet.
      shrinkTimers.get(family)?.();
      shrinkTimers.set(
        family,
        clock.setTimeout(() => refill(family), sizer.windowMs + 1),
      );
    }
    while (!closed && pools[family].length + booting[family] < target) {
      booting[family]++;
      boot(family).then(
        async (inst) => {
          let ok = true;
          try {
            await inst.booted;
          } catch {
            ok = false; // boot failed or timed out: the process must go
          }
          booting[family]--;
          if (closed || !ok || !inst.alive) void disposeInstance(inst);
          else pools[family].push(inst);
        },
        () => {
          booting[family]--;
        },
      );
    }
  }

  async function take(family: RuntimeFamily, memoryMb: number): Promise<ProcessInstance> {
    if (family === 'java' && memoryMb !== javaPoolMemoryMb) {
      // Pooled JVMs have the wrong heap for this size: replace them with ones for this size.
      javaPoolMemoryMb = memoryMb;
      for (const inst of pools.java.splice(0)) void disposeInstance(inst);
    }
    for (let inst = pools[family].shift(); inst; inst = pools[family].shift()) {
      if (family === 'java' && javaMemory.get(inst) !== memoryMb) {
        void disposeInstance(inst); // booted for the previous size while this one was asked for
        continue;
      }
      if (inst.alive) return inst;
    }
    const inst = await boot(family, memoryMb, false);
    try {
      await inst.booted;
    } catch (e) {
      void disposeInstance(inst);
      throw e;
    }
    return inst;
  }

  async function disposeInstance(inst: ProcessInstance): Promise<void> {
    await inst.dispose();
    const ns = netns.get(inst);
    netns.delete(inst);
    if (ns) await releaseNetns(ns);
    const slot = slots.get(inst.id);
    slots.delete(inst.id);
    if (slot) await rm(slot, { recursive: true, force: true }).catch(() => {});
  }

  return {
    kind: `process/${kind}`,

    async create(spec: InstanceSpec): Promise<Sandbox> {
      if (closed) throw RuntimeErrors.UNAVAILABLE({ reason: 'sandbox factory is closed' });
      const ended = sizer.begin(spec.family);
      try {
        return await specialize(spec);
      } finally {
        ended();
        // Refill after this cold start, not during it: booting the replacement (a synchronous
        // spawn, then ~100 ms of CPU for Node to start) would compete with the specialization
        // and the first invocation on a small machine.
        setTimeout(() => refill(spec.family), REFILL_DELAY_MS).unref();
      }
    },

    isolation(): IsolationReport {
      return isolationReport();
    },

    warmup,
    close,
    expect(family) {
      sizer.expect(family);
      if (closed || unavailable()) return;
      if ((family === 'python' && !pythonBin) || (family === 'java' && !jdk)) return;
      refill(family);
    },
  };

  async function specialize(spec: InstanceSpec): Promise<Sandbox> {
    const t0 = clock.monotonic();
    let inst: ProcessInstance;
    try {
      inst = await take(spec.family, spec.config.memoryMb);
    } catch (e) {
      if (isNimbusError(e)) throw e;
      throw RuntimeErrors.UNAVAILABLE({ reason: (e as Error).message }, { cause: e });
    }
    const slot = slots.get(inst.id)!;
    const policy: EgressPolicy = spec.config.egress ?? DEFAULT_EGRESS;
    const ns = netns.get(inst);
    if (ns && policy.mode !== 'internet') {
      try {
        await egress.apply(ns, policy);
      } catch (e) {
        void disposeInstance(inst);
        throw RuntimeErrors.UNAVAILABLE({ reason: `egress policy: ${(e as Error).message}` }, { cause: e });
      }
    }
    await linkTree(spec.codeDir, slot);
    const cache = spec.family === 'node' ? await compileCaches.plan(spec, slot) : undefined;
    inst.cgroup?.setMemoryLimit(spec.config.memoryMb * 1024 * 1024);
    const now = new Date(clock.now());
    const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
    const target = { tenant: spec.tenant, functionName: spec.functionName, version: spec.version };
    try {
      await inst.specialize(
        {
          entry: spec.entry,
          exportName: spec.exportName,
          codeRoot,
          functionName: spec.functionName,
          functionVersion: spec.version,
          memoryMb: spec.config.memoryMb,
          timeoutSec: spec.config.timeoutSec,
          functionArn: spec.functionArn,
          logGroupName: `/aws/lambda/${spec.functionName}`,
          logStreamName: `${day}/[${spec.version}]${inst.id}`,
          region: spec.region,
          env: spec.config.environment,
          compileCache: cache?.init,
        },
        target,
        initTimeoutMs,
        spec.concurrency ?? spec.config.scaling?.perInstanceConcurrency ?? 1,
      );
    } catch (e) {
      cache?.done(undefined);
      void disposeInstance(inst);
      throw e;
    }
    cache?.done(inst.compileCacheFiles);
    if (closed) {
      void disposeInstance(inst);
      throw RuntimeErrors.UNAVAILABLE({ reason: 'sandbox factory is closed' });
    }
    const initDurationMs = clock.monotonic() - t0;
    const createdAt = clock.now();
    let lastUsedAt = createdAt;
    let invocations = 0;
    // The unqualified ARN; an invocation's qualifier is appended to it.
    const arnBase = spec.functionArn.split(':').slice(0, 7).join(':');
    const sandbox: Sandbox = {
      id: inst.id,
      spec,
      initDurationMs,
      get alive() {
        return inst.alive;
      },
      async invoke(inv, signal, stream, calls) {
        invocations++;
        lastUsedAt = clock.now();
        const arn = inv.qualifier ? `${arnBase}:${inv.qualifier}` : arnBase;
        return inst.invoke(
          inv,
          arn,
          { memoryMb: spec.config.memoryMb, timeoutSec: spec.config.timeoutSec },
          signal,
          stream,
          calls,
        );
      },
      stats(): SandboxStats {
        return {
          pid: inst.child.pid,
          rssBytes: inst.cgroup?.peakBytes() ?? 0,
          invocations,
          createdAt,
          lastUsedAt,
        };
      },
      dispose: () => disposeInstance(inst),
    };
    return sandbox;
  }

  function isolationReport(): IsolationReport {
    const on = (active: boolean, detail: string) => ({ active, detail });
    const bw = unavailable() === undefined;
    const sandboxName =
      kind === 'bwrap'
        ? `bubblewrap (${bwrap ?? 'not installed'})`
        : `util-linux unshare (${unshareBin ?? 'missing'})`;
    return {
      sandbox: bw ? sandboxName : `none usable: ${unavailable()?.message}`,
      features: {
        'namespace:user': on(
          bw && kind === 'bwrap',
          kind === 'bwrap'
            ? 'own user namespace, uid 65534 inside'
            : 'not used: privileges dropped with setpriv instead',
        ),
        'namespace:mount': on(bw, 'private mount namespace'),
        'namespace:pid': on(bw, 'own pid namespace; the host processes are invisible'),
        'namespace:ipc': on(bw, 'own IPC namespace'),
        'namespace:uts': on(bw, 'own hostname'),
        'namespace:net': on(bw, egress.describe()),
        egress: (() => {
          if (egress.mode !== 'veth')
            return on(false, `unavailable: ${egress.reason}; functions have no network`);
          // Before the first instance the table may not exist yet; after, it must.
          const inPlace = egress.filterInPlace();
          return on(
            bw && inPlace !== false,
            inPlace === false
              ? 'nftables table missing: made by the first instance boot; if it was flushed, boots are refused until it is set up again'
              : 'per-function policy: internet (default: public addresses only), allowlist or none',
          );
        })(),
        'minimal-root': on(
          bw,
          'new root: /usr, a few /etc files, the runtime, /var/task (read-only), private /tmp and /dev/shm; no host /run, /var, /home, data or project dirs',
        ),
        'private-tmp': on(bw, `tmpfs /tmp (${o.tmpSizeMb ?? 512} MB) and /dev/shm (64 MB)`),
        'clean-env': on(bw, 'environment cleared; only the function environment is set'),
        'data-dir-hidden': on(
          bw && hidden.length > 0,
          hidden.length
            ? `not in the view: ${hidden.join(', ')} (covered by a tmpfs if a bound directory holds it)`
            : 'no paths configured',
        ),
        'privilege-drop': on(
          dropPrivileges,
          dropPrivileges
            ? `runs as uid ${SANDBOX_UID} on the host (setpriv)`
            : isRoot
              ? 'setpriv not found'
              : 'platform not root: runs as its own uid',
        ),
        'cgroup:memory': on(
          cg.kind !== 'none',
          cg.kind === 'none' ? cg.reason : `cgroup ${cg.kind} memory limit = function memory`,
        ),
        'cgroup:freezer': on(
          cg.kind === 'v2' || (cg.kind === 'v1' && Boolean(cg.freezer)),
          'an instance that answered is frozen until its next invocation (no CPU while idle)',
        ),
        'cgroup:pids': on(
          cg.kind === 'v2' || (cg.kind === 'v1' && Boolean(cg.pids)),
          `pids.max = ${pidsLimit}`,
        ),
        rlimits: on(
          Boolean(prlimit),
          prlimit ? 'RLIMIT_NOFILE 1024, RLIMIT_CORE 0 (prlimit)' : 'prlimit not found',
        ),
      },
    };
  }

  async function warmup(): Promise<void> {
    if (unavailable()) return;
    refill('node');
    if (pythonBin) refill('python');
    if (jdk) refill('java');
  }

  async function close(): Promise<void> {
    closed = true;
    for (const cancel of shrinkTimers.values()) cancel();
    const all = [...live];
    for (const pool of Object.values(pools)) pool.length = 0;
    await Promise.allSettled(all.map((i) => disposeInstance(i)));
    // Namespaces of processes that exited on their own are released in the background.
    await Promise.allSettled([...releasing]);
  }
}
