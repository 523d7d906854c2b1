/**
 * Durable async invocations end to end on a real platform: 202 after commit, status, idempotency,
 * retries (fast policy), non-retriable / retry-after errors, timeouts, dead letters with replay and
 * purge, destinations (function + webhook), loop protection, admission control, timers, the
 * context client and the Lambda SDK (InvocationType Event, EventInvokeConfig).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

type View = {
  id: string;
  status: string;
  attempts: number;
  failures: number;
  result?: unknown;
  error?: Record<string, unknown>;
  hop: number;
};

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('async invocations (e2e)', () => {
  let p: TestPlatform;
  const hooks: { body: Record<string, unknown>; headers: Record<string, unknown> }[] = [];
  const hook = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => {
      b += c;
    });
    req.on('end', () => {
      hooks.push({ body: JSON.parse(b), headers: req.headers });
      res.end('ok');
    });
  });
  let hookUrl = '';

  const status = async (id: string) => (await p.json<View>('GET', `/v1/invocations/${id}`)).body;
  const settled = (id: string) =>
    waitFor(async () => {
      const v = await status(id);
      return v.status === 'succeeded' || v.status === 'failed' ? v : undefined;
    }, `invocation ${id}`);
  const submit = async (fn: string, payload: unknown, headers: Record<string, string> = {}) => {
    const r = await p.api('POST', `/v1/functions/${fn}/invoke-async`, payload, headers);
    const body = (await r.json()) as { id: string; duplicate: boolean; error?: { code: string } };
    return { ...body, status: r.status, retryAfter: r.headers.get('retry-after'), code: body.error?.code };
  };
  const logsOf = async (fn: string) =>
    (
      (await p.json<{ lines: { message: string }[] }>('GET', `/v1/functions/${fn}/logs?limit=1000`)).body
        .lines ?? []
    )
      .map((l) => l.message)
      .join('\n');
  const deploy = async (name: string, code: string, cfg: Record<string, unknown> = {}) => {
    const dir = await fixture({ 'index.mjs': code });
    const r = await p.deployDir(name, dir, { runtime: 'nodejs22.x', handler: 'index.handler', ...cfg });
    assert.ok(r.status < 300, JSON.stringify(r.body));
  };
  const FAST = { maximumRetryAttempts: 2, retryBaseDelayMs: 20 };

  before(async () => {
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    // The webhook receiver listens on loopback: the administrator opens it for platform calls.
    p = await startTestPlatform({ asyncMaxHops: 4, egressAllowCidrs: '127.0.0.1/32' });
    await deploy(
      'echo',
      'export const handler = async (e, ctx) => ({ got: e, cc: ctx.clientContext ?? null });',
    );
    await deploy(
      'sink',
      'export const handler = async (e) => { console.log("SINK " + JSON.stringify(e)); return 1; };',
    );
    await deploy(
      'flaky',
      `let n = 0; export const handler = async (e) => { n++; if (n < 3) throw new Error('flake ' + n); return { n }; };`,
      { async: { ...FAST, onSuccess: 'sink' } },
    );
    await deploy('broken', `export const handler = async () => { throw new TypeError('always'); };`, {
      async: { ...FAST, onFailure: 'sink' },
    });
  });
  after(async () => {
    await p.stop();
    hook.close();
  });

  it('answers 202 with an id, then runs the function and keeps the result', async () => {
    const r = await submit('echo', { hello: 'world' });
    assert.equal(r.status, 202);
    assert.match(r.id, /^[0-9a-f-]{36}$/);
    const v = await settled(r.id);
    assert.equal(v.status, 'succeeded');
    assert.deepEqual(v.result, { got: { hello: 'world' }, cc: null });
    assert.equal(v.attempts, 1);
    // The invocation id is the Lambda request id in the logs.
    assert.match(await logsOf('echo'), new RegExp(`START RequestId: ${r.id}`));
  });

  it('dedupes submits with the same Idempotency-Key', async () => {
    const a = await submit('echo', { n: 1 }, { 'idempotency-key': 'order-42' });
    const b = await submit('echo', { n: 2 }, { 'idempotency-key': 'order-42' });
    assert.equal(b.id, a.id);
    assert.equal(b.duplicate, true);
    assert.equal(b.status, 202);
    const v = await settled(a.id);
    assert.deepEqual((v.result as { got: unknown }).got, { n: 1 });
  });

  it('rejects bad submits with coded errors and queues nothing', async () => {
    assert.equal((await submit('nope', {})).code, 'NIMBUS_ERR_CORE_NOT_FOUND');
    const bad = await p.api('POST', '/v1/functions/echo/invoke-async', '{"x":');
    assert.equal(bad.status, 400);
    assert.equal(
      ((await bad.json()) as { error: { code: string } }).error.code,
      'NIMBUS_ERR_CORE_MALFORMED_JSON',
    );
    const big = await submit('echo', { s: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal(big.status, 413);
    assert.equal(big.code, 'NIMBUS_ERR_ASYNC_PAYLOAD_TOO_LARGE');
    const missing = await p.json('GET', '/v1/invocations/00000000-0000-0000-0000-000000000000');
    assert.equal(missing.status, 404);
  });

  it('retries failures with backoff, then succeeds and sends the on-success record', async () => {
    const r = await submit('flaky', { order: 7 });
    const v = await settled(r.id);
    assert.equal(v.status, 'succeeded');
    assert.equal(v.attempts, 3);
    assert.equal(v.failures, 2);
    assert.deepEqual(v.result, { n: 3 });
    const log = await waitFor(async () => {
      const l = await logsOf('sink');
      return l.includes(r.id) ? l : undefined;
    }, 'on-success destination');
    const line = log.split('\n').find((l) => l.includes(r.id))!;
    const rec = JSON.parse(line.slice(line.indexOf('SINK ') + 5));
    assert.equal(rec.version, '1.0');
    assert.equal(rec.requestContext.condition, 'Success');
    assert.equal(rec.requestContext.requestId, r.id);
    assert.equal(rec.requestContext.approximateInvokeCount, 3);
    assert.match(rec.requestContext.functionArn, /:function:flaky:\$LATEST$/);
    assert.deepEqual(rec.requestPayload, { order: 7 });
    assert.deepEqual(rec.responsePayload, { n: 3 });
    assert.equal(rec.responseContext.statusCode, 200);
  });

  it('dead-letters after the retries, sends the on-failure record, replays and purges', async () => {
    const r = await submit('broken', { k: 1 });
    const v = await settled(r.id);
    assert.equal(v.status, 'failed');
    assert.equal(v.attempts, 3, 'first attempt + 2 retries');
    assert.equal(v.error?.reason, 'RetriesExhausted');
    assert.equal(v.error?.errorType, 'TypeError');
    const log = await waitFor(async () => {
      const l = await logsOf('sink');
      return l.includes(`"requestId":"${r.id}"`) && l.includes('RetriesExhausted') ? l : undefined;
    }, 'on-failure destination');
    const line = log.split('\n').find((l) => l.includes(`"requestId":"${r.id}"`))!;
    const rec = JSON.parse(line.slice(line.indexOf('SINK ') + 5));
    assert.equal(rec.responseContext.functionError, 'Unhandled');
    assert.equal(rec.responsePayload.errorType, 'TypeError');

    const dlq = await p.json<{ deadLetters: View[] }>('GET', '/v1/queues/dlq?function=broken');
    assert.ok(dlq.body.deadLetters.some((d) => d.id === r.id));
    assert.equal((await p.json('GET', `/v1/queues/dlq/${r.id}`)).status, 200);
    // Fix the function, replay the dead letter: it runs again and succeeds.
    await deploy('broken', 'export const handler = async (e) => ({ fixed: e });', { async: FAST });
    const rep = await p.json<{ replayed: number }>('POST', '/v1/queues/dlq/replay', { ids: [r.id] });
    assert.equal(rep.body.replayed, 1);
    const again = await settled(r.id);
    assert.equal(again.status, 'succeeded');
    assert.deepEqual(again.result, { fixed: { k: 1 } });
    // Purge needs a selector.
    assert.equal((await p.json('POST', '/v1/queues/dlq/purge', {})).status, 400);
    await deploy('broken', `export const handler = async () => { throw new Error('x'); };`, {
      async: { maximumRetryAttempts: 0 },
    });
    const r2 = await submit('broken', {});
    assert.equal((await settled(r2.id)).status, 'failed');
    const pur = await p.json<{ purged: number }>('POST', '/v1/queues/dlq/purge', { function: 'broken' });
    assert.ok(pur.body.purged >= 1);
    assert.equal((await p.json('GET', `/v1/invocations/${r2.id}`)).status, 404);
  });

  it('honours NonRetriableError, RetryAfterError and the returned markers from @nimbus/sdk', async () => {
    await deploy(
      'sdkerr',
      `import { NonRetriableError, RetryAfterError, retryAfter, nonRetriable } from '@nimbus/sdk';
       const seen = {};
       export const handler = async (e) => {
         seen[e.k] = (seen[e.k] ?? 0) + 1;
         if (e.mode === 'nonretriable') throw new NonRetriableError('bad input');
         if (e.mode === 'return-nonretriable') return nonRetriable('no');
         if (e.mode === 'retryafter' && seen[e.k] < 3) throw new RetryAfterError(30);
         if (e.mode === 'return-retryafter' && seen[e.k] < 2) return retryAfter(10);
         return { tries: seen[e.k] };
       };`,
      { async: { maximumRetryAttempts: 1, retryBaseDelayMs: 20 } },
    );
    const nr = await settled((await submit('sdkerr', { k: 'a', mode: 'nonretriable' })).id);
    assert.equal(nr.status, 'failed');
    assert.equal(nr.attempts, 1);
    assert.equal(nr.error?.reason, 'NonRetriable');
    const nr2 = await settled((await submit('sdkerr', { k: 'b', mode: 'return-nonretriable' })).id);
    assert.equal(nr2.error?.reason, 'NonRetriable');
    // Two retry-afters with maximumRetryAttempts 1: they do not use up retries.
    const ra = await settled((await submit('sdkerr', { k: 'c', mode: 'retryafter' })).id);
    assert.equal(ra.status, 'succeeded');
    assert.deepEqual(ra.result, { tries: 3 });
    const ra2 = await settled((await submit('sdkerr', { k: 'd', mode: 'return-retryafter' })).id);
    assert.deepEqual(ra2.result, { tries: 2 });
  });

  it('counts timeouts as failures', async () => {
    await deploy('slow', 'export const handler = () => new Promise(() => {});', {
      timeoutSec: 1,
      async: { maximumRetryAttempts: 1, retryBaseDelayMs: 10 },
    });
    const v = await settled((await submit('slow', {})).id);
    assert.equal(v.status, 'failed');
    assert.equal(v.attempts, 2);
    assert.equal(v.error?.failure, 'timeout');
    assert.equal(v.error?.errorCode, 'NIMBUS_ERR_RUNTIME_TIMEOUT');
  });

  it('delivers destination records to a webhook', async () => {
    await deploy('hooked', 'export const handler = async (e) => ({ ok: e.v });', {
      async: { onSuccess: hookUrl },
    });
    const r = await submit('hooked', { v: 9 });
    const got = await waitFor(
      async () => hooks.find((h) => (h.body.requestContext as { requestId: string }).requestId === r.id),
      'webhook',
    );
    assert.deepEqual(got.body.responsePayload, { ok: 9 });
    assert.ok(got.headers['x-nimbus-delivery']);
  });

  it('stops A → A loops at the hop limit with a coded reason', async () => {
    await deploy('looper', 'export const handler = async (e) => e;', { async: { onSuccess: 'looper' } });
    const r = await submit('looper', { start: true });
    await settled(r.id);
    const dead = await waitFor(async () => {
      const d = (await p.json<{ deadLetters: View[] }>('GET', '/v1/queues/dlq?function=looper')).body
        .deadLetters;
      return d.length > 0 ? d : undefined;
    }, 'loop dead letter');
    assert.equal(dead[0]?.error?.reason, 'LoopDetected');
    assert.equal(dead[0]?.hop, 5);
  });

  it('refuses submits beyond the queue depth with 429 and Retry-After', async () => {
    await deploy('bounded', 'export const handler = async () => 1;', { async: { maxQueueDepth: 2 } });
    for (let i = 0; i < 2; i++) {
      const t = await p.json('POST', '/v1/timers', { target: 'bounded', delaySeconds: 3600 });
      assert.equal(t.status, 201);
    }
    const r = await submit('bounded', {});
    assert.equal(r.status, 429);
    assert.equal(r.code, 'NIMBUS_ERR_ASYNC_QUEUE_FULL');
    assert.ok(Number(r.retryAfter) >= 1);
    const q = await p.json<{ queues: { functionName: string; delayed: number }[] }>('GET', '/v1/queues');
    assert.equal(q.body.queues.find((x) => x.functionName === 'bounded')?.delayed, 2);
  });

  it('schedules, lists and cancels timers', async () => {
    const t = await p.json<{ id: string; fireAt: string }>('POST', '/v1/timers', {
      target: { function: 'echo' },
      delaySeconds: 0.2,
      payload: { timer: 1 },
    });
    assert.equal(t.status, 201);
    const far = await p.json<{ id: string }>('POST', '/v1/timers', {
      target: 'echo',
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const list = await p.json<{ timers: View[] }>('GET', '/v1/timers?function=echo');
    assert.ok(list.body.timers.some((x) => x.id === far.body.id && x.status === 'scheduled'));
    assert.equal((await p.api('DELETE', `/v1/timers/${far.body.id}`)).status, 204);
    assert.equal((await p.api('DELETE', `/v1/timers/${far.body.id}`)).status, 404);
    const v = await settled(t.body.id);
    assert.deepEqual((v.result as { got: unknown }).got, { timer: 1 });
    assert.equal((await p.api('DELETE', `/v1/timers/${t.body.id}`)).status, 409, 'already ran');
    const bad = await p.json<{ code: string }>('POST', '/v1/timers', {
      target: 'echo',
      at: 1,
      delaySeconds: 1,
    });
    assert.equal(
      (bad.body as unknown as { error: { code: string } }).error.code,
      'NIMBUS_ERR_ASYNC_BAD_TIMER',
    );
  });

  it('gives functions a context client: async invoke, timers, loop guard', async () => {
    // The context client acts for the function: its execution role decides (default: nothing).
    assert.equal(
      (
        await p.api('PUT', '/v1/roles/caller-role', {
          policies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: [
                    'lambda:InvokeFunction',
                    'nimbus:CreateTimer',
                    'nimbus:DeleteTimer',
                    'nimbus:PublishEvents',
                  ],
                  Resource: '*',
                },
              ],
            },
          ],
        })
      ).status,
      200,
    );
    await deploy(
      'no-role',
      `import { nimbus } from '@nimbus/sdk';
       export const handler = async (e, context) => nimbus(context).invoke('echo', {}).then(() => 'invoked', (err) => err.code);`,
    );
    const denied = await p.json<{ result: string }>('POST', '/v1/functions/no-role/invoke', {});
    assert.equal(denied.body.result, 'NIMBUS_ERR_CORE_FORBIDDEN', 'the default role may not invoke');
    await deploy(
      'caller',
      `import { nimbus } from '@nimbus/sdk';
       export const handler = async (e, context) => {
         const c = nimbus(context);
         if (e.mode === 'recurse') return c.invoke('caller', { mode: 'recurse' }).then((r) => r, (err) => ({ code: err.code }));
         const a = await c.invoke('echo', { from: 'caller' });
         const t = await c.timers.schedule({ target: 'echo', delaySeconds: 3600, payload: { later: true } });
         await c.timers.cancel(t.id);
         let pub; try { await c.publish('t', {}); } catch (err) { pub = err.code; }
         return { a: a.id, t: t.id, pub };
       };`,
      { role: 'caller-role' },
    );
    const r = await p.json<{ a: string; t: string; pub: string }>('POST', '/v1/functions/caller/invoke', {});
    const res = (r.body as unknown as { result: { a: string; t: string; pub: string } }).result;
    const child = await settled(res.a);
    assert.deepEqual((child.result as { got: unknown }).got, { from: 'caller' });
    assert.equal(child.hop, 1);
    assert.equal((await p.json('GET', `/v1/timers/${res.t}`)).status, 404, 'cancelled timer is gone');
    assert.equal(res.pub, 'NIMBUS_ERR_EVENTS_TOPIC_NOT_FOUND', 'publishing to a topic that does not exist');
    // A function that keeps invoking itself is stopped by the hop limit (4 here).
    const first = await submit('caller', { mode: 'recurse' });
    const chain: View[] = [await settled(first.id)];
    for (;;) {
      const last = chain.at(-1)!.result as { id?: string; code?: string };
      if (!last.id) {
        assert.equal(last.code, 'NIMBUS_ERR_ASYNC_LOOP_DETECTED');
        break;
      }
      chain.push(await settled(last.id));
    }
    assert.equal(chain.length, 5, 'hops 0..4 ran, the 5th was refused');
  });

  it('gives Python functions the same context client and error types', async () => {
    const dir = await fixture({
      'app.py': `class NonRetriableError(Exception):
    pass


def handler(event, context):
    if event.get("mode") == "bad":
        raise NonRetriableError("bad input")
    r = context.nimbus.invoke("echo", {"from": "python"})
    t = context.nimbus.timers.schedule("echo", {"x": 1}, delay_seconds=3600)
    context.nimbus.timers.cancel(t["id"])
    try:
        context.nimbus.timers.cancel(t["id"])
    except Exception as e:
        return {"child": r["id"], "second_cancel": e.code}
`,
    });
    const d = await p.deployDir('py', dir, {
      runtime: 'python3.12',
      handler: 'app.handler',
      role: 'caller-role',
      async: { maximumRetryAttempts: 2, retryBaseDelayMs: 10 },
    });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    const r = await p.json<{ result: { child: string; second_cancel: string } }>(
      'POST',
      '/v1/functions/py/invoke',
      {},
    );
    assert.equal(r.body.result.second_cancel, 'NIMBUS_ERR_CORE_NOT_FOUND');
    const child = await settled(r.body.result.child);
    assert.deepEqual((child.result as { got: unknown }).got, { from: 'python' });
    const bad = await settled((await submit('py', { mode: 'bad' })).id);
    assert.equal(bad.error?.reason, 'NonRetriable');
    assert.equal(bad.attempts, 1);
  });

  it('works through the AWS SDK: InvocationType Event, ClientContext, EventInvokeConfig', async () => {
    const client = new LambdaClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    const cc = Buffer.from(JSON.stringify({ custom: { tenant: 'acme' } })).toString('base64');
    const out = await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: Buffer.from('{"sdk":1}'),
        ClientContext: cc,
      }),
    );
    assert.equal(out.StatusCode, 202);
    const id = out.$metadata.requestId!;
    const v = await settled(id);
    assert.deepEqual(v.result, { got: { sdk: 1 }, cc: { custom: { tenant: 'acme' } } });

    const put = await client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'echo',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: {
          OnFailure: { Destination: 'arn:aws:lambda:local-1:000000000000:function:sink' },
        },
      }),
    );
    assert.equal(put.MaximumRetryAttempts, 1);
    const got = await client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'echo' }));
    assert.equal(got.MaximumEventAgeInSeconds, 120);
    assert.equal(
      got.DestinationConfig?.OnFailure?.Destination,
      'arn:aws:lambda:local-1:000000000000:function:sink',
    );
    await assert.rejects(
      client.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: 'echo', MaximumRetryAttempts: 1000 }),
      ),
      /maximumRetryAttempts/,
    );
  });
});
