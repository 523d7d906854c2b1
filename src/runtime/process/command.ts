/**
 * The command line that starts one sandboxed process (harness, isolate host, build step), for each
 * sandbox kind. Both build the same minimal filesystem view (`viewMounts`): a new empty root with
 * the system's /usr (and its /bin, /lib… links), a few /etc files, the runtime's own files, the code
 * read-only at /var/task, a private sized /tmp and /dev/shm, a minimal /dev and a new /proc. Not the
 * host root: no /run, /var, /home, /root, /work, project or data folders, host /dev/shm.
 *  - bwrap: bubblewrap builds user/pid/ipc/uts/net namespaces and the view; runs as uid 65534
 *    inside. As root we first drop to uid 65534 on the host too (setpriv), so root-owned files in
 *    the view (e.g. under /usr) stay unreadable.
 *  - unshare: the util-linux fallback when bubblewrap is absent (root only): new mount/pid/ipc/uts/
 *    net namespaces, a mount script building the same view on a tmpfs and pivot_root'ing into it,
 *    then setpriv to uid 65534 with no capabilities and no_new_privs.
 * The network namespace is either a fresh one with only loopback, or one prepared by the platform
 * (`netns`: a veth to the host whose egress an nftables policy filters), joined with nsenter before
 * privileges are dropped. Everything is prefixed by a shell that joins the instance's cgroups first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pidAlive } from './cgroups.ts';
import type { HostSandbox } from './host.ts';

export const SANDBOX_UID = 65534;
/** Where the code is, inside every sandbox (Lambda's path). */
export const CODE_ROOT = '/var/task';

/** What sandboxCommand needs of the host: the tools, and the paths that stay hidden. */
export type SandboxTools = Pick<HostSandbox, 'kind' | 'bwrap' | 'unshare' | 'setpriv' | 'prlimit' | 'hidden'>;

export interface ViewDirs {
  /** The /etc shown inside: a snapshot of ETC_FILES and a generated passwd/group. */
  readonly etcDir: string;
  /** unshare kind: an empty directory to build the new root on (in the process's own mount ns). */
  readonly rootDir: string;
}

export interface CommandContext {
  /** The sandbox tools this host has (detectHost). */
  readonly host: SandboxTools;
  readonly nsenter?: string | undefined;
  /** cgroup.procs files to join first. */
  readonly cgroupProcs: readonly string[];
  /** Host directory shown read-only at /var/task (none for build steps). */
  readonly slot?: string | undefined;
  /** Host directories bound read-write at the same path (a build step's code root). */
  readonly writable?: readonly string[] | undefined;
  /** Variables set on top of PATH, HOME and LANG. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Files or directories (interpreter, harness, libraries) bound read-only at the same path. */
  readonly runtimeFiles: readonly string[];
  /** Directories bound read-only at another path (the provided AWS SDK at /node_modules). */
  readonly extraMounts?: readonly { readonly src: string; readonly dst: string }[] | undefined;
  /** Where the view's /etc snapshot and the unshare kind's new root live (prepareViewDirs). */
  readonly view: ViewDirs;
  readonly program: readonly string[];
  /** A prepared network namespace (path under /run/netns); a fresh loopback-only one otherwise. */
  readonly netns?: string | undefined;
  readonly tmpSizeMb: number;
  /** Working directory inside the sandbox (default /tmp). */
  readonly cwd?: string;
  /**
   * Move the host channel (fd 3) to stdin: for runtimes that cannot open an inherited socket by
   * number (the JVM takes it with System.inheritedChannel()).
   */
  readonly channelOnStdin?: boolean;
}

/** One entry of the filesystem view. */
export type ViewMount =
  | { readonly t: 'ro'; readonly src: string; readonly dst: string; readonly dir: boolean }
  | { readonly t: 'rw'; readonly src: string; readonly dst: string }
  | { readonly t: 'symlink'; readonly target: string; readonly dst: string }
  | { readonly t: 'tmpfs'; readonly dst: string; readonly sizeMb: number; readonly mode: string };

/** Top-level system links and directories (merged-/usr systems have them as links into /usr). */
const SYSTEM_TOP = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
/**
 * The /etc a runtime needs: name resolution, TLS roots, time zone, the dynamic linker's cache, JDK
 * configuration. Not passwd/group (generated), shadow, ssh, the services' configuration, etc.
 */
