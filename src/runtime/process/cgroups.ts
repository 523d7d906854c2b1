/**
 * Per-instance cgroups for memory and pids limits, peak memory and OOM detection. Supports cgroup
 * v2 (unified, `memory.max`, `memory.peak`, `memory.events`) and v1 (`memory.limit_in_bytes`,
 * `memory.max_usage_in_bytes`, `memory.oom_control`). When neither is writable (not root, read-only
 * sysfs) instances run without these limits and `isolation()` says so.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export type CgroupMode =
  | { kind: 'v2'; root: string }
  | { kind: 'v1'; memory: string; pids: string | undefined; freezer?: string | undefined }
  | { kind: 'none'; reason: string };

function writable(dir: string): boolean {
  const probe = join(dir, `nimbus-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the per-process subtrees (`<base>/<pid>`) of Nimbus processes that are gone: thaws what
 * a freezer still holds (a frozen task acts on SIGKILL only once thawed: an instance frozen when
 * its platform was SIGKILLed would otherwise stay forever), kills what is left, removes the dirs.
 */
function reapDead(base: string, kind: 'v1' | 'v2'): void {
  let owners: string[];
  try {
    owners = readdirSync(base).filter((n) => /^\d+$/.test(n) && !pidAlive(Number(n)));
  } catch {
    return;
  }
  for (const owner of owners) {
    const dir = join(base, owner);
    let children: string[] = [];
    try {
      children = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(dir, e.name));
    } catch {
      continue;
    }
    for (const c of children) {
      tryWrite(join(c, kind === 'v2' ? 'cgroup.freeze' : 'freezer.state'), kind === 'v2' ? '0' : 'THAWED');
      if (kind === 'v2') tryWrite(join(c, 'cgroup.kill'), '1');
      for (const line of (tryRead(join(c, 'cgroup.procs')) ?? '').split('\n')) {
        const pid = Number(line);
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      try {
        rmdirSync(c);
      } catch {
        // still emptying: the next start retries
      }
    }
    try {
      rmdirSync(dir);
    } catch {
      // not empty yet
    }
  }
}

/**
 * This process's own subtree of `base` (`<base>/<pid>`), after reaping the subtrees of dead
 * Nimbus processes. Instances live below it, so what a crashed platform left is recognisable.
 */
