/**
 * Cluster chaos drill: a 3-node local cluster on a private NATS (and, when a fault needs it, a
 * private PostgreSQL), N async invocations and M workflow executions submitted over every node,
 * while faults hit: the scheduler leader SIGKILLed (restarted at once, or left down until the other
 * nodes have re-run the work it had leased), NATS or PostgreSQL killed and started again, the
 * leader paused (SIGSTOP) past its lease. Checks that every acknowledged invocation and execution
 * completes, counts duplicates, and that a `rate(1 minute)` schedule and one-shot timers fire once.
 *
 * How work is counted: every function run reports its request id (`ctx.awsRequestId`: the
 * invocation id for async work, hash(execution, state, attempt) for a workflow Task, both stable
 * across redeliveries) and a tag to an HTTP receiver in a test network namespace (support/sink.ts)
 * before it returns. An id reported twice ran twice (a duplicate).
 * "Acknowledged" is a 202 (async; submitted with an Idempotency-Key, so a resubmit after a lost
 * answer is the same event) or a 201 / an existing execution name (workflows). An acknowledged
 * invocation is lost unless the receiver saw it AND `GET /v1/invocations/{id}` says succeeded; an
 * execution is lost unless `GET /v1/executions/{arn}` says SUCCEEDED with its three steps' output.
 *
 * Used by test/cluster-chaos.e2e.test.ts (scaled down) and test/cluster-chaos.ts (the full run).
 */
import pg from 'pg';
import { zipFiles } from '../../src/registry/build/index.ts';
import { TEST_PG_URL } from '../../src/store/postgres/reachable.ts';
import { CLUSTER_SECRET, type LocalCluster, startLocalCluster } from './cluster.ts';
import {
  type PartitionProxy,
  type PrivateNats,
  type PrivatePostgres,
  startPartitionProxy,
  startPrivateNats,
  startPrivatePostgres,
} from './private-services.ts';
import { type Sink, startSink } from './sink.ts';

export type Fault =
  /**
   * SIGKILL the victim (the scheduler leader) while sync requests run on it. `at-once`: started
   * again right away (its recover() frees its leases); `after-takeover`: left down until the other
   * nodes have re-run every message it had leased (their leases expire after 60 s), then started.
   */
  | { readonly kind: 'kill'; readonly at: number; readonly restart: 'at-once' | 'after-takeover' }
  /** SIGKILL the NATS server; started again `downMs` after every node reported it degraded. */
  | { readonly kind: 'nats-restart'; readonly at: number; readonly downMs?: number }
  /** Crash-stop (immediate) the private PostgreSQL; started again `downMs` after every node reported it. */
  | { readonly kind: 'pg-restart'; readonly at: number; readonly downMs?: number }
  /**
   * SIGSTOP the current leader for `pauseMs` (cut off from everything for longer than the leader lease's
   * 15 s), then SIGCONT: another node must lead meanwhile, and the woken node must not take the
   * lead back. A pause past 60 s also lets the others re-run the messages it had leased.
   */
  | { readonly kind: 'pause'; readonly at: number; readonly pauseMs?: number; readonly beforeTickMs?: number }
  /**
   * Cut node 0 off from PostgreSQL and NATS for `partitionMs` (silently: connections hang, as
   * in a network partition) while it keeps running: its leader term must end at its lease's
   * deadline, another node must lead, /healthz must say degraded, and once the network heals it
   * must follow, not lead. `beforeTickMs`: start that long before a schedule tick (so the
   * partitioned leader had the tick due). `links`: cut only these (default both).
   */
  | {
      readonly kind: 'partition';
      readonly at: number;
      readonly partitionMs?: number;
      readonly beforeTickMs?: number;
      readonly links?: readonly ('store' | 'nats')[];
    };

export interface ClusterDrillOptions {
  readonly invocations: number;
  readonly executions: number;
  /** In order; each starts once this fraction of the async invocations has run. */
  readonly faults: readonly Fault[];
  readonly submitters?: number;
  /** Submissions per second at most (so that the faults meet work in flight); default unpaced. */
  readonly ratePerSec?: number;
  /** Async invocations at once, per node (default 8). */
  readonly asyncConcurrency?: number;
  /** One-shot timers, due these many seconds after submission starts. */
  readonly timersAtSec?: readonly number[];
  /** Sync invocations running on the victim when it is killed (default 3). */
  readonly syncInFlight?: number;
  readonly drainTimeoutMs: number;
  /** The nodes' log level (default fatal: every request refused while PostgreSQL is down would log). */
  readonly nodeLogLevel?: string;
  readonly log?: (line: string) => void;
}

