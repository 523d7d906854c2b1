/**
 * Hostile battery, CloudWatch Logs API: patterns built to be slow (wildcard pieces against a long
 * line, the deepest nesting, the longest pattern, many space-delimited ellipses), malformed and
 * oversized ones, forged tokens, odd group and stream names, wrong types and limits, and raw
 * bodies. Every answer is a coded 4xx (never a 5xx), each request stays fast, and the platform
 * still serves its logs afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { fixture, startTestPlatform, type TestPlatform } from '../helpers.ts';

const GROUP = '/aws/lambda/noisy';
/** One request's time limit on a loaded 2-core machine (a pathological pattern must not approach it). */
const FAST_MS = 5_000;

describe('hostile CloudWatch Logs requests', () => {
  let p: TestPlatform;
  let logs: CloudWatchLogsClient;
  let stream: string;

  /** A raw JSON 1.1 call (Bearer auth), for bodies the SDK would not send. */
  const raw = async (op: string, body: string) => {
    const started = performance.now();
    const r = await p.api('POST', '/', body, {
      'x-amz-target': `Logs_20140328.${op}`,
      'content-type': 'application/x-amz-json-1.1',
    });
    const text = await r.text();
    return {
      status: r.status,
      text,
      type: r.headers.get('x-amzn-errortype'),
      ms: performance.now() - started,
    };
  };
  const refused = (r: { status: number; text: string; type: string | null; ms: number }, what: string) => {
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
    assert.match(r.text, /"nimbusCode":"NIMBUS_ERR_[A-Z_]+"/, what);
    assert.ok(r.ms < FAST_MS, `${what} took ${r.ms} ms`);
  };

  before(async () => {
    p = await startTestPlatform();
    logs = new CloudWatchLogsClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      maxAttempts: 1,
    });
    // Long lines (100 KB of one letter, inside JSON and out: under the flood cap's 256 KB a second)
    // and some ordinary ones.
    const dir = await fixture({
      'index.mjs': `export const handler = async () => {
  const long = 'a'.repeat(100_000);
  console.log(long);
  console.log(JSON.stringify({ x: long, deep: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) }));
  for (let i = 0; i < 50; i++) console.log('a '.repeat(100) + i);
  return 'ok';
};`,
    });
    const r = await p.deployDir('noisy', dir, { runtime: 'nodejs22.x', handler: 'index.handler' });
    assert.ok(r.status < 300, JSON.stringify(r.body));
    const inv = await p.api('POST', '/v1/functions/noisy/invoke', {});
    assert.equal(inv.status, 200, await inv.text());
    stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }))).logStreams![0]!
      .logStreamName!;
  });
  after(async () => {
    logs?.destroy();
    await p?.stop();
  });

  it('slow-by-design patterns against long lines answer quickly', async () => {
    // The long lines are stored (else this would prove nothing).
    const longJson = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.x = "a*a" }' }),
    );
    assert.equal(longJson.events?.length, 1);
    assert.ok(longJson.events![0]!.message!.length > 100_000);
    const patterns = [
      // Wildcard pieces that all match early and never complete (no backtracking to explode).
      `{ $.x = "${'*a'.repeat(300)}*b" }`,
      `{ $.x = ${'a*'.repeat(300)}b }`,
      // The longest phrase that is almost in the line.
      `"${'a'.repeat(1020)}b"`,
      // Ellipses between fields of 200 tokens a line.
      `[${Array.from({ length: 49 }, () => '..., f = a').join(', ')}, ..., n = 99]`,
      `[${Array.from({ length: 99 }, () => '...').join(', ')}, last]`,
      // Terms, many of them.
      Array.from({ length: 300 }, () => '?a').join(' '),
      `{ ${Array.from({ length: 60 }, (_, i) => `$.x = "*${i}*"`).join(' || ')} }`,
    ];
    for (const filterPattern of patterns) {
      assert.ok(filterPattern.length <= 1024, `${filterPattern.length}`);
      const started = performance.now();
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern }));
      const ms = performance.now() - started;
      assert.ok(ms < FAST_MS, `${filterPattern.slice(0, 40)} took ${ms} ms`);
      assert.ok(Array.isArray(r.events));
    }
  });

  it('malformed, oversized and unsupported patterns are InvalidParameterException', async () => {
    const bad = [
      'x'.repeat(1025),
      `{ ${'('.repeat(500)}$.a = 1${')'.repeat(500)} }`,
      `{ ${'('.repeat(1000)} }`,
      '{ $.a = "unterminated }',
      '{ $.a = 1 && && $.b = 2 }',
      '{ $.a[999999999999] = 1 }',
      '{ $.\u0000 = 1 }',
      '[a, b',
      `[${Array.from({ length: 200 }, (_, i) => `f${i}`).join(',')}]`,
      '%.*%',
      '{ $.a = %(a+)+$% }',
      '"\ud800',
    ];
    for (const filterPattern of bad) {
      const r = await raw('FilterLogEvents', JSON.stringify({ logGroupName: GROUP, filterPattern }));
      refused(r, filterPattern.slice(0, 40));
      assert.equal(
        r.type,
        'InvalidParameterException',
        `${filterPattern.slice(0, 40)}: ${r.text.slice(0, 200)}`,
      );
    }
  });

  it('forged tokens, odd names, wrong types and limits are refused with a coded 4xx', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const cases: [string, unknown][] = [
      ['FilterLogEvents', { logGroupName: GROUP, nextToken: 'not a token' }],
      ['FilterLogEvents', { logGroupName: GROUP, nextToken: b64({ after: -1 }) }],
      ['FilterLogEvents', { logGroupName: GROUP, nextToken: b64({ after: 1e300 }) }],
      ['FilterLogEvents', { logGroupName: GROUP, nextToken: b64({ after: '1' }) }],
      ['FilterLogEvents', { logGroupName: GROUP, nextToken: b64([1]) }],
      ['FilterLogEvents', { logGroupName: GROUP, nextToken: 'x'.repeat(5000) }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: stream, nextToken: 'f/-1' }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: stream, nextToken: `f/${'9'.repeat(30)}` }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: stream, nextToken: 'b/99999999999999999999' }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: stream, limit: 0 }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: stream, limit: 10_001 }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: stream, startTime: -5 }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: '../../etc/passwd' }],
      ['GetLogEvents', { logGroupName: GROUP, logStreamName: `2026/01/01/[$LATEST]${'a'.repeat(400)}` }],
      ['GetLogEvents', { logGroupName: GROUP }],
      ['DescribeLogStreams', { logGroupName: '/aws/lambda/../../noisy' }],
      ['DescribeLogStreams', { logGroupName: '/aws/lambda/' }],
      ['DescribeLogStreams', { logGroupName: `/aws/lambda/${'x'.repeat(600)}` }],
      [
        'DescribeLogStreams',
        { logGroupIdentifier: 'arn:aws:logs:local-1:999999999999:log-group:/aws/lambda/noisy' },
      ],
      [
        'DescribeLogStreams',
        { logGroupIdentifier: 'arn:aws:logs:elsewhere:000000000000:log-group:/aws/lambda/noisy:*' },
      ],
      ['DescribeLogStreams', { logGroupName: GROUP, limit: 'ten' }],
      ['DescribeLogStreams', { logGroupName: GROUP, orderBy: 'Size' }],
      ['DescribeLogStreams', {}],
      ['DescribeLogGroups', { limit: -1 }],
      ['DescribeLogGroups', { nextToken: b64({ after: { $gt: '' } }) }],
      ['FilterLogEvents', { logGroupName: GROUP, logStreamNames: [] }],
      ['FilterLogEvents', { logGroupName: GROUP, logStreamNames: Array.from({ length: 101 }, () => stream) }],
      ['FilterLogEvents', { logGroupName: GROUP, startTime: 10, endTime: 5 }],
      ['FilterLogEvents', { logGroupName: GROUP, filterPattern: 42 }],
      ['FilterLogEvents', { logGroupName: { $ne: null } }],
      ['NoSuchOperation', {}],
    ];
    for (const [op, body] of cases)
      refused(await raw(op, JSON.stringify(body)), `${op} ${JSON.stringify(body).slice(0, 80)}`);
    for (const body of [
      '',
      'not json',
      '[]',
      '"x"',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      '{"logGroupName":',
    ])
      refused(await raw('FilterLogEvents', body), `body ${body.slice(0, 20)}`);
  });

  it('still serves the logs afterwards', async () => {
    const r = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, limit: 3 }),
    );
    assert.match(r.events![0]!.message!, /^START RequestId: /);
    const f = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '"a 49"' }));
    assert.equal(f.events?.length, 1);
  });
});