function ownSubtree(base: string, kind: 'v1' | 'v2'): string {
  mkdirSync(base, { recursive: true });
  reapDead(base, kind);
  const dir = join(base, String(process.pid));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function detectCgroups(): CgroupMode {
  const unified = '/sys/fs/cgroup';
  try {
    const ctrls = readFileSync(join(unified, 'cgroup.controllers'), 'utf8');
    if (ctrls.includes('memory') && writable(unified)) {
      // Delegate memory + pids to our subtree, and on to this process's part of it.
      const base = join(unified, 'nimbus');
      mkdirSync(base, { recursive: true });
      try {
        writeFileSync(join(unified, 'cgroup.subtree_control'), '+memory +pids');
        writeFileSync(join(base, 'cgroup.subtree_control'), '+memory +pids');
      } catch {
        // Already enabled or not permitted; limits will be probed when used.
      }
      const root = ownSubtree(base, 'v2');
      tryWrite(join(root, 'cgroup.subtree_control'), '+memory +pids');
      return { kind: 'v2', root };
    }
  } catch {
    // Not a v2 root; try v1.
  }
  const mem = '/sys/fs/cgroup/memory';
  if (existsSync(join(mem, 'memory.limit_in_bytes')) && writable(mem)) {
    // The freezer first: thawing lets the other controllers' processes die.
    const freezerRoot = '/sys/fs/cgroup/freezer';
    let freezer: string | undefined;
    if (existsSync(join(freezerRoot, 'cgroup.procs')) && writable(freezerRoot)) {
      freezer = ownSubtree(join(freezerRoot, 'nimbus'), 'v1');
    }
    const memory = ownSubtree(join(mem, 'nimbus'), 'v1');
    const pidsRoot = '/sys/fs/cgroup/pids';
    let pids: string | undefined;
    if (existsSync(join(pidsRoot, 'cgroup.procs')) && writable(pidsRoot)) {
      pids = ownSubtree(join(pidsRoot, 'nimbus'), 'v1');
    }
    return { kind: 'v1', memory, pids, freezer };
  }
  return {
    kind: 'none',
    reason: 'no writable cgroup v1 memory controller or cgroup v2 hierarchy (run as root?)',
  };
}

const tryWrite = (file: string, value: string): boolean => {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
};
const tryRead = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** One instance's cgroup(s). All methods are best-effort and never throw. */
export class InstanceCgroup {
  readonly #mode: CgroupMode;
  readonly #dirs: string[] = [];
  readonly memDir: string | undefined;
  readonly pidsDir: string | undefined;
  /** Where `freeze`/`thaw` write: v2 `cgroup.freeze`, v1 `freezer.state`. */
  readonly #freezeFile: string | undefined;
  #frozen = false;

  constructor(mode: CgroupMode, id: string, pidsLimit: number) {
    this.#mode = mode;
    if (mode.kind === 'v2') {
      this.memDir = join(mode.root, id);
      this.pidsDir = this.memDir;
      mkdirSync(this.memDir, { recursive: true });
      this.#dirs.push(this.memDir);
      tryWrite(join(this.memDir, 'memory.swap.max'), '0');
      tryWrite(join(this.memDir, 'pids.max'), String(pidsLimit));
      this.#freezeFile = join(this.memDir, 'cgroup.freeze');
    } else if (mode.kind === 'v1') {
      this.memDir = join(mode.memory, id);
      mkdirSync(this.memDir, { recursive: true });
      this.#dirs.push(this.memDir);
      if (mode.pids) {
        this.pidsDir = join(mode.pids, id);
        mkdirSync(this.pidsDir, { recursive: true });
        this.#dirs.push(this.pidsDir);
        tryWrite(join(this.pidsDir, 'pids.max'), String(pidsLimit));
      }
      if (mode.freezer) {
        const dir = join(mode.freezer, id);
        mkdirSync(dir, { recursive: true });
        this.#dirs.push(dir);
        this.#freezeFile = join(dir, 'freezer.state');
      }
    }
  }

  /** Whether freeze() can work here. */
  get canFreeze(): boolean {
    return this.#freezeFile !== undefined;
  }

  /**
   * Stops every process of the instance (no CPU until thaw): an instance that answered must not
   * keep running. Best-effort; false when there is no freezer.
   */
  freeze(): boolean {
    if (!this.#freezeFile || this.#frozen) return false;
    this.#frozen = this.#writeFreeze(this.#mode.kind === 'v2' ? '1' : 'FROZEN');
    return this.#frozen;
  }

  thaw(): void {
    if (!this.#freezeFile || !this.#frozen) return;
    this.#frozen = false;
    this.#writeFreeze(this.#mode.kind === 'v2' ? '0' : 'THAWED');
  }

  // Files read or written around every invocation stay open (one pread/pwrite each, not an
  // open + read/write + close); closed by remove().
  #fds = new Map<string, number>();
  #fd(file: string, flags: 'r' | 'w'): number | undefined {
    let fd = this.#fds.get(file);
    if (fd === undefined) {
      try {
        fd = openSync(file, flags);
      } catch {
        return undefined;
      }
      this.#fds.set(file, fd);
    }
    return fd;
  }

  #writeFreeze(value: string): boolean {
    const fd = this.#fd(this.#freezeFile!, 'w');
    if (fd === undefined) return false;
    try {
      writeSync(fd, value, 0);
      return true;
    } catch {
      return false;
    }
  }

  readonly #readBuf = Buffer.allocUnsafe(64);

  /** cgroup.procs files the spawning shell must join before exec'ing the sandbox. */
  procsFiles(): string[] {
    return [...new Set(this.#dirs)].map((d) => join(d, 'cgroup.procs'));
  }

  setMemoryLimit(bytes: number): boolean {
    if (!this.memDir) return false;
    if (this.#mode.kind === 'v2') return tryWrite(join(this.memDir, 'memory.max'), String(bytes));
    // v1: with swap accounting, memsw must stay >= limit: order the writes accordingly.
    const memsw = join(this.memDir, 'memory.memsw.limit_in_bytes');
    const hasMemsw = existsSync(memsw);
    const ok1 = tryWrite(join(this.memDir, 'memory.limit_in_bytes'), String(bytes));
    if (hasMemsw) tryWrite(memsw, String(bytes));
    const ok2 = ok1 || tryWrite(join(this.memDir, 'memory.limit_in_bytes'), String(bytes));
    return ok2;
  }

  peakBytes(): number | undefined {
    if (!this.memDir) return undefined;
    const f = this.#mode.kind === 'v2' ? 'memory.peak' : 'memory.max_usage_in_bytes';
    const fd = this.#fd(join(this.memDir, f), 'r');
    if (fd === undefined) return undefined;
    try {
      const n = readSync(fd, this.#readBuf, 0, this.#readBuf.length, 0);
      const v = Number(this.#readBuf.toString('latin1', 0, n).trim());
      return Number.isFinite(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  oomKills(): number {
    if (!this.memDir) return 0;
    const text =
      tryRead(join(this.memDir, this.#mode.kind === 'v2' ? 'memory.events' : 'memory.oom_control')) ?? '';
    const m = /oom_kill (\d+)/.exec(text);
    if (m) return Number(m[1]);
    // Old v1 kernels: under_oom / failcnt only.
    const failcnt = tryRead(join(this.memDir, 'memory.failcnt'));
    return failcnt !== undefined && Number(failcnt) > 0 && /under_oom 1/.test(text) ? 1 : 0;
  }

  /** SIGKILLs every process in the instance's cgroup(s). */
  killAll(): void {
    // A v1-frozen task only acts on SIGKILL once thawed.
    this.thaw();
    for (const d of this.#dirs) {
      if (this.#mode.kind === 'v2' && tryWrite(join(d, 'cgroup.kill'), '1')) continue;
      for (const line of (tryRead(join(d, 'cgroup.procs')) ?? '').split('\n')) {
        const pid = Number(line);
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
    }
  }

  /** Removes the cgroup dirs (retries briefly: the kernel frees them after the last process). */
  async remove(): Promise<void> {
    for (const fd of this.#fds.values()) {
      try {
        closeSync(fd);
      } catch {
        // closed
      }
    }
    this.#fds.clear();
    for (const d of [...new Set(this.#dirs)]) {
      for (let i = 0; i < 20; i++) {
        try {
          rmdirSync(d);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          this.killAll();
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    }
  }
}
