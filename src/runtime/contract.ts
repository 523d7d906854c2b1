/**
 * Contract suite every SandboxFactory must pass: handler shapes, context, errors, init failures,
 * timeouts that kill the whole tree, OOM, crashes, isolation (host env, data dir, /tmp, other
 * functions) and log attribution. Fixtures are written as plain files (no bundling needed).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { InstanceSpec, Sandbox, SandboxFactory } from '../core/ports.ts';
import type { Invocation, RuntimeFamily } from '../core/types.ts';

export interface ContractEnv {
  /** A directory the sandbox must not see (passed as a hidden path to the factory). */
  readonly hiddenDir: string;
}

let seq = 0;

export function describeSandboxContract(
  name: string,
  make: (env: ContractEnv) => Promise<SandboxFactory>,
): void {
  describe(`Sandbox contract: ${name}`, () => {
    let factory: SandboxFactory;
    let hiddenDir: string;
    const open: Sandbox[] = [];

    before(async () => {
      hiddenDir = await mkdtemp(join(tmpdir(), 'nimbus-hidden-'));
      await writeFile(join(hiddenDir, 'secret.txt'), 'top secret');
      process.env.NIMBUS_CONTRACT_MARKER = 'host-only';
      factory = await make({ hiddenDir });
      await factory.warmup();
    });
    after(async () => {
      await Promise.allSettled(open.map((s) => s.dispose()));
      await factory.close();
      delete process.env.NIMBUS_CONTRACT_MARKER;
    });

    async function create(
      files: Record<string, string>,
      o: {
        family?: RuntimeFamily;
        entry?: string;
        exportName?: string;
        memoryMb?: number;
        timeoutSec?: number;
        env?: Record<string, string>;
      } = {},
    ): Promise<Sandbox> {
      const dir = await mkdtemp(join(tmpdir(), 'nimbus-code-'));
      for (const [f, c] of Object.entries(files)) {
        await mkdir(join(dir, f, '..'), { recursive: true });
        await writeFile(join(dir, f), c);
      }
      const fname = `fn${++seq}`;
      const spec: InstanceSpec = {
        tenant: 'default',
        functionName: fname,
        version: '$LATEST',
        family: o.family ?? 'node',
        codeDir: dir,
        entry: o.entry ?? 'index.mjs',
        exportName: o.exportName ?? 'handler',
        config: {
          runtime: o.family === 'python' ? 'python3.12' : 'nodejs24.x',
          handler: 'x.handler',
          memoryMb: o.memoryMb ?? 128,
          timeoutSec: o.timeoutSec ?? 3,
          environment: o.env ?? {},
          description: '',
        },
        functionArn: `arn:aws:lambda:local-1:000000000000:function:${fname}`,
        region: 'local-1',
      };
      const sb = await factory.create(spec);
      open.push(sb);
      return sb;
    }

    const inv = (
      sb: Sandbox,
      payload: unknown = {},
      timeoutMs = sb.spec.config.timeoutSec * 1000,
    ): Invocation => ({
      id: `req-${++seq}`,
      tenant: 'default',
      functionName: sb.spec.functionName,
      version: '$LATEST',
      trigger: { type: 'api' },
      payload: JSON.stringify(payload),
      attempt: 1,
      deadline: Date.now() + timeoutMs,
    });
    const ok = async (sb: Sandbox, payload?: unknown) => {
      const o = await sb.invoke(inv(sb, payload));
      assert.equal(o.ok, true, JSON.stringify(o));
      return o.ok ? JSON.parse(o.payload) : undefined;
    };

    it('runs async Lambda handlers with a full context and the function environment', async () => {
      const sb = await create(
        {
          'index.mjs': `export const handler = async (event, ctx) => ({ event, env: process.env.COLOR, region: process.env.AWS_REGION,
  ctx: { id: ctx.awsRequestId, fn: ctx.functionName, ver: ctx.functionVersion, arn: ctx.invokedFunctionArn, mem: ctx.memoryLimitInMB,
         left: ctx.getRemainingTimeInMillis(), group: ctx.logGroupName, stream: ctx.logStreamName } });`,
        },
        { env: { COLOR: 'blue' } },
      );
      const r = await ok(sb, { a: 1 });
      assert.deepEqual(r.event, { a: 1 });
      assert.equal(r.env, 'blue');
      assert.equal(r.region, 'local-1');
      assert.match(r.ctx.id, /^req-/);
      assert.equal(r.ctx.fn, sb.spec.functionName);
      assert.equal(r.ctx.ver, '$LATEST');
      assert.equal(r.ctx.arn, sb.spec.functionArn);
      assert.equal(r.ctx.mem, '128');
      assert.ok(r.ctx.left > 0 && r.ctx.left <= 3000);
      assert.equal(r.ctx.group, `/aws/lambda/${sb.spec.functionName}`);
      assert.match(r.ctx.stream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
      assert.ok(sb.initDurationMs > 0);
    });

    it('runs callback-style handlers and fetch-style default exports', async () => {
      const cb = await create({
        'index.mjs': 'export const handler = (e, c, cb) => { setTimeout(() => cb(null, e.n + 1), 5); };',
      });
      assert.equal(await ok(cb, { n: 1 }), 2);
      const cbErr = await create({
        'index.mjs': 'export const handler = (e, c, cb) => cb(new Error("cb failed"));',
      });
      const e = await cbErr.invoke(inv(cbErr));
      assert.equal(e.ok, false);
      assert.equal(!e.ok && e.error.errorMessage, 'cb failed');
      const fetchy = await create(
        {
          'index.mjs': `export default { async fetch(req) { const b = await req.json(); return new Response(JSON.stringify({ got: b, m: req.method }), { status: 201, headers: { 'content-type': 'application/json' } }); } };`,
        },
        { exportName: 'default' },
      );
      const r = await ok(fetchy, { x: 1 });
      assert.equal(r.statusCode, 201);
      assert.deepEqual(JSON.parse(r.body), { got: { x: 1 }, m: 'POST' });
    });

    it('runs Python handlers with context, print capture and error shapes', async () => {
      const sb = await create(
        {
          'app.py': `import os
def handler(event, context):
    print("hello from python", event.get("n"))
    if event.get("fail"):
        raise ValueError("bad value")
    return {"n": event["n"] * 2, "fn": context.function_name, "left": context.get_remaining_time_in_millis() > 0, "env": os.environ.get("COLOR")}
`,
        },
        { family: 'python', entry: 'app.py', env: { COLOR: 'red' } },
      );
      const o = await sb.invoke(inv(sb, { n: 21 }));
      assert.ok(o.ok, JSON.stringify(o));
      assert.deepEqual(JSON.parse(o.payload), { n: 42, fn: sb.spec.functionName, left: true, env: 'red' });
      assert.ok(o.logs.some((l) => l.message === 'hello from python 21' && l.stream === 'stdout'));
      const f = await sb.invoke(inv(sb, { n: 1, fail: true }));
      assert.equal(f.ok, false);
      assert.equal(!f.ok && f.error.errorType, 'ValueError');
      assert.equal(!f.ok && f.error.errorMessage, 'bad value');
      assert.ok(!f.ok && f.error.trace.length > 0);
    });

    it('returns Lambda error shapes and keeps the instance usable after a function error', async () => {
      const sb = await create({
        'index.mjs':
          'export const handler = async (e) => { if (e.fail) throw new TypeError("nope"); return "fine"; };',
      });
      const o = await sb.invoke(inv(sb, { fail: true }));
      assert.equal(o.ok, false);
      if (!o.ok) {
        assert.equal(o.failure, 'function');
        assert.equal(o.error.errorType, 'TypeError');
        assert.match(o.error.trace[0] ?? '', /TypeError: nope/);
      }
      assert.equal(sb.alive, true);
      assert.equal(await ok(sb), 'fine');
    });

    it('reports init failures as coded errors: import throw, syntax error, missing handler, hang', async () => {
      const cases: [Record<string, string>, RegExp, RegExp][] = [
        [{ 'index.mjs': 'throw new Error("boom at import");' }, /NIMBUS_ERR_RUNTIME_INIT/, /boom at import/],
        [{ 'index.mjs': 'export const handler = (;' }, /NIMBUS_ERR_RUNTIME_INIT/, /SyntaxError/],
        [{ 'index.mjs': 'export const other = () => 1;' }, /NIMBUS_ERR_RUNTIME_HANDLER_NOT_FOUND/, /handler/],
        [
          { 'index.mjs': 'await new Promise(() => {}); export const handler = () => 1;' },
          /NIMBUS_ERR_RUNTIME_INIT/,
          /did not finish/,
        ],
      ];
      for (const [files, code, msg] of cases) {
        await assert.rejects(
          create(files),
          (e: Error & { code: string; details?: { error?: { errorType: string } } }) => {
            assert.match(e.code, code);
            assert.match(`${e.message} ${JSON.stringify(e.details)}`, msg);
            return true;
          },
        );
      }
    });

    it('kills the whole process tree on timeout within timeout + 500 ms', async () => {
      // A duration no other test uses, so a concurrent test's processes cannot be counted.
      const marker = `100.${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
      const sb = await create(
        {
          'index.mjs': `import { spawn } from 'node:child_process';
export const handler = async () => { const c = spawn('sleep', ['${marker}'], { stdio: 'ignore' }); console.log('child', c.pid); await new Promise(() => {}); };`,
        },
        { timeoutSec: 1 },
      );
      const t0 = performance.now();
      const o = await sb.invoke(inv(sb, {}, 1000));
      const took = performance.now() - t0;
      assert.equal(o.ok, false);
      assert.equal(!o.ok && o.failure, 'timeout');
      assert.equal(!o.ok && o.platformError?.code, 'NIMBUS_ERR_RUNTIME_TIMEOUT');
      assert.ok(took < 1500, `took ${took} ms`);
      assert.equal(sb.alive, false);
      await new Promise((r) => setTimeout(r, 200));
      const sleeping = execFileSync('sh', ['-c', `ps -eo args | grep -c '^sleep ${marker}$' || true`], {
        encoding: 'utf8',
      }).trim();
      assert.equal(sleeping, '0', 'the child process survived the timeout');
    });

    it('reports out-of-memory and crashes as coded errors; the next instance works', async () => {
      const hog = await create(
        {
          'index.mjs':
            'export const handler = async () => { const k = []; for (;;) k.push(Buffer.alloc(8 << 20, 1)); };',
        },
        { memoryMb: 128, timeoutSec: 20 },
      );
      const o = await hog.invoke(inv(hog, {}, 20_000));
      assert.equal(!o.ok && o.failure, 'oom', JSON.stringify(o).slice(0, 300));
      assert.equal(!o.ok && o.platformError?.code, 'NIMBUS_ERR_RUNTIME_OOM');
      const exiter = await create({
        'index.mjs': 'export const handler = async () => { process.exit(7); };',
      });
      const c = await exiter.invoke(inv(exiter));
      assert.equal(!c.ok && c.failure, 'crash');
      assert.equal(exiter.alive, false);
      const next = await create({ 'index.mjs': 'export const handler = async () => "alive";' });
      assert.equal(await ok(next), 'alive');
    });

    it('hides the host: env, hidden dirs, root-owned files, other processes; /tmp is private', async () => {
      const sb = await create({
        'index.mjs': `import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
export const handler = async (e) => {
  const tryDo = (f) => { try { return f(); } catch (err) { return 'denied:' + err.code; } };
  writeFileSync('/tmp/mine.txt', 'x');
  return {
    marker: process.env.NIMBUS_CONTRACT_MARKER ?? null,
    hidden: tryDo(() => readdirSync(e.hidden)),
    secret: tryDo(() => readFileSync(e.hidden + '/secret.txt', 'utf8')),
    shadow: tryDo(() => readFileSync('/etc/shadow', 'utf8').length),
    writeRoot: tryDo(() => writeFileSync('/etc/nimbus-was-here', 'x')),
    procs: readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).length,
    tmp: readdirSync('/tmp'),
    uid: process.getuid(),
  };
};`,
      });
      const r = await ok(sb, { hidden: hiddenDir });
      assert.equal(r.marker, null);
      // Either an empty mount point or not there at all: nothing of it is visible.
      assert.ok(
        Array.isArray(r.hidden) ? r.hidden.length === 0 : /^denied:ENOENT/.test(r.hidden),
        JSON.stringify(r.hidden),
      );
      assert.match(String(r.secret), /^denied:/);
      assert.match(String(r.shadow), /^denied:/);
      assert.match(String(r.writeRoot), /^denied:/);
      assert.ok(r.procs < 10, `sees ${r.procs} processes`);
      // Private /tmp: our file is there, the host's /tmp entries (this test's hidden dir, run dirs) are not.
      assert.ok(r.tmp.includes('mine.txt'));
      assert.deepEqual(
        r.tmp.filter((n: string) => n.startsWith('nimbus-')),
        [],
      );
      assert.notEqual(r.uid, 0);
    });

    it('shows a minimal filesystem: no host root, /run, /var/run, /home, /root, host /dev/shm or data dirs', async () => {
      const sb = await create({
        'index.mjs': `import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
export const handler = async () => {
  writeFileSync('/dev/shm/mine', 'x'.repeat(1024));
  return {
    root: readdirSync('/').sort(),
    gone: ['/run', '/var/run', '/home', '/root', '/run/postgresql', '/run/mysqld', '/etc/shadow', '/etc/ssh', '/var/lib', '/var/log', '/opt', '/srv', '/mnt', '/boot', '/sys']
      .filter((p) => existsSync(p)),
    shm: readdirSync('/dev/shm'),
    passwd: readFileSync('/etc/passwd', 'utf8').split('\\n').filter(Boolean).length,
    task: existsSync('/var/task/index.mjs'),
  };
};`,
      });
      const r = await ok(sb);
      assert.deepEqual(r.gone, []);
      // The system dirs, plus the first component of where the runtime's own files live (the
      // platform's node binary and harness are bound at their host paths, alone).
      const top = (p: string) => p.split('/')[1]!;
      const allowed = new Set([
        'bin',
        'dev',
        'etc',
        'lib',
        'lib32',
        'lib64',
        'libx32',
        'proc',
        'sbin',
        'tmp',
        'usr',
        'var',
      ]);
      allowed.add(top(realpathSync(process.execPath)));
      allowed.add(top(fileURLToPath(import.meta.url)));
      for (const d of r.root) assert.ok(allowed.has(d), `unexpected /${d} in ${JSON.stringify(r.root)}`);
      assert.deepEqual(r.shm, ['mine'], 'a private /dev/shm');
      assert.equal(r.passwd, 2, 'only root and the sandbox user');
      assert.equal(r.task, true);
      // The host's /dev/shm did not receive the file.
      assert.ok(!existsSync('/dev/shm/mine'));
    });

    it('has its own network namespace: the host, its loopback services and the metadata address are unreachable', async () => {
      const { createServer } = await import('node:net');
      const server = createServer((c) => c.end('host secret')).listen(0, '0.0.0.0');
      await new Promise((r) => server.once('listening', r));
      const port = (server.address() as { port: number }).port;
      const hostAddrs = Object.values((await import('node:os')).networkInterfaces())
        .flat()
        .filter((a) => a && a.family === 'IPv4')
        .map((a) => a!.address);
      try {
        const sb = await create({
          'index.mjs': `import net from 'node:net';
const conn = (host, port) => new Promise((r) => { const s = net.connect({ host, port }); s.setTimeout(1500);
  s.on('connect', () => { s.destroy(); r('CONNECTED'); }); s.on('error', (e) => r(e.code)); s.on('timeout', () => { s.destroy(); r('TIMEOUT'); }); });
export const handler = async (e) => {
  const out = {};
  for (const h of [...e.hosts, '169.254.169.254', '::1', '::ffff:127.0.0.1']) out[h] = await conn(h, h === '169.254.169.254' ? 80 : e.port);
  return out;
};`,
        });
        const r = await ok(sb, { hosts: hostAddrs, port });
        for (const [h, v] of Object.entries(r)) assert.notEqual(v, 'CONNECTED', `${h} reached`);
      } finally {
        server.close();
      }
    });

    it('shares no channel with another instance: loopback ports and abstract sockets are per instance', async () => {
      const listener = await create({
        'index.mjs': `import net from 'node:net';
let servers;
export const handler = async () => {
  servers ??= await Promise.all([
    new Promise((r) => { const s = net.createServer((c) => c.end('stolen')).listen(39123, '127.0.0.1', () => r(s)); }),
    new Promise((r) => { const s = net.createServer((c) => c.end('stolen')).listen('\\0nimbus-abstract-test', () => r(s)); }),
  ]);
  return 'listening';
};`,
      });
      assert.equal(await ok(listener), 'listening');
      const prober = await create({
        'index.mjs': `import net from 'node:net';
const conn = (o) => new Promise((r) => { const s = net.connect(o); s.setTimeout(1000);
  s.on('data', (d) => { s.destroy(); r(String(d)); }); s.on('error', (e) => r(e.code)); s.on('timeout', () => { s.destroy(); r('TIMEOUT'); }); });
export const handler = async () => ({ tcp: await conn({ host: '127.0.0.1', port: 39123 }), abstract: await conn({ path: '\\0nimbus-abstract-test' }) });`,
      });
      const r = await ok(prober);
      assert.notEqual(r.tcp, 'stolen');
      assert.notEqual(r.abstract, 'stolen');
    });

    it('is frozen between invocations: background work gets no CPU after the answer', async () => {
      const sb = await create({
        'index.mjs': `let ticks = 0; setInterval(() => { ticks++; }, 1);
export const handler = async () => ticks;`,
      });
      const a = await ok(sb);
      await new Promise((r) => setTimeout(r, 600));
      const b = await ok(sb);
      const report = factory.isolation();
      if (report.features['cgroup:freezer']?.active) {
        assert.ok(b - a < 60, `the instance ran ${b - a} timer ticks while idle`);
      } else {
        assert.ok(b - a >= 100, 'without a freezer the timer runs (this host cannot freeze)');
      }
    });

    it('keeps module state warm within an instance and isolated between functions', async () => {
      const polluter = await create({
        'index.mjs':
          'let n = 0; export const handler = async () => { globalThis.leak = "yes"; Object.prototype.polluted = true; return ++n; };',
      });
      assert.equal(await ok(polluter), 1);
      assert.equal(await ok(polluter), 2);
      const victim = await create({
        'index.mjs':
          'export const handler = async () => ({ leak: globalThis.leak ?? null, polluted: ({}).polluted ?? null });',
      });
      assert.deepEqual(await ok(victim), { leak: null, polluted: null });
    });

    it('attributes log lines to the right request id, including raw stderr', async () => {
      const sb = await create({
        'index.mjs':
          "export const handler = async (e) => { console.log('line', e.i); console.error('err', e.i); process.stderr.write('raw ' + e.i + '\\n'); return e.i; };",
      });
      for (const i of [1, 2]) {
        const v = inv(sb, { i });
        const o = await sb.invoke(v);
        assert.ok(o.ok);
        const msgs = o.logs.map((l) => `${l.requestId}:${l.stream}:${l.message}`);
        assert.ok(msgs.includes(`${v.id}:stdout:line ${i}`), msgs.join('|'));
        assert.ok(msgs.includes(`${v.id}:stderr:err ${i}`), msgs.join('|'));
      }
    });

    it('survives hostile code: fork bombs, log floods, protocol garbage, closing the channel', async () => {
      const bomb = await create(
        {
          'index.mjs': `import { spawn } from 'node:child_process';
export const handler = async () => { let ok = 0, failed = 0;
  for (let i = 0; i < 400; i++) { try { const c = spawn('sleep', ['30'], { stdio: 'ignore' }); c.on('error', () => {}); if (c.pid) ok++; else failed++; } catch { failed++; } }
  await new Promise((r) => setTimeout(r, 200)); return { ok, failed }; };`,
        },
        { timeoutSec: 10 },
      );
      const b = await bomb.invoke(inv(bomb, {}, 10_000));
      // Either the pids limit refused spawns (an answer with failures) or the instance died of
      // it (a coded crash or OOM): both bounded; a timeout or an unbounded answer is not.
      if (b.ok) {
        const r = JSON.parse(b.payload) as { ok: number; failed: number };
        assert.ok(r.ok < 400 && r.failed > 0, `pids limit did not bound the fork bomb: ${JSON.stringify(r)}`);
      } else {
        assert.ok(b.failure === 'crash' || b.failure === 'oom', `the fork bomb ended as ${b.failure}`);
        assert.match(String(b.platformError?.code), /^NIMBUS_ERR_RUNTIME_(CRASH|OOM)$/);
      }
      await bomb.dispose();
      const flood = await create({
        'index.mjs':
          'export const handler = async () => { for (let i = 0; i < 20000; i++) console.log("x".repeat(100)); return "done"; };',
      });
      const f = await flood.invoke(inv(flood));
      assert.ok(f.ok);
      assert.ok(f.logs.length <= 10_001, `${f.logs.length} log lines kept`);
      const garbage = await create({
        'index.mjs': `import { writeSync } from 'node:fs';
export const handler = async () => { writeSync(3, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])); await new Promise((r) => setTimeout(r, 2000)); };`,
      });
      const g = await garbage.invoke(inv(garbage));
      assert.equal(!g.ok && g.failure, 'crash');
      // A forged payload frame (PROTOCOL.md) whose header length runs past the frame: a protocol
      // violation too, not a read beyond it.
      const forged = await create({
        'index.mjs': `import { writeSync } from 'node:fs';
export const handler = async () => { const b = Buffer.alloc(12); b.writeUInt32BE((8 | 0x80000000) >>> 0, 0); b.writeUInt32BE(1000, 4); writeSync(3, b); await new Promise((r) => setTimeout(r, 2000)); };`,
      });
      const fo = await forged.invoke(inv(forged));
      assert.equal(!fo.ok && fo.failure, 'crash', JSON.stringify(fo).slice(0, 300));
      const closer = await create({
        'index.mjs': `import { closeSync } from 'node:fs';
export const handler = async () => { closeSync(3); await new Promise((r) => setTimeout(r, 5000)); };`,
      });
      const c = await closer.invoke(inv(closer, {}, 3000));
      // The harness can no longer answer: the host's deadline ends it as a timeout, process gone.
      assert.equal(!c.ok && c.failure, 'timeout', JSON.stringify(c).slice(0, 300));
      assert.equal(!c.ok && c.platformError?.code, 'NIMBUS_ERR_RUNTIME_TIMEOUT');
      assert.equal(closer.alive, false);
      const next = await create({ 'index.mjs': 'export const handler = async () => "still fine";' });
      assert.equal(await ok(next), 'still fine');
    });

    it('serves 20 instances in parallel', async () => {
      const sbs = await Promise.all(
        Array.from({ length: 20 }, () =>
          create({ 'index.mjs': 'export const handler = async (e) => e.i * 10;' }),
        ),
      );
      const rs = await Promise.all(sbs.map((sb, i) => ok(sb, { i })));
      assert.deepEqual(
        rs,
        Array.from({ length: 20 }, (_, i) => i * 10),
      );
      await Promise.all(sbs.map((s) => s.dispose()));
    });
  });
}
