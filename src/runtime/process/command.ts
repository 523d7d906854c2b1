/**
 * The command line that starts one sandboxed harness, for each sandbox kind:
 *  - bwrap: bubblewrap builds user/pid/ipc/uts(/net) namespaces, a read-only host view, private
 *    /tmp, tmpfs over hidden paths and a read-only /var/task; runs as uid 65534 inside. As root we
 *    first drop to uid 65534 on the host too (setpriv), so root-owned files stay unreadable.
 *  - unshare: the util-linux fallback when bubblewrap is absent (root only): new mount/pid/ipc/uts
 *    (/net) namespaces, a mount script doing the same mounts, then setpriv to uid 65534 with no
 *    capabilities and no_new_privs.
 * Both are prefixed by a shell that joins the instance's cgroups before anything else runs.
 */
import { realpathSync } from 'node:fs';

export const SANDBOX_UID = 65534;

export interface CommandContext {
  readonly kind: 'bwrap' | 'unshare';
  readonly bwrap?: string | undefined;
  readonly unshare?: string | undefined;
  readonly setpriv?: string | undefined;
  readonly prlimit?: string | undefined;
  /** cgroup.procs files to join first. */
  readonly cgroupProcs: readonly string[];
  readonly slot: string;
  readonly codeRoot: string;
  readonly hidden: readonly string[];
  readonly workDir: string;
  /** Runtime files (interpreter, harness) that must stay visible inside. */
  readonly runtimeFiles: readonly string[];
  readonly program: readonly string[];
  readonly network: 'host' | 'none';
  readonly tmpSizeMb: number;
  /** Working directory inside the sandbox (default /tmp). */
  readonly cwd?: string;
  /**
   * Move the host channel (fd 3) to stdin: for runtimes that cannot open an inherited socket by
   * number (the JVM takes it with System.inheritedChannel()).
   */
  readonly channelOnStdin?: boolean;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'];

/** Paths under /tmp are already invisible behind the private /tmp. */
const outsideTmp = (paths: readonly string[]) => paths.filter((p) => !p.startsWith('/tmp/'));
const underTmp = (paths: readonly string[]) =>
  paths.map((p) => realpathSync(p)).filter((p) => p.startsWith('/tmp/'));

function bwrapArgs(c: CommandContext): string[] {
  return [
    c.bwrap!,
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(c.network === 'none' ? ['--unshare-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--size',
    String(c.tmpSizeMb * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    // The runtime's own files may live under the host /tmp (e.g. a checkout there): bind them back.
    ...underTmp(c.runtimeFiles).flatMap((p) => ['--ro-bind', p, p]),
    ...outsideTmp([...c.hidden, c.workDir]).flatMap((p) => ['--tmpfs', p]),
    '--ro-bind',
    c.slot,
    c.codeRoot,
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--hostname',
    'nimbus',
    '--clearenv',
    ...ENV.flatMap((e) => {
      const i = e.indexOf('=');
      return ['--setenv', e.slice(0, i), e.slice(i + 1)];
    }),
    '--chdir',
    c.cwd ?? '/tmp',
    '--',
    ...c.program,
  ];
}

function unshareArgs(c: CommandContext): string[] {
  // Runs as root inside fresh mount/pid namespaces. The host /tmp is stashed on the code root for
  // a moment so that, after the private tmpfs covers /tmp, the slot and any runtime files living
  // under the host /tmp can still be bound into place.
  const S = q(c.codeRoot);
  const fromHost = (p: string) => (p.startsWith('/tmp/') ? `${S}/${q(p.slice(5))}` : q(p));
  const script = [
    'set -e',
    'mount --make-rprivate /',
    `mount --bind /tmp ${S}`,
    `mount -t tmpfs -o size=${c.tmpSizeMb}m,mode=1777,nosuid,nodev tmpfs /tmp`,
    'mkdir /tmp/.nimbus-slot',
    `mount --bind ${fromHost(c.slot)} /tmp/.nimbus-slot`,
    ...underTmp(c.runtimeFiles).flatMap((p) => [
      `mkdir -p ${q(p.slice(0, p.lastIndexOf('/')))}`,
      `touch ${q(p)}`,
      `mount --bind ${fromHost(p)} ${q(p)}`,
      `mount -o remount,bind,ro ${q(p)}`,
    ]),
    `umount ${S}`,
    `mount --move /tmp/.nimbus-slot ${S}`,
    'rmdir /tmp/.nimbus-slot',
    `mount -o remount,bind,ro ${S}`,
    ...outsideTmp([...c.hidden, c.workDir]).map((p) => `mount -t tmpfs -o size=1m,mode=000 tmpfs ${q(p)}`),
    'mount -o remount,bind,ro /',
    'hostname nimbus',
    `cd ${q(c.cwd ?? '/tmp')}`,
    `exec env -i ${ENV.join(' ')} ${q(c.setpriv!)} --reuid=${SANDBOX_UID} --regid=${SANDBOX_UID} --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"`,
  ].join('\n');
  return [
    c.unshare!,
    '--mount',
    '--pid',
    '--ipc',
    '--uts',
    ...(c.network === 'none' ? ['--net'] : []),
    '--fork',
    '--kill-child',
    '--mount-proc',
    '--',
    '/bin/sh',
    '-c',
    script,
    'sh',
    ...c.program,
  ];
}

/** argv for spawn(): `/bin/sh -c <join cgroups; exec "$@"> sh <prlimit> <sandbox…>`. */
export function sandboxCommand(c: CommandContext): { cmd: string; args: string[] } {
  const limits = c.prlimit ? [c.prlimit, '--nofile=1024:1024', '--core=0:0', '--'] : [];
  let sandbox: string[];
  if (c.kind === 'bwrap') {
    const drop = c.setpriv
      ? [c.setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups', '--']
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
    args: ['-c', `${join ? `${join} && ` : ''}exec "$@"${redirect}`, 'sh', ...limits, ...sandbox],
  };
}
