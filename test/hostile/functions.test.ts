/**
 * Hostile battery, functions: file escapes, /proc, environment, resource bombs, runaway code,
 * huge answers, signals, cross-function channels, builds, in every runtime (Node, Python, a
 * `provided` bootstrap, isolates, Java) and both sandbox kinds. Each case checks that the attack
 * is contained with the right coded error, that nothing of the platform or of another function
 * shows, and that a neighbour function's latency stays within 2× its baseline.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertNoLeak, type Hostile, type InvokeResult, sandboxKinds, startHostile } from './support.ts';

interface Case {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly config?: Record<string, unknown>;
  readonly payload?: (h: Hostile) => unknown;
  readonly check: (r: InvokeResult, h: Hostile, name: string) => void | Promise<void>;
  /** Skip the neighbour latency check (cases whose point is a slow answer measure it anyway). */
  readonly quiet?: boolean;
}

const NODE = { runtime: 'nodejs24.x', handler: 'index.handler' };
const PY = { runtime: 'python3.12', handler: 'app.handler' };
const PROVIDED = { runtime: 'provided.al2023', handler: 'x' };
const code = (r: InvokeResult, c: string) =>
  assert.equal(r.code, `NIMBUS_ERR_RUNTIME_${c}`, JSON.stringify(r).slice(0, 600));
const okResult = (r: InvokeResult) => {
  assert.equal(r.ok, true, JSON.stringify(r).slice(0, 600));
  return r.result as Record<string, unknown>;
};
const denied = (v: unknown) => typeof v === 'string' && /^denied:/.test(v);

const TRY = `const tryDo = (f) => { try { return f(); } catch (e) { return 'denied:' + (e.code || e.message); } };`;

