/**
 * Hostile battery, network: what a function can reach, in both sandbox kinds. Test hosts live in
 * network namespaces this test creates (testnet.ts); nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hostile, networkSkip, sandboxKinds, startHostile } from './support.ts';
import { startTestNet, TEST_HOSTS, type TestNet } from './testnet.ts';

/** A function that tries every target it is given and reports what happened to each. */
const PROBE = `import net from 'node:net';
import dns from 'node:dns';
const conn = (host, port) => new Promise((r) => {
  const s = net.connect({ host, port, lookup: (h, o, cb) => dns.lookup(h, o, cb) });
  s.setTimeout(2000);
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('end', () => r(got || 'CONNECTED'));
  s.on('connect', () => setTimeout(() => { s.destroy(); r(got || 'CONNECTED'); }, 300));
  s.on('error', (e) => r(e.code || e.message));
  s.on('timeout', () => { s.destroy(); r('TIMEOUT'); });
});
const get = (url) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), (e) => 'ERR:' + (e.cause?.code || e.name));
export const handler = async (e) => {
  const out = {};
  if (e.platform) {
    const ep = new URL(process.env.AWS_ENDPOINT_URL);
    out.platformApi = await get(ep.origin + '/healthz');
    // Every other port of the platform address: the gateway's, PostgreSQL's, an ephemeral one.
    for (const port of e.platform) out['platform:' + port] = await conn(ep.hostname, port);
  }
  for (const [label, t] of Object.entries(e.targets ?? {})) out[label] = t.url ? await get(t.url) : await conn(t.host, t.port);
  if (e.rebind) {
    const r = new dns.promises.Resolver(); r.setServers([e.rebind]);
    const first = (await r.resolve4('rebind.nimbus.test'))[0];
    out.rebindFirst = first + ' ' + await conn(first, 8000);
    const second = (await r.resolve4('rebind.nimbus.test'))[0];
    out.rebindSecond = second + ' ' + await conn(second, 8000);
  }
  if (e.dns) out.dns = await dns.promises.lookup(e.dns).then((a) => a.address, (err) => 'ERR:' + err.code);
  return out;
};`;

const reached = (v: unknown, host?: string) =>
  typeof v === 'string' && v.startsWith(host ? `reached:${host}` : 'reached:');

