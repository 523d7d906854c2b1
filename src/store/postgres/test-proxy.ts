/**
 * Test support: a TCP proxy in front of the test PostgreSQL server (shared with other tests, so
 * it cannot be stopped itself). `stop()` cuts every connection, as a server restart does;
 * `freeze()` forwards nothing any more and cuts nothing, as a silent network partition does,
 * until `thaw()`.
 */
import { createServer, type Server, Socket } from 'node:net';
import { TEST_PG_URL } from './reachable.ts';

export class TcpProxy {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #pairs = new Set<readonly [Socket, Socket]>();
  #frozen = false;
  port = 0;
  readonly target: { host: string; port: number };
  constructor(target?: { host: string; port: number }) {
    const u = new URL(TEST_PG_URL);
    this.target = target ?? { host: u.hostname, port: Number(u.port || 5432) };
  }
  async start(): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = new Socket();
      outbound.connect(this.target.port, this.target.host);
      const pair = [inbound, outbound] as const;
      this.#pairs.add(pair);
      for (const s of pair) {
        this.#sockets.add(s);
        s.on('close', () => {
          this.#sockets.delete(s);
          this.#pairs.delete(pair);
        });
        s.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      if (!this.#frozen) inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }
  /** Nothing passes either way (connections stay open, new ones are accepted and hang). */
  freeze(): void {
    this.#frozen = true;
    for (const [a, b] of this.#pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
  }
  /** The partition heals: what was held back flows again. */
  thaw(): void {
    this.#frozen = false;
    for (const [a, b] of this.#pairs) a.pipe(b).pipe(a);
  }
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise((r) => server.close(r));
  }
  url(): string {
    const u = new URL(TEST_PG_URL);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }
}