const CASES: Case[] = [
  {
    name: 'node: platform secrets and host files by path',
    files: {
      'index.mjs': `import { readFileSync, readdirSync } from 'node:fs'; ${TRY}
export const handler = async (e) => Object.fromEntries(e.paths.map((p) => [p, tryDo(() => String(readFileSync(p)).slice(0, 200))]));`,
    },
    payload: (h) => ({
      paths: [
        `${h.p.dataDir}/admin-credentials.json`,
        `${h.p.dataDir}/master.key`,
        `${h.p.dataDir}/nimbus.db`,
        `${h.p.dataDir}/nimbus-records.db`,
        '/etc/shadow',
        '/root/.bashrc',
        '/proc/1/environ',
        '/run/postgresql/.s.PGSQL.5432',
        '/var/run/mysqld/mysqld.sock',
        `${process.cwd()}/package.json`,
        '/proc/self/root/etc/shadow',
        '/sys/class/net/eth0/address',
      ],
    }),
    check: (r, h) => {
      const out = okResult(r);
      for (const [p, v] of Object.entries(out)) {
        if (p === '/proc/1/environ') assert.ok(denied(v) || !String(v).includes('NIMBUS'), `${p}: ${v}`);
        else assert.ok(denied(v), `${p} was read: ${v}`);
      }
      assert.ok(!JSON.stringify(out).includes(h.p.secret));
    },
  },
  {
    name: 'node: the environment holds only the function’s variables',
    files: { 'index.mjs': 'export const handler = async () => process.env;' },
    config: { environment: { MINE: 'yes' } },
    check: (r) => {
      const env = okResult(r) as Record<string, string>;
      assert.equal(env.MINE, 'yes');
      for (const k of Object.keys(env)) {
        assert.ok(!/^NIMBUS_|HOSTILE_MARKER|^PG|^HOME$|^USER$/.test(k) || k === 'HOME', `leaked ${k}`);
      }
      assert.equal(env.HOSTILE_MARKER, undefined);
    },
  },
  {
    name: 'node: /proc shows only the instance’s own processes and sockets',
    files: {
      'index.mjs': `import { readdirSync, readFileSync } from 'node:fs';
export const handler = async () => ({
  pids: readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).length,
  listening: readFileSync('/proc/net/tcp', 'utf8').split('\\n').slice(1).filter((l) => l.trim().split(/\\s+/)[3] === '0A').map((l) => parseInt(l.trim().split(/\\s+/)[1].split(':')[1], 16)),
  mounts: readFileSync('/proc/self/mounts', 'utf8').split('\\n').filter((l) => /\\/work|\\.nimbus|\\/run /.test(l)).length,
});`,
    },
    check: (r) => {
      const o = okResult(r);
      assert.ok((o.pids as number) < 10, `sees ${o.pids} processes`);
      assert.deepEqual(o.listening, [], 'no host sockets visible in /proc/net/tcp');
    },
  },
  {
    name: 'node: writes outside /tmp fail; /tmp and /dev/shm are private and sized',
    files: {
      'index.mjs': `import { writeFileSync, readdirSync } from 'node:fs'; ${TRY}
export const handler = async () => ({
  task: tryDo(() => writeFileSync('/var/task/x', 'x')),
  etc: tryDo(() => writeFileSync('/etc/x', 'x')),
  usr: tryDo(() => writeFileSync('/usr/x', 'x')),
  root: tryDo(() => writeFileSync('/x', 'x')),
  shm: tryDo(() => { writeFileSync('/dev/shm/leftover', Buffer.alloc(4 << 20)); return readdirSync('/dev/shm'); }),
  tmp: readdirSync('/tmp'),
});`,
    },
    check: (r) => {
      const o = okResult(r);
      for (const k of ['task', 'etc', 'usr', 'root']) assert.ok(denied(o[k]), `${k}: ${o[k]}`);
      assert.deepEqual(o.shm, ['leftover']);
      assert.ok(!existsSync('/dev/shm/leftover'), 'the host /dev/shm got the file');
      assert.deepEqual(
        (o.tmp as string[]).filter((n) => n.startsWith('nimbus')),
        [],
      );
    },
  },
  {
    name: 'node: another function’s /tmp and processes are invisible',
    files: {
      'index.mjs': `import { readdirSync, readFileSync } from 'node:fs';
export const handler = async () => ({ tmp: readdirSync('/tmp'), cmdlines: readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).map((p) => { try { return readFileSync('/proc/' + p + '/cmdline', 'utf8'); } catch { return ''; } }) });`,
    },
    check: (r) => {
      const o = okResult(r);
      assert.ok(!(o.tmp as string[]).includes('victim-secret'), JSON.stringify(o.tmp));
      assert.ok(!(o.cmdlines as string[]).some((c) => c.includes('victim')), JSON.stringify(o.cmdlines));
    },
  },
  {
    name: 'node: fork bomb',
    files: {
      'index.mjs': `import { spawn } from 'node:child_process';
export const handler = async () => { let n = 0, failed = 0;
  for (let i = 0; i < 2000; i++) { try { const c = spawn('/bin/sh', ['-c', 'sleep 5']); c.on('error', () => failed++); n++; } catch { failed++; } }
  await new Promise((r) => setTimeout(r, 300)); return { n, failed }; };`,
    },
    config: { timeoutSec: 10 },
    check: (r) => {
      // Either the pids limit refuses the spawns (an answer) or the instance dies (a coded crash).
      if (r.ok) assert.ok(((r.result as { failed: number }).failed ?? 0) > 0, JSON.stringify(r.result));
      else assert.match(String(r.code), /NIMBUS_ERR_RUNTIME_(CRASH|OOM|TIMEOUT)/);
    },
  },
  {
    name: 'node: memory bomb',
    files: {
      'index.mjs':
        'export const handler = async () => { const a = []; for (;;) a.push(Buffer.alloc(16 << 20, 1)); };',
    },
    check: (r) => code(r, 'OOM'),
  },
  {
    name: 'node: disk bomb in /tmp',
    files: {
      'index.mjs': `import { writeFileSync } from 'node:fs';
export const handler = async () => { try { for (let i = 0; i < 10000; i++) writeFileSync('/tmp/f' + i, Buffer.alloc(8 << 20)); return 'wrote everything'; } catch (e) { return e.code; } };`,
    },
    config: { memoryMb: 1024, timeoutSec: 20 },
    check: (r) => {
      // The private /tmp is a sized tmpfs: ENOSPC, or the memory cgroup ends the instance first.
      if (r.ok) assert.equal(r.result, 'ENOSPC');
      else assert.match(String(r.code), /NIMBUS_ERR_RUNTIME_(OOM|CRASH)/);
    },
  },
  {
    name: 'node: output flood',
    files: {
      'index.mjs':
        'export const handler = async () => { const line = "y".repeat(10000); for (let i = 0; i < 5000; i++) process.stdout.write(line + "\\n"); return "flooded"; };',
    },
    config: { timeoutSec: 20 },
    check: (r) => assert.equal(okResult(r) as unknown, 'flooded'),
  },
  {
    name: 'node: file-descriptor bomb',
    files: {
      'index.mjs': `import { openSync } from 'node:fs';
export const handler = async () => { let n = 0; try { for (;;) { openSync('/dev/null', 'r'); n++; } } catch (e) { return { n, code: e.code }; } };`,
    },
    check: (r) => {
      const o = okResult(r);
      assert.equal(o.code, 'EMFILE');
      assert.ok((o.n as number) < 1100);
    },
  },
  {
    name: 'node: synchronous infinite loop',
    files: { 'index.mjs': 'export const handler = async () => { for (;;) {} };' },
    config: { timeoutSec: 1 },
    check: (r) => code(r, 'TIMEOUT'),
  },
  {
    name: 'node: microtask loop',
    files: {
      'index.mjs':
        'export const handler = async () => { const f = () => Promise.resolve().then(f); f(); await new Promise(() => {}); };',
    },
    config: { timeoutSec: 1 },
    // The chain of promises grows until the deadline or the memory limit, whichever comes first.
    check: (r) => assert.match(String(r.code), /NIMBUS_ERR_RUNTIME_(TIMEOUT|OOM)/),
  },
  {
    name: 'node: ReDoS',
    files: { 'index.mjs': 'export const handler = async () => /^(a+)+$/.test("a".repeat(48) + "b");' },
    config: { timeoutSec: 1 },
    check: (r) => code(r, 'TIMEOUT'),
  },
  {
    name: 'node: a 7 MB response',
    files: { 'index.mjs': 'export const handler = async () => "z".repeat(7 * 1024 * 1024);' },
    check: (r) => code(r, 'RESPONSE_TOO_LARGE'),
  },
  {
    name: 'node: kill every process it can',
    files: {
      'index.mjs':
        'export const handler = async () => { try { process.kill(-1, "SIGKILL"); } catch {} try { process.kill(1, "SIGKILL"); } catch {} await new Promise((r) => setTimeout(r, 500)); return "alive"; };',
    },
    check: (r) => {
      // It may only kill itself: a coded crash (or it survives when it cannot kill anything).
      if (!r.ok) code(r, 'CRASH');
    },
  },
  {
    name: 'node: keeps working after it answered (frozen until the next call)',
    // The spinner timestamps every 100th iteration with the instance's own clock. Frozen, it
    // stops within moments of the answer and resumes on the next call, so no timestamp falls in
    // the middle of the idle period — however long the freeze takes to land on a loaded machine
    // (a count of iterations, the old oracle, grew with that delay).
    files: {
      'index.mjs': `let marks = []; let n = 0; let spinning = false;
export const handler = async (e) => {
  const now = Date.now();
  const middle = e.from ? marks.filter((t) => t > e.from && t < now - 200).length : 0;
  marks = [];
  if (!spinning) {
    spinning = true;
    setTimeout(function spin() { if (++n % 100 === 0 && marks.length < 100000) marks.push(Date.now()); setImmediate(spin); }, 0);
  }
  return { answeredAt: Date.now(), middle, spins: n };
};`,
    },
    check: async (r, h, name) => {
      const first = okResult(r) as { answeredAt: number };
      await new Promise((res) => setTimeout(res, 3000));
      const again = okResult(await h.invoke(name, { from: first.answeredAt + 1000 })) as {
        middle: number;
        spins: number;
      };
      assert.ok(again.spins > 0, 'the spinner ran');
      assert.equal(
        again.middle,
        0,
        `${again.middle} spin marks in the middle of the idle period: not frozen`,
      );
    },
  },
  {
    name: 'node: a handler path outside the code is refused',
    files: { 'index.mjs': 'export const handler = async () => 1;' },
    config: { handler: '../../../../etc/passwd.handler' },
    check: () => {},
  },
  {
    name: 'node: no kernel or cgroup interfaces to write to',
    files: {
      'index.mjs': `import { existsSync, writeFileSync, readdirSync } from 'node:fs'; ${TRY}
export const handler = async () => ({
  sys: existsSync('/sys/fs/cgroup'),
  cgroup: tryDo(() => writeFileSync('/sys/fs/cgroup/cgroup.procs', '1')),
  sysrq: tryDo(() => writeFileSync('/proc/sysrq-trigger', 'b')),
  core: tryDo(() => writeFileSync('/proc/sys/kernel/core_pattern', '|/tmp/x')),
  forward: tryDo(() => writeFileSync('/proc/sys/net/ipv4/ip_forward', '0')),
  kmsg: tryDo(() => readdirSync('/dev').includes('kmsg') ? 'kmsg visible' : 'denied:none'),
});`,
    },
    check: (r) => {
      const o = okResult(r);
      assert.equal(o.sys, false, '/sys is not mounted');
      for (const k of ['cgroup', 'sysrq', 'core', 'forward', 'kmsg'])
        assert.ok(denied(o[k]), `${k}: ${o[k]}`);
    },
  },
  {
    name: 'node: privilege escalation attempts stay uid 65534',
    files: {
      'index.mjs': `import { spawnSync } from 'node:child_process';
const run = (cmd, args) => { const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 3000 }); return (r.error ? 'denied:' + r.error.code : (r.stdout + r.stderr).trim().slice(0, 120)) + ' exit=' + r.status; };
export const handler = async () => ({
  uid: process.getuid(), euid: process.geteuid(),
  su: run('su', ['-c', 'id -u']),
  sudo: run('sudo', ['id', '-u']),
  unshare: run('unshare', ['-r', 'id', '-u']),
  setuid: (() => { try { process.setuid(0); return 'became root'; } catch (e) { return 'denied:' + e.code; } })(),
  caps: run('/bin/sh', ['-c', 'grep Cap /proc/self/status']),
});`,
    },
    check: (r) => {
      const o = okResult(r) as Record<string, unknown>;
      assert.equal(o.uid, 65534);
      assert.equal(o.euid, 65534);
      assert.match(String(o.setuid), /^denied:/);
      assert.ok(!/^0 exit=0/.test(String(o.su)) && !/^0 exit=0/.test(String(o.sudo)), `${o.su} / ${o.sudo}`);
      // A nested user namespace, if the kernel allows it, maps root only inside itself: still no
      // capability over anything the instance does not already own.
      assert.match(String(o.caps), /CapEff:\s+0000000000000000/);
    },
  },
  {
    name: 'node: a 10 MB log line is cut, the platform keeps going',
    files: {
      'index.mjs':
        'export const handler = async () => { console.log("L".repeat(10 * 1024 * 1024)); return "logged"; };',
    },
    config: { timeoutSec: 10, memoryMb: 256 },
    check: (r) => assert.equal(okResult(r) as unknown, 'logged'),
  },
  {
    name: 'node: another instance’s address on the instance network is unreachable',
    files: {
      'index.mjs': `import net from 'node:net'; import os from 'node:os';
let server;
const conn = (host, port) => new Promise((r) => { const s = net.connect({ host, port }); s.setTimeout(1500);
  s.on('data', (d) => { s.destroy(); r(String(d)); }); s.on('error', (e) => r(e.code)); s.on('timeout', () => { s.destroy(); r('TIMEOUT'); }); });
export const handler = async (e) => {
  if (e.listen) {
    server ??= await new Promise((res) => { const s = net.createServer((c) => c.end('peer secret')).listen(7070, '0.0.0.0', () => res(s)); });
    return { addrs: Object.values(os.networkInterfaces()).flat().filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address) };
  }
  return { got: await conn(e.host, 7070) };
};`,
    },
    check: async (r, h, name) => {
      // Two instances of this function: the first listens, the second (a concurrent call) dials it.
      const peer = okResult(await h.invoke(name, { listen: true })) as { addrs: string[] };
      if (peer.addrs.length === 0) return; // no egress network here (loopback only): nothing to reach
      const slow = `${name.slice(0, 50)}-dialer`;
      await h.deploy(slow, {
        'index.mjs': `import net from 'node:net';
export const handler = async (e) => new Promise((r) => { const s = net.connect({ host: e.host, port: 7070 }); s.setTimeout(1500);
  s.on('data', (d) => { s.destroy(); r(String(d)); }); s.on('error', (err) => r(err.code)); s.on('timeout', () => { s.destroy(); r('TIMEOUT'); }); });`,
      });
      const got = await h.invoke(slow, { host: peer.addrs[0] });
      assert.ok(got.ok, JSON.stringify(got));
      assert.notEqual(got.result, 'peer secret');
      void r;
    },
  },
  {
    name: 'node: other functions’ code slots and the platform’s run dirs are not there',
    files: {
      'index.mjs': `import { existsSync, readdirSync } from 'node:fs'; import { tmpdir } from 'node:os';
export const handler = async () => ({
  tmp: readdirSync('/tmp'),
  task: readdirSync('/var/task'),
  var: readdirSync('/var'),
  runDirs: readdirSync('/').filter((d) => d.startsWith('nimbus')),
});`,
    },
    check: (r) => {
      const o = okResult(r) as Record<string, string[]>;
      assert.ok(o.task!.length > 0 && o.task!.length < 5, `its own code only: ${JSON.stringify(o.task)}`);
      assert.deepEqual(o.var, ['task']);
      assert.deepEqual(o.runDirs, []);
      assert.ok(!o.tmp!.some((n) => n.startsWith('nimbus')), JSON.stringify(o.tmp));
    },
  },
  {
    name: 'python: file escape, environment and host network',
    files: {
      'app.py': `import os, socket
def tryread(p):
    try:
        return open(p).read()[:100]
    except Exception as e:
        return "denied:" + type(e).__name__
def conn(h, p):
    s = socket.socket(); s.settimeout(1.5)
    try:
        s.connect((h, p)); return "CONNECTED"
    except Exception as e:
        return "denied:" + type(e).__name__
def handler(event, context):
    return {"files": {p: tryread(p) for p in event["paths"]}, "env": sorted(os.environ.keys()),
            "net": {str(p): conn("127.0.0.1", p) for p in event["ports"]}, "root": sorted(os.listdir("/"))}
`,
    },
    config: PY,
    payload: (h) => ({
      paths: [`${h.p.dataDir}/admin-credentials.json`, '/etc/shadow', '/run/postgresql/.s.PGSQL.5432'],
      ports: [5432, 6379, Number(new URL(h.p.apiUrl).port)],
    }),
    check: (r) => {
      const o = okResult(r) as {
        files: Record<string, string>;
        env: string[];
        net: Record<string, string>;
        root: string[];
      };
      for (const [p, v] of Object.entries(o.files)) assert.ok(denied(v), `${p}: ${v}`);
      for (const [p, v] of Object.entries(o.net)) assert.ok(denied(v), `port ${p}: ${v}`);
      assert.ok(!o.env.some((k) => k.startsWith('NIMBUS_')), o.env.join(','));
      assert.ok(
        !o.root.includes('run') && !o.root.includes('home') && !o.root.includes('root'),
        o.root.join(','),
      );
    },
  },
  {
    name: 'python: memory bomb',
    files: {
      'app.py': 'def handler(e, c):\n    a = []\n    while True:\n        a.append(bytearray(16 << 20))\n',
    },
    config: PY,
    check: (r) => code(r, 'OOM'),
  },
  {
    name: 'python: fork bomb',
    files: {
      'app.py': `import os, time
def handler(e, c):
    n = 0
    try:
        for i in range(2000):
            if os.fork() == 0:
                time.sleep(5); os._exit(0)
            n += 1
    except OSError as err:
        return {"n": n, "err": err.errno}
    return {"n": n}
`,
    },
    config: { ...PY, timeoutSec: 10 },
    check: (r) => {
      if (r.ok) assert.ok('err' in (r.result as object), JSON.stringify(r.result));
      else assert.match(String(r.code), /NIMBUS_ERR_RUNTIME_(CRASH|OOM|TIMEOUT)/);
    },
  },
  {
    name: 'python: infinite loop',
    files: { 'app.py': 'def handler(e, c):\n    while True:\n        pass\n' },
    config: { ...PY, timeoutSec: 1 },
    check: (r) => code(r, 'TIMEOUT'),
  },
  {
    name: 'provided: a shell bootstrap reads the platform’s files and the host',
    files: {
      bootstrap: `#!/bin/sh
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  H="$(mktemp)"; EVENT=$(curl -sS -D "$H" "$API/invocation/next"); ID=$(grep -i 'lambda-runtime-aws-request-id' "$H" | tr -d '[:space:]' | cut -d: -f2)
  DIR=$(echo "$EVENT" | sed 's/.*"dir":"\\([^"]*\\)".*/\\1/')
  A=$(cat "$DIR/admin-credentials.json" 2>&1 | head -c 100 | tr -d '"\\\\\\n'); S=$(cat /etc/shadow 2>&1 | head -c 60 | tr -d '"\\\\\\n'); R=$(ls / | tr '\\n' ' ')
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"admin\\":\\"$A\\",\\"shadow\\":\\"$S\\",\\"root\\":\\"$R\\"}" >/dev/null
done
`,
    },
    config: PROVIDED,
    payload: (h) => ({ dir: h.p.dataDir }),
    check: (r, h) => {
      const o = okResult(r) as Record<string, string>;
      assert.match(o.admin!, /No such file|Permission denied/);
      assert.match(o.shadow!, /No such file|Permission denied/);
      assert.ok(!o.root!.split(' ').includes('run'), o.root);
      assert.ok(!JSON.stringify(o).includes(h.p.secret));
    },
  },
  {
    name: 'provided: a bootstrap that never asks for its input',
    files: { bootstrap: '#!/bin/sh\nsleep 600\n' },
    config: { ...PROVIDED, timeoutSec: 2 },
    check: (r) => assert.match(String(r.code), /NIMBUS_ERR_RUNTIME_(INIT|TIMEOUT)/),
    quiet: true,
  },
  {
    name: 'provided: an answer nested 100,000 levels deep',
    files: {
      bootstrap: `#!/usr/bin/env python3
import os, urllib.request
api = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]; r.read()
    body = ("[" * 100000 + "]" * 100000).encode()
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/%s/response" % rid, data=body, method="POST")).read()
`,
    },
    config: { ...PROVIDED, timeoutSec: 10 },
    check: async (r, h, name) => {
      assert.match(JSON.stringify(okResult(r)), /nests deeper than/);
      // The async path keeps the result and shows it without failing either.
      const a = await h.p.json<{ id: string }>('POST', `/v1/functions/${name}/invoke-async`, {});
      assert.equal(a.status, 202);
      let status = '';
      for (let i = 0; i < 100 && status !== 'succeeded'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        const st = await h.p.json<{ status: string }>('GET', `/v1/invocations/${a.body.id}`);
        assert.ok(st.status < 500, `status view answered ${st.status}`);
        status = st.body.status;
      }
      assert.equal(status, 'succeeded');
    },
  },
  {
    name: 'isolate: escapes to the host realm',
    files: {
      'index.mjs': `export const handler = async () => {
  const t = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v; } catch (e) { return 'denied:' + e.message.slice(0, 40); } };
  return {
    ctor: t(() => this?.constructor?.constructor('return process')()),
    fnCtor: t(() => Function('return process')()),
    proc: typeof globalThis.process, req: typeof globalThis.require, fetch: typeof globalThis.fetch,
    buf: typeof globalThis.Buffer,
  };
};`,
    },
    config: { isolation: 'isolate' },
    check: (r) => {
      const o = okResult(r);
      assert.equal(o.proc, 'undefined');
      assert.equal(o.req, 'undefined');
      assert.equal(o.fetch, 'undefined');
      assert.equal(o.buf, 'undefined');
      assert.ok(o.fnCtor === 'undefined' || String(o.fnCtor).startsWith('denied'), String(o.fnCtor));
    },
  },
  {
    name: 'isolate: keeps working after it answered (deferred until the next call)',
    files: {
      'index.mjs':
        'let ticks = 0; export const handler = async () => { const t = ticks; setTimeout(function spin() { ticks++; setTimeout(spin, 1); }, 0); return t; };',
    },
    config: { isolation: 'isolate' },
    check: async (r, h, name) => {
      const first = okResult(r) as unknown as number;
      await new Promise((res) => setTimeout(res, 500));
      const second = (await h.invoke(name)).result as number;
      assert.ok(second - first < 20, `ran ${second - first} timer callbacks while idle`);
    },
  },
  {
    name: 'isolate: infinite loop',
    files: { 'index.mjs': 'export const handler = async () => { for (;;) {} };' },
    config: { isolation: 'isolate', timeoutSec: 1 },
    check: (r) => code(r, 'TIMEOUT'),
  },
  {
    name: 'isolate: memory bomb',
    files: {
      'index.mjs':
        'export const handler = async () => { const a = []; for (;;) a.push(new Array(1e6).fill(1.5)); };',
    },
    config: { isolation: 'isolate', timeoutSec: 10 },
    check: (r) => code(r, 'OOM'),
  },
  {
    name: 'isolate: node modules refused at deploy',
    files: {
      'index.mjs':
        'import { readFileSync } from "node:fs"; export const handler = async () => readFileSync("/etc/passwd", "utf8");',
    },
    config: { isolation: 'isolate' },
    check: () => {},
  },
];