for (const { kind, skip } of sandboxKinds()) {
  const netSkip = networkSkip();
  describe(`hostile network (${kind})`, { skip: skip || netSkip }, () => {
    let h: Hostile;
    let testnet: TestNet;
    before(async () => {
      testnet = await startTestNet();
      h = await startHostile(kind);
      await h.deploy('probe', { 'index.mjs': PROBE }, { timeoutSec: 30 });
      await h.deploy('probe-none', { 'index.mjs': PROBE }, { timeoutSec: 30, egress: { mode: 'none' } });
      await h.deploy(
        'probe-allow',
        { 'index.mjs': PROBE },
        {
          timeoutSec: 30,
          egress: {
            mode: 'allowlist',
            allow: [{ host: `${TEST_HOSTS.pub.ip}/32`, ports: [8000] }, { host: '100.100.100.0/24' }],
          },
        },
      );
    });
    after(async () => {
      await h?.stop();
      testnet?.stop();
    });

    const probe = async (name: string, payload: Record<string, unknown>) => {
      const r = await h.invoke(name, payload);
      assert.equal(r.ok, true, JSON.stringify(r));
      return r.result as Record<string, string>;
    };

    it('reaches a public address under the default policy, and nothing of the platform or the host', async () => {
      const before = await h.neighbourBaseline();
      const api = new URL(h.p.apiUrl);
      const gw = new URL(h.p.gatewayUrl);
      const s3 = new URL(h.p.s3Url);
      const hostAddrs = Object.values((await import('node:os')).networkInterfaces())
        .flat()
        .filter((a) => a && a.family === 'IPv4' && !a.address.startsWith('127.'))
        .map((a) => a!.address);
      const targets: Record<string, unknown> = {
        public: { host: TEST_HOSTS.pub.ip, port: 8000 },
        api: { host: '127.0.0.1', port: Number(api.port) },
        gateway: { host: '127.0.0.1', port: Number(gw.port) },
        s3: { host: '127.0.0.1', port: Number(s3.port) },
        postgres: { host: '127.0.0.1', port: 5432 },
        redis: { host: '127.0.0.1', port: 6379 },
        rabbitmq: { host: 'localhost', port: 5672 },
        nats: { host: '127.0.0.1', port: 4222 },
        mosquitto: { host: '127.0.0.1', port: 1883 },
        mariadb: { host: '127.0.0.1', port: 3306 },
        apiV6: { host: '::1', port: Number(api.port) },
        metadata: { host: '169.254.169.254', port: 80 },
        metadataV6: { host: 'fd00:ec2::254', port: 80 },
        private: { host: TEST_HOSTS.priv.ip, port: 8000 },
        cgnat: { host: TEST_HOSTS.cgn.ip, port: 8000 },
        gatewayOfInstance: { host: '169.254.1.1', port: Number(api.port) },
      };
      for (const a of hostAddrs) {
        targets[`host ${a} api`] = { host: a, port: Number(api.port) };
        targets[`host ${a} postgres`] = { host: a, port: 5432 };
      }
      const r = await probe('probe', { targets });
      assert.equal(r.public, `reached:pub:8000`);
      for (const [label, v] of Object.entries(r)) {
        if (label === 'public') continue;
        assert.ok(!reached(v) && v !== 'CONNECTED', `${label} was reached: ${v}`);
      }
      await h.neighbourOk('probe', before);
    });

    it('reaches the platform APIs at AWS_ENDPOINT_URL, and no other port of that address', async () => {
      const gw = Number(new URL(h.p.gatewayUrl).port);
      const api = Number(new URL(h.p.apiUrl).port);
      const r = await probe('probe', { platform: [gw, api, 5432, 6379, 4222, 22, 80] });
      assert.match(r.platformApi!, /"ok"|ok/, JSON.stringify(r));
      for (const [label, v] of Object.entries(r))
        if (label.startsWith('platform:'))
          assert.ok(!reached(v) && v !== 'CONNECTED', `${label} was reached: ${v}`);
    });

    it('SSRF in every IP encoding and IPv4-mapped IPv6 reaches nothing of the host', async () => {
      const before = await h.neighbourBaseline();
      const port = Number(new URL(h.p.apiUrl).port);
      const urls = [
        `http://127.0.0.1:${port}/healthz`,
        `http://2130706433:${port}/healthz`,
        `http://0177.0.0.1:${port}/healthz`,
        `http://0x7f000001:${port}/healthz`,
        `http://127.1:${port}/healthz`,
        `http://[::ffff:127.0.0.1]:${port}/healthz`,
        `http://[::ffff:7f00:1]:${port}/healthz`,
        `http://localhost:${port}/healthz`,
        `http://2852039166/latest/meta-data/`, // 169.254.169.254
        `http://[::ffff:a9fe:a9fe]/latest/meta-data/`,
        `http://${TEST_HOSTS.priv.ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)}:8000/`, // decimal private
      ];
      const targets = Object.fromEntries(urls.map((u) => [u, { url: u }]));
      const r = await probe('probe', { targets });
      for (const [u, v] of Object.entries(r)) assert.match(String(v), /^ERR:/, `${u} answered: ${v}`);
      await h.neighbourOk('ssrf', before);
    });

    it('a connection flood at the platform’s ports costs the platform no file descriptors', async () => {
      const { readdirSync } = await import('node:fs');
      const fds = () => readdirSync('/proc/self/fd').length;
      await h.deploy(
        'flood',
        {
          'index.mjs': `import net from 'node:net';
export const handler = async (e) => { const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => new Promise((r) => {
  const s = net.connect({ host: i % 2 ? '127.0.0.1' : e.hostAddr, port: e.port }); s.setTimeout(2000);
  s.on('connect', () => r('open')); s.on('error', (err) => r(err.code)); s.on('timeout', () => { s.destroy(); r('TIMEOUT'); }); })));
  return { open: results.filter((x) => x === 'open').length, n: results.length };
};`,
        },
        { timeoutSec: 30 },
      );
      const hostAddr = Object.values((await import('node:os')).networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      const before = fds();
      const r = await probe('flood', {
        hostAddr: hostAddr ?? '127.0.0.1',
        port: Number(new URL(h.p.gatewayUrl).port),
      });
      assert.equal(r.open as unknown, 0, 'no connection reached the gateway');
      assert.ok(fds() - before < 20, `the platform holds ${fds() - before} more file descriptors`);
    });

    it('DNS rebinding gets nowhere: the address actually connected to is checked', async () => {
      const r = await probe('probe', { rebind: TEST_HOSTS.pub.ip });
      assert.equal(r.rebindFirst, `${TEST_HOSTS.pub.ip} reached:pub:8000`);
      assert.ok(r.rebindSecond?.startsWith(`${TEST_HOSTS.priv.ip} `), r.rebindSecond);
      assert.ok(!r.rebindSecond?.includes('reached'), r.rebindSecond);
    });

    it('egress none: no route anywhere, no DNS', async () => {
      const r = await probe('probe-none', {
        targets: {
          public: { host: TEST_HOSTS.pub.ip, port: 8000 },
          api: { host: '127.0.0.1', port: Number(new URL(h.p.apiUrl).port) },
        },
        dns: 'example.com',
      });
      for (const [label, v] of Object.entries(r))
        assert.ok(!reached(v) && v !== 'CONNECTED', `${label}: ${v}`);
      assert.match(r.dns!, /^ERR:/);
    });

    it('egress allowlist: only the listed address and port (a listed private range included)', async () => {
      const r = await probe('probe-allow', {
        targets: {
          allowed: { host: TEST_HOSTS.pub.ip, port: 8000 },
          otherPort: { host: TEST_HOSTS.pub.ip, port: 8001 },
          listedPrivate: { host: TEST_HOSTS.cgn.ip, port: 8001 },
          unlisted: { host: TEST_HOSTS.priv.ip, port: 8000 },
          metadata: { host: '169.254.169.254', port: 80 },
        },
      });
      assert.equal(r.allowed, 'reached:pub:8000');
      assert.equal(r.listedPrivate, 'reached:cgn:8001');
      for (const k of ['otherPort', 'unlisted', 'metadata']) assert.ok(!reached(r[k]), `${k}: ${r[k]}`);
    });

    it('a policy change applies to new instances; the API shows and validates it', async () => {
      const bad = await h.p.json('PATCH', '/v1/functions/probe', { egress: { mode: 'allowlist' } });
      assert.equal(bad.status, 400);
      const bad2 = await h.p.json('PATCH', '/v1/functions/probe', {
        egress: { mode: 'internet', allow: [{ host: '10.0.0.0/8' }] },
      });
      assert.equal(bad2.status, 400);
      const bad3 = await h.p.json('PATCH', '/v1/functions/probe', {
        egress: { mode: 'allowlist', allow: [{ host: 'not a host!' }] },
      });
      assert.equal(bad3.status, 400);
      const ok = await h.p.json<{ function: { egress: unknown } }>('PATCH', '/v1/functions/probe', {
        egress: { mode: 'none' },
      });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.function.egress, { mode: 'none' });
      const r = await probe('probe', { targets: { public: { host: TEST_HOSTS.pub.ip, port: 8000 } } });
      assert.ok(!reached(r.public), r.public);
      const back = await h.p.json<{ function: { egress: unknown } }>('PATCH', '/v1/functions/probe', {
        egress: null,
      });
      assert.deepEqual(back.body.function.egress, { mode: 'internet' });
      const r2 = await probe('probe', { targets: { public: { host: TEST_HOSTS.pub.ip, port: 8000 } } });
      assert.equal(r2.public, 'reached:pub:8000');
    });
  });
}
