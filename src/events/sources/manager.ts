/**
 * Event sources: CRUD (REST + manifest) and one running SourceRunner per enabled source.
 * A source whose broker is unreachable is kept and retried in the background (its status says
 * so); creating it never blocks on the broker.
 */
import { randomBytes } from 'node:crypto';
import { CoreErrors, defineErrors } from '../../core/errors.ts';
import type { Clock, Queue, SourceRepo } from '../../core/ports.ts';
import type { SourceKind, SourceRecord, TenantId } from '../../core/types.ts';
import type { InvokeService } from '../../invoke/types.ts';
import type { Tracing } from '../../observability/tracing.ts';
import type { RegistryService } from '../../registry/types.ts';
import { queueNameOf, SqsPoller, type SqsPollerDeps } from '../../sqs/poller.ts';
import { compilePattern } from '../pattern.ts';
import { withReconnect } from './connectors/util.ts';
import { SourceRunner } from './runner.ts';
import type { Connector, SourceStatus } from './types.ts';

export const SourceErrors = defineErrors('SOURCE', {
  INVALID: { status: 400, kind: 'user', message: 'invalid event source: {reason}' },
});

/** Required config key and URL scheme per kind. */
const KINDS: Record<SourceKind, { key: string; schemes: string[] }> = {
  nats: { key: 'subject', schemes: ['nats:', 'tls:'] },
  jetstream: { key: 'stream', schemes: ['nats:', 'tls:'] },
  rabbitmq: { key: 'queue', schemes: ['amqp:', 'amqps:'] },
  mqtt: { key: 'topic', schemes: ['mqtt:', 'mqtts:'] },
  redis: { key: 'stream', schemes: ['redis:', 'rediss:'] },
  postgres: { key: 'url', schemes: ['postgres:', 'postgresql:'] },
  // A Nimbus SQS queue of the tenant (name or ARN), polled in-process (src/sqs/poller.ts).
  sqs: { key: 'queue', schemes: [] },
};

export interface SourceInput {
  readonly functionName: string;
  readonly qualifier?: string | undefined;
  readonly kind: SourceKind;
  readonly config: Record<string, unknown>;
  readonly batchSize?: number | undefined;
  readonly batchWindowMs?: number | undefined;
  readonly maximumRetryAttempts?: number | undefined;
  readonly concurrency?: number | undefined;
  readonly enabled?: boolean | undefined;
}

export interface SourceManager {
  create(tenant: TenantId, input: SourceInput, origin?: SourceRecord['origin']): Promise<SourceRecord>;
  list(tenant: TenantId): Promise<(SourceRecord & { status?: SourceStatus | undefined })[]>;
  get(tenant: TenantId, id: string): Promise<SourceRecord & { status?: SourceStatus | undefined }>;
  delete(tenant: TenantId, id: string): Promise<void>;
  replaceForFunction(
    tenant: TenantId,
    functionName: string,
    inputs: readonly SourceInput[],
  ): Promise<SourceRecord[]>;
  /** Stops the runners of a deleted function (the Store already removed its sources). */
  stopFunction(tenant: TenantId, functionName: string): Promise<void>;
  /** Test hook: drops the broker connection of a source as a network failure would. */
  dropConnection(tenant: TenantId, id: string): void;
  /** Runs every enabled source (and those created later) on this node. */
  start(): Promise<void>;
  /** Stops the runners (cluster mode: this node lost the leader lease) until `start` again. */
  pause(): Promise<void>;
  /** Matches the runners to the Store again (another node created, changed or deleted sources). */
  resync(): Promise<void>;
  close(): Promise<void>;
}

/** What runs one source: a broker SourceRunner or an SqsPoller. */
interface Runner {
  start(): Promise<void>;
  close(): Promise<void>;
  status(): SourceStatus;
  connected: boolean;
}

export interface SourceDeps {
  readonly repo: SourceRepo;
  readonly registry: Pick<RegistryService, 'resolve'>;
  readonly invoke: InvokeService;
  readonly queue: Queue;
  readonly clock: Clock;
  /** Polled by `sqs` sources. */
  readonly sqs?: SqsPollerDeps['sqs'] | undefined;
  readonly region?: string | undefined;
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
  /** Override of the retry delay (tests). */
  readonly retryDelay?: (n: number) => number;
  /** A CONSUMER span per batch, continuing the messages' traces; absent: tracing off. */
  readonly tracing?: Tracing | undefined;
}