export const ETC_FILES = [
  'resolv.conf',
  'hosts',
  'host.conf',
  'nsswitch.conf',
  'gai.conf',
  'protocols',
  'services',
  'localtime',
  'timezone',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'ssl/certs',
  'ca-certificates',
  'ca-certificates.conf',
  'alternatives',
  'java-17-openjdk',
  'mime.types',
  'os-release',
  'python3',
  'python3.11',
];

const under = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

export function viewMounts(c: CommandContext): ViewMount[] {
  const m: ViewMount[] = [{ t: 'ro', src: '/usr', dst: '/usr', dir: true }];
  for (const top of SYSTEM_TOP) {
    const p = `/${top}`;
    try {
      const st = lstatSync(p);
      if (st.isSymbolicLink()) m.push({ t: 'symlink', target: readlinkSync(p), dst: p });
      else if (st.isDirectory()) m.push({ t: 'ro', src: p, dst: p, dir: true });
    } catch {
      // not on this system
    }
  }
  // A snapshot of the /etc files a runtime needs (prepareViewDirs), plus the generated passwd/group.
  m.push({ t: 'ro', src: c.view.etcDir, dst: '/etc', dir: true });
  // Before the runtime files: those may live under the host's /tmp (a checkout there) and are
  // bound on top of the private /tmp.
  m.push({ t: 'tmpfs', dst: '/tmp', sizeMb: c.tmpSizeMb, mode: '1777' });
  m.push({ t: 'tmpfs', dst: '/dev/shm', sizeMb: Math.min(64, c.tmpSizeMb), mode: '1777' });
  const bound = new Set<string>();
  for (const f of c.runtimeFiles) {
    const p = realpathSync(f);
    if (bound.has(p) || under(p, '/usr')) continue; // /usr is already there
    bound.add(p);
    m.push({ t: 'ro', src: p, dst: p, dir: statSync(p).isDirectory() });
  }
  for (const x of c.extraMounts ?? []) m.push({ t: 'ro', src: realpathSync(x.src), dst: x.dst, dir: true });
  if (c.slot) m.push({ t: 'ro', src: c.slot, dst: CODE_ROOT, dir: true });
  for (const w of c.writable ?? []) m.push({ t: 'rw', src: realpathSync(w), dst: w });
  // Defence in depth: a hidden path (the data dir) inside a bound directory is covered.
  const dirs = m.filter((x): x is Extract<ViewMount, { t: 'ro' }> => x.t === 'ro' && x.dir).map((x) => x.src);
  for (const h of c.host.hidden) {
    if (dirs.some((d) => under(h, d) && h !== d)) m.push({ t: 'tmpfs', dst: h, sizeMb: 1, mode: '000' });
  }
  return m;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'];
const envOf = (c: CommandContext) => [
  ...ENV,
  ...Object.entries(c.env ?? {})
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `${k}=${v}`),
];

function bwrapArgs(c: CommandContext): string[] {
  const view = viewMounts(c).flatMap((v): string[] => {
    switch (v.t) {
      case 'ro':
        return ['--ro-bind', v.src, v.dst];
      case 'rw':
        return ['--bind', v.src, v.dst];
      case 'symlink':
        return ['--symlink', v.target, v.dst];
      case 'tmpfs':
        return ['--perms', v.mode, '--size', String(v.sizeMb * 1024 * 1024), '--tmpfs', v.dst];
      default:
        return [];
    }
  });
  return [
    c.host.bwrap!,
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(c.netns ? [] : ['--unshare-net']),
    '--die-with-parent',
    '--new-session',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...view,
    '--remount-ro',
    '/',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--hostname',
    'nimbus',
    '--clearenv',
    ...envOf(c).flatMap((e) => {
      const i = e.indexOf('=');
      return ['--setenv', e.slice(0, i), e.slice(i + 1)];
    }),
    '--chdir',
    c.cwd ?? '/tmp',
    '--',
    ...c.program,
  ];
}

/** The devices a process may open (as bubblewrap's --dev provides). */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