/** Cases whose point is that the deploy itself is refused. */
const DEPLOY_REFUSED = new Set([
  'node: a handler path outside the code is refused',
  'isolate: node modules refused at deploy',
]);
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 64);

for (const { kind, skip } of sandboxKinds()) {
  describe(`hostile functions (${kind})`, { skip }, () => {
    let h: Hostile;
    before(async () => {
      process.env.HOSTILE_MARKER = 'host-only';
      h = await startHostile(kind);
      // A victim with something to steal in its /tmp and a distinctive command line.
      await h.deploy('victim', {
        'index.mjs': `import { writeFileSync } from 'node:fs'; export const handler = async () => { writeFileSync('/tmp/victim-secret', 'v'); return 'ok'; };`,
      });
      assert.equal((await h.invoke('victim')).result, 'ok');
    });
    after(async () => {
      delete process.env.HOSTILE_MARKER;
      await h?.stop();
    });

    for (const c of CASES) {
      it(c.name, async () => {
        const name = slug(c.name);
        const config = { ...NODE, timeoutSec: 3, ...c.config };
        const dir = await (await import('../helpers.ts')).fixture(c.files);
        const dep = await h.p.deployDir(name, dir, config);
        if (DEPLOY_REFUSED.has(c.name)) {
          assert.equal(dep.status, 400, JSON.stringify(dep.body));
          const b = dep.body as { code?: string; error?: { code?: string } };
          assert.match(String(b.error?.code ?? b.code), /^NIMBUS_ERR_DEPLOY_/, JSON.stringify(b));
          assertNoLeak(dep.body);
          return;
        }
        assert.ok(dep.status < 300, `deploy: ${dep.status} ${JSON.stringify(dep.body)}`);
        const before = await h.neighbourBaseline();
        const r = await h.invoke(name, c.payload?.(h) ?? {});
        assert.ok(r.status < 500, `invoke answered ${r.status}: ${JSON.stringify(r)}`);
        await c.check(r, h, name);
        // The platform is up and other functions are unaffected.
        const health = await h.p.api('GET', '/healthz');
        assert.equal(health.status, 200);
        if (!c.quiet) await h.neighbourOk(c.name, before);
      });
    }

    it('a provided function cannot take over another function’s invocations', async () => {
      const victimBootstrap = `#!/usr/bin/env python3
import json, os, time, urllib.request
api = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]; event = json.loads(r.read())
    time.sleep(1.5)
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/%s/response" % rid, data=json.dumps({"from": "victim", "got": event}).encode(), method="POST")).read()
`;
      const thiefBootstrap = `#!/usr/bin/env python3
import json, os, urllib.request
api = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
own = int(os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")[1])
def scan():
    ports = []
    for line in open("/proc/net/tcp").read().splitlines()[1:] + open("/proc/net/tcp6").read().splitlines()[1:]:
        f = line.split()
        if f[3] == "0A": ports.append(int(f[1].split(":")[1], 16))
    stolen = []
    for p in sorted(set(ports)):
        if p == own: continue
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/2018-06-01/runtime/invocation/next" % p, timeout=1) as r:
                stolen.append(r.read().decode()[:200])
        except Exception as e:
            pass
    return sorted(set(ports)), stolen
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]; r.read()
    ports, stolen = scan()
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/%s/response" % rid, data=json.dumps({"ports": ports, "stolen": stolen}).encode(), method="POST")).read()
`;
      await h.deploy('rt-victim', { bootstrap: victimBootstrap }, { ...PROVIDED, timeoutSec: 10 });
      await h.deploy('rt-thief', { bootstrap: thiefBootstrap }, { ...PROVIDED, timeoutSec: 10 });
      await h.invoke('rt-thief'); // warm
      const victimCall = h.invoke('rt-victim', { card: 'victim-secret-4242' });
      await new Promise((r) => setTimeout(r, 300));
      const thief = await h.invoke('rt-thief');
      const victim = await victimCall;
      const t = okResult(thief) as { ports: number[]; stolen: string[] };
      assert.deepEqual(t.stolen, []);
      assert.ok(t.ports.length <= 1, `sees listening ports ${t.ports}`);
      assert.deepEqual(okResult(victim), { from: 'victim', got: { card: 'victim-secret-4242' } });
    });

    it('java: file escape and host network', {
      skip: !existsJavac() && process.env.CI !== 'true' && 'no JDK',
    }, async () => {
      await h.deploy(
        'java-hostile',
        {
          'src/Probe.java': `import com.amazonaws.services.lambda.runtime.*; import java.util.*; import java.nio.file.*; import java.net.*;
public class Probe implements RequestHandler<Map<String,Object>, Map<String,String>> {
  public Map<String,String> handleRequest(Map<String,Object> in, Context ctx) {
    Map<String,String> out = new HashMap<>();
    for (String p : new String[]{"/etc/shadow", (String) in.get("creds")}) {
      try { out.put(p, new String(Files.readAllBytes(Paths.get(p))).substring(0, 10)); } catch (Exception e) { out.put(p, "denied:" + e.getClass().getSimpleName()); }
    }
    try (Socket s = new Socket()) { s.connect(new InetSocketAddress("127.0.0.1", ((Number) in.get("port")).intValue()), 1500); out.put("api", "CONNECTED"); } catch (Exception e) { out.put("api", "denied:" + e.getClass().getSimpleName()); }
    return out;
  }
}`,
        },
        { runtime: 'java17', handler: 'Probe::handleRequest', memoryMb: 256, timeoutSec: 20 },
      );
      const r = await h.invoke('java-hostile', {
        creds: `${h.p.dataDir}/admin-credentials.json`,
        port: Number(new URL(h.p.apiUrl).port),
      });
      const o = okResult(r) as Record<string, string>;
      for (const [k, v] of Object.entries(o)) assert.match(v, /^denied:/, `${k}: ${v}`);
    });
  });
}

function existsJavac(): boolean {
  return (
    ['/usr/bin/javac', '/usr/local/bin/javac'].some((p) => existsSync(p)) ||
    readdirSync('/usr/lib').includes('jvm')
  );
}