export interface FaultReport {
  readonly kind: Fault['kind'];
  readonly restart?: string;
  readonly node?: string;
  /** Async invocations that had run when the fault started. */
  readonly atCompleted: number;
  readonly victimWasLeader?: boolean;
  /** Kill / pause: messages the victim held leases on, by queue kind (fn, wf…). */
  readonly leased?: Readonly<Record<string, number>>;
  /** Time until the other nodes had settled all of those (the victim still down / paused). */
  readonly takeoverMs?: number;
  /** Time until a live node held the scheduler lease again (renewed or taken after the fault). */
  readonly leaderBackMs?: number;
  /** Pause / partition: who led while the victim was cut off, and after it came back. */
  readonly leaderDuring?: string;
  readonly leaderAfter?: string;
  /** Kill: the sync requests in flight on the victim and how they ended (ms after the kill). */
  readonly sync?: {
    readonly inFlight: number;
    readonly outcomes: readonly string[];
    readonly maxEndMs: number;
  };
  /** NATS / PostgreSQL: per node, time from the kill to a degraded /healthz (503, check ≠ ok). */
  readonly degradedAfterMs?: readonly number[];
  readonly downMs?: number;
  /** Submissions acknowledged while the service was down. */
  readonly ackedWhileDown?: number;
  /** Partition: the links cut, and how a submit sent to the partitioned node ended (and when). */
  readonly links?: readonly string[];
  readonly probe?: string;
  /** Time from the fault until the node (kill, pause) / every node answered /healthz 200 again. */
  readonly recoverMs: number;
}

interface Runs {
  invocations: number;
  runs: number;
}

export interface ClusterDrillReport {
  readonly nodes: number;
  readonly invocations: {
    readonly submitted: number;
    readonly acknowledged: number;
    /** Submits sent to a node that was down (refused: never reached it; sent again elsewhere). */
    readonly refused: number;
    /** Submits whose answer was lost (the node died or the request failed under it); sent again. */
    readonly unanswered: number;
    /** 503/429 answers (PostgreSQL down, shedding), sent again. */
    readonly retriedAnswers: number;
    readonly completed: number;
    readonly lost: readonly string[];
    /** Acknowledged invocations that ran more than once: id → runs. */
    readonly duplicates: Readonly<Record<string, number>>;
  };
  readonly executions: {
    readonly started: number;
    readonly acknowledged: number;
    readonly unanswered: number;
    readonly succeeded: number;
    readonly lost: readonly string[];
    /** Task invocations (one request id) that ran more than once: tag:id → runs. */
    readonly taskDuplicates: Readonly<Record<string, number>>;
    /** Steps that ran under more than one request id (a Retry after a failed attempt). */
    readonly taskRetries: number;
  };
  /** Tick time → distinct invocations and runs; the ticks that were due and those never fired. */
  readonly schedule: {
    readonly ticks: Readonly<Record<string, Runs>>;
    readonly due: readonly string[];
    readonly missed: readonly string[];
  };
  readonly timers: Readonly<Record<string, Runs>>;
  readonly faults: readonly FaultReport[];
  /** Slowest answered submit (ms) and how many took over 10 s: nothing should hang. */
  readonly slowestSubmitMs: number;
  readonly submitsOver10s: number;
  readonly submitSeconds: number;
  readonly drainSeconds: number;
  readonly totalSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t: number) => Math.round(performance.now() - t);
/** The leader elector's lease ttl (src/cluster/leader.ts). */
const LEADER_TTL_MS = 15_000;

const HANDLER = `export const handler = async (e, ctx) => {
  const tag = e && e['detail-type'] === 'Scheduled Event' ? 'tick:' + e.time
    : e && e.exec ? 'task:' + e.exec + ':' + e.step : (e && e.tag) || 'other';
  const r = await fetch(process.env.SINK + '/hit?id=' + encodeURIComponent(ctx.awsRequestId) + '&tag=' + encodeURIComponent(tag));
  if (!r.ok) throw new Error('sink answered ' + r.status);
  await r.text();
  if (e && e.sleepMs) await new Promise((res) => setTimeout(res, e.sleepMs));
  return { tag, rid: ctx.awsRequestId };
};`;

const step = (name: string, next?: string) => ({
  Type: 'Task',
  Resource: 'work',
  Parameters: { 'exec.$': '$.exec', step: name },
  ResultSelector: { 'rid.$': '$.rid' },
  ResultPath: `$.${name}`,
  // A Task whose invocation failed for the platform (code not reachable while NATS is down) is
  // retried, as a state machine on AWS would be written.
  Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 1.5 }],
  ...(next ? { Next: next } : { End: true }),
});

const DEFINITION = { StartAt: 'A', States: { A: step('A', 'B'), B: step('B', 'C'), C: step('C') } };
/** The same with steps of 3 s: executions that are surely mid-step when a node dies. */
const SLOW_DEFINITION = {
  StartAt: 'A',
  States: Object.fromEntries(
    Object.entries(DEFINITION.States).map(([k, v]) => [
      k,
      { ...v, Parameters: { ...v.Parameters, sleepMs: 3000 } },
    ]),
  ),
};

/** The client's side of a dead server: refused, reset, closed socket (else undefined). */
export function connectionError(e: unknown): string | undefined {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return undefined;
  const code = err?.cause?.code ?? '';
  if (/ECONNRESET|ECONNREFUSED|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED/.test(code)) return code;
  if (err?.message === 'fetch failed') return code || err.cause?.message || 'fetch failed';
  return undefined;
}