function unshareArgs(c: CommandContext): string[] {
  // Runs as root inside fresh mount/pid namespaces: builds the view on a tmpfs at rootDir,
  // pivot_root's into it, detaches the host root and drops to uid 65534.
  const R = q(c.view.rootDir);
  const at = (dst: string) => `${R}${q(dst)}`;
  const lines: string[] = [
    'set -e',
    // mount, pivot_root, umount live in sbin: do not depend on the caller's PATH.
    'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
    'mount --make-rprivate /',
    `mount -t tmpfs -o size=1m,mode=755,nosuid,nodev tmpfs ${R}`,
  ];
  // One mkdir and one touch for every mount point, then one mount per entry (`-o bind,ro` binds
  // and remounts read-only in one go): each command is a process start.
  const view = viewMounts(c);
  const dirs = new Set<string>();
  const files: string[] = [];
  for (const v of view) {
    if (v.t === 'symlink' || v.dst === '/dev/shm') {
      dirs.add(v.dst.slice(0, v.dst.lastIndexOf('/')) || '/');
    } else if (v.t === 'ro' && !v.dir) {
      dirs.add(v.dst.slice(0, v.dst.lastIndexOf('/')) || '/');
      files.push(v.dst);
    } else {
      dirs.add(v.dst);
    }
  }
  const mountOf = (v: ViewMount): string | undefined => {
    switch (v.t) {
      case 'ro':
        return `mount -o bind,ro,nosuid,nodev ${q(v.src)} ${at(v.dst)}`;
      case 'rw':
        return `mount --bind ${q(v.src)} ${at(v.dst)}`;
      case 'symlink':
        return `ln -s ${q(v.target)} ${at(v.dst)}`;
      case 'tmpfs':
        // /dev/shm is made with /dev below.
        return v.dst === '/dev/shm'
          ? undefined
          : `mount -t tmpfs -o size=${v.sizeMb}m,mode=${v.mode},nosuid,nodev tmpfs ${at(v.dst)}`;
      default:
        return undefined;
    }
  };
  // Mount points inside other mounts (a runtime file under the private /tmp) are made once their
  // parent is mounted: mkdir/touch again right before each such mount is cheap and always right.
  lines.push(`mkdir -p ${[...dirs].map(at).join(' ')}`);
  if (files.length) lines.push(`touch ${files.map(at).join(' ')}`);
  for (const [i, v] of view.entries()) {
    const nested = view.slice(0, i).some((o) => o.t !== 'symlink' && o.dst !== v.dst && under(v.dst, o.dst));
    if (nested && v.t !== 'symlink') {
      lines.push(
        v.t === 'ro' && !v.dir
          ? `mkdir -p ${at(v.dst.slice(0, v.dst.lastIndexOf('/')))} && touch ${at(v.dst)}`
          : `mkdir -p ${at(v.dst)}`,
      );
    }
    const cmd = mountOf(v);
    if (cmd) lines.push(cmd);
  }
  const shm = Math.min(64, c.tmpSizeMb);
  lines.push(
    `mkdir -p ${at('/dev')} ${at('/proc')}`,
    `mount -t tmpfs -o size=1m,mode=755,nosuid tmpfs ${at('/dev')}`,
    ...DEVICES.flatMap((d) => [`touch ${at(`/dev/${d}`)}`, `mount --bind /dev/${d} ${at(`/dev/${d}`)}`]),
    `ln -s /proc/self/fd ${at('/dev/fd')}`,
    `ln -s /proc/self/fd/0 ${at('/dev/stdin')}`,
    `ln -s /proc/self/fd/1 ${at('/dev/stdout')}`,
    `ln -s /proc/self/fd/2 ${at('/dev/stderr')}`,
    `mkdir ${at('/dev/shm')}`,
    `mount -t tmpfs -o size=${shm}m,mode=1777,nosuid,nodev tmpfs ${at('/dev/shm')}`,
    `mount -t proc -o nosuid,nodev,noexec proc ${at('/proc')}`,
    `mkdir ${at('/.old')}`,
    `cd ${R}`,
    'pivot_root . .old',
    'umount -l /.old',
    'rmdir /.old',
    'mount -o remount,ro,bind /',
    'hostname nimbus',
    `cd ${q(c.cwd ?? '/tmp')}`,
    `exec /usr/bin/env -i ${envOf(c).map(q).join(' ')} ${q(c.host.setpriv!)} --reuid=${SANDBOX_UID} --regid=${SANDBOX_UID} --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"`,
  );
  return [
    c.host.unshare!,
    '--mount',
    '--pid',
    '--ipc',
    '--uts',
    ...(c.netns ? [] : ['--net']),
    '--fork',
    '--kill-child',
    '--',
    '/bin/sh',
    '-c',
    lines.join('\n'),
    'sh',
    ...c.program,
  ];
}

