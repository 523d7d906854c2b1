/**
 * Cluster mode on this machine: three real `nimbus start --cluster` processes on PostgreSQL and
 * NATS JetStream. What one node is told, every node does: deploys, code updates, routes, async
 * invocations, topics and buckets work from any node; a node without a role refuses its traffic.
 * In CI a missing PostgreSQL or NATS fails this file; elsewhere it is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { zipFiles } from '../src/registry/build/index.ts';
import { isPostgresReachable } from '../src/store/postgres/reachable.ts';
import { waitUntil } from './helpers.ts';
import {
  CLUSTER_KEY_ID,
  CLUSTER_SECRET,
  isNatsReachable,
  type LocalCluster,
  startLocalCluster,
} from './support/cluster.ts';

const code = (body: string) =>
  Buffer.from(zipFiles({ 'index.mjs': new TextEncoder().encode(body) })).toString('base64');

describe('cluster of three nodes', { timeout: 300_000 }, async () => {
  const ready = (await isPostgresReachable()) && (await isNatsReachable());
  if (!ready) {
    it(
      'needs PostgreSQL and NATS',
      { skip: process.env.CI === 'true' ? false : 'PostgreSQL or NATS not reachable' },
      () => assert.fail('PostgreSQL and NATS JetStream must be reachable in CI'),
    );
    return;
  }
  let c: LocalCluster;
  before(async () => {
    // Node 2 is a worker only: no gateway, no control plane.
    c = await startLocalCluster({ nodes: 3, roles: [undefined, undefined, 'worker'] });
  });
  after(() => c?.stop());

  it('every node is healthy and says it is a cluster node', async () => {
    for (const n of c.nodes) {
      const r = await fetch(`${n.api}/healthz`);
      assert.equal(r.status, 200);
      const b = (await r.json()) as { ok: boolean; checks: Record<string, string> };
      assert.deepEqual(b.checks, { store: 'ok', nats: 'ok' });
      assert.deepEqual(await (await fetch(`${n.api}/healthz?live=1`)).json(), { ok: true, live: true });
    }
  });

  it('a function deployed through one node runs on the others, and an update reaches them', async () => {
    const dep = await c.json(0, 'PUT', '/v1/functions/hello', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: code('export const handler = async (e) => ({ v: 1, n: e.n });') },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    const r1 = await c.json<{ result: { v: number; n: number } }>(1, 'POST', '/v1/functions/hello/invoke', {
      n: 7,
    });
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.deepEqual(r1.body.result, { v: 1, n: 7 });
    // Node 1 now has the function cached and a warm instance; the update is made on node 0.
    const up = await c.json(0, 'PUT', '/v1/functions/hello', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: code('export const handler = async (e) => ({ v: 2, n: e.n });') },
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    await waitUntil(
      'the update on node 1',
      async () => {
        const r = await c.json<{ result: { v: number } }>(1, 'POST', '/v1/functions/hello/invoke', { n: 1 });
        return r.body.result?.v === 2;
      },
      10_000,
    );
  });

  it('a sync invocation goes to the node with a warm instance instead of cold-starting', async () => {
    const dep = await c.json(0, 'PUT', '/v1/functions/sticky', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: {
        zipBase64: code(
          'const id = Math.random().toString(36); export const handler = async () => ({ id });',
        ),
      },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    const first = await c.json<{ result: { id: string } }>(0, 'POST', '/v1/functions/sticky/invoke', {});
    assert.equal(first.status, 200, JSON.stringify(first.body));
    type Status = {
      functions: { functionName: string; warm: number; busy: number }[];
      cluster: { nodes: { id: string; load: { warm: string[] } }[]; leader: { holder: string } | null };
    };
    // Node 1 learns from node 0's heartbeat (every 5 s) that node 0 keeps one warm.
    await waitUntil(
      'node 0 to advertise its warm instance',
      async () => {
        const st = await c.json<Status>(1, 'GET', '/v1/status');
        return st.body.cluster.nodes.some((n) => n.id === 'node0' && n.load.warm.includes('default/sticky'));
      },
      15_000,
    );
    const again = await c.json<{ result: { id: string } }>(1, 'POST', '/v1/functions/sticky/invoke', {});
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.result.id, first.body.result.id, 'the same instance answered');
    const here = await c.json<Status>(1, 'GET', '/v1/status');
    assert.equal(
      here.body.functions.find((f) => f.functionName === 'sticky'),
      undefined,
      'no instance on node 1',
    );
    assert.ok(here.body.cluster.leader?.holder, 'a leader holds the scheduler lease');
    // Live metrics (`nimbus top`) from node 1 include node 0's instance and its calls.
    const live = await c.json<{
      nodes: number;
      functions: { function: string; warm: number; busy: number }[];
    }>(1, 'GET', '/v1/metrics/live?window=10');
    assert.equal(live.status, 200, JSON.stringify(live.body));
    assert.equal(live.body.nodes, 3);
    const sticky = live.body.functions.find((f) => f.function === 'sticky');
    assert.ok(sticky && sticky.warm + sticky.busy >= 1, JSON.stringify(live.body.functions));
  });

  it('a concurrency limit holds cluster-wide: each node admits its share, a throttled call spills', async () => {
    const dep = await c.json(0, 'PUT', '/v1/functions/slow', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      timeoutSec: 20,
      reservedConcurrency: 2,
      code: {
        zipBase64: code(
          'export const handler = async () => { const t0 = Date.now(); await new Promise((r) => setTimeout(r, 2500)); return { t0, t1: Date.now() }; };',
        ),
      },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    // Six at once, all to node 1: 3 nodes × ⌈2/3⌉ = at most 3 run at a time in the cluster.
    const rs = await Promise.all(
      Array.from({ length: 6 }, () =>
        c.json<{ result?: { t0: number; t1: number }; error?: { code: string } }>(
          1,
          'POST',
          '/v1/functions/slow/invoke',
          {},
        ),
      ),
    );
    const ran = rs.filter((r) => r.status === 200).map((r) => r.body.result!);
    for (const r of rs)
      if (r.status !== 200) assert.match(r.body.error?.code ?? '', /THROTTLED/, JSON.stringify(r.body));
    let peak = 0;
    for (const a of ran) peak = Math.max(peak, ran.filter((b) => b.t0 < a.t1 && a.t0 < b.t1).length);
    assert.ok(peak <= 3, `at most 3 at once in the cluster, saw ${peak}`);
    assert.ok(peak >= 2, `a throttled call spilled to another node (peak ${peak})`);
  });

  it("a budget's spend is the cluster's on every node within seconds, and its cap blocks on every node", async () => {
    const dep = await c.json(0, 'PUT', '/v1/functions/spender', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: code('export const handler = async () => ({ ok: true });') },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    const put = (limitUsd: number) =>
      c.json(0, 'PUT', '/v1/budgets/spender-cap', { limitUsd, function: 'spender', period: { days: 1 } });
    assert.equal((await put(100)).status, 200);
    type Status = { budget: { spentUsd: number; blocking: boolean } };
    const spent = async (n: number) =>
      (await c.json<Status>(n, 'GET', '/v1/budgets/spender-cap')).body.budget;
    // Both nodes have the budget (the change feed reloads node 1) before anything is spent.
    await waitUntil(
      'the budget on node 1',
      async () => (await c.json(1, 'GET', '/v1/budgets/spender-cap')).status === 200,
    );
    for (let i = 0; i < 6; i++)
      for (const n of [0, 1])
        assert.equal((await c.json(n, 'POST', '/v1/functions/spender/invoke', {})).status, 200);
    // Whichever nodes ran them, both count all 12 within a few seconds (deltas every second; the
    // slow reload that would also get there comes only every 60 s).
    const t0 = Date.now();
    let seen: number[] = [];
    await waitUntil(
      'both nodes to count the same spend',
      async () => {
        seen = [(await spent(0)).spentUsd, (await spent(1)).spentUsd];
        return seen[0]! > 0 && Math.abs(seen[0]! - seen[1]!) < 1e-12;
      },
      8000,
    );
    console.log(`# budget spend on both nodes after ${Date.now() - t0} ms: ${JSON.stringify(seen)}`);
    // A cap below it now blocks on both nodes (the change reloads them; the deltas keep them level).
    assert.equal((await put(seen[0]! / 2)).status, 200);
    await waitUntil('node 1 to refuse', async () => {
      const r = await c.json<{ error?: { code: string } }>(1, 'POST', '/v1/functions/spender/invoke', {});
      return r.status === 429 && r.body.error?.code === 'NIMBUS_ERR_BUDGET_EXCEEDED';
    });
    const r0 = await c.json<{ error?: { code: string } }>(0, 'POST', '/v1/functions/spender/invoke', {});
    assert.equal(r0.status, 429, JSON.stringify(r0.body));
  });

  it('a route added through one node is served by the gateway of another', async () => {
    const fn = await c.json(0, 'PUT', '/v1/functions/web', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: {
        zipBase64: code(
          'export const handler = async (e) => ({ statusCode: 200, body: "hi " + e.rawPath });',
        ),
      },
    });
    assert.equal(fn.status, 201, JSON.stringify(fn.body));
    const rt = await c.json(0, 'POST', '/v1/routes', { function: 'web', routeKey: 'GET /hi' });
    assert.equal(rt.status, 201, JSON.stringify(rt.body));
    await waitUntil(
      'the route on the gateway of node 1',
      async () => {
        const r = await fetch(`${c.nodes[1]!.gateway}/hi`);
        return r.status === 200 && (await r.text()) === 'hi /hi';
      },
      10_000,
    );
  });

  it('async invocations submitted on one node complete and are visible from another', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await c.json<{ id: string }>(i % 2, 'POST', '/v1/functions/hello/invoke-async', {
        n: i,
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    for (const id of ids)
      await waitUntil(
        `invocation ${id} to succeed`,
        async () => {
          const r = await c.json<{ status: string }>(1, 'GET', `/v1/invocations/${id}`);
          return r.body.status === 'succeeded';
        },
        30_000,
      );
  });

  it('a timer set through one node fires once, on whichever worker is free', async () => {
    const t = await c.json<{ id: string }>(1, 'POST', '/v1/timers', {
      target: 'hello',
      delaySeconds: 2,
      payload: { n: 77 },
    });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const done = await waitUntil(
      'the timer to fire',
      async () => {
        const r = await c.json<{ status: string; attempts?: number }>(
          0,
          'GET',
          `/v1/invocations/${t.body.id}`,
        );
        return r.body.status === 'succeeded' ? r.body : undefined;
      },
      20_000,
    );
    assert.equal(done.status, 'succeeded');
  });

  it('an event published on one node reaches a subscriber deployed through another', async () => {
    assert.equal((await c.json(0, 'PUT', '/v1/topics/orders', {})).status < 300, true);
    const s = await c.json(0, 'POST', '/v1/topics/orders/subscriptions', {
      target: { function: 'hello' },
      pattern: { type: ['order.created'] },
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const before = await c.json<{ lines: unknown[] }>(1, 'GET', '/v1/functions/hello/logs?limit=1000');
    const pub = await fetch(`${c.nodes[1]!.api}/v1/topics/orders/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLUSTER_SECRET}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: 'e1',
        source: 'test',
        type: 'order.created',
        data: { n: 99 },
      }),
    });
    assert.equal(pub.status, 202, await pub.text());
    await waitUntil(
      'the invocation of the event',
      async () => {
        const r = await c.json<{ lines: unknown[] }>(0, 'GET', '/v1/functions/hello/logs?limit=1000');
        return r.body.lines.length > before.body.lines.length;
      },
      30_000,
    );
  });

  it('workflow executions started on any node run to their end, sync ones included', async () => {
    const put = await c.json(0, 'PUT', '/v1/workflows/flow', {
      type: 'EXPRESS',
      definition: {
        StartAt: 'A',
        States: {
          A: { Type: 'Task', Resource: 'hello', Next: 'B' },
          B: { Type: 'Task', Resource: 'hello', End: true },
        },
      },
    });
    assert.ok(put.status < 300, JSON.stringify(put.body));
    // Each step is a queued message any worker (node 2 included) may run.
    for (let i = 0; i < 4; i++) {
      const r = await c.json<{ status: string; output: unknown }>(
        i % 2,
        'POST',
        '/v1/workflows/flow/executions?sync=1',
        { input: { n: i } },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'SUCCEEDED', JSON.stringify(r.body));
      assert.deepEqual(r.body.output, { v: 2, n: i });
    }
  });

  it('bucket objects written through one node are read through another (AWS SDK)', async () => {
    const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } = await import(
      '@aws-sdk/client-s3'
    );
    const s3 = (node: number) =>
      new S3Client({
        endpoint: c.nodes[node]!.s3,
        region: 'local-1',
        forcePathStyle: true,
        credentials: { accessKeyId: CLUSTER_KEY_ID, secretAccessKey: CLUSTER_SECRET },
      });
    await s3(0).send(new CreateBucketCommand({ Bucket: 'cluster-bkt' }));
    const body = 'x'.repeat(300_000);
    await s3(0).send(new PutObjectCommand({ Bucket: 'cluster-bkt', Key: 'a/b.txt', Body: body }));
    const got = await s3(1).send(new GetObjectCommand({ Bucket: 'cluster-bkt', Key: 'a/b.txt' }));
    assert.equal(await got.Body?.transformToString(), body);
  });

  it('the Lambda and SQS APIs work across nodes through the AWS SDK (a send wakes a long poll elsewhere)', async () => {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    const { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } = await import(
      '@aws-sdk/client-sqs'
    );
    const cfg = (node: number) => ({
      endpoint: c.nodes[node]!.api,
      region: 'local-1',
      credentials: { accessKeyId: CLUSTER_KEY_ID, secretAccessKey: CLUSTER_SECRET },
      maxAttempts: 1,
    });
    const inv = await new LambdaClient(cfg(1)).send(
      new InvokeCommand({ FunctionName: 'hello', Payload: new TextEncoder().encode('{"n":5}') }),
    );
    assert.deepEqual(JSON.parse(new TextDecoder().decode(inv.Payload)), { v: 2, n: 5 });
    const { QueueUrl } = await new SQSClient(cfg(0)).send(new CreateQueueCommand({ QueueName: 'cq' }));
    // Node 0 waits (long poll); node 1 sends: the PostgreSQL NOTIFY wakes node 0's poll.
    const receive = new SQSClient(cfg(0)).send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await new SQSClient(cfg(1)).send(new SendMessageCommand({ QueueUrl, MessageBody: 'across' }));
    const got = await receive;
    assert.equal(got.Messages?.[0]?.Body, 'across');
    assert.ok(Date.now() - t0 < 5000, 'woken by the send, not by the end of the wait');
  });

  it('a worker-only node refuses control-plane requests and has no gateway', async () => {
    const w = c.nodes[2]!;
    const r = await fetch(`${w.api}/v1/functions`, {
      headers: { authorization: `Bearer ${CLUSTER_SECRET}` },
    });
    assert.equal(r.status, 421);
    const b = (await r.json()) as { error: { code: string } };
    assert.equal(b.error.code, 'NIMBUS_ERR_CLUSTER_NOT_THIS_ROLE');
    await assert.rejects(fetch(`${w.gateway}/hi`));
    assert.equal((await fetch(`${w.api}/metrics`)).status < 500, true);
  });
});
