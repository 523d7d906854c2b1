/**
 * The CloudWatch Logs API in process (Fastify inject) over a real SQLite store: the bounded
 * FilterLogEvents scan (a nextToken with no events when the budget ends), GetLogEvents' token
 * edge cases. The SDK end to end is test/cwlogs-sdk.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { CoreErrors } from '../core/errors.ts';
import type { Store } from '../core/ports.ts';
import type { FunctionRecord, InvocationLog } from '../core/types.ts';
import { policySetFor } from '../security/policy-set.ts';
import { openStore } from '../store/index.ts';
import { installAuth, type Principal } from './auth.ts';
import { installAwsJsonApi } from './aws-json.ts';
import { cwLogsApi } from './cwlogs-api.ts';
import { useRawBodies } from './http.ts';

const BASE = Date.UTC(2026, 11, 7, 10, 0, 0);
const principal: Principal = {
  tenant: 'default',
  accountId: '000000000000',
  keyId: 'AKIATEST',
  arn: 'arn:aws:iam::000000000000:user/AKIATEST',
  kind: 'key',
  policy: policySetFor(['AdministratorAccess']),
};

const invocation = (
  instanceId: string,
  startedAt: number,
  lines: readonly string[],
  functionName = 'big',
): InvocationLog => ({
  usage: {
    tenant: 'default',
    requestId: `r-${instanceId}-${startedAt}`,
    functionName,
    version: '$LATEST',
    startedAt,
    durationMs: 2,
    billedDurationMs: 2,
    memoryMb: 128,
    maxRssBytes: 1048576,
    gbSeconds: 0.0002,
    outcome: 'success',
  },
  instanceId,
  lines: lines.map((message, i) => ({
    tenant: 'default',
    functionName,
    version: '$LATEST',
    requestId: `r-${instanceId}-${startedAt}`,
    ts: startedAt + 1,
    stream: 'stdout' as const,
    message: `${message} ${i}`,
    instanceId,
  })),
});

describe('CloudWatch Logs API (in process, SQLite store)', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  const call = async (op: string, body: object) => {
    const r = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'x-amz-target': `Logs_20140328.${op}`, 'content-type': 'application/x-amz-json-1.1' },
      payload: JSON.stringify(body),
    });
    return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-cwlogs-'));
    store = await openStore({ url: 'sqlite', dataDir: dir });
    await store.logs.appendInvocations([
      invocation('inst_big', BASE, [...Array.from({ length: 2_499 }, () => 'filler'), 'NEEDLE']),
    ]);
    // 20 lines of 100 KB: more than one 1 MB answer holds.
    await store.logs.appendInvocations([
      invocation(
        'inst_wide',
        BASE,
        Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(100_000, 'w')),
        'wide',
      ),
    ]);
    const fns = new Map(
      ['big', 'wide'].map((name) => [
        name,
        { tenant: 'default', name, createdAt: BASE } as unknown as FunctionRecord,
      ]),
    );
    app = Fastify();
    useRawBodies(app, 1 << 20);
    installAuth(app, { authenticate: async () => principal, region: 'local-1' });
    await app.register(async (scope) => {
      const aws = installAwsJsonApi(scope);
      aws.register(
        cwLogsApi({
          // The registry's two reads, over one function (the e2e test uses the real registry).
          registry: {
            listFunctions: async () => [...fns.values()],
            getFunction: async (_t, name) => {
              const fn = fns.get(name);
              if (!fn) throw CoreErrors.NOT_FOUND({ what: `function ${name}` });
              return fn;
            },
          },
          logStreams: store.logStreams,
          flush: async () => {},
          region: 'local-1',
          scanBudget: 1_000,
        }),
      );
    });
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('FilterLogEvents scans at most the budget per call: empty pages with a nextToken, then the match', async () => {
    const pages: { events: unknown[]; nextToken?: string }[] = [];
    let nextToken: string | undefined;
    do {
      const r = await call('FilterLogEvents', {
        logGroupName: '/aws/lambda/big',
        filterPattern: 'NEEDLE',
        ...(nextToken ? { nextToken } : {}),
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const page = r.body as { events: unknown[]; nextToken?: string };
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken && pages.length < 10);
    // 2,503 lines (START, 2,500 lines, END, REPORT) at 1,000 a call.
    assert.deepEqual(
      pages.map((p) => [p.events.length, p.nextToken !== undefined]),
      [
        [0, true],
        [0, true],
        [1, false],
      ],
    );
    const [event] = pages[2]!.events as { message: string; logStreamName: string }[];
    assert.match(event!.message, /\tINFO\tNEEDLE 2499$/);
    assert.equal(event!.logStreamName, '2026/12/07/[$LATEST]inst_big');

    // Streams are chosen by their whole name: another day's name is not this stream.
    const byName = async (name: string) => {
      let found = 0;
      let nextToken: string | undefined;
      do {
        const r = await call('FilterLogEvents', {
          logGroupName: '/aws/lambda/big',
          logStreamNames: [name],
          filterPattern: 'NEEDLE',
          ...(nextToken ? { nextToken } : {}),
        });
        found += (r.body.events as unknown[]).length;
        nextToken = r.body.nextToken as string | undefined;
      } while (nextToken);
      return found;
    };
    assert.equal(await byName('2026/12/07/[$LATEST]inst_big'), 1);
    assert.equal(await byName('2026/12/08/[$LATEST]inst_big'), 0);
  });

  it('GetLogEvents: forward to the end returns the same token; backward from the start too', async () => {
    const stream = { logGroupName: '/aws/lambda/big', logStreamName: '2026/12/07/[$LATEST]inst_big' };
    const head = await call('GetLogEvents', { ...stream, startFromHead: true, limit: 2 });
    const h = head.body as {
      events: { message: string }[];
      nextForwardToken: string;
      nextBackwardToken: string;
    };
    assert.match(h.events[0]!.message, /^START RequestId: /);
    const before = await call('GetLogEvents', { ...stream, nextToken: h.nextBackwardToken });
    assert.deepEqual((before.body as { events: unknown[] }).events, []);
    assert.equal((before.body as { nextBackwardToken: string }).nextBackwardToken, h.nextBackwardToken);
    // The forward token of an empty backward page leads to the first event again.
    const again = await call('GetLogEvents', {
      ...stream,
      limit: 1,
      nextToken: (before.body as { nextForwardToken: string }).nextForwardToken,
    });
    assert.equal((again.body as { events: { message: string }[] }).events[0]!.message, h.events[0]!.message);

    const tail = await call('GetLogEvents', { ...stream, limit: 1 });
    const t = tail.body as { events: { message: string }[]; nextForwardToken: string };
    assert.match(t.events[0]!.message, /^REPORT RequestId: /);
    const end = await call('GetLogEvents', { ...stream, nextToken: t.nextForwardToken });
    assert.deepEqual((end.body as { events: unknown[] }).events, []);
    assert.equal((end.body as { nextForwardToken: string }).nextForwardToken, t.nextForwardToken);

    // A stream name of another day is not this stream.
    const other = await call('GetLogEvents', { ...stream, logStreamName: '2026/12/08/[$LATEST]inst_big' });
    assert.equal(other.status, 400);
    assert.equal(other.body.__type, 'ResourceNotFoundException');
  });

  it('answers hold at most 1 MB of events (CloudWatch counts message bytes + 26); tokens go on from there', async () => {
    const stream = { logGroupName: '/aws/lambda/wide', logStreamName: '2026/12/07/[$LATEST]inst_wide' };
    const seen: string[] = [];
    let nextToken: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await call('GetLogEvents', {
        ...stream,
        startFromHead: true,
        ...(nextToken ? { nextToken } : {}),
      });
      const body = r.body as { events: { message: string }[]; nextForwardToken: string };
      const bytes = body.events.reduce((a, e) => a + Buffer.byteLength(e.message) + 26, 0);
      assert.ok(bytes <= 1024 * 1024, `${bytes} bytes`);
      seen.push(...body.events.map((e) => e.message));
      if (body.nextForwardToken === nextToken) break;
      nextToken = body.nextForwardToken;
    }
    assert.equal(seen.length, 23);
    assert.equal(seen.filter((m) => m.includes('\tINFO\t')).length, 20);
    // Backwards from the end, the same lines.
    const back: string[] = [];
    nextToken = undefined;
    for (let i = 0; i < 20; i++) {
      const r = await call('GetLogEvents', { ...stream, ...(nextToken ? { nextToken } : {}) });
      const body = r.body as { events: { message: string }[]; nextBackwardToken: string };
      back.unshift(...body.events.map((e) => e.message));
      if (body.nextBackwardToken === nextToken) break;
      nextToken = body.nextBackwardToken;
    }
    assert.deepEqual(back, seen);

    let pages = 0;
    let found = 0;
    nextToken = undefined;
    do {
      const r = await call('FilterLogEvents', {
        logGroupName: '/aws/lambda/wide',
        filterPattern: 'www',
        ...(nextToken ? { nextToken } : {}),
      });
      const events = r.body.events as { message: string }[];
      assert.ok(events.reduce((a, e) => a + Buffer.byteLength(e.message) + 26, 0) <= 1024 * 1024);
      found += events.length;
      nextToken = r.body.nextToken as string | undefined;
      pages++;
    } while (nextToken && pages < 20);
    assert.equal(found, 20);
    assert.ok(pages >= 2);
  });
});
