/**
 * The real `@aws-sdk/client-cloudwatch-logs` client against Nimbus: log groups per function,
 * streams per instance, GetLogEvents with forward/backward tokens, FilterLogEvents with term and
 * JSON patterns and its page tokens, the error types, another tenant seeing nothing, and a
 * principal without logs permissions refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { fixture, sdkError, startTestPlatform, type TestPlatform } from './helpers.ts';

const FN_CODE = `
export const handler = async (e) => {
  console.log('plain hello ' + e.n);
  console.log(JSON.stringify({ level: e.n % 2 === 1 ? 'error' : 'info', latency: e.n * 100, user: { id: e.n } }));
  if (e.n === 3) console.error('ERROR the third one broke');
  if (e.n === 2) console.warn('careful with two');
  return { n: e.n };
};`;

describe('AWS SDK v3 CloudWatch Logs client', () => {
  let p: TestPlatform;
  let logs: CloudWatchLogsClient;
  const clients: CloudWatchLogsClient[] = [];
  const client = (keyId: string, secret: string) => {
    const c = new CloudWatchLogsClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  const rest = async <T>(method: string, path: string, body?: unknown) => {
    const r = await p.api(method, path, body);
    const text = await r.text();
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const newKey = async (policies: unknown[], tenant?: string) => {
    const r = await rest<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies,
      ...(tenant ? { tenant } : {}),
    });
    return client(r.key.keyId, r.secret);
  };

  before(async () => {
    p = await startTestPlatform();
    logs = client(p.admin.keyId, p.secret);
    const dir = await fixture({ 'index.mjs': FN_CODE });
    for (const name of ['cw-a', 'cw-b', 'other-fn']) {
      const r = await p.deployDir(name, dir, { runtime: 'nodejs22.x', handler: 'index.handler' });
      assert.ok(r.status < 300, JSON.stringify(r.body));
    }
    for (let n = 1; n <= 6; n++) await rest('POST', '/v1/functions/cw-a/invoke', { n });
    await rest('POST', '/v1/functions/cw-b/invoke', { n: 10 });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await p?.stop();
  });

  it('DescribeLogGroups: one group per function, prefix, limit and nextToken', async () => {
    const all = await logs.send(new DescribeLogGroupsCommand({}));
    const names = all.logGroups?.map((g) => g.logGroupName);
    assert.deepEqual(names, ['/aws/lambda/cw-a', '/aws/lambda/cw-b', '/aws/lambda/other-fn']);
    const a = all.logGroups![0]!;
    assert.match(a.arn ?? '', /^arn:aws:logs:local-1:\d{12}:log-group:\/aws\/lambda\/cw-a:\*$/);
    assert.equal(a.logGroupArn, a.arn!.replace(/:\*$/, ''));
    assert.equal(typeof a.creationTime, 'number');
    assert.equal(a.storedBytes, 0);
    // The tenant's logs setting is every group's retention (30 days unless set).
    assert.equal(a.retentionInDays, 30);
    await rest('PUT', '/v1/settings/logs', { retentionDays: 7 });
    const after7 = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/cw-a' }));
    assert.equal(after7.logGroups?.[0]?.retentionInDays, 7);

    const cw = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/cw-' }));
    assert.deepEqual(
      cw.logGroups?.map((g) => g.logGroupName),
      ['/aws/lambda/cw-a', '/aws/lambda/cw-b'],
    );
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await logs.send(new DescribeLogGroupsCommand({ limit: 1, nextToken: token }));
      assert.ok((page.logGroups?.length ?? 0) <= 1);
      for (const g of page.logGroups ?? []) seen.push(g.logGroupName!);
      token = page.nextToken;
    } while (token);
    assert.deepEqual(seen, names);
  });

  it('DescribeLogStreams: Lambda-style stream names, ordering, paging', async () => {
    const r = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/cw-a' }));
    const streams = r.logStreams ?? [];
    assert.ok(streams.length >= 1);
    for (const s of streams) {
      assert.match(s.logStreamName ?? '', /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][A-Za-z0-9_]+$/);
      assert.ok(s.firstEventTimestamp! <= s.lastEventTimestamp!);
      assert.equal(s.lastIngestionTime, s.lastEventTimestamp);
      assert.match(s.arn ?? '', /:log-group:\/aws\/lambda\/cw-a:log-stream:\d{4}\//);
    }
    const names = streams.map((s) => s.logStreamName!);
    assert.deepEqual(names, [...names].sort());

    const byTime = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupIdentifier: '/aws/lambda/cw-a',
        orderBy: 'LastEventTime',
        descending: true,
      }),
    );
    const times = byTime.logStreams!.map((s) => s.lastEventTimestamp!);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => y - x),
    );

    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/cw-a', limit: 1, nextToken: token }),
      );
      for (const s of page.logStreams ?? []) paged.push(s.logStreamName!);
      token = page.nextToken;
    } while (token);
    assert.deepEqual(paged, names);

    const prefixed = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/cw-a', logStreamNamePrefix: names[0]! }),
    );
    assert.equal(prefixed.logStreams?.[0]?.logStreamName, names[0]);
    const none = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/cw-a', logStreamNamePrefix: '1999/' }),
    );
    assert.deepEqual(none.logStreams, []);
  });

  it('GetLogEvents: START/lines/END/REPORT as CloudWatch shows them; forward and backward tokens', async () => {
    const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/cw-a' })))
      .logStreams!;
    const all: OutputLogEvent[] = [];
    for (const s of streams) {
      const r = await logs.send(
        new GetLogEventsCommand({
          logGroupName: '/aws/lambda/cw-a',
          logStreamName: s.logStreamName,
          startFromHead: true,
        }),
      );
      all.push(...(r.events ?? []));
    }
    const messages = all.map((e) => e.message!);
    assert.equal(messages.filter((m) => m.startsWith('START RequestId: ')).length, 6);
    assert.equal(messages.filter((m) => m.startsWith('END RequestId: ')).length, 6);
    assert.equal(messages.filter((m) => m.startsWith('REPORT RequestId: ')).length, 6);
    assert.equal(messages.filter((m) => /\tINFO\tplain hello \d$/.test(m)).length, 6);
    assert.ok(
      messages.some((m) =>
        /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t[0-9a-f-]{36}\tERROR\tERROR the third one broke$/.test(m),
      ),
    );
    assert.ok(
      messages.some((m) => /\tWARN\tcareful with two$/.test(m)),
      'a line keeps its level',
    );
    for (const e of all) assert.equal(e.ingestionTime, e.timestamp);

    // Page through the busiest stream 3 events at a time, forward, then back.
    const s = streams.reduce((a, b) =>
      a.lastEventTimestamp! - a.firstEventTimestamp! >= b.lastEventTimestamp! - b.firstEventTimestamp!
        ? a
        : b,
    );
    const whole = (
      await logs.send(
        new GetLogEventsCommand({
          logGroupName: '/aws/lambda/cw-a',
          logStreamName: s.logStreamName,
          startFromHead: true,
        }),
      )
    ).events!;
    const forward: string[] = [];
    let token: string | undefined;
    let first: { nextBackwardToken?: string } | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await logs.send(
        new GetLogEventsCommand({
          logGroupName: '/aws/lambda/cw-a',
          logStreamName: s.logStreamName,
          startFromHead: true,
          limit: 3,
          nextToken: token,
        }),
      );
      first ??= r;
      assert.ok(r.events!.length <= 3);
      forward.push(...r.events!.map((e) => e.message!));
      if (r.nextForwardToken === token) {
        assert.equal(r.events!.length, 0, 'the same token comes back only at the end');
        break;
      }
      token = r.nextForwardToken;
    }
    assert.deepEqual(
      forward,
      whole.map((e) => e.message),
    );

    // Without startFromHead: the latest events; the backward token pages towards the start.
    const tail = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/aws/lambda/cw-a', logStreamName: s.logStreamName, limit: 2 }),
    );
    assert.deepEqual(
      tail.events!.map((e) => e.message),
      whole.slice(-2).map((e) => e.message),
    );
    const back = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/cw-a',
        logStreamName: s.logStreamName,
        limit: 2,
        nextToken: tail.nextBackwardToken,
      }),
    );
    assert.deepEqual(
      back.events!.map((e) => e.message),
      whole.slice(-4, -2).map((e) => e.message),
    );
    // Backward from the very first page: nothing, and the same token back.
    const before = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/cw-a',
        logStreamName: s.logStreamName,
        nextToken: first!.nextBackwardToken,
      }),
    );
    assert.deepEqual(before.events, []);
    assert.equal(before.nextBackwardToken, first!.nextBackwardToken);

    // A time window: nothing after the last event.
    const later = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/cw-a',
        logStreamName: s.logStreamName,
        startTime: whole.at(-1)!.timestamp! + 1,
      }),
    );
    assert.deepEqual(later.events, []);
  });

  const filter = async (
    input: Omit<FilterLogEventsCommandInput, 'logGroupName'>,
    group = '/aws/lambda/cw-a',
  ) => {
    const events: { message?: string; logStreamName?: string; eventId?: string }[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group, ...input, nextToken: token }),
      );
      events.push(...(r.events ?? []));
      token = r.nextToken;
      pages++;
    } while (token && pages < 100);
    return { events, pages };
  };

  it('FilterLogEvents: terms, JSON patterns, stream selection, limit and nextToken', async () => {
    assert.equal((await filter({ filterPattern: 'plain' })).events.length, 6);
    assert.equal((await filter({ filterPattern: 'PLAIN' })).events.length, 0, 'terms are case-sensitive');
    assert.equal((await filter({ filterPattern: '"plain hello 3"' })).events.length, 1);
    assert.equal((await filter({ filterPattern: '?START ?END' })).events.length, 12);
    assert.equal((await filter({ filterPattern: 'plain -"hello 1"' })).events.length, 5);
    const errors = await filter({ filterPattern: '{ $.level = "error" }' });
    assert.equal(errors.events.length, 3);
    assert.ok(errors.events.every((e) => e.message!.includes('"level":"error"')));
    assert.equal((await filter({ filterPattern: '{ $.latency > 300 && $.user.id != 6 }' })).events.length, 2);
    assert.equal(
      (await filter({ filterPattern: '{ $.level = "err*" || $.latency >= 600 }' })).events.length,
      4,
    );
    assert.equal(
      (await filter({ filterPattern: '[time, id, level = ERROR, first = ERROR, ...]' })).events.length,
      1,
    );
    assert.equal((await filter({ filterPattern: '[time, id, level = WARN, ...]' })).events.length, 1);

    const all = await filter({});
    assert.equal(all.events.length, 6 * 5 + 2);
    const ids = all.events.map((e) => e.eventId);
    assert.equal(new Set(ids).size, ids.length);

    const paged = await filter({ filterPattern: 'plain', limit: 2 });
    assert.equal(paged.events.length, 6);
    assert.ok(paged.pages >= 3);

    const stream = all.events[0]!.logStreamName!;
    const one = await filter({ logStreamNames: [stream], filterPattern: 'REPORT' });
    assert.ok(one.events.length >= 1);
    assert.ok(one.events.every((e) => e.logStreamName === stream));
    const r = await logs.send(
      new FilterLogEventsCommand({
        logGroupIdentifier: '/aws/lambda/cw-a',
        logStreamNamePrefix: stream.slice(0, 10),
      }),
    );
    assert.ok((r.events?.length ?? 0) > 0);
    assert.ok(r.searchedLogStreams?.some((s) => s.logStreamName === stream && s.searchedCompletely));

    // Time bounds: endTime is inclusive.
    const firstTs = all.events.length
      ? (await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-a', limit: 1 })))
          .events![0]!.timestamp!
      : 0;
    const at = await filter({ startTime: firstTs, endTime: firstTs });
    assert.ok(at.events.length >= 1);

    // Another group holds only its own lines.
    const b = await filter({}, '/aws/lambda/cw-b');
    assert.equal(b.events.length, 5);
    assert.ok(b.events.some((e) => e.message!.includes('plain hello 10')));
    assert.equal((await filter({}, '/aws/lambda/other-fn')).events.length, 0);
  });

  it('errors: missing group or stream, bad patterns, tokens and parameters', async () => {
    const missing = await sdkError(
      logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/nope' })),
    );
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(
      (await sdkError(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/not/lambda' })))).name,
      'ResourceNotFoundException',
    );
    assert.equal(
      (
        await sdkError(
          logs.send(
            new GetLogEventsCommand({
              logGroupName: '/aws/lambda/cw-a',
              logStreamName: '2020/01/01/[$LATEST]inst_0',
            }),
          ),
        )
      ).name,
      'ResourceNotFoundException',
    );
    const bad = await sdkError(
      logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-a', filterPattern: '{ $.level = ' }),
      ),
    );
    assert.equal(bad.name, 'InvalidParameterException');
    assert.match(bad.message, /filter pattern/);
    for (const cmd of [
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-a', nextToken: 'garbage!' }),
      new GetLogEventsCommand({ logGroupName: '/aws/lambda/cw-a', logStreamName: 'x', nextToken: 'x/1' }),
      new DescribeLogGroupsCommand({ limit: 51 }),
      new DescribeLogStreamsCommand({
        logGroupName: '/aws/lambda/cw-a',
        orderBy: 'LastEventTime',
        logStreamNamePrefix: '2',
      }),
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/cw-a',
        logGroupIdentifier: '/aws/lambda/cw-a',
      }),
      new DescribeLogStreamsCommand({ logGroupName: 'bad name with spaces' }),
    ])
      assert.equal(
        (await sdkError(logs.send(cmd as never))).name,
        'InvalidParameterException',
        cmd.constructor.name,
      );
  });

  it('another tenant sees none of these groups; a principal without logs permissions is refused', async () => {
    await rest('POST', '/v1/tenants', { id: 'cw-other' });
    const other = await newKey(['AdministratorAccess'], 'cw-other');
    assert.deepEqual((await other.send(new DescribeLogGroupsCommand({}))).logGroups, []);
    assert.equal(
      (await sdkError(other.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-a' })))).name,
      'ResourceNotFoundException',
    );
    const arn = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/cw-a' })))
      .logGroups![0]!.arn!;
    assert.equal(
      (await sdkError(other.send(new FilterLogEventsCommand({ logGroupIdentifier: arn })))).name,
      'ResourceNotFoundException',
    );

    const invoker = await newKey(['Invoker']);
    for (const cmd of [
      new DescribeLogGroupsCommand({}),
      new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/cw-a' }),
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-a' }),
    ]) {
      const e = await sdkError(invoker.send(cmd as never));
      assert.equal(e.name, 'AccessDeniedException', cmd.constructor.name);
    }

    // Allowed on cw-b's group only.
    const onlyB = await newKey([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:FilterLogEvents', 'logs:GetLogEvents'],
            Resource: ['arn:aws:logs:*:*:log-group:/aws/lambda/cw-b'],
          },
        ],
      },
    ]);
    assert.ok(
      (await onlyB.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-b' }))).events!.length > 0,
    );
    assert.equal(
      (await sdkError(onlyB.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/cw-a' })))).name,
      'AccessDeniedException',
    );
    assert.equal(
      (await sdkError(onlyB.send(new DescribeLogGroupsCommand({})))).name,
      'AccessDeniedException',
    );
  });
});