export function createSourceManager(d: SourceDeps): SourceManager {
  const running = new Map<string, { runner: Runner; connector?: Connector; functionName: string }>();
  const key = (tenant: TenantId, id: string) => `${tenant}\u0000${id}`;
  let closed = false;
  // Sources run where the manager was started: every one on a single node, the leader's in a cluster.
  let active = false;

  function validate(input: SourceInput): SourceRecord['config'] {
    const bad = (reason: string) => SourceErrors.INVALID({ reason });
    const k = KINDS[input.kind];
    if (!k) throw bad(`kind is one of ${Object.keys(KINDS).join(', ')}`);
    const c = input.config ?? {};
    if (typeof c[k.key] !== 'string' || c[k.key] === '') throw bad(`${input.kind} needs config.${k.key}`);
    if (input.kind === 'postgres') {
      const tables = Array.isArray(c.tables) ? c.tables : [c.table];
      if (
        tables.length === 0 ||
        !tables.every(
          (t) => typeof t === 'string' && /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(t),
        )
      )
        throw bad('postgres needs config.tables: ["schema.table", …] (plain identifiers)');
    }
    if (input.kind === 'sqs') {
      const types = c.functionResponseTypes;
      if (
        types !== undefined &&
        (!Array.isArray(types) || !types.every((t) => t === 'ReportBatchItemFailures'))
      )
        throw bad('sqs functionResponseTypes is [ReportBatchItemFailures] or absent');
      const patterns = c.filterPatterns;
      if (patterns !== undefined) {
        if (!Array.isArray(patterns) || patterns.length > 10)
          throw bad('sqs filterPatterns is a list of up to 10 event patterns');
        for (const p of patterns) compilePattern(p);
      }
    }
    if (c.url !== undefined) {
      let u: URL;
      try {
        u = new URL(String(c.url));
      } catch {
        throw bad('config.url is not a URL');
      }
      if (!k.schemes.includes(u.protocol))
        throw bad(`config.url for ${input.kind} uses ${k.schemes.join(' or ')}`);
    }
    const int = (v: number | undefined, name: string, min: number, max: number) => {
      if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
        throw bad(`${name} is ${min}–${max}`);
    };
    int(input.batchSize, 'batchSize', 1, 1000);
    int(input.batchWindowMs, 'batchWindowMs', 0, 300_000);
    int(input.maximumRetryAttempts, 'maximumRetryAttempts', 0, 100);
    int(input.concurrency, 'concurrency', 1, 100);
    return c;
  }

  // Broker clients load on first use: a platform without sources does not pay for importing
  // six client libraries at start-up.
  function connectorFor(s: SourceRecord, onError: (e: unknown) => void): Connector {
    const prefetch = s.batchSize * s.concurrency * 2;
    switch (s.kind) {
      case 'nats':
        return lazyConnector(async () =>
          (await import('./connectors/nats.ts')).natsConnector(s.config, onError),
        );
      case 'jetstream':
        return lazyConnector(async () =>
          (await import('./connectors/jetstream.ts')).jetstreamConnector(s.config, onError, prefetch),
        );
      case 'rabbitmq':
        return lazyConnector(async () =>
          (await import('./connectors/rabbitmq.ts')).rabbitmqConnector(s.config, onError, prefetch),
        );
      case 'mqtt':
        return lazyConnector(async () =>
          (await import('./connectors/mqtt.ts')).mqttConnector(s.config, s.id, onError),
        );
      case 'redis':
        return lazyConnector(async () =>
          (await import('./connectors/redis.ts')).redisConnector(s.config, s.id, onError, s.batchSize),
        );
      case 'postgres':
        return lazyConnector(async () =>
          (await import('./connectors/postgres.ts')).postgresConnector(s.config, s.id, onError, s.batchSize),
        );
      case 'sqs':
        throw CoreErrors.INTERNAL({ reason: 'sqs sources are polled, not connected' });
    }
  }

  function launch(s: SourceRecord): void {
    if (!s.enabled || closed || !active) return;
    if (s.kind === 'sqs') {
      if (!d.sqs) return;
      const poller = new SqsPoller(s, {
        sqs: d.sqs,
        invoke: d.invoke,
        clock: d.clock,
        region: d.region ?? 'local-1',
        log: d.log,
        tracing: d.tracing,
      });
      running.set(key(s.tenant, s.id), { runner: poller, functionName: s.functionName });
      void poller.start();
      return;
    }
    let runner: SourceRunner | undefined;
    const onError = (e: unknown) => {
      if (runner) runner.connected = false;
      d.log?.(
        'warn',
        { source: s.id, kind: s.kind, err: e instanceof Error ? e.message : String(e) },
        'event source error',
      );
    };
    const connector = connectorFor(s, onError);
    runner = new SourceRunner(s, connector, {
      invoke: d.invoke,
      queue: d.queue,
      clock: d.clock,
      log: d.log,
      retryDelay: d.retryDelay,
      tracing: d.tracing,
    });
    const r = runner;
    running.set(key(s.tenant, s.id), { runner: r, connector, functionName: s.functionName });
    void withReconnect(
      () => r.start(),
      () => closed || running.get(key(s.tenant, s.id))?.runner !== r,
      onError,
    );
  }

  async function stop(tenant: TenantId, id: string): Promise<void> {
    const r = running.get(key(tenant, id));
    running.delete(key(tenant, id));
    await r?.runner.close().catch(() => {});
  }

  async function create(tenant: TenantId, input: SourceInput, origin: SourceRecord['origin'] = 'api') {
    const config = validate(input);
    await d.registry.resolve(tenant, input.functionName, input.qualifier);
    if (input.kind === 'sqs' && d.sqs) await d.sqs.getQueue(tenant, queueNameOf(String(config.queue)));
    const rec: SourceRecord = {
      tenant,
      id: `src_${randomBytes(9).toString('base64url')}`,
      functionName: input.functionName,
      qualifier: input.qualifier,
      kind: input.kind,
      config,
      batchSize: input.batchSize ?? 10,
      batchWindowMs: input.batchWindowMs ?? 0,
      maximumRetryAttempts: input.maximumRetryAttempts ?? 2,
      concurrency: input.concurrency ?? 1,
      enabled: input.enabled ?? true,
      origin,
      createdAt: d.clock.now(),
    };
    await d.repo.create(rec);
    launch(rec);
    return rec;
  }

  const withStatus = (s: SourceRecord) => ({
    ...s,
    status: running.get(key(s.tenant, s.id))?.runner.status(),
  });

  return {
    create,
    async list(tenant) {
      return (await d.repo.list(tenant)).map(withStatus);
    },
    async get(tenant, id) {
      const s = await d.repo.get(tenant, id);
      if (!s) throw CoreErrors.NOT_FOUND({ what: `event source ${id}` });
      return withStatus(s);
    },
    async delete(tenant, id) {
      if (!(await d.repo.delete(tenant, id))) throw CoreErrors.NOT_FOUND({ what: `event source ${id}` });
      await stop(tenant, id);
    },
    async replaceForFunction(tenant, functionName, inputs) {
      for (const i of inputs) validate({ ...i, functionName });
      for (const id of await d.repo.deleteForFunction(tenant, functionName, 'manifest'))
        await stop(tenant, id);
      const out: SourceRecord[] = [];
      for (const i of inputs) out.push(await create(tenant, { ...i, functionName }, 'manifest'));
      return out;
    },
    async stopFunction(tenant, functionName) {
      const ids = [...running.entries()]
        .filter(([k, r]) => k.startsWith(`${tenant}\u0000`) && r.functionName === functionName)
        .map(([k]) => k.slice(tenant.length + 1));
      for (const id of ids) await stop(tenant, id);
    },
    dropConnection(tenant, id) {
      running.get(key(tenant, id))?.connector?.dropConnection?.();
    },
    async start() {
      active = true;
      for (const s of await d.repo.listAll()) launch(s);
    },
    async pause() {
      active = false;
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((r) => r.runner.close().catch(() => {})));
    },
    async resync() {
      if (!active) return;
      const want = new Map(
        (await d.repo.listAll()).filter((s) => s.enabled).map((s) => [key(s.tenant, s.id), s]),
      );
      for (const k of [...running.keys()]) {
        if (want.has(k)) continue;
        const r = running.get(k);
        running.delete(k);
        await r?.runner.close().catch(() => {});
      }
      for (const [k, s] of want) if (!running.has(k)) launch(s);
    },
    async close() {
      closed = true;
      await Promise.all([...running.values()].map((r) => r.runner.close().catch(() => {})));
      running.clear();
    },
  };
}

/** A Connector whose implementation (and its client library) is imported when it starts. */
function lazyConnector(load: () => Promise<Connector>): Connector {
  let inner: Connector | undefined;
  let closed = false;
  return {
    async start(push) {
      inner ??= await load();
      if (closed) return;
      await inner.start(push);
    },
    pause: () => inner?.pause?.(),
    resume: () => inner?.resume?.(),
    async close() {
      closed = true;
      await inner?.close();
    },
    dropConnection: () => inner?.dropConnection?.(),
  };
}
