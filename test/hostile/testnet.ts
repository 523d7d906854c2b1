/**
 * Test hosts for egress tests: network namespaces this test creates on this machine, reached
 * through veths from the host, each running a small TCP server (ports 8000 and 8001 answer
 * `reached:<name>:<port>`) and, on the public one, a DNS server whose answer for
 * `rebind.nimbus.test` changes from the public test host to the private one after the first query
 * (a DNS-rebinding attacker). Nothing here sends a packet off the machine:
 *   - `pub`  203.0.113.2 (TEST-NET-3: a public-looking address, allowed by the `internet` policy)
 *   - `priv` 172.30.255.2 (RFC 1918: blocked by `internet`)
 *   - `cgn`  100.100.100.2 (CGNAT: blocked by `internet`)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export const TEST_HOSTS = {
  pub: { net: '203.0.113', ip: '203.0.113.2' },
  priv: { net: '172.30.255', ip: '172.30.255.2' },
  cgn: { net: '100.100.100', ip: '100.100.100.2' },
} as const;
export type TestHost = keyof typeof TEST_HOSTS;

const SERVER = `
import net from 'node:net';
import dgram from 'node:dgram';
const [name, ip, dns, rebindTo] = process.argv.slice(1);
for (const port of [8000, 8001]) net.createServer((c) => c.end('reached:' + name + ':' + port)).listen(port, ip);
if (dns === 'dns') {
  let asked = 0;
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, from) => {
    // Header (12 bytes), the question as asked, then one A record pointing back at it (0xc00c).
    let i = 12; const labels = [];
    while (q[i] !== 0 && i < q.length) { labels.push(q.subarray(i + 1, i + 1 + q[i]).toString()); i += q[i] + 1; }
    const question = q.subarray(12, i + 5);
    const qname = labels.join('.').toLowerCase();
    const addr = qname === 'rebind.nimbus.test' ? (asked++ === 0 ? ip : rebindTo) : ip;
    const head = Buffer.from(q.subarray(0, 12)); head[2] = 0x81; head[3] = 0x80; head.writeUInt16BE(1, 4); head.writeUInt16BE(1, 6); head.writeUInt16BE(0, 8); head.writeUInt16BE(0, 10);
    const ans = Buffer.alloc(16); ans.writeUInt16BE(0xc00c, 0); ans.writeUInt16BE(1, 2); ans.writeUInt16BE(1, 4); ans.writeUInt32BE(0, 6); ans.writeUInt16BE(4, 10);
    addr.split('.').forEach((o, k) => { ans[12 + k] = Number(o); });
    sock.send(Buffer.concat([head, question, ans]), from.port, from.address);
  });
  sock.bind(53, ip);
}
setTimeout(() => process.exit(0), 15 * 60_000).unref();
console.log('up');
`;

export interface TestNet {
  stop(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Creates the test hosts (root only). The servers stop with `stop()` or after 15 minutes. */
export async function startTestNet(): Promise<TestNet> {
  const tag = randomBytes(3).toString('hex');
  const made: string[] = [];
  const procs: ChildProcess[] = [];
  const stop = () => {
    for (const p of procs) p.kill('SIGKILL');
    for (const ns of made) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const [name, h] of Object.entries(TEST_HOSTS)) {
      const ns = `nbtest-${name}-${tag}`;
      const hostIf = `tn${name}${tag}`.slice(0, 15);
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('addr', 'add', `${h.net}.1/24`, 'dev', hostIf);
      ip('link', 'set', hostIf, 'up');
      ip('-n', ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'route', 'add', 'default', 'via', `${h.net}.1`);
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          process.execPath,
          '--input-type=module',
          '-e',
          SERVER,
          name,
          h.ip,
          name === 'pub' ? 'dns' : '-',
          TEST_HOSTS.priv.ip,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      procs.push(child);
      await once(child.stdout!, 'data');
    }
  } catch (e) {
    stop();
    throw e;
  }
  return { stop };
}
