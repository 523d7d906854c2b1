/**
 * The egress network on its own (real ip/nft, a table and interface prefix of this test's own so
 * the platform's table and instances of concurrent tests are untouched): namespaces are wired and
 * freed, policies land in the verdict map, and a flushed table fails closed, then heals.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { createEgressNetwork, type NetNs } from './network.ts';

const root = process.getuid?.() === 0;
const tools = ['ip', 'nft', 'nsenter'].every((b) =>
  ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(`${d}/${b}`)),
);
const skip =
  process.env.CI === 'true' ? false : !root ? 'needs root' : !tools ? 'needs iproute2 and nftables' : false;

const TABLE = `nimbus_test_${process.pid}`;
const nft = (...args: string[]) => execFileSync('nft', args, { encoding: 'utf8' });
const verdictOf = (ifname: string): string | undefined => {
  const out = JSON.parse(nft('-j', 'list', 'map', 'inet', TABLE, 'ifpolicy')) as {
    nftables: { map?: { elem?: [string, Record<string, { target?: string }>][] } }[];
  };
  const e = out.nftables.flatMap((x) => x.map?.elem ?? []).find(([n]) => n === ifname);
  if (!e) return undefined;
  const [kind, v] = Object.entries(e[1])[0]!;
  return v.target ? `${kind} ${v.target}` : kind;
};

describe('egress network (veth + nftables)', { skip }, () => {
  const net = createEgressNetwork({ table: TABLE, ifPrefix: 'nt' });
  const made: NetNs[] = [];
  after(async () => {
    for (const ns of made) await net.release(ns);
    try {
      nft('delete', 'table', 'inet', TABLE);
    } catch {
      // already gone
    }
  });

  it('wires a namespace with its own /32 and the default policy, and frees it', async () => {
    assert.equal(net.mode, 'veth');
    const ns = (await net.prepare({ mode: 'internet' }))!;
    made.push(ns);
    assert.match(ns.address, /^172\.29\.\d+\.\d+$/);
    assert.ok(existsSync(ns.path));
    assert.equal(verdictOf(ns.hostIf), 'jump internet');
    const inside = execFileSync('ip', ['-n', ns.name, '-4', 'addr', 'show', 'eth0'], { encoding: 'utf8' });
    assert.match(inside, new RegExp(`inet ${ns.address.replace(/\./g, '\\.')}/32`));
    // No IPv6 address on the instance side: IPv6 has no route at all.
    assert.equal(
      execFileSync('ip', ['-n', ns.name, '-6', 'addr', 'show', 'eth0'], { encoding: 'utf8' }).trim(),
      '',
    );
    await net.release(ns);
    made.pop();
    assert.ok(!existsSync(ns.path));
    assert.equal(verdictOf(ns.hostIf), undefined);
  });

  it('applies none and allowlist policies as verdicts', async () => {
    const ns = (await net.prepare({ mode: 'internet' }))!;
    made.push(ns);
    await net.apply(ns, { mode: 'none' });
    assert.equal(verdictOf(ns.hostIf), undefined, 'none: no verdict, the final reject applies');
    await net.apply(ns, { mode: 'allowlist', allow: [{ host: '203.0.113.0/24', ports: [443] }] });
    const v = verdictOf(ns.hostIf)!;
    assert.match(v, /^jump allow_[0-9a-f]{16}$/);
    const chain = nft('list', 'chain', 'inet', TABLE, v.split(' ')[1]!);
    assert.match(chain, /ip daddr 203\.0\.113\.0\/24 meta l4proto \{ tcp, udp \} th dport 443 accept/);
    assert.match(chain, /ip daddr @always4 reject/);
  });

  it('fails closed when its table was flushed, and sets it up again for the next instance', async () => {
    assert.equal(net.filterInPlace(), true);
    nft('delete', 'table', 'inet', TABLE);
    assert.equal(net.filterInPlace(), false, 'doctor can tell');
    await assert.rejects(net.prepare({ mode: 'internet' }), /table is missing/);
    const ns = (await net.prepare({ mode: 'internet' }))!;
    made.push(ns);
    assert.equal(verdictOf(ns.hostIf), 'jump internet');
    assert.equal(net.filterInPlace(), true);
  });
});
