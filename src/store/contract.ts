/** Contract suite every Store adapter must pass (run against SQLite and PostgreSQL). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../core/ports.ts';
import type { ApiKeyRecord, FunctionRecord } from '../core/types.ts';
import { logScanCases } from './contract-log-scan.ts';
import { logRepoCases } from './contract-logs.ts';
import { workflowRepoCases } from './contract-workflows.ts';

const T = 'default';
const code = {
  sha256: 'a'.repeat(64),
  size: 10,
  family: 'node' as const,
  entry: 'index.mjs',
  exportName: 'handler',
};
const config = {
  runtime: 'nodejs24.x',
  handler: 'index.handler',
  memoryMb: 128,
  timeoutSec: 3,
  environment: { GREETING: 'héllo ✓ 日本' },
  description: 'd',
};
const fn = (name: string, rev = 'r1'): FunctionRecord => ({
  tenant: T,
  name,
  config,
  code,
  revisionId: rev,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
});
const isCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

export function describeStoreContract(
  name: string,
  make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    let s: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store: s, cleanup } = await make());
    });
    after(async () => {
      await cleanup?.();
    });

    it('pings', async () => {
      await s.ping();
    });

    it('creates, reads, lists, updates and deletes api keys; conflicts are coded', async () => {
      const k: ApiKeyRecord = {
        tenant: T,
        keyId: 'NKAAAAAAAAAAAAAAAAAA',
        kind: 'user',
        secretHash: 'h1',
        secretCiphertext: 'c1',
        prevSecretHash: undefined,
        prevSecretCiphertext: undefined,
        prevExpiresAt: undefined,
        policies: ['AdministratorAccess', { Version: '2012-10-17', Statement: [] }],
        description: 'x',
        createdAt: 1,
        expiresAt: undefined,
        disabled: false,
      };
      await s.keys.create(k);
      assert.deepEqual(await s.keys.get(k.keyId), k);
      assert.deepEqual(await s.keys.getBySecretHash('h1'), k);
      await assert.rejects(s.keys.create(k), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.equal((await s.keys.list(T)).length, 1);
      // Rotation keeps the previous secret findable by its hash until it is dropped.
      const rotated = {
        ...k,
        secretHash: 'h2',
        secretCiphertext: 'c2',
        prevSecretHash: 'h1',
        prevSecretCiphertext: 'c1',
        prevExpiresAt: 99,
        expiresAt: 1234,
      };
      assert.equal(await s.keys.update(rotated), true);
      assert.deepEqual(await s.keys.getBySecretHash('h1'), rotated);
      assert.deepEqual(await s.keys.getBySecretHash('h2'), rotated);
      assert.equal(await s.keys.update({ ...k, keyId: 'NKNONEXISTENT0000000' }), false);
      assert.equal(await s.keys.delete(k.keyId), true);
      assert.equal(await s.keys.delete(k.keyId), false);
      assert.equal(await s.keys.get(k.keyId), undefined);
    });

    it('keeps tenants unique by id and by account id', async () => {
      const t = { id: 'acme', accountId: '111122223333', description: 'd', createdAt: 5 };
      await s.tenants.create(t);
      await assert.rejects(
        s.tenants.create({ ...t, accountId: '999988887777' }),
        isCode('NIMBUS_ERR_CORE_CONFLICT'),
      );
      await assert.rejects(s.tenants.create({ ...t, id: 'other' }), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.deepEqual(await s.tenants.get('acme'), t);
      assert.deepEqual(await s.tenants.getByAccount('111122223333'), t);
      assert.deepEqual(
        (await s.tenants.list()).map((x) => x.id),
        ['acme'],
      );
      assert.equal(await s.tenants.delete('acme'), true);
      assert.equal(await s.tenants.get('acme'), undefined);
    });

    it('bumps a role generation on every put', async () => {
      const r1 = await s.roles.put({
        tenant: T,
        name: 'r',
        policies: ['ReadOnly'],
        description: '',
        updatedAt: 10,
      });
      assert.equal(r1.generation, 1);
      const r2 = await s.roles.put({ tenant: T, name: 'r', policies: [], description: 'x', updatedAt: 20 });
      assert.equal(r2.generation, 2);
      assert.equal(r2.createdAt, 10);
      assert.deepEqual(await s.roles.get(T, 'r'), r2);
      assert.equal(await s.roles.get('other-tenant', 'r'), undefined);
      assert.deepEqual(
        (await s.roles.list(T)).map((r) => r.name),
        ['r'],
      );
      assert.equal(await s.roles.delete(T, 'r'), true);
      assert.equal(await s.roles.get(T, 'r'), undefined);
    });

    it('stores secrets per tenant and re-wraps only the version it read', async () => {
      const sec = {
        tenant: T,
        name: 'db',
        description: '',
        ciphertext: 'ct',
        wrappedKey: 'wk',
        kekId: 'k1',
        versionId: 'v1',
        createdAt: 1,
        updatedAt: 1,
      };
      await s.secrets.put(sec);
      await s.secrets.put({ ...sec, tenant: 'other-tenant' });
      assert.deepEqual(await s.secrets.get(T, 'db'), sec);
      assert.equal((await s.secrets.listNotWrappedBy('k2', 10)).length, 2);
      assert.equal(await s.secrets.rewrap(T, 'db', 'v0', 'wk2', 'k2'), false);
      assert.equal(await s.secrets.rewrap(T, 'db', 'v1', 'wk2', 'k2'), true);
      assert.equal((await s.secrets.get(T, 'db'))?.kekId, 'k2');
      assert.equal((await s.secrets.listNotWrappedBy('k2', 10)).length, 1);
      await s.secrets.put({ ...sec, ciphertext: 'ct2', versionId: 'v2', updatedAt: 2 });
      assert.equal((await s.secrets.get(T, 'db'))?.createdAt, 1);
      assert.equal((await s.secrets.get(T, 'db'))?.ciphertext, 'ct2');
      assert.equal(await s.secrets.delete(T, 'db'), true);
      assert.equal(await s.secrets.get(T, 'db'), undefined);
      assert.equal((await s.secrets.list('other-tenant')).length, 1);
    });

    it('appends audit records as one chain, also from concurrent writers, and prunes to an anchor', async () => {
      const e = (i: number) => ({
        tenant: i % 2 ? T : 'other-tenant',
        ts: 1000 + i,
        principal: 'key/K',
        action: 'lambda:CreateFunction',
        resource: `fn-${i}`,
        sourceIp: '127.0.0.1',
        result: 'ok' as const,
        status: 200,
        detail: '',
      });
      const link = (prev: string, seq: number, x: { resource: string }) =>
        `${prev.slice(0, 8)}|${seq}|${x.resource}`;
      await Promise.all(
        [0, 1, 2, 3].map((w) => s.audit.append([e(w * 3), e(w * 3 + 1), e(w * 3 + 2)], link)),
      );
      const all = await s.audit.scan(0, 100);
      assert.deepEqual(
        all.map((r) => r.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prevHash, all[i - 1]!.hash);
      assert.equal(all[0]!.prevHash, '0'.repeat(64));
      assert.deepEqual(await s.audit.head(), { seq: 12, hash: all[11]!.hash });
      assert.equal((await s.audit.query({ tenant: T, limit: 100 })).length, 6);
      assert.equal((await s.audit.query({ afterSeq: 10, limit: 100 })).length, 2);
      const cut = await s.audit.prune(1004);
      assert.ok(cut);
      assert.equal((await s.audit.scan(0, 100))[0]!.prevHash, cut.hash);
    });

    it('round-trips functions with unicode config and enforces revisions', async () => {
      await s.functions.create(fn('b'));
      await s.functions.create(fn('a'));
      await assert.rejects(s.functions.create(fn('a')), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.deepEqual(await s.functions.get(T, 'a'), fn('a'));
      assert.deepEqual(
        (await s.functions.list(T)).map((f) => f.name),
        ['a', 'b'],
      );
      assert.equal(await s.functions.get('other-tenant', 'a'), undefined);
      await s.functions.update({ ...fn('a', 'r2'), updatedAt: 5 }, 'r1');
      assert.equal((await s.functions.get(T, 'a'))?.revisionId, 'r2');
      await assert.rejects(s.functions.update(fn('a', 'r3'), 'r1'), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      await assert.rejects(s.functions.update(fn('zz')), isCode('NIMBUS_ERR_CORE_NOT_FOUND'));
    });

    it('publishes distinct version numbers under concurrency', async () => {
      await s.functions.create(fn('pub'));
      const data = { config, code, description: 'v', createdAt: 2 };
      const vs = await Promise.all(Array.from({ length: 20 }, () => s.versions.publish(T, 'pub', data)));
      assert.deepEqual(
        vs.map((v) => Number(v.version)).sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal((await s.versions.list(T, 'pub')).length, 20);
      assert.equal((await s.versions.latest(T, 'pub'))?.version, '20');
      assert.deepEqual((await s.versions.get(T, 'pub', '3'))?.config, config);
      assert.equal(await s.versions.get(T, 'pub', '99'), undefined);
      assert.equal(await s.versions.get(T, 'pub', '$LATEST'), undefined);
      await assert.rejects(s.versions.publish(T, 'nope', data), isCode('NIMBUS_ERR_CORE_NOT_FOUND'));
    });

    it('manages aliases and deletes them with their function', async () => {
      const a = {
        tenant: T,
        functionName: 'pub',
        name: 'live',
        functionVersion: '1',
        additionalWeights: { '2': 0.1 },
        description: '',
        revisionId: 'ar1',
        createdAt: 1,
        updatedAt: 1,
      };
      await s.aliases.create(a);
      await assert.rejects(s.aliases.create(a), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.deepEqual(await s.aliases.get(T, 'pub', 'live'), a);
      await s.aliases.update({ ...a, functionVersion: '2', additionalWeights: {}, revisionId: 'ar2' });
      assert.equal((await s.aliases.get(T, 'pub', 'live'))?.functionVersion, '2');
      assert.equal((await s.aliases.list(T, 'pub')).length, 1);
      await assert.rejects(s.aliases.update({ ...a, name: 'ghost' }), isCode('NIMBUS_ERR_CORE_NOT_FOUND'));
      assert.equal(await s.functions.delete(T, 'pub'), true);
      assert.equal(await s.aliases.get(T, 'pub', 'live'), undefined);
      assert.deepEqual(await s.versions.list(T, 'pub'), []);
      assert.equal(await s.functions.delete(T, 'pub'), false);
      // Re-created functions number their versions from 1 again, like Lambda.
      await s.functions.create(fn('pub'));
      assert.equal(
        (await s.versions.publish(T, 'pub', { config, code, description: '', createdAt: 3 })).version,
        '1',
      );
    });

    it('rolls back a transaction that throws and commits one that succeeds', async () => {
      await assert.rejects(
        s.transaction(async (tx) => {
          await tx.functions.create(fn('tx-rolled-back'));
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await s.functions.get(T, 'tx-rolled-back'), undefined);
      await s.transaction(async (tx) => {
        await tx.functions.create(fn('tx-ok'));
      });
      assert.ok(await s.functions.get(T, 'tx-ok'));
    });

    logRepoCases(() => s);
    logScanCases(() => s);

    it('stores routes, rejects duplicate route keys and deletes by function', async () => {
      const r = {
        tenant: T,
        id: 'rt_1',
        routeKey: 'GET /user/{userId}',
        functionName: 'users',
        qualifier: 'live',
        payloadFormat: '2.0' as const,
        auth: { type: 'jwt' as const, issuer: 'https://issuer', audience: ['api'], scopes: ['users:write'] },
        throttle: { rateLimit: 10, burstLimit: 20, perKey: true },
        stage: 'dev',
        cors: {
          allowOrigins: ['https://app.example'],
          allowMethods: ['*'],
          allowHeaders: ['content-type', 'x-api-key'],
          exposeHeaders: [],
          allowCredentials: true,
          maxAge: 600,
        },
        createdAt: 5,
      };
      await s.routes.create(r);
      await s.routes.create({
        ...r,
        id: 'rt_2',
        routeKey: '$default',
        qualifier: undefined,
        payloadFormat: '1.0',
        auth: undefined,
        throttle: undefined,
        stage: undefined,
        cors: undefined,
      });
      await assert.rejects(s.routes.create({ ...r, id: 'rt_3' }), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      // Route keys are unique per tenant whatever the stage.
      await assert.rejects(
        s.routes.create({ ...r, id: 'rt_4', stage: undefined }),
        isCode('NIMBUS_ERR_CORE_CONFLICT'),
      );
      await assert.rejects(
        s.routes.create({ ...r, id: 'rt_5', stage: 'prod' }),
        isCode('NIMBUS_ERR_CORE_CONFLICT'),
      );
      assert.deepEqual(await s.routes.list(T), [
        {
          ...r,
          id: 'rt_2',
          routeKey: '$default',
          qualifier: undefined,
          payloadFormat: '1.0',
          auth: undefined,
          throttle: undefined,
          stage: undefined,
          cors: undefined,
        },
        r,
      ]);
      assert.equal((await s.routes.listAll()).length, 2);
      assert.equal(await s.routes.delete(T, 'rt_2'), true);
      assert.equal(await s.routes.delete(T, 'rt_2'), false);
      assert.equal(await s.routes.deleteForFunction(T, 'users'), 1);
      assert.deepEqual(await s.routes.list(T), []);
      // A route may target a state machine instead (its function name is then '').
      const sm = {
        tenant: T,
        id: 'rt_sm',
        routeKey: 'POST /start',
        functionName: '',
        stateMachine: 'flow',
        payloadFormat: '1.0' as const,
        createdAt: 6,
      };
      await s.routes.create(sm);
      assert.equal((await s.routes.list(T))[0]?.stateMachine, 'flow');
      assert.equal(await s.routes.delete(T, 'rt_sm'), true);
    });

    it('stores schedules, advances them by compare-and-set and deletes by function and origin', async () => {
      const base = {
        tenant: T,
        name: 'nightly',
        functionName: 'report',
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Paris',
        input: '{"full":true}',
        enabled: true,
        misfire: 'skip' as const,
        origin: 'manifest' as const,
        description: 'nightly report',
        createdAt: 1,
        updatedAt: 2,
      };
      await s.schedules.put(base);
      await s.schedules.put({
        ...base,
        name: 'api-one',
        origin: 'api',
        input: undefined,
        misfire: 'fireOnce',
      });
      assert.deepEqual(await s.schedules.get(T, 'nightly'), {
        ...base,
        qualifier: undefined,
        nextFireAt: undefined,
        lastFireAt: undefined,
      });
      // Compare-and-set: from unset to a tick, then from that tick to the next one.
      assert.equal(await s.schedules.advance(T, 'nightly', undefined, 1000), true);
      assert.equal(await s.schedules.advance(T, 'nightly', undefined, 2000), false, 'already moved');
      assert.equal(await s.schedules.advance(T, 'nightly', 1000, 2000, 1000), true);
      const got = await s.schedules.get(T, 'nightly');
      assert.equal(got?.nextFireAt, 2000);
      assert.equal(got?.lastFireAt, 1000);
      // Upsert replaces the definition.
      await s.schedules.put({ ...base, enabled: false, updatedAt: 3, nextFireAt: 5000 });
      assert.equal((await s.schedules.get(T, 'nightly'))?.enabled, false);
      assert.equal((await s.schedules.get(T, 'nightly'))?.createdAt, 1);
      assert.deepEqual(
        (await s.schedules.list(T)).map((x) => x.name),
        ['api-one', 'nightly'],
      );
      assert.ok((await s.schedules.listAll()).length >= 2);
      assert.equal(await s.schedules.deleteForFunction(T, 'report', 'manifest'), 1);
      assert.deepEqual(
        (await s.schedules.list(T)).map((x) => x.name),
        ['api-one'],
      );
      assert.equal(await s.schedules.delete(T, 'api-one'), true);
      assert.equal(await s.schedules.delete(T, 'api-one'), false);
      // A schedule may target a state machine instead (its function name is then '').
      await s.schedules.put({ ...base, name: 'sm-tick', functionName: '', stateMachine: 'flow' });
      assert.equal((await s.schedules.get(T, 'sm-tick'))?.stateMachine, 'flow');
      assert.equal(await s.schedules.delete(T, 'sm-tick'), true);
      // Deleting a function takes its schedules with it.
      await s.schedules.put({ ...base, name: 'gone-with-fn' });
      await s.objects.createBucket({ tenant: T, name: 'report-bucket', createdAt: 1 });
      const note = {
        bucket: 'report-bucket',
        id: 'n',
        functionName: 'report',
        events: ['s3:ObjectCreated:*'],
        origin: 'api' as const,
      };
      await s.objects.putNotifications('report-bucket', undefined, [note]);
      await s.sources.create({
        tenant: T,
        id: 'src-report',
        functionName: 'report',
        kind: 'nats',
        config: { subject: 'x' },
        batchSize: 1,
        batchWindowMs: 0,
        maximumRetryAttempts: 0,
        concurrency: 1,
        enabled: true,
        origin: 'api',
        createdAt: 1,
      });
      await s.functions.delete(T, 'report');
      assert.equal(await s.schedules.get(T, 'gone-with-fn'), undefined);
      assert.equal(await s.sources.get(T, 'src-report'), undefined);
      assert.deepEqual(await s.objects.listNotifications('report-bucket'), []);
      await s.objects.deleteBucket('report-bucket');
    });

    it('stores SQS queues: create once, update attributes and tags, list per tenant or all, delete', async () => {
      const q = {
        tenant: T,
        name: 'jobs.fifo',
        attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
        tags: { team: 'a' },
        createdAt: 1,
        updatedAt: 1,
      };
      assert.equal(await s.sqsQueues.create(q), true);
      assert.equal(await s.sqsQueues.create({ ...q, tags: {} }), false, 'an existing queue is kept');
      assert.deepEqual(await s.sqsQueues.get(T, 'jobs.fifo'), q);
      const u = { ...q, attributes: { ...q.attributes, VisibilityTimeout: '60' }, updatedAt: 5 };
      assert.equal(await s.sqsQueues.update(u), true);
      assert.deepEqual(await s.sqsQueues.get(T, 'jobs.fifo'), u);
      assert.equal(await s.sqsQueues.update({ ...u, name: 'missing' }), false);
      await s.sqsQueues.create({ ...q, tenant: 'other-t', name: 'a' });
      assert.deepEqual(
        (await s.sqsQueues.list(T)).map((x) => x.name),
        ['jobs.fifo'],
      );
      assert.ok((await s.sqsQueues.list()).some((x) => x.tenant === 'other-t'));
      assert.equal(await s.sqsQueues.delete(T, 'jobs.fifo'), true);
      assert.equal(await s.sqsQueues.delete(T, 'jobs.fifo'), false);
      assert.equal(await s.sqsQueues.get(T, 'jobs.fifo'), undefined);
      await s.sqsQueues.delete('other-t', 'a');
    });

    workflowRepoCases(() => s);

    it('stores topics and subscriptions; deleting a topic or the owning function removes subscriptions', async () => {
      assert.equal(
        await s.topics.put({ tenant: T, name: 'orders', description: 'all orders', createdAt: 1 }),
        true,
      );
      assert.equal(
        await s.topics.put({ tenant: T, name: 'orders', description: 'renamed', createdAt: 9 }),
        false,
      );
      assert.deepEqual(await s.topics.get(T, 'orders'), {
        tenant: T,
        name: 'orders',
        description: 'renamed',
        createdAt: 1,
      });
      const sub = {
        tenant: T,
        id: 'sub_1',
        topic: 'orders',
        pattern: '{"type":["order.placed"]}',
        target: { type: 'function' as const, name: 'billing', qualifier: 'live' },
        inputTransformer: { inputPathsMap: { id: '$.id' }, inputTemplate: '{"id": <id>}' },
        partitionKey: '$.data.customer',
        retry: { maximumRetryAttempts: 0 },
        origin: 'manifest' as const,
        owner: 'billing',
        description: '',
        createdAt: 2,
      };
      await s.subscriptions.create(sub);
      await s.subscriptions.create({
        ...sub,
        id: 'sub_2',
        pattern: undefined,
        target: { type: 'webhook', url: 'https://example.com/h' },
        inputTransformer: undefined,
        partitionKey: undefined,
        retry: undefined,
        origin: 'api',
        owner: undefined,
        createdAt: 3,
      });
      await assert.rejects(s.subscriptions.create(sub), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.deepEqual(await s.subscriptions.get(T, 'sub_1'), sub);
      assert.deepEqual(
        (await s.subscriptions.list(T, 'orders')).map((x) => x.id),
        ['sub_1', 'sub_2'],
      );
      assert.ok((await s.subscriptions.listAll()).length >= 2);
      assert.equal(await s.subscriptions.deleteOwned(T, 'billing'), 1);
      assert.equal(await s.subscriptions.get(T, 'sub_1'), undefined);
      assert.equal(await s.topics.delete(T, 'orders'), true);
      assert.deepEqual(await s.subscriptions.list(T, 'orders'), []);
      assert.deepEqual(await s.topics.list(T), []);
    });

    it('stores event sources and deletes a function manifest sources', async () => {
      const src = {
        tenant: T,
        id: 'src_1',
        functionName: 'consume',
        qualifier: undefined,
        kind: 'rabbitmq' as const,
        config: { url: 'amqp://user:secret@127.0.0.1:5672', queue: 'orders' },
        batchSize: 10,
        batchWindowMs: 500,
        maximumRetryAttempts: 3,
        concurrency: 1,
        enabled: true,
        origin: 'manifest' as const,
        createdAt: 5,
      };
      await s.sources.create(src);
      await s.sources.create({ ...src, id: 'src_2', origin: 'api' });
      await assert.rejects(s.sources.create(src), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.deepEqual(await s.sources.get(T, 'src_1'), src);
      assert.equal((await s.sources.list(T)).length, 2);
      assert.ok((await s.sources.listAll()).length >= 2);
      assert.deepEqual(await s.sources.deleteForFunction(T, 'consume', 'manifest'), ['src_1']);
      assert.equal(await s.sources.delete(T, 'src_2'), true);
      assert.deepEqual(await s.sources.list(T), []);
    });

    it('stores buckets, objects (bytewise key order, prefix), uploads, notifications and the outbox', async () => {
      const b = `bkt-${Math.random().toString(36).slice(2, 8)}`;
      await s.objects.createBucket({ tenant: T, name: b, createdAt: 1 });
      await assert.rejects(
        s.objects.createBucket({ tenant: 'x', name: b, createdAt: 2 }),
        isCode('NIMBUS_ERR_CORE_CONFLICT'),
      );
      const o = (key: string) => ({
        bucket: b,
        key,
        size: 3,
        etag: 'e',
        contentType: 'text/plain',
        metadata: { owner: 'ada' },
        sha256: `sha-${b}`,
        lastModified: 5,
      });
      for (const k of ['photos/b.png', 'photos/a.png', 'Photos/Z.png', 'docs/x', 'photos/é.png'])
        await s.objects.putObject(o(k));
      assert.deepEqual(
        (await s.objects.putObject(o('docs/x')))?.key,
        'docs/x',
        'returns the replaced record',
      );
      assert.deepEqual(
        (await s.objects.listObjects(b, { limit: 10 })).map((x) => x.key),
        ['Photos/Z.png', 'docs/x', 'photos/a.png', 'photos/b.png', 'photos/é.png'],
      );
      assert.deepEqual(
        (await s.objects.listObjects(b, { prefix: 'photos/', after: 'photos/a.png', limit: 10 })).map(
          (x) => x.key,
        ),
        ['photos/b.png', 'photos/é.png'],
      );
      assert.deepEqual((await s.objects.getObject(b, 'docs/x'))?.metadata, { owner: 'ada' });
      assert.equal(await s.objects.countBySha(`sha-${b}`), 5);
      assert.equal((await s.objects.deleteObject(b, 'docs/x'))?.key, 'docs/x');
      assert.equal(await s.objects.deleteObject(b, 'docs/x'), undefined);
      await s.objects.createUpload({
        uploadId: `u-${b}`,
        bucket: b,
        key: 'big',
        contentType: 'x',
        metadata: {},
        createdAt: 1,
      });
      await s.objects.putPart({ uploadId: `u-${b}`, partNumber: 2, size: 1, etag: 'p2', sha256: 's2' });
      await s.objects.putPart({ uploadId: `u-${b}`, partNumber: 1, size: 1, etag: 'p1', sha256: 's1' });
      await s.objects.putPart({ uploadId: `u-${b}`, partNumber: 1, size: 2, etag: 'p1b', sha256: 's1b' });
      assert.deepEqual(
        (await s.objects.listParts(`u-${b}`)).map((p) => [p.partNumber, p.etag]),
        [
          [1, 'p1b'],
          [2, 'p2'],
        ],
      );
      await s.objects.deleteUpload(`u-${b}`);
      assert.equal(await s.objects.getUpload(`u-${b}`), undefined);
      const n = {
        bucket: b,
        id: 'n1',
        functionName: 'thumb',
        events: ['s3:ObjectCreated:*'],
        prefix: 'photos/',
        suffix: '.png',
        origin: 'manifest' as const,
      };
      await s.objects.putNotifications(b, 'manifest', [n]);
      assert.deepEqual(await s.objects.listNotifications(b), [n]);
      // Another tenant's function of the same name, on that tenant's bucket, keeps its own.
      const other = `other~${b}`;
      await s.objects.createBucket({ tenant: 'other', name: other, createdAt: 1 });
      await s.objects.putNotifications(other, 'manifest', [{ ...n, bucket: other }]);
      assert.equal(await s.objects.deleteNotificationsFor(T, 'thumb', 'manifest'), 1);
      assert.deepEqual(await s.objects.listNotifications(b), []);
      assert.deepEqual(await s.objects.listNotifications(other), [{ ...n, bucket: other }]);
      assert.equal(await s.objects.deleteNotificationsFor('other', 'thumb'), 1);
      assert.equal(await s.objects.deleteBucket(other), true);
      await s.outbox.add([
        { tenant: T, item: 'a' },
        { tenant: T, item: 'b' },
      ]);
      const got = await s.outbox.take(10);
      assert.deepEqual(got.map((x) => x.item).slice(-2), ['a', 'b']);
      await s.outbox.delete(got.map((x) => x.seq));
      assert.deepEqual(await s.outbox.take(10), []);
      for (const x of await s.objects.listObjects(b, { limit: 10 })) await s.objects.deleteObject(b, x.key);
      assert.equal(await s.objects.deleteBucket(b), true);
    });

    it('stores inbound webhooks by id', async () => {
      const w = {
        tenant: T,
        id: 'gh-push',
        topic: 'repo-events',
        verification: 'github' as const,
        secretCiphertext: 'v1.x.y.z',
        header: undefined,
        toleranceSec: 300,
        description: '',
        createdAt: 4,
      };
      await s.webhooks.create(w);
      await assert.rejects(s.webhooks.create(w), isCode('NIMBUS_ERR_CORE_CONFLICT'));
      assert.deepEqual(await s.webhooks.get('gh-push'), w);
      assert.deepEqual(
        (await s.webhooks.list(T)).map((x) => x.id),
        ['gh-push'],
      );
      assert.equal(await s.webhooks.delete('other-tenant', 'gh-push'), false);
      assert.equal(await s.webhooks.delete(T, 'gh-push'), true);
      assert.equal(await s.webhooks.get('gh-push'), undefined);
    });

    it('upserts, reads, lists and deletes settings', async () => {
      assert.equal(await s.settings.get(T, 'gateway.cors'), undefined);
      await s.settings.put(T, 'gateway.cors', { allowOrigins: ['*'] });
      await s.settings.put(T, 'gateway.cors', { allowOrigins: ['https://a.example'], maxAge: 60 });
      await s.settings.put('other', 'gateway.cors', { allowOrigins: [] });
      assert.deepEqual(await s.settings.get(T, 'gateway.cors'), {
        allowOrigins: ['https://a.example'],
        maxAge: 60,
      });
      assert.equal((await s.settings.listKey('gateway.cors')).length, 2);
      assert.equal(await s.settings.delete(T, 'gateway.cors'), true);
      assert.equal(await s.settings.delete(T, 'gateway.cors'), false);
    });

    it('updates a setting atomically: concurrent changes all land; a throw changes nothing', async () => {
      const key = 'test.counter';
      const add = () => s.settings.update<{ n: number }>(T, key, (c) => ({ n: (c?.n ?? 0) + 1 }));
      await Promise.all(Array.from({ length: 20 }, add));
      assert.deepEqual(await s.settings.get(T, key), { n: 20 });
      const same = await s.settings.update<{ n: number }>(T, key, (c) => c);
      assert.deepEqual(same, { n: 20 });
      await assert.rejects(
        s.settings.update(T, key, () => {
          throw new Error('no');
        }),
        /no/,
      );
      assert.deepEqual(await s.settings.get(T, key), { n: 20 });
      assert.equal(await s.settings.update(T, key, () => undefined), undefined);
      assert.equal(await s.settings.get(T, key), undefined);
    });

    it('records usage and summarizes it', async () => {
      const u = {
        tenant: T,
        requestId: 'u1',
        functionName: 'f',
        version: '$LATEST',
        startedAt: 10,
        durationMs: 1.5,
        billedDurationMs: 2,
        memoryMb: 1024,
        maxRssBytes: 40_000_000,
        gbSeconds: 0.002,
        initDurationMs: 30.5,
        outcome: 'success' as const,
        attempt: 1,
        costUsd: 0.0000002333,
      };
      await s.usage.record(u);
      await s.usage.record({
        ...u,
        requestId: 'u2',
        startedAt: 20,
        initDurationMs: undefined,
        outcome: 'timeout',
      });
      const list = await s.usage.list({ tenant: T, functionName: 'f' });
      assert.deepEqual(
        list.map((r) => r.requestId),
        ['u2', 'u1'],
      );
      assert.deepEqual(list[1], u);
      const sum = await s.usage.summary({ tenant: T, functionName: 'f' });
      assert.equal(sum.invocations, 2);
      assert.equal(sum.coldStarts, 1);
      assert.equal(sum.errors, 1);
      assert.equal(sum.billedDurationMs, 4);
      assert.ok(Math.abs(sum.gbSeconds - 0.004) < 1e-9);
      assert.ok(Math.abs(sum.costUsd - 0.0000004666) < 1e-15);
      const empty = await s.usage.summary({ tenant: 'none' });
      assert.equal(empty.invocations, 0);
      assert.equal(empty.gbSeconds, 0);
      assert.equal(empty.costUsd, 0);
    });

    it('keeps one usage row per attempt, and aggregates cost per function, minute, hour, day, month and tenant', async () => {
      // A tenant of its own: other tests write usage rows with today's timestamps.
      const B = 'billing';
      const day = Date.UTC(2026, 11, 7, 10);
      const base = {
        tenant: B,
        requestId: 'a1',
        functionName: 'g',
        version: '1',
        startedAt: day,
        durationMs: 10,
        billedDurationMs: 10,
        memoryMb: 128,
        maxRssBytes: 1,
        gbSeconds: 0.00125,
        outcome: 'error' as const,
        costUsd: 0.25,
      };
      // A retried async invocation: same request id, attempts 1 and 2; a repeated write is one row.
      await s.usage.recordMany([
        { ...base, attempt: 1 },
        { ...base, attempt: 2, outcome: 'success' },
        { ...base, attempt: 2, outcome: 'success' },
        { ...base, requestId: 'a2', functionName: 'h', startedAt: day + 86_400_000, costUsd: 0.5 },
        { ...base, requestId: 'a3', startedAt: Date.UTC(2027, 0, 2), costUsd: 1 },
        { ...base, tenant: 'billing2', requestId: 'a4', costUsd: 8 },
      ]);
      assert.equal(
        (await s.usage.list({ tenant: B, functionName: 'g', since: day, until: day + 1 })).length,
        2,
      );
      const byFn = await s.usage.aggregate({ tenant: B, since: day }, 'function');
      assert.deepEqual(
        byFn.map((g) => [g.key, g.invocations, g.errors, g.costUsd]),
        [
          ['g', 3, 2, 1.5],
          ['h', 1, 1, 0.5],
        ],
      );
      const byDay = await s.usage.aggregate({ tenant: B, since: day }, 'day');
      assert.deepEqual(
        byDay.map((g) => [g.key, g.invocations]),
        [
          ['2026-12-07', 2],
          ['2026-12-08', 1],
          ['2027-01-02', 1],
        ],
      );
      const byHour = await s.usage.aggregate({ tenant: B, since: day, until: day + 86_400_001 }, 'hour');
      assert.deepEqual(
        byHour.map((g) => [g.key, g.invocations]),
        [
          ['2026-12-07T10', 2],
          ['2026-12-08T10', 1],
        ],
      );
      const byMinute = await s.usage.aggregate({ tenant: B, since: day, until: day + 1 }, 'minute');
      assert.deepEqual(
        byMinute.map((g) => [g.key, g.costUsd]),
        [['2026-12-07T10:00', 0.5]],
      );
      const byMonth = await s.usage.aggregate({ tenant: B, since: day }, 'month');
      assert.deepEqual(
        byMonth.map((g) => [g.key, g.costUsd]),
        [
          ['2026-12', 1],
          ['2027-01', 1],
        ],
      );
      const byTenant = await s.usage.aggregate({ tenant: B, since: day, allTenants: true }, 'tenant');
      assert.deepEqual(
        byTenant.filter((g) => g.key.startsWith('billing')).map((g) => [g.key, g.costUsd]),
        [
          [B, 2],
          ['billing2', 8],
        ],
      );
      assert.equal(await s.usage.costSince(B, undefined, day), 2);
      assert.equal(await s.usage.costSince(B, 'g', day), 1.5);
      assert.equal(await s.usage.costSince(B, 'g', day + 1), 1);
    });

    it('stores budgets per tenant and remembers the thresholds announced', async () => {
      const b = {
        tenant: T,
        name: 'monthly',
        period: { kind: 'monthly' as const },
        anchor: 5,
        limitUsd: 10,
        thresholds: [50, 100],
        action: 'block' as const,
        createdAt: 1,
        updatedAt: 2,
      };
      await s.budgets.put(b);
      await s.budgets.put({
        ...b,
        name: 'weekly-f',
        functionName: 'f',
        period: { kind: 'days', days: 7 },
        action: 'notify',
        topic: 'alerts',
      });
      await s.budgets.put({ ...b, tenant: 'other' });
      assert.deepEqual(await s.budgets.get(T, 'monthly'), {
        ...b,
        functionName: undefined,
        topic: undefined,
        notified: undefined,
      });
      assert.deepEqual(
        (await s.budgets.list(T)).map((x) => [x.name, x.period, x.functionName, x.topic]),
        [
          ['monthly', { kind: 'monthly' }, undefined, undefined],
          ['weekly-f', { kind: 'days', days: 7 }, 'f', 'alerts'],
        ],
      );
      assert.equal((await s.budgets.listAll()).length, 3);
      await s.budgets.setNotified(T, 'monthly', 1000, 50);
      assert.deepEqual((await s.budgets.get(T, 'monthly'))?.notified, { periodStart: 1000, pct: 50 });
      // Replacing keeps the key and takes the new values.
      await s.budgets.put({ ...b, limitUsd: 20, updatedAt: 3 });
      assert.equal((await s.budgets.get(T, 'monthly'))?.limitUsd, 20);
      assert.equal(await s.budgets.delete(T, 'monthly'), true);
      assert.equal(await s.budgets.delete(T, 'monthly'), false);
      assert.equal(await s.budgets.get(T, 'monthly'), undefined);
    });
  });
}
