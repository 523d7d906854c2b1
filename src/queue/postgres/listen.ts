/**
 * Cross-node announcements over LISTEN/NOTIFY.
 *
 * A node announces its committed changes AFTER the commit, in a separate tiny statement sent one at
 * a time and carrying everything that accumulated meanwhile. Not inside the mutation itself: a
 * transaction that NOTIFYs takes a database-wide lock from its commit until the end of its WAL
 * flush, so notifying mutations would commit one fsync at a time instead of sharing flushes.
 * The price: a node killed between a commit and its announcement leaves the others to the periodic
 * refresh (counts) and their own polling (wake-ups).
 *
 * The listening side is a dedicated connection (LISTEN holds a session); when it drops (server
 * restart, pg_terminate_backend) it reconnects with backoff, LISTENs again and reports it, so the
 * caller can refresh what it may have missed.
 */
import type pg from 'pg';

/** A committed change: `delta` queued messages in `queue` by transaction `xid`; `wake`: new work. */
export interface QueueEvent {
  readonly xid: string | null;
  readonly queue: string;
  readonly delta: number;
  readonly wake: boolean;
}

/** NOTIFY payloads are limited to 8000 bytes. */
const MAX_PAYLOAD = 7000;

export function encodeEvents(instance: string, events: readonly QueueEvent[]): string[] {
  // One entry per (transaction, queue): deltas summed, wake-ups or-ed.
  const merged = new Map<string, [string | null, string, number, 0 | 1]>();
  for (const e of events) {
    const k = `${e.xid}\u0000${e.queue}`;
    const m = merged.get(k);
    if (m) {
      m[2] += e.delta;
      if (e.wake) m[3] = 1;
    } else merged.set(k, [e.xid, e.queue, e.delta, e.wake ? 1 : 0]);
  }
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  const head = `{"i":${JSON.stringify(instance)},"e":[`;
  for (const entry of merged.values()) {
    const s = JSON.stringify(entry);
    const bytes = Buffer.byteLength(s);
    if (chunk.length > 0 && size + bytes + head.length + 4 > MAX_PAYLOAD) {
      out.push(`${head}${chunk.join(',')}]}`);
      chunk = [];
      size = 0;
    }
    chunk.push(s);
    size += bytes + 1;
  }
  if (chunk.length > 0) out.push(`${head}${chunk.join(',')}]}`);
  return out;
}

export function decodeEvents(payload: string): { instance: string; events: QueueEvent[] } | undefined {
  try {
    const p = JSON.parse(payload) as { i?: unknown; e?: unknown };
    if (typeof p.i !== 'string' || !Array.isArray(p.e)) return undefined;
    const events: QueueEvent[] = [];
    for (const e of p.e as unknown[]) {
      if (!Array.isArray(e) || typeof e[1] !== 'string' || typeof e[2] !== 'number') continue;
      events.push({
        xid: typeof e[0] === 'string' ? e[0] : null,
        queue: e[1],
        delta: e[2],
        wake: e[3] === 1,
      });
    }
    return { instance: p.i, events };
  } catch {
    return undefined;
  }
}

/** Sends announcements one statement at a time; what accumulates meanwhile goes in the next. */
export class Announcer {
  #pending: QueueEvent[] = [];
  #sending: Promise<void> | undefined;
  readonly #send: (payloads: string[]) => Promise<void>;
  readonly #instance: string;

  constructor(instance: string, send: (payloads: string[]) => Promise<void>) {
    this.#instance = instance;
    this.#send = send;
  }

  publish(events: readonly QueueEvent[]): void {
    if (events.length === 0) return;
    this.#pending.push(...events);
    this.#sending ??= this.#loop();
  }

  /** Resolves when everything published so far was sent (or failed). */
  async flushed(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  async #loop(): Promise<void> {
    // Let the mutations of this turn join.
    await new Promise((r) => setImmediate(r));
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.#send(encodeEvents(this.#instance, batch));
      } catch {
        // Database unreachable: the listeners' periodic refresh repairs what they did not hear.
      }
    }
    this.#sending = undefined;
  }
}

export interface ListenerOptions {
  readonly client: () => pg.Client;
  readonly channel: string;
  readonly onPayload: (payload: string) => void;
  /** After a reconnect (not the first connect): notifications may have been missed. */
  readonly onReconnect: () => void;
}

export interface Listener {
  /** The backend process id of the listening session (tests terminate it). */
  readonly pid: number | undefined;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** Connects and LISTENs (throws if the first connect fails), then keeps itself connected. */
export async function startListener(o: ListenerOptions): Promise<Listener> {
  let client: pg.Client | undefined;
  let pid: number | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 100;

  const connect = async () => {
    const c = o.client();
    let dead = false;
    const lost = () => {
      dead = true;
      if (client !== c) return;
      client = undefined;
      pid = undefined;
      c.removeAllListeners('notification');
      c.end().catch(() => {});
      schedule();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel === o.channel && n.payload !== undefined) o.onPayload(n.payload);
    });
    try {
      await c.connect();
      const r = await c.query<{ pid: number }>(`LISTEN "${o.channel}"; SELECT pg_backend_pid() AS pid`);
      const rows = (Array.isArray(r) ? r[1] : r) as pg.QueryResult<{ pid: number }>;
      if (dead) throw new Error('the listening connection was lost while it started');
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
      pid = rows.rows[0]?.pid;
      delay = 100;
    } catch (e) {
      c.removeAllListeners();
      c.on('error', () => {});
      await c.end().catch(() => {});
      throw e;
    }
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(async () => {
      timer = undefined;
      try {
        await connect();
        if (!closed) o.onReconnect();
      } catch {
        delay = Math.min(delay * 2, 5000);
        schedule();
      }
    }, delay);
    timer.unref();
  };

  await connect();
  return {
    get pid() {
      return pid;
    },
    get connected() {
      return client !== undefined;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