export async function runClusterDrill(o: ClusterDrillOptions): Promise<ClusterDrillReport> {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  // Set when the drill ends (failed too): whatever still waits for progress gives up.
  let ended = false;
  try {
    // --- What ran: request id → runs and tag.
    const runs = new Map<string, { tag: string; n: number }>();
    let asyncRuns = 0;
    const tagsSeen = new Set<string>();
    const sink: Sink = await startSink((r) => {
      const u = new URL(r.url, 'http://x');
      const id = u.searchParams.get('id') ?? '';
      const tag = u.searchParams.get('tag') ?? '';
      const cur = runs.get(id);
      if (cur) cur.n++;
      else {
        runs.set(id, { tag, n: 1 });
        if (tag.startsWith('a:')) asyncRuns++;
      }
      tagsSeen.add(tag);
    });
    cleanups.push(() => sink.close());
    const nats: PrivateNats = await startPrivateNats();
    cleanups.push(() => nats.close());
    let pgServer: PrivatePostgres | undefined;
    if (o.faults.some((f) => f.kind === 'pg-restart')) {
      pgServer = await startPrivatePostgres();
      const s = pgServer;
      cleanups.push(() => s.close());
    }
    const pgUrl = pgServer?.url ?? TEST_PG_URL;
    // Node 0 reaches PostgreSQL and NATS through proxies a partition cuts.
    const proxies: PartitionProxy[] = [];
    if (o.faults.some((f) => f.kind === 'partition')) {
      for (const url of [pgUrl, nats.url]) {
        const p = await startPartitionProxy(Number(new URL(url).port || 5432));
        cleanups.push(() => p.close());
        proxies.push(p);
      }
    }
    const c: LocalCluster = await startLocalCluster({
      nodes: 3,
      natsUrl: nats.url,
      pgUrl,
      ...(proxies.length > 0
        ? { perNode: [{ pgUrl: proxies[0]!.via(pgUrl), natsUrl: proxies[1]!.via(nats.url) }] }
        : {}),
      env: {
        NIMBUS_LOG_LEVEL: o.nodeLogLevel ?? 'fatal',
        NIMBUS_ASYNC_CONCURRENCY: String(o.asyncConcurrency ?? 8),
        NIMBUS_ASYNC_MAX_QUEUE_DEPTH: String(Math.max(100_000, 2 * o.invocations)),
      },
    });
    cleanups.push(() => c.stop());
    log(`cluster ${c.name} up in ${since(t0)} ms (NATS ${nats.url}, PostgreSQL ${pgUrl})`);
    const schema = `nimbus_${c.name}`;
    const db = new pg.Pool({ connectionString: pgUrl, max: 2, connectionTimeoutMillis: 2000 });
    db.on('error', () => {});
    cleanups.push(() => db.end());

    // --- Deploy: the counting function (as load, schedule target, sync target), the workflow.
    const zip = Buffer.from(zipFiles({ 'index.mjs': new TextEncoder().encode(HANDLER) })).toString('base64');
    for (const name of ['work', 'ticker', 'slow']) {
      const r = await c.json(0, 'PUT', `/v1/functions/${name}`, {
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        timeoutSec: 10,
        environment: { SINK: sink.url },
        async: { maximumRetryAttempts: 20, retryBaseDelayMs: 200 },
        code: { zipBase64: zip },
      });
      if (r.status !== 201) throw new Error(`deploy ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    for (const [name, definition] of [
      ['flow', DEFINITION],
      ['slowflow', SLOW_DEFINITION],
    ] as const) {
      const wf = await c.json(0, 'PUT', `/v1/workflows/${name}`, { definition });
      if (wf.status >= 300) throw new Error(`workflow ${name}: ${wf.status} ${JSON.stringify(wf.body)}`);
    }
    // rate(1 minute) is the fastest schedule there is (no seconds in rate or cron).
    const sch = await c.json<{ createdAt: string }>(0, 'PUT', '/v1/schedules/every-minute', {
      function: 'ticker',
      expression: 'rate(1 minute)',
    });
    if (sch.status >= 300) throw new Error(`schedule: ${sch.status} ${JSON.stringify(sch.body)}`);
    const anchor = Date.parse(sch.body.createdAt);

    // --- Requests spread over the nodes (round robin, as a load balancer would).
    let rr = 0;
    let slowestSubmitMs = 0;
    let submitsOver10s = 0;
    const request = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const n = rr++ % c.nodes.length;
      const t = performance.now();
      const r = await fetch(`${c.nodes[n]!.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${CLUSTER_SECRET}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await r.text();
      const ms = since(t);
      if (method === 'POST') {
        slowestSubmitMs = Math.max(slowestSubmitMs, ms);
        if (ms > 10_000) submitsOver10s++;
      }
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    };

    const tSubmit = performance.now();
    const timers: string[] = [];
    for (const [i, s] of (o.timersAtSec ?? []).entries()) {
      const r = await request('POST', '/v1/timers', {
        target: 'ticker',
        delaySeconds: s,
        payload: { tag: `timer:T${i}` },
      });
      if (r.status !== 201) throw new Error(`timer: ${r.status} ${JSON.stringify(r.body)}`);
      timers.push(`T${i}`);
    }

    // --- Submitting: until acknowledged; a refused or lost request goes to the next node.
    const acked = new Map<string, string>(); // invocation id → tag
    const execs = new Map<string, string>(); // execution name → arn ('' when acknowledged by a 409)
    const counts = { refused: 0, unanswered: 0, retriedAnswers: 0, execUnanswered: 0 };
    const sent = { async: 0, exec: 0 };
    const untilAcknowledged = async (kind: 'async' | 'exec', what: string, send: () => Promise<boolean>) => {
      sent[kind]++;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 1000) throw new Error(`${what}: no node took it`);
        try {
          if (await send()) return;
          counts.retriedAnswers++;
          await sleep(200);
        } catch (e) {
          const why = connectionError(e);
          if (!why) throw e;
          // Not acknowledged: the node is down, or died under the request. Send it again.
          if (why === 'ECONNREFUSED') counts.refused++;
          else if (kind === 'async') counts.unanswered++;
          else counts.execUnanswered++;
        }
      }
    };
    /** An async invocation of `work`, under an Idempotency-Key named after its tag. */
    const submitAsync = (tag: string, extra: Record<string, unknown> = {}) =>
      untilAcknowledged('async', tag, async () => {
        const r = await request(
          'POST',
          '/v1/functions/work/invoke-async',
          { tag, ...extra },
          { 'idempotency-key': tag },
        );
        if (r.status === 202 && typeof r.body.id === 'string') {
          acked.set(r.body.id, tag);
          return true;
        }
        if (r.status >= 500 || r.status === 429) return false;
        throw new Error(`submit ${tag}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      });
    const startExecution = (machine: string, name: string) =>
      untilAcknowledged('exec', name, async () => {
        const r = await request('POST', `/v1/workflows/${machine}/executions`, {
          name,
          input: { exec: name },
        });
        if (r.status === 201 && typeof r.body.arn === 'string') {
          execs.set(name, r.body.arn);
          return true;
        }
        // Started by an earlier request whose answer was lost, and ended since.
        if (r.status === 409) {
          execs.set(name, `${machine}:`);
          return true;
        }
        if (r.status >= 500 || r.status === 429) return false;
        throw new Error(`start ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      });

    // --- Load: async invocations, executions interleaved evenly.
    type Job = { kind: 'async' | 'exec'; n: number };
    const jobs: Job[] = [];
    const stride = o.executions > 0 ? o.invocations / o.executions : Number.POSITIVE_INFINITY;
    for (let n = 0, e = 0; n < o.invocations; n++) {
      jobs.push({ kind: 'async', n });
      if (e < o.executions && n + 1 >= (e + 1) * stride) jobs.push({ kind: 'exec', n: e++ });
    }
    const submitOne = (job: Job) =>
      job.kind === 'async' ? submitAsync(`a:${job.n}`) : startExecution('flow', `x${job.n}`);
    let next = 0;
    const submitters = Array.from({ length: o.submitters ?? 16 }, async () => {
      for (;;) {
        const i = next++;
        const j = jobs[i];
        if (!j) return;
        if (o.ratePerSec) {
          const due = tSubmit + (1000 * i) / o.ratePerSec;
          if (due > performance.now()) await sleep(due - performance.now());
        }
        await submitOne(j);
      }
    });

    // --- Faults, in order, by the progress of the async work; the victim is the leader.
    const victim = await leaderNode(db, schema, c.nodes.length);
    const healthz = async (n: number) => {
      try {
        const r = await fetch(`${c.nodes[n]!.api}/healthz`, { signal: AbortSignal.timeout(3000) });
        return { status: r.status, body: (await r.json()) as { checks?: Record<string, string> } };
      } catch {
        return { status: 0, body: {} as { checks?: Record<string, string> } };
      }
    };
    const healthy = async (n: number, what: string) => {
      for (const end = Date.now() + 60_000; Date.now() < end; await sleep(50))
        if ((await healthz(n)).status === 200) return;
      throw new Error(`node${n} not healthy 60 s after ${what}`);
    };
    /** Time until a live node renewed or took the scheduler lease after `wallKill`. */
    const leaderBack = async (wallKill: number, tKill: number) => {
      for (const end = Date.now() + 90_000; Date.now() < end; await sleep(100)) {
        const l = await lease(db, schema);
        if (l && l.expiresAt > wallKill + LEADER_TTL_MS) return since(tKill);
      }
      return undefined;
    };

    const killNode = async (
      restart: 'at-once' | 'after-takeover',
      atCompleted: number,
    ): Promise<FaultReport> => {
      const node = c.nodes[victim]!;
      const id = `node${victim}`;
      const victimWasLeader = (await lease(db, schema))?.holder === id;
      // Sync requests running on the victim when it dies: their clients must see the connection
      // end (a retryable error), not hang.
      const tag = `sync:${atCompleted}`;
      const inFlight = o.syncInFlight ?? 3;
      let tKill = Number.POSITIVE_INFINITY;
      // First work for the victim to hold leases on: async invocations of 6 s (under the 10 s
      // timeout) and workflow steps of 3 s (the paced load alone leaves a node idle much of the
      // time). Any node's dispatcher may take them, so more are sent until the victim holds some.
      await Promise.all(
        Array.from({ length: 3 }, (_, i) => startExecution('slowflow', `s${atCompleted}-${i}`)),
      );
      const holdsLeases = async () => (await leasedBy(db, `${schema}_queue`, id)).length > 0;
      let batch = 0;
      const feed = () => {
        const b = batch++;
        return Promise.all(
          Array.from({ length: 3 }, (_, i) =>
            submitAsync(`slow:${atCompleted}:${b}:${i}`, { sleepMs: 6000 }),
          ),
        );
      };
      for (const end = Date.now() + 30_000; Date.now() < end; await sleep(500)) {
        if (await holdsLeases()) break;
        await feed();
      }
      // Then the sync requests, started only now so that they are still running at the kill
      // however long the wait above took (on a slow machine they had ended before it).
      const syncs = Array.from({ length: inFlight }, async (_, i) => {
        try {
          const r = await fetch(`${node.api}/v1/functions/slow/invoke`, {
            method: 'POST',
            headers: { authorization: `Bearer ${CLUSTER_SECRET}`, 'content-type': 'application/json' },
            body: JSON.stringify({ tag: `${tag}:${i}`, sleepMs: 8000 }),
            signal: AbortSignal.timeout(30_000),
          });
          await r.text();
          return { outcome: `answered ${r.status}`, ms: since(tKill) };
        } catch (e) {
          const why = connectionError(e);
          return { outcome: why ? `connection error (${why})` : `other: ${String(e)}`, ms: since(tKill) };
        }
      });
      // Kill only when both are true at once: the sync requests run on the victim, and it still
      // holds leases (its 6 s work can end while the sync requests start; CI saw exactly that).
      // More slow work is fed, without waiting, while it holds none; untilAcknowledged retries a
      // submit the kill cuts on another node.
      const fed: Promise<unknown>[] = [];
      let lastFeed = 0;
      for (const end = Date.now() + 30_000; Date.now() < end; await sleep(20)) {
        if (![...tagsSeen].some((s) => s.startsWith(tag))) continue;
        if (await holdsLeases()) break;
        if (Date.now() - lastFeed > 1000) {
          lastFeed = Date.now();
          fed.push(feed());
        }
      }
      const wallKill = Date.now();
      tKill = performance.now();
      await node.kill('SIGKILL');
      const leased = await leasedBy(db, `${schema}_queue`, id);
      const ends = await Promise.all(syncs);
      const sync = {
        inFlight,
        outcomes: ends.map((e) => e.outcome),
        maxEndMs: Math.max(...ends.map((e) => e.ms)),
      };
      const back = leaderBack(wallKill, tKill);
      let takeoverMs: number | undefined;
      if (restart === 'after-takeover') {
        for (const end = Date.now() + 180_000; Date.now() < end; await sleep(250))
          if ((await unsettled(db, `${schema}_queue`, leased)) === 0) {
            takeoverMs = since(tKill);
            break;
          }
        if (takeoverMs === undefined) log(`the others did not settle node${victim}'s leases in 180 s`);
        await back; // the leader lease too (another node leads while this one is down)
      }
      await node.restart();
      const recoverMs = since(tKill);
      await Promise.all(fed);
      const leaderBackMs = await back;
      return {
        kind: 'kill',
        restart,
        node: id,
        atCompleted,
        victimWasLeader,
        leased: byQueueKind(leased),
        ...(takeoverMs !== undefined ? { takeoverMs } : {}),
        ...(leaderBackMs !== undefined ? { leaderBackMs } : {}),
        sync,
        recoverMs,
      };
    };

    const restartService = async (
      kind: 'nats-restart' | 'pg-restart',
      downMs: number,
      atCompleted: number,
    ): Promise<FaultReport> => {
      const check = kind === 'nats-restart' ? 'nats' : 'store';
      const ackedBefore = acked.size + execs.size;
      const tKill = performance.now();
      if (kind === 'nats-restart') await nats.stop('SIGKILL');
      else await pgServer!.stop('immediate');
      const degradedAfterMs = await Promise.all(
        c.nodes.map(async (_, n) => {
          for (const end = Date.now() + 15_000; Date.now() < end; await sleep(50)) {
            const h = await healthz(n);
            const v = h.body.checks?.[check];
            if (h.status === 503 && v !== undefined && v !== 'ok') return since(tKill);
          }
          return -1;
        }),
      );
      await sleep(downMs);
      const ackedWhileDown = acked.size + execs.size - ackedBefore;
      const down = since(tKill);
      if (kind === 'nats-restart') await nats.start();
      else await pgServer!.start();
      await Promise.all(c.nodes.map((_, n) => healthy(n, `${check} came back`)));
      return { kind, atCompleted, degradedAfterMs, downMs: down, ackedWhileDown, recoverMs: since(tKill) };
    };

    /** The next schedule tick is `ms` away (waits for the one after when it is closer). */
    const untilBeforeTick = async (ms: number) => {
      const next = anchor + Math.ceil((Date.now() - anchor + ms) / 60_000) * 60_000;
      await sleep(Math.max(0, next - ms - Date.now()));
    };
    const isolateNode = async (
      kind: 'pause' | 'partition',
      ms: number,
      beforeTickMs: number | undefined,
      atCompleted: number,
      links: readonly ('store' | 'nats')[] = ['store', 'nats'],
    ): Promise<FaultReport> => {
      const cut = proxies.filter((_, i) => links.includes(i === 0 ? 'store' : 'nats'));
      if (beforeTickMs !== undefined) await untilBeforeTick(beforeTickMs);
      // A partition cuts node 0 (the one behind the proxies); a pause stops whoever leads now.
      const n = kind === 'partition' ? 0 : await leaderNode(db, schema, c.nodes.length, victim);
      const node = c.nodes[n]!;
      const id = `node${n}`;
      const victimWasLeader = (await lease(db, schema))?.holder === id;
      const wallKill = Date.now();
      const tKill = performance.now();
      let probe: Promise<string> | undefined;
      let degraded: Promise<number> | undefined;
      if (kind === 'pause') await node.kill('SIGSTOP');
      else {
        for (const p of cut) p.cut();
        // Its API still answers: a submit needs the store, /healthz must say degraded.
        sent.async++;
        probe = fetch(`${node.api}/v1/functions/work/invoke-async`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CLUSTER_SECRET}`, 'content-type': 'application/json' },
          body: JSON.stringify({ tag: 'probe' }),
          signal: AbortSignal.timeout(ms + 30_000),
        }).then(
          async (r) => {
            const ms = since(tKill);
            const text = await r.text();
            // Acknowledged late is acknowledged: it must run like the others.
            const id = r.status === 202 ? (JSON.parse(text) as { id: string }).id : undefined;
            if (id) acked.set(id, 'probe');
            return `answered ${r.status} after ${ms} ms${id ? '' : `: ${text.slice(0, 200)}`}`;
          },
          (e: unknown) => `failed after ${since(tKill)} ms: ${String(e)}`,
        );
        degraded = (async () => {
          for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
            const h = await healthz(n);
            if (h.status === 503 && links.some((l) => h.body.checks?.[l] !== 'ok')) return since(tKill);
          }
          return -1;
        })();
      }
      const leased = await leasedBy(db, `${schema}_queue`, id);
      const back = leaderBack(wallKill, tKill);
      let takeoverMs: number | undefined;
      while (since(tKill) < ms) {
        if (
          takeoverMs === undefined &&
          leased.length > 0 &&
          (await unsettled(db, `${schema}_queue`, leased)) === 0
        )
          takeoverMs = since(tKill);
        await sleep(250);
      }
      const leaderDuring = (await lease(db, schema))?.holder;
      if (kind === 'pause') await node.kill('SIGCONT');
      else for (const p of cut) p.heal();
      await healthy(n, kind === 'pause' ? 'SIGCONT' : 'the partition healed');
      const recoverMs = since(tKill);
      const leaderBackMs = await back;
      // Two renewal rounds after it came back: the lead stays where it went.
      await sleep(11_000);
      const leaderAfter = (await lease(db, schema))?.holder;
      const degradedAfterMs = degraded ? [await degraded] : undefined;
      return {
        kind,
        node: id,
        atCompleted,
        victimWasLeader,
        leased: byQueueKind(leased),
        ...(takeoverMs !== undefined ? { takeoverMs } : {}),
        ...(leaderBackMs !== undefined ? { leaderBackMs } : {}),
        ...(leaderDuring !== undefined ? { leaderDuring } : {}),
        ...(leaderAfter !== undefined ? { leaderAfter } : {}),
        ...(degradedAfterMs ? { degradedAfterMs } : {}),
        ...(kind === 'partition' ? { links } : {}),
        ...(probe ? { probe: await probe } : {}),
        recoverMs,
      };
    };

    const faults: FaultReport[] = [];
    const chaos = (async () => {
      for (const f of o.faults) {
        const want = Math.floor(f.at * o.invocations);
        while (asyncRuns < want) {
          if (ended) return;
          await sleep(50);
        }
        const at = asyncRuns;
        const r =
          f.kind === 'kill'
            ? await killNode(f.restart, at)
            : f.kind === 'pause'
              ? await isolateNode('pause', f.pauseMs ?? 20_000, f.beforeTickMs, at)
              : f.kind === 'partition'
                ? await isolateNode('partition', f.partitionMs ?? 25_000, f.beforeTickMs, at, f.links)
                : await restartService(f.kind, f.downMs ?? 3000, at);
        faults.push(r);
        log(`fault ${faults.length}: ${JSON.stringify(r)}`);
      }
    })();
    // A failing fault ends the drill at once (not after the submitters are done).
    let submitSeconds = 0;
    await Promise.all([
      Promise.all(submitters).then(() => {
        submitSeconds = (performance.now() - tSubmit) / 1000;
      }),
      chaos.catch(() => {}),
    ]);
    log(
      `submitted ${o.invocations} + ${o.executions} in ${submitSeconds.toFixed(1)} s (${acked.size} + ${execs.size} acknowledged)`,
    );
    await chaos;

    // --- Drain: every acknowledged invocation ran; every execution's three steps ran.
    const tDrain = performance.now();
    const deadline = Date.now() + o.drainTimeoutMs;
    let lastLog = Date.now();
    for (;;) {
      const pending = [...acked.keys()].filter((id) => !runs.has(id)).length;
      const steps = [...tagsSeen].filter((t) => t.startsWith('task:')).length;
      if ((pending === 0 && steps >= 3 * execs.size) || Date.now() > deadline) break;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`draining: ${pending} invocations not run yet, ${steps}/${3 * execs.size} steps`);
      }
      await sleep(200);
    }
    // The timers must be due (and have had time to run).
    const lastTimer = tSubmit + 1000 * Math.max(0, ...(o.timersAtSec ?? [0]));
    while (performance.now() < lastTimer + 15_000 && Date.now() < deadline) await sleep(200);

    // --- Verdicts through the platform's APIs, spread over the nodes.
    const lost: string[] = [];
    await pool([...acked.keys()], 24, async (id) => {
      for (let tries = 0; ; tries++) {
        const r = await request('GET', `/v1/invocations/${id}`);
        if (r.body.status === 'succeeded' && runs.has(id)) return;
        if (tries > 50 || Date.now() > deadline) {
          lost.push(
            `${id} (${acked.get(id)}): ${String(r.body.status)}, ${runs.has(id) ? 'ran' : 'never ran'}`,
          );
          return;
        }
        await sleep(200);
      }
    });
    const execLost: string[] = [];
    let succeeded = 0;
    // An execution acknowledged by a 409 ('<machine>:') has the ARN of any other, with its own
    // machine and name (…:execution:<machine>:<name>).
    const known = [...execs.values()].find((a) => a.startsWith('arn:')) ?? '';
    await pool([...execs.keys()], 16, async (name) => {
      const v = execs.get(name)!;
      const arn = v.startsWith('arn:') ? v : known.replace(/:[^:]+:[^:]+$/, `:${v.slice(0, -1)}:${name}`);
      for (let tries = 0; ; tries++) {
        const r = await request('GET', `/v1/executions/${encodeURIComponent(arn)}?wait=5`);
        const out = r.body.output as Record<string, { rid?: string }> | undefined;
        if (r.body.status === 'SUCCEEDED' && out?.A?.rid && out.B?.rid && out.C?.rid) {
          succeeded++;
          return;
        }
        if (r.body.status !== 'RUNNING' || tries > 20 || Date.now() > deadline) {
          execLost.push(`${name}: ${String(r.body.status)} ${String(r.body.cause ?? '')}`.slice(0, 300));
          return;
        }
      }
    });

    const duplicates: Record<string, number> = {};
    const taskDuplicates: Record<string, number> = {};
    const ticks: Record<string, Runs> = {};
    const timerRuns: Record<string, Runs> = Object.fromEntries(
      timers.map((t) => [t, { invocations: 0, runs: 0 }]),
    );
    const idsPerStep = new Map<string, number>();
    for (const [id, r] of runs) {
      if (r.n > 1 && acked.has(id)) duplicates[`${r.tag}:${id}`] = r.n;
      if (r.tag.startsWith('task:')) {
        if (r.n > 1) taskDuplicates[`${r.tag}:${id}`] = r.n;
        idsPerStep.set(r.tag, (idsPerStep.get(r.tag) ?? 0) + 1);
      }
      const into = r.tag.startsWith('tick:') ? ticks : r.tag.startsWith('timer:') ? timerRuns : undefined;
      if (into) {
        const key = r.tag.slice(r.tag.indexOf(':') + 1);
        const cur = into[key] ?? { invocations: 0, runs: 0 };
        into[key] = { invocations: cur.invocations + 1, runs: cur.runs + r.n };
      }
    }
    // Ticks due: anchor + k·60 s up to 20 s ago (a later one may still be on its way).
    const due: string[] = [];
    for (let t = anchor + 60_000; t <= Date.now() - 20_000; t += 60_000)
      due.push(new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    return {
      nodes: c.nodes.length,
      invocations: {
        submitted: sent.async,
        acknowledged: acked.size,
        refused: counts.refused,
        unanswered: counts.unanswered,
        retriedAnswers: counts.retriedAnswers,
        completed: acked.size - lost.length,
        lost,
        duplicates,
      },
      executions: {
        started: sent.exec,
        acknowledged: execs.size,
        unanswered: counts.execUnanswered,
        succeeded,
        lost: execLost,
        taskDuplicates,
        taskRetries: [...idsPerStep.values()].filter((n) => n > 1).length,
      },
      schedule: { ticks, due, missed: due.filter((t) => !ticks[t]) },
      timers: timerRuns,
      faults,
      slowestSubmitMs,
      submitsOver10s,
      submitSeconds,
      drainSeconds: (performance.now() - tDrain) / 1000,
      totalSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    ended = true;
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch (e) {
        log(`cleanup failed: ${String(e)}`);
      }
    }
  }
}

async function pool<T>(items: readonly T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/** The scheduler lease row (undefined when unreadable: the store may be down). */
async function lease(
  db: pg.Pool,
  schema: string,
): Promise<{ holder: string; expiresAt: number } | undefined> {
  try {
    const { rows } = await db.query<{ holder: string; expires_at: string }>(
      `SELECT holder, expires_at FROM "${schema}".cluster_leases WHERE name = 'scheduler'`,
    );
    return rows[0] ? { holder: rows[0].holder, expiresAt: Number(rows[0].expires_at) } : undefined;
  } catch {
    return undefined;
  }
}

/** The node to hit: the scheduler leader (schedules must survive it), else `fallback`. */
async function leaderNode(db: pg.Pool, schema: string, nodes: number, fallback = 1): Promise<number> {
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(200)) {
    const l = await lease(db, schema);
    const i = l && l.expiresAt > Date.now() ? Number(/^node(\d+)$/.exec(l.holder)?.[1] ?? -1) : -1;
    if (i >= 0 && i < nodes) return i;
  }
  return fallback;
}

/** Ids and queues of the messages a node holds leases on. */
async function leasedBy(db: pg.Pool, schema: string, node: string): Promise<{ id: string; queue: string }[]> {
  const { rows } = await db.query<{ id: string; queue: string }>(
    `SELECT id, queue FROM "${schema}".queue_messages
      WHERE lease_owner = $1 AND state = 'queued' AND lease_token IS NOT NULL AND visible_at > $2`,
    [node, Date.now()],
  );
  return rows;
}

const byQueueKind = (ms: readonly { queue: string }[]) => {
  const out: Record<string, number> = {};
  for (const m of ms) {
    const k = m.queue.split('/')[0] ?? m.queue;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

/** How many of these messages still wait or are leased (done, dead and swept count as settled). */
async function unsettled(db: pg.Pool, schema: string, ms: readonly { id: string }[]): Promise<number> {
  if (ms.length === 0) return 0;
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM "${schema}".queue_messages WHERE id = ANY($1::text[]) AND state = 'queued'`,
    [ms.map((m) => m.id)],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * What a drill's report says went wrong (empty: it passed). Lost work, a tick or timer not fired
 * exactly once, a sync request that did not end with a connection error within 5 s of its node's
 * death, a dependency outage /healthz did not report, a recovery over 60 s, a takeover that did
 * not happen, a paused leader that led on or took the lead back, a request that hung.
 */
export function drillProblems(r: ClusterDrillReport): string[] {
  const p: string[] = [];
  const i = r.invocations;
  const e = r.executions;
  if (i.lost.length > 0)
    p.push(`${i.lost.length} acknowledged invocations lost: ${i.lost.slice(0, 5).join('; ')}`);
  if (i.acknowledged !== i.submitted || i.completed !== i.acknowledged)
    p.push(`invocations: ${i.submitted} submitted, ${i.acknowledged} acknowledged, ${i.completed} completed`);
  if (e.lost.length > 0)
    p.push(`${e.lost.length} acknowledged executions lost: ${e.lost.slice(0, 5).join('; ')}`);
  if (e.acknowledged !== e.started || e.succeeded !== e.acknowledged)
    p.push(`executions: ${e.started} started, ${e.acknowledged} acknowledged, ${e.succeeded} succeeded`);
  for (const [tick, n] of Object.entries(r.schedule.ticks))
    if (n.invocations !== 1) p.push(`schedule tick ${tick} fired ${n.invocations} times`);
  if (r.schedule.missed.length > 0) p.push(`schedule ticks never fired: ${r.schedule.missed.join(', ')}`);
  for (const [t, n] of Object.entries(r.timers))
    if (n.invocations !== 1) p.push(`timer ${t} fired ${n.invocations} times`);
  if (r.slowestSubmitMs > 30_000) p.push(`a submit took ${r.slowestSubmitMs} ms`);
  for (const [k, f] of r.faults.entries()) {
    const at = `fault ${k + 1} (${f.kind}${f.restart ? ` ${f.restart}` : ''})`;
    if (f.recoverMs > (f.restart === 'after-takeover' ? 240_000 : f.kind === 'pause' ? 120_000 : 60_000))
      p.push(`${at}: recovered after ${f.recoverMs} ms`);
    if (f.kind === 'kill') {
      const bad = f.sync?.outcomes.filter((o) => !o.startsWith('connection error')) ?? [];
      if (bad.length > 0)
        p.push(`${at}: sync requests in flight on the killed node ended with ${bad.join(', ')}`);
      if ((f.sync?.maxEndMs ?? 0) > 5000)
        p.push(`${at}: a sync request ended ${f.sync?.maxEndMs} ms after the kill`);
    }
    const leased = Object.values(f.leased ?? {}).reduce((a, b) => a + b, 0);
    if (f.restart === 'after-takeover') {
      if (leased === 0) p.push(`${at}: the killed node held no leases (nothing to take over)`);
      if (f.takeoverMs === undefined)
        p.push(`${at}: the other nodes did not re-run the killed node's leased work`);
    }
    if (f.kind === 'nats-restart' || f.kind === 'pg-restart')
      if (f.degradedAfterMs?.some((ms) => ms < 0))
        p.push(`${at}: a node never reported degraded: ${f.degradedAfterMs}`);
    // Cut off from the store (the lease's truth), a leader must give the lead up.
    if ((f.kind === 'pause' || (f.kind === 'partition' && f.links?.includes('store'))) && f.victimWasLeader) {
      if (f.leaderDuring === f.node) p.push(`${at}: the cut-off node still held the leader lease`);
      if (f.leaderAfter === f.node) p.push(`${at}: the node took the leader lease back when it returned`);
    }
    if (f.kind === 'partition' && f.degradedAfterMs?.some((ms) => ms < 0))
      p.push(`${at}: the partitioned node never reported degraded`);
    if (f.victimWasLeader && f.leaderBackMs === undefined) p.push(`${at}: no node led afterwards`);
  }
  return p;
}