/** argv for spawn(): `/bin/sh -c <join cgroups; exec "$@"> sh [nsenter] <prlimit> <sandbox…>`. */
export function sandboxCommand(c: CommandContext): { cmd: string; args: string[] } {
  const { kind, prlimit, setpriv } = c.host;
  const limits = prlimit ? [prlimit, '--nofile=1024:1024', '--core=0:0', '--'] : [];
  // Joining a prepared network namespace needs CAP_SYS_ADMIN: before any privilege is dropped.
  const net = c.netns ? [c.nsenter!, `--net=${c.netns}`, '--'] : [];
  let sandbox: string[];
  if (kind === 'bwrap') {
    const drop = setpriv
      ? [setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups', '--']
      : [];
    sandbox = [...drop, ...bwrapArgs(c)];
  } else {
    sandbox = unshareArgs(c);
  }
  // Joining the cgroups before exec means every descendant is accounted and killable from the
  // first instruction.
  const join = c.cgroupProcs.map((f) => `echo $$ > ${q(f)}`).join(' && ');
  const redirect = c.channelOnStdin ? ' <&3 3<&-' : '';
  return {
    cmd: '/bin/sh',
    args: ['-c', `${join ? `${join} && ` : ''}exec "$@"${redirect}`, 'sh', ...net, ...limits, ...sandbox],
  };
}

/** The passwd/group a sandbox shows: root and the sandbox user, nothing of the host's accounts. */
const ETC_PASSWD = `root:x:0:0:root:/root:/usr/sbin/nologin\nsbx_user:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox:/tmp:/usr/sbin/nologin\n`;
const ETC_GROUP = `root:x:0:\nsbx_user:x:${SANDBOX_UID}:\n`;

let viewSeq = 0;

/**
 * Prepares `workDir` for views: `etc-<pid>-<n>-<random>/`, a fresh snapshot of the /etc files (copied as
 * content: resolv.conf may be a link into /run; directories keep their links, e.g. ssl/certs →
 * /usr/share/ca-certificates, which resolve inside the view) with the generated passwd and group,
 * and `root/` (where the unshare kind builds its new root). Each call makes its own snapshot and
 * none is replaced in place, so no instance binds a half-written /etc, even when several factories
 * share a workDir; snapshots of Nimbus processes that are gone are removed. Callers keep theirs for
 * their lifetime. Traversable, not listable, by the sandbox user (bwrap resolves bind sources as
 * that user).
 */
export async function prepareViewDirs(workDir: string): Promise<ViewDirs> {
  // A random part too: a pid is reused, and a dead process's snapshot under a reused pid looks
  // like ours (the cleanup below cannot tell); two would collide on mkdir (seen in CI).
  const etcDir = join(workDir, `etc-${process.pid}-${++viewSeq}-${randomBytes(4).toString('hex')}`);
  const rootDir = join(workDir, 'root');
  await mkdir(rootDir, { recursive: true });
  for (const name of await readdir(workDir)) {
    const m = /^etc-(\d+)-\d+(?:-[0-9a-f]+)?$/.exec(name);
    if (m && !pidAlive(Number(m[1]))) await rm(join(workDir, name), { recursive: true, force: true });
  }
  await mkdir(etcDir);
  for (const f of ETC_FILES) {
    const src = `/etc/${f}`;
    if (!existsSync(src)) continue;
    await mkdir(join(etcDir, f, '..'), { recursive: true });
    if (statSync(src).isDirectory())
      await cp(src, join(etcDir, f), { recursive: true, verbatimSymlinks: true });
    else await copyFile(src, join(etcDir, f));
  }
  await writeFile(join(etcDir, 'passwd'), ETC_PASSWD, { mode: 0o644 });
  await writeFile(join(etcDir, 'group'), ETC_GROUP, { mode: 0o644 });
  await chmod(etcDir, 0o755);
  await chmod(workDir, 0o711);
  return { etcDir, rootDir };
}
