/**
 * Webhooks and destinations follow the platform's egress rules (issue 12): without an
 * administrator's allowlist, a target on loopback, a private network or a metadata address is
 * refused when it is created (literal IPs in any encoding, `localhost`) and when it is delivered
 * (a name that resolves there — DNS rebinding — or a target created while an allowlist was in
 * force), and the receiver never sees the request. With NIMBUS_EGRESS_ALLOW_CIDRS it is reached.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/index.ts';
import { zipDirectory } from '../src/registry/build/index.ts';
import { urlEgressProblem } from '../src/security/egress.ts';
import { type RunningPlatform, startPlatform } from '../src/server/index.ts';
import { fixture } from './helpers.ts';

const DENIED = 'NIMBUS_ERR_ASYNC_EGRESS_DENIED';

/** A host name (not `localhost`, so it passes creation) that this machine resolves to loopback. */
async function loopbackName(): Promise<string | undefined> {
  for (const name of [hostname(), 'vm', 'runsc', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']) {
    if (urlEgressProblem(`http://${name}/`) !== undefined) continue;
    try {
      const addrs = await lookup(name, { all: true });
      if (addrs.length > 0 && addrs.every((a) => a.address.startsWith('127.') || a.address === '::1'))
        return name;
    } catch {
      // not resolvable here
    }
  }
  return undefined;
}

interface DeadView {
  functionName: string;
  attempts: number;
  error?: { reason?: string; errorCode?: string; errorMessage?: string; failure?: string };
}

describe('webhook and destination egress (e2e)', () => {
  const hits: string[] = [];
  const receiver = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  let port = 0;
  let dataDir = '';
  let p: RunningPlatform | undefined;
  let secret = '';

  const start = async (egressAllowCidrs = '') => {
    const config = loadConfig(
      { port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'silent', poolSize: 1, egressAllowCidrs },
      {},
    );
    p = await startPlatform(config, { log: () => {} });
    secret = p.admin.secret ?? secret;
  };
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ) => {
    const r = await fetch(`${p!.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : {}) as T & { error?: { code: string } } };
  };
  const subscribe = (topic: string, url: string) =>
    call('POST', `/v1/topics/${topic}/subscriptions`, { target: { webhook: url } });
  const publish = (topic: string, id: string) =>
    call(
      'POST',
      `/v1/topics/${topic}/events`,
      { specversion: '1.0', id, source: '/t', type: 't', data: {} },
      'application/cloudevents+json',
    );
  const deadFor = async (url: string, ms = 15_000): Promise<DeadView> => {
    const end = Date.now() + ms;
    for (;;) {
      const dl = (await call<{ deadLetters: DeadView[] }>('GET', '/v1/queues/dlq')).body.deadLetters;
      const d = dl.find((x) => x.functionName === `webhook:${url}`);
      if (d) return d;
      if (Date.now() > end) throw new Error(`no dead letter for ${url}: ${JSON.stringify(dl)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as AddressInfo).port;
    dataDir = await mkdtemp(join(tmpdir(), 'nimbus-egress-'));
  });
  after(async () => {
    await p?.close();
    await new Promise<void>((r) => receiver.close(() => r()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes the administrator allowlist as CIDRs and lists bad ones', () => {
    const c = loadConfig({}, { NIMBUS_EGRESS_ALLOW_CIDRS: ' 10.0.0.0/8, 127.0.0.1/32 ,fd00::/8' });
    assert.deepEqual(c.egressAllowCidrs, ['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8']);
    assert.deepEqual(loadConfig({}, {}).egressAllowCidrs, []);
    assert.throws(
      () => loadConfig({ egressAllowCidrs: '10.0.0.0/8,intranet,10.0.0.0/33' }, {}),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'NIMBUS_ERR_CONFIG_INVALID');
        assert.match(e.message, /egressAllowCidrs \(NIMBUS_EGRESS_ALLOW_CIDRS\): intranet is not a CIDR/);
        assert.match(e.message, /10\.0\.0\.0\/33 is not a CIDR/);
        return true;
      },
    );
  });

  it('refuses loopback, private and metadata targets at creation, in any encoding', async () => {
    await start();
    assert.equal((await call('PUT', '/v1/topics/t', {})).status < 300, true);
    const urls = [
      `http://127.0.0.1:${port}/hook`,
      `http://2130706433:${port}/decimal`,
      `http://0177.0.0.1:${port}/octal`,
      `http://0x7f.1:${port}/hex`,
      `http://[::ffff:7f00:1]:${port}/mapped`,
      `http://[::1]:${port}/v6`,
      `http://localhost:${port}/name`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.1.2.3/private',
    ];
    for (const url of urls) {
      const r = await subscribe('t', url);
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error?.code, DENIED, url);
    }

    // Destinations: REST deploy and the Lambda API's event invoke config.
    const zip = await zipDirectory(await fixture({ 'index.mjs': 'export const handler = async () => 1;' }));
    const deploy = (async: Record<string, unknown>) =>
      call('PUT', '/v1/functions/dst', {
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        async,
        code: { zipBase64: Buffer.from(zip).toString('base64') },
      });
    const bad = await deploy({ onSuccess: `http://127.0.0.1:${port}/dest` });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.error?.code, DENIED);
    assert.equal((await deploy({})).status, 201);
    const eic = await fetch(`${p!.apiUrl}/2019-09-25/functions/dst/event-invoke-config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        DestinationConfig: { OnFailure: { Destination: 'http://169.254.169.254/latest/meta-data/' } },
      }),
    });
    assert.equal(eic.status, 400, await eic.clone().text());
    assert.equal(eic.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
    assert.equal(((await eic.json()) as { code: string }).code, DENIED);
    assert.deepEqual(hits, []);
  });

  it('refuses at delivery a name that resolves to loopback (dead letter, no retry, receiver untouched)', async (t) => {
    const name = await loopbackName();
    if (!name) return t.skip('no host name other than localhost resolves to loopback on this machine');
    const url = `http://${name}:${port}/rebound`;
    assert.equal((await subscribe('t', url)).status, 201, 'a name is only judged when connecting');
    assert.equal((await publish('t', 'e1')).status, 202);
    const dead = await deadFor(url);
    assert.equal(dead.error?.reason, 'EgressDenied');
    assert.equal(dead.error?.errorCode, DENIED);
    assert.match(dead.error?.errorMessage ?? '', /loopback/);
    assert.equal(dead.attempts, 1, 'not retried');
    assert.deepEqual(hits, []);
  });

  it('reaches a loopback receiver the administrator allowed, and stops when the allowlist goes', async () => {
    await p?.close();
    await start('127.0.0.1/32');
    const url = `http://127.0.0.1:${port}/allowed`;
    const sub = await subscribe('t', url);
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    assert.equal((await publish('t', 'e2')).status, 202);
    const end = Date.now() + 15_000;
    while (!hits.includes('/allowed')) {
      if (Date.now() > end) throw new Error('the allowed receiver was not called');
      await new Promise((r) => setTimeout(r, 20));
    }

    // Same data, allowlist removed: the stored target is now refused when delivering.
    await p?.close();
    await start();
    const before = hits.length;
    assert.equal((await publish('t', 'e3')).status, 202);
    const dead = await deadFor(url);
    assert.equal(dead.error?.reason, 'EgressDenied');
    assert.equal(dead.error?.errorCode, DENIED);
    assert.equal(hits.length, before, 'the receiver was not called');
  });
});
