import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  addressAllowed,
  blockedReason,
  DEFAULT_EGRESS,
  type EgressPolicy,
  guardedLookup,
  platformAddressAllowed,
  unmapIPv4,
  urlEgressProblem,
} from './egress.ts';

const internet = DEFAULT_EGRESS;

describe('egress: the internet policy', () => {
  const blocked: [string, RegExp][] = [
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['10.0.0.1', /RFC 1918/],
    ['10.255.255.255', /RFC 1918/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['169.254.169.254', /metadata/],
    ['169.254.0.1', /link-local/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.0.0.8', /IETF/],
    ['192.168.1.1', /RFC 1918/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['64:ff9b::7f00:1', /NAT64/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['fd00:ec2::254', /unique local/],
    ['fe80::1', /link-local/],
    ['ff02::1', /multicast/],
    // IPv4-mapped IPv6, dotted and hex: judged as the IPv4 address they carry.
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['::FFFF:7F00:0001', /loopback/],
    ['::ffff:a9fe:a9fe', /metadata/],
    ['::ffff:10.0.0.1', /RFC 1918/],
    ['::ffff:0:7f00:1', /loopback/],
    ['0:0:0:0:0:ffff:7f00:1', /./],
  ];
  for (const [ip, why] of blocked) {
    it(`blocks ${ip}`, () => {
      assert.equal(addressAllowed(internet, ip), false);
      assert.equal(platformAddressAllowed(ip), false);
      assert.match(blockedReason(ip) ?? '', why);
    });
  }

  const open = [
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.169.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
  ];
  for (const ip of open) {
    it(`lets ${ip} through`, () => {
      assert.equal(addressAllowed(internet, ip), true);
      assert.equal(platformAddressAllowed(ip), true);
      assert.equal(blockedReason(ip), undefined);
    });
  }

  it('refuses things that are not addresses', () => {
    assert.equal(addressAllowed(internet, 'example.com'), false);
    assert.equal(addressAllowed(internet, '2130706433'), false);
    assert.equal(blockedReason('nope'), 'not an IP address');
  });

  it('unmaps IPv4-mapped IPv6 in both notations', () => {
    assert.equal(unmapIPv4('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(unmapIPv4('::ffff:7f00:1'), '127.0.0.1');
    assert.equal(unmapIPv4('::ffff:a9fe:a9fe'), '169.254.169.254');
    assert.equal(unmapIPv4('2001:db8::1'), '2001:db8::1');
  });

  it('lets nothing out under none', () => {
    for (const ip of ['8.8.8.8', '127.0.0.1', '2606:4700::1'])
      assert.equal(addressAllowed({ mode: 'none' }, ip), false);
  });
});

describe('egress: allowlists', () => {
  const policy: EgressPolicy = {
    mode: 'allowlist',
    allow: [
      { host: '10.0.0.0/8', ports: [5432] },
      { host: '203.0.113.7' },
      { host: 'fd00::/8' },
      { host: '127.0.0.0/8' },
      { host: '169.254.169.254' },
      { host: 'db.internal' },
    ],
  };
  const cases: [string, number | undefined, boolean, string][] = [
    ['10.1.2.3', 5432, true, 'listed CIDR, listed port'],
    ['10.1.2.3', 5433, false, 'listed CIDR, other port'],
    ['::ffff:10.1.2.3', 5432, true, 'IPv4-mapped form of a listed address'],
    ['203.0.113.7', 443, true, 'single address, any port'],
    ['203.0.113.8', 443, false, 'not listed'],
    ['8.8.8.8', 443, false, 'public but not listed'],
    ['fd00::5', 80, true, 'private IPv6 the allowlist names'],
    ['fd00:ec2::254', 80, false, 'metadata, even inside a listed range'],
    ['127.0.0.1', 80, false, 'loopback, even when listed'],
    ['::ffff:7f00:1', 80, false, 'mapped loopback, even when listed'],
    ['169.254.169.254', 80, false, 'metadata, even when listed'],
  ];
  for (const [ip, port, ok, why] of cases) {
    it(`${ok ? 'allows' : 'refuses'} ${ip}:${port} (${why})`, () => {
      assert.equal(addressAllowed(policy, ip, port), ok);
    });
  }

  it('matches host-name rules against their resolved addresses', () => {
    const resolved = new Map([['db.internal', ['10.9.9.9', '192.168.7.7']]]);
    assert.equal(addressAllowed(policy, '192.168.7.7', 6379, resolved), true);
    assert.equal(addressAllowed(policy, '192.168.7.8', 6379, resolved), false);
  });
});

describe('egress: the administrator allowlist for platform calls', () => {
  const cases: [string, readonly string[], boolean][] = [
    ['127.0.0.1', ['127.0.0.1/32'], true],
    ['::ffff:127.0.0.1', ['127.0.0.1/32'], true],
    ['127.0.0.2', ['127.0.0.1/32'], false],
    ['10.1.2.3', ['10.0.0.0/8'], true],
    ['10.1.2.3', ['192.168.0.0/16'], false],
    ['::1', ['::1/128'], true],
    ['::1', ['127.0.0.1/32'], false],
    ['fd00::1', ['fd00::/8'], true],
    // The metadata addresses stay closed whatever the administrator writes.
    ['169.254.169.254', ['169.254.0.0/16'], false],
    ['169.254.169.254', ['0.0.0.0/0'], false],
    ['::ffff:a9fe:a9fe', ['169.254.169.254/32'], false],
    ['fd00:ec2::254', ['fd00::/8'], false],
    ['fd00:ec2::254', ['::/0'], false],
    ['not-a-cidr', ['not-a-cidr'], false],
  ];
  for (const [ip, allow, ok] of cases) {
    it(`${ok ? 'opens' : 'keeps closed'} ${ip} with ${allow.join(',')}`, () => {
      assert.equal(platformAddressAllowed(ip, allow), ok);
    });
  }
});

describe('egress: URLs at creation time', () => {
  // WHATWG URL parsing normalises the alternative IPv4 encodings before anything looks at them.
  const refused: [string, RegExp][] = [
    ['http://127.0.0.1:8080/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0177.0.0.1/', /loopback/],
    ['http://0x7f.1/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://017700000001/', /loopback/],
    ['http://[::1]:8080/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:7f00:1]/', /loopback/],
    ['http://localhost:6379/', /localhost/],
    ['https://LOCALHOST./x', /localhost/],
    ['http://admin.localhost/', /localhost/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://[fd00:ec2::254]/', /unique local/],
    ['http://10.0.0.1/', /RFC 1918/],
    ['http://0.0.0.0:8080/', /this network/],
    ['not a url', /not a valid URL/],
  ];
  for (const [url, why] of refused) {
    it(`refuses ${url}`, () => assert.match(urlEgressProblem(url) ?? '', why));
  }
  it('leaves names to the connection (DNS rebinding is caught there) and passes public addresses', () => {
    assert.equal(urlEgressProblem('https://hooks.example.com/x'), undefined);
    assert.equal(urlEgressProblem('http://8.8.8.8/'), undefined);
    assert.equal(urlEgressProblem('http://[2606:4700::1111]/'), undefined);
  });
  it('honours the administrator allowlist, but never for metadata', () => {
    assert.equal(urlEgressProblem('http://127.0.0.1:9/', ['127.0.0.1/32']), undefined);
    assert.equal(urlEgressProblem('http://2130706433:9/', ['127.0.0.1/32']), undefined);
    assert.equal(urlEgressProblem('http://localhost:9/', ['127.0.0.1/32']), undefined);
    assert.match(urlEgressProblem('http://127.0.0.2/', ['127.0.0.1/32']) ?? '', /loopback/);
    assert.equal(urlEgressProblem('http://10.2.3.4/', ['10.0.0.0/8']), undefined);
    assert.match(urlEgressProblem('http://169.254.169.254/', ['169.254.0.0/16']) ?? '', /metadata/);
  });
});

describe('egress: guardedLookup', () => {
  const lookupAll = (fn: ReturnType<typeof guardedLookup>, host: string) =>
    new Promise<{ address: string; family: number }[]>((resolve, reject) =>
      fn(host, { all: true }, (err, addresses) =>
        err ? reject(err) : resolve(addresses as { address: string; family: number }[]),
      ),
    );
  const lookupOne = (fn: ReturnType<typeof guardedLookup>, host: string, family?: number) =>
    new Promise<string>((resolve, reject) =>
      fn(host, family === undefined ? {} : { family }, (err, address) =>
        err ? reject(err) : resolve(address as string),
      ),
    );

  it('fails a name that resolves only to loopback with EGRESS_DENIED', async () => {
    await assert.rejects(lookupAll(guardedLookup(), 'localhost'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'EGRESS_DENIED');
      assert.match(e.message, /localhost .* loopback/);
      return true;
    });
    await assert.rejects(lookupOne(guardedLookup(), 'localhost'), { code: 'EGRESS_DENIED' });
  });

  it('returns only the addresses the administrator opened', async () => {
    const fn = guardedLookup(DEFAULT_EGRESS, ['127.0.0.1/32']);
    assert.deepEqual(await lookupAll(fn, 'localhost'), [{ address: '127.0.0.1', family: 4 }]);
    assert.equal(await lookupOne(fn, 'localhost'), '127.0.0.1');
    assert.equal(await lookupOne(fn, 'localhost', 4), '127.0.0.1');
  });

  it('passes resolver errors through', async () => {
    await assert.rejects(
      lookupAll(guardedLookup(), 'nothing-here.invalid'),
      (e: Error & { code?: string }) => {
        assert.notEqual(e.code, 'EGRESS_DENIED');
        return true;
      },
    );
  });

  describe('on a real connection', () => {
    const server = createServer((_req, res) => res.end('reached'));
    let port = 0;
    before(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));
    const fetchVia = (lookup: ReturnType<typeof guardedLookup>) =>
      new Promise<string>((resolve, reject) => {
        const req = get({ host: 'localhost', port, path: '/', lookup, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
      });

    it('never connects to a denied address', async () => {
      await assert.rejects(fetchVia(guardedLookup()), { code: 'EGRESS_DENIED' });
    });
    it('connects when the administrator allowed it', async () => {
      assert.equal(await fetchVia(guardedLookup(DEFAULT_EGRESS, ['127.0.0.1/32'])), 'reached');
    });
  });
});
