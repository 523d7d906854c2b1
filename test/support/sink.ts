/**
 * An HTTP receiver that functions can reach. Instances have their own network namespace and may
 * not reach the host (its loopback included), so a test's receiver cannot listen on 127.0.0.1:
 * it runs in a network namespace this test creates, at a public-looking TEST-NET-2 address
 * (198.51.100.0/24, allowed by the default `internet` egress policy), reached through a veth
 * from the host. Nothing leaves the machine.
 *
 * The receiver process prints each request as a JSON line; the test's `onRequest` runs, and only
 * then does the receiver answer `ok` (so a function that awaited its POST finds it recorded). When
 * `onRequest` returns a promise, the answer waits for it (a barrier functions can wait on).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface SinkRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

export interface Sink {
  /** `http://198.51.100.N` (port 80). */
  readonly url: string;
  close(): void;
}

const SERVER = `
import http from 'node:http';
import { createInterface } from 'node:readline';
const waiting = new Map();
let n = 0;
createInterface({ input: process.stdin }).on('line', (id) => { waiting.get(id)?.(); waiting.delete(id); });
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const id = String(++n);
    waiting.set(id, () => res.end('ok'));
    process.stdout.write(JSON.stringify({ id, method: req.method, url: req.url, body }) + '\\n');
  });
}).listen(80, process.argv[1], () => process.stdout.write('{"up":true}\\n'));
setTimeout(() => process.exit(0), 30 * 60_000).unref();
`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why a sink cannot run here (not root / no iproute2), or false. In CI it is never skipped. */
export function sinkSkip(): string | false {
  if (process.env.CI === 'true') return false;
  if (process.getuid?.() !== 0)
    return 'functions reach test receivers through network namespaces: needs root';
  try {
    execFileSync('sh', ['-c', 'command -v ip && command -v nft'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'needs iproute2 and nftables';
  }
}

export async function startSink(onRequest: (r: SinkRequest) => void | Promise<void>): Promise<Sink> {
  const hex = randomBytes(4).toString('hex');
  const ns = `nbsink-${process.pid}-${hex}`;
  const hostIf = `sk${hex}`;
  let child: ChildProcess | undefined;
  const close = () => {
    child?.kill('SIGKILL');
    try {
      ip('netns', 'del', ns);
    } catch {
      // gone
    }
  };
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', hostIf, 'up');
    writeFileSync(`/proc/sys/net/ipv4/conf/${hostIf}/proxy_arp`, '1');
    // The host end shares 198.51.100.1 (the receivers' gateway); a receiver's /32 route is the
    // machine-wide allocation (a second route to the same address is refused).
    ip('addr', 'add', '198.51.100.1/32', 'dev', hostIf);
    let addr = '';
    for (let i = 0; !addr; i++) {
      const candidate = `198.51.100.${randomInt(2, 255)}`;
      try {
        ip('route', 'add', `${candidate}/32`, 'dev', hostIf);
        addr = candidate;
      } catch (e) {
        if (i > 20) throw e;
      }
    }
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${addr}/32`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'route', 'add', '198.51.100.1', 'dev', 'eth0', 'scope', 'link');
    ip('-n', ns, 'route', 'add', 'default', 'via', '198.51.100.1');
    child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', SERVER, addr], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin!.on('error', () => {}); // the receiver was stopped: nothing left to acknowledge
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      child!.once('exit', (c) => reject(new Error(`sink exited (${c})`)));
      lines.on('line', (l) => {
        const m = JSON.parse(l) as { up?: boolean; id: string } & SinkRequest;
        if (m.up) return resolve();
        const answer = () => child!.stdin!.write(`${m.id}\n`);
        let later: void | Promise<void>;
        try {
          later = onRequest({ method: m.method, url: m.url, body: m.body });
        } catch (e) {
          answer();
          throw e;
        }
        if (later instanceof Promise) later.then(answer, answer);
        else answer();
      });
    });
    return { url: `http://${addr}`, close };
  } catch (e) {
    close();
    throw e;
  }
}
