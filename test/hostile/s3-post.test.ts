/**
 * Hostile battery, S3 POST Object (browser uploads): the form is parsed before anyone is
 * authenticated, so its parser and the policy decoder meet any bytes. Truncated and lying bodies,
 * huge field counts, boundary tricks, policies that are not policy documents (signed, so they reach
 * the decoder), base64 garbage, credential/signature garbage, fields that would break response
 * headers later, and fast-check mutations of a valid signed form. Properties: every refusal is a
 * coded S3 XML 4xx without a stack or a path; nothing is stored by a refused form; nothing is
 * logged as a platform error; the platform keeps serving afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import fc from 'fast-check';
import { postPolicySignature } from '../../src/security/authenticate.ts';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { isCoded, leaks, sendRaw } from './wire.ts';

const RUNS = Number(process.env.NIMBUS_FUZZ_RUNS ?? 150);
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal key placeholder, not a template.
const FILENAME = '${filename}';
const REGION = 'local-1';

interface Answer {
  status: number;
  body: string;
  code: string | undefined;
}

describe('hostile S3 POST Object', () => {
  let p: TestPlatform;
  let s3: S3Client;
  let keyId = '';
  let secret = '';
  /** A valid signed form for key `h/ok` (fields in the order a browser sends them). */
  let valid: { boundary: string; body: Buffer };

  /** How fetch encodes a FormData: its boundary and bytes. */
  const encode = async (form: FormData) => {
    const r = new Request('http://x/', { method: 'POST', body: form });
    const ct = r.headers.get('content-type') ?? '';
    return { boundary: ct.slice(ct.indexOf('boundary=') + 9), body: Buffer.from(await r.arrayBuffer()) };
  };
  const send = async (body: Buffer | string, contentType: string, path = '/posts'): Promise<Answer> => {
    const r = await fetch(`${p.s3Url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await r.text();
    return { status: r.status, body: text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
  };
  const form = (b: string) => `multipart/form-data; boundary=${b}`;
  /** A coded S3 4xx without leaks (and the given code, when one is given). */
  const refused = (label: string, a: Answer, request: Buffer | string, code?: string) => {
    assert.ok(a.status >= 400 && a.status < 500, `${label}: ${a.status} ${a.body.slice(0, 300)}`);
    assert.ok(isCoded(a.body, 's3'), `${label}: not coded: ${a.body.slice(0, 300)}`);
    assert.deepEqual(leaks(a.body, request), [], `${label}: leaks`);
    if (code) assert.equal(a.code, code, `${label}: ${a.body.slice(0, 300)}`);
  };
  const stored = (key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: 'posts', Key: key })).then(
      () => true,
      (e: { name?: string }) => {
        if (e.name === 'NotFound') return false;
        throw e;
      },
    );
  /** A multipart body of these parts (the `file` one last when given), with `boundary`. */
  const multipart = (boundary: string, parts: [string, string | Buffer, string?][], close = true) =>
    Buffer.concat([
      ...parts.flatMap(([name, value, disposition]) => [
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${disposition ?? ''}\r\n\r\n`,
        ),
        Buffer.from(value),
        Buffer.from('\r\n'),
      ]),
      Buffer.from(close ? `--${boundary}--\r\n` : ''),
    ]);
  /** Form fields signing `policy` (any text) with the admin key, as a client that signs garbage would. */
  const signedFields = (policy: string, over: Record<string, string> = {}): [string, string][] => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = date.slice(0, 8);
    const fields: Record<string, string> = {
      key: 'h/garbage',
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': `${keyId}/${day}/${REGION}/s3/aws4_request`,
      'x-amz-date': date,
      policy,
      'x-amz-signature': postPolicySignature(secret, { day, region: REGION, service: 's3' }, policy),
      ...over,
    };
    return Object.entries(fields);
  };
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

  before(async () => {
    p = await startTestPlatform({ s3MaxObjectBytes: 32 * 1024 * 1024 });
    keyId = p.admin.keyId;
    secret = p.secret;
    s3 = new S3Client({
      endpoint: p.s3Url,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'posts' }));
    const { fields } = await createPresignedPost(s3, {
      Bucket: 'posts',
      Key: 'h/ok',
      Conditions: [['content-length-range', 0, 4096]],
      Expires: 600,
    });
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    f.append('file', new Blob(['hello hostile world']), 'x.txt');
    valid = await encode(f);
    // The baseline works.
    assert.equal((await send(valid.body, form(valid.boundary))).status, 204);
  });
  after(async () => {
    await p?.stop();
  });

  it('refuses every truncation of a signed form with a coded 4xx and stores nothing', async () => {
    const end = valid.body.lastIndexOf(`--${valid.boundary}--`);
    const cuts = new Set<number>();
    for (let n = 0; n < valid.body.length; n += 37) cuts.add(n);
    for (let n = Math.max(0, end - 40); n < valid.body.length; n++) cuts.add(n);
    await s3.send(new DeleteObjectCommand({ Bucket: 'posts', Key: 'h/ok' }));
    let checked = false;
    for (const n of [...cuts].sort((a, b) => a - b)) {
      const cut = valid.body.subarray(0, n);
      const whole = n >= end + valid.boundary.length + 4;
      if (whole && !checked) {
        assert.equal(await stored('h/ok'), false, 'no refused cut stored anything');
        checked = true;
      }
      const a = await send(cut, form(valid.boundary));
      if (whole) assert.equal(a.status, 204, `cut at ${n} (after the closing boundary) is a whole form`);
      else refused(`cut at ${n}`, a, cut);
    }
    assert.ok(checked);
  });

  it('survives a Content-Length longer than the body (client gone) and a body that never ends', async () => {
    const u = new URL(p.s3Url);
    const head = (len: number) =>
      `POST /posts HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${form(valid.boundary)}\r\nContent-Length: ${len}\r\n\r\n`;
    const half = valid.body.subarray(0, valid.body.length >> 1);
    const aborted = await sendRaw(p.s3Url, Buffer.concat([Buffer.from(head(valid.body.length)), half]), {
      abort: true,
    });
    assert.equal(aborted.responses.filter((r) => r.status >= 500).length, 0);
    const halfClosed = await sendRaw(p.s3Url, Buffer.concat([Buffer.from(head(valid.body.length)), half]), {
      halfClose: true,
    });
    for (const r of halfClosed.responses) assert.ok(r.status < 500, `${r.status} ${r.body}`);
    // Chunked, never finished: the server may wait, but must not fail.
    const chunked = await sendRaw(
      p.s3Url,
      `POST /posts HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${form('b')}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n--b\r\n`,
      { idleMs: 300, timeoutMs: 1500, abort: false },
    );
    for (const r of chunked.responses) assert.ok(r.status < 500, `${r.status} ${r.body}`);
    assert.equal((await send(valid.body, form(valid.boundary))).status, 204, 'still serving');
  });

  it('cuts huge field counts off at the pre-data limit, and ignores any number of fields after the file', async () => {
    const parts: [string, string][] = [];
    for (let i = 0; i < 200_000; i++) parts.push([`f${i}`, 'v']);
    const many = multipart('m', [...parts, ['file', 'x', '; filename="x"']]);
    const t0 = performance.now();
    refused('200k fields', await send(many, form('m')), '', 'MaxPostPreDataLengthExceededError');
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `took ${ms} ms`);
    // The same flood after the file part: S3 ignores fields there, and so does the parser.
    const tail = Buffer.concat([
      valid.body.subarray(0, valid.body.lastIndexOf(`--${valid.boundary}--`)),
      multipart(valid.boundary, parts),
    ]);
    const t1 = performance.now();
    assert.equal((await send(tail, form(valid.boundary))).status, 204);
    assert.ok(performance.now() - t1 < 5000);
    // One enormous field value, and enormous part headers.
    refused('huge field', await send(multipart('m', [['key', 'k'.repeat(1_000_000)]]), form('m')), '');
    const headers = Buffer.from(`--m\r\n${'X-Pad: y\r\n'.repeat(50_000)}\r\nv\r\n--m--`);
    refused('huge part headers', await send(headers, form('m')), '', 'MaxPostPreDataLengthExceededError');
  });

  it('answers boundary tricks with coded errors (and a legal odd boundary works)', async () => {
    const sig = signedFields(b64('{}'));
    const file: [string, string, string] = ['file', 'x', '; filename="x"'];
    const cases: [string, string, Buffer | string][] = [
      ['body uses another boundary', form('aaa'), multipart('bbb', [...sig, file])],
      ['boundary over 70 chars', form('z'.repeat(71)), multipart('z'.repeat(71), [...sig, file])],
      ['10k-char boundary', form('z'.repeat(10_000)), multipart('z'.repeat(10_000), [...sig, file])],
      ['empty boundary', 'multipart/form-data; boundary=', multipart('', [...sig, file])],
      ['no boundary parameter', 'multipart/form-data', multipart('b', [...sig, file])],
      [
        'LF-only line ends',
        form('b'),
        multipart('b', [...sig, file])
          .toString('latin1')
          .replaceAll('\r\n', '\n'),
      ],
      ['boundary prefix inside a field', form('b'), multipart('b', [['key', 'k\r\n--bX'], ...sig, file])],
      [
        'closing boundary first',
        form('b'),
        Buffer.concat([Buffer.from('--b--\r\n'), multipart('b', [...sig, file])]),
      ],
      ['nothing but boundaries', form('b'), '--b\r\n--b\r\n--b\r\n--b--'],
      ['empty body', form('b'), ''],
      ['only CRLFs', form('b'), '\r\n'.repeat(10_000)],
      ['NUL bytes', form('b'), Buffer.alloc(4096)],
      ['name with CRLF', form('b'), multipart('b', [['ke\r\ny', 'v'], ...sig, file])],
      ['unterminated quote', form('b'), multipart('b', [['key', 'v', '; filename="x'], ...sig, file])],
      ['duplicate policy', form('b'), multipart('b', [['policy', 'e30='], ...sig, file])],
    ];
    for (const [label, ct, body] of cases) refused(label, await send(body, ct), body);
    // RFC 2046 allows spaces and punctuation in a (quoted) boundary; a valid form with one is stored.
    const odd = "a b'()+_,-./:=?z";
    const { fields } = await createPresignedPost(s3, { Bucket: 'posts', Key: 'h/odd' });
    const body = multipart(odd, [...Object.entries(fields), ['file', 'odd', '; filename="o"']]);
    const a = await send(body, `multipart/form-data; boundary="${odd}"`);
    assert.equal(a.status, 204, a.body);
    assert.ok(await stored('h/odd'));
    // A boundary-like line inside the file without the leading CRLF is content.
    const inner = multipart('q', [...Object.entries(fields), ['file', 'x--q\r\n--qq', '; filename="o"']]);
    refused('boundary prefix inside the file', await send(inner, form('q')), inner, 'MalformedPOSTRequest');
    const content = multipart('q', [...Object.entries(fields), ['file', 'x--q--q', '; filename="o"']]);
    assert.equal((await send(content, form('q'))).status, 204);
  });

  it('refuses signed policies that are not policy documents, and base64 garbage', async () => {
    const future = new Date(Date.now() + 600_000).toISOString();
    const docs: [string, string][] = [
      ['array', b64('[]')],
      ['number', b64('12')],
      ['null', b64('null')],
      ['string', b64('"policy"')],
      ['true', b64('true')],
      ['deep nesting', b64(`${'['.repeat(6000)}${']'.repeat(6000)}`)],
      [
        'deep object',
        b64(`{"expiration":"${future}","conditions":[${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}]}`),
      ],
      ['truncated JSON', b64(`{"expiration":"${future}","conditions":[`)],
      ['not UTF-8', b64(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
      ['UTF-16 JSON', b64(Buffer.from(JSON.stringify({ expiration: future, conditions: [] }), 'utf16le'))],
      ['base64 garbage', '!!!not*base64!!!'],
      ['base64 of random bytes', b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 0]))],
      ['bad padding', 'e30===='],
      ['huge number expiration', b64(JSON.stringify({ expiration: 1e308, conditions: [] }))],
      [
        'expiration year 275760+',
        b64(JSON.stringify({ expiration: '999999-01-01T00:00:00Z', conditions: [] })),
      ],
      ['conditions object', b64(JSON.stringify({ expiration: future, conditions: { key: 'h/' } }))],
      ['condition null', b64(JSON.stringify({ expiration: future, conditions: [null] }))],
      [
        'condition 4-tuple',
        b64(JSON.stringify({ expiration: future, conditions: [['eq', '$key', 'a', 'b']] })),
      ],
      ['op not a string', b64(JSON.stringify({ expiration: future, conditions: [[1, '$key', 'a']] }))],
      [
        'range of objects',
        b64(JSON.stringify({ expiration: future, conditions: [['content-length-range', {}, []]] })),
      ],
    ];
    for (const [label, policy] of docs) {
      const body = multipart('b', [...signedFields(policy), ['file', 'x', '; filename="x"']]);
      refused(label, await send(body, form('b')), body, 'InvalidPolicyDocument');
    }
    // Prototype keys in a signed policy are data, nothing more.
    const proto = `{"expiration":"${future}","__proto__":{"polluted":true},"conditions":[{"__proto__":"x"},["starts-with","$__proto__",""],{"constructor":"y"}]}`;
    const body = multipart('b', [...signedFields(b64(proto)), ['file', 'x', '; filename="x"']]);
    refused('prototype keys', await send(body, form('b')), body);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    // Unsigned garbage never reaches the decoder: the signature is checked first.
    const unsigned = multipart('b', [
      ...signedFields(b64('[]'), { 'x-amz-signature': 'f'.repeat(64) }),
      ['file', 'x', '; filename="x"'],
    ]);
    refused('unsigned', await send(unsigned, form('b')), unsigned, 'SignatureDoesNotMatch');
    assert.equal(await stored('h/garbage'), false);
  });

  it('refuses credential, date, signature and token garbage with coded 4xx', async () => {
    const policy = b64(
      JSON.stringify({ expiration: new Date(Date.now() + 60_000).toISOString(), conditions: [] }),
    );
    const over: Record<string, string>[] = [
      { 'x-amz-credential': '' },
      { 'x-amz-credential': 'nodelimiters' },
      { 'x-amz-credential': `${keyId}/20200101/${REGION}/s3/aws4_request` },
      { 'x-amz-credential': `${keyId}/2020/${REGION}/s3/aws4_request` },
      { 'x-amz-credential': `${keyId}/x/y/lambda/aws4_request` },
      { 'x-amz-credential': `${'A'.repeat(15_000)}/20200101/r/s3/aws4_request` },
      { 'x-amz-credential': `ÄÖÜ/20200101/r/s3/aws4_request` },
      { 'x-amz-date': 'yesterday' },
      { 'x-amz-date': '' },
      { 'x-amz-signature': 'é'.repeat(64) },
      { 'x-amz-signature': 'F'.repeat(64) },
      { 'x-amz-signature': '0'.repeat(65) },
      { 'x-amz-signature': '' },
      { 'x-amz-algorithm': 'AWS4-HMAC-SHA1' },
      { 'x-amz-algorithm': 'aws4-hmac-sha256' },
      { 'x-amz-security-token': 'garbage.token.value' },
      { 'x-amz-security-token': 'x'.repeat(10_000) },
    ];
    for (const o of over) {
      const body = multipart('b', [...signedFields(policy, o), ['file', 'x', '; filename="x"']]);
      refused(JSON.stringify(o).slice(0, 80), await send(body, form('b')), body);
    }
    // A form field can be named like a SigV2 POST: not supported, refused.
    const v2 = multipart('b', [
      ['key', 'h/v2'],
      ['AWSAccessKeyId', keyId],
      ['policy', policy],
      ['signature', 'abc='],
      ['file', 'x', '; filename="x"'],
    ]);
    refused('SigV2 form', await send(v2, form('b')), v2, 'InvalidArgument');
    assert.equal(await stored('h/garbage'), false);
  });

  it('refuses fields that would break response headers, and keeps odd keys intact', async () => {
    const policyFor = (conditions: unknown[]) =>
      b64(
        JSON.stringify({
          expiration: new Date(Date.now() + 60_000).toISOString(),
          conditions: [
            ['starts-with', '$key', ''],
            ['starts-with', '$x-amz-algorithm', ''],
            ['starts-with', '$x-amz-credential', ''],
            ['starts-with', '$x-amz-date', ''],
            ...conditions,
          ],
        }),
      );
    const headerBreakers: [string, string][] = [
      ['x-amz-meta-a', 'line\r\nInjected: yes'],
      ['x-amz-meta-a', '€uro'],
      ['x-amz-meta-bad name', 'v'],
      ['x-amz-meta-', 'v'],
      ['Content-Type', 'text/plain\r\nSet-Cookie: x=1'],
      ['Content-Type', 'ünicode/type'],
    ];
    for (const [name, value] of headerBreakers) {
      const policy = policyFor([['starts-with', `$${name}`, '']]);
      const body = multipart('b', [
        ...signedFields(policy, { key: 'h/hdr' }),
        [name, value],
        ['file', 'x', '; filename="x"'],
      ]);
      refused(`${name}=${JSON.stringify(value)}`, await send(body, form('b')), body, 'InvalidArgument');
    }
    assert.equal(await stored('h/hdr'), false);
    // Keys are UTF-8 and may carry anything S3 allows: stored as sent, addressed encoded.
    const odd = 'h/ünï cødé ☃ %2F?#&<>\u0001.txt';
    const policy = policyFor([]);
    const body = multipart('b', [
      ...signedFields(policy, { key: `h/${FILENAME}` }),
      ['file', 'odd key', `; filename="${odd.slice(2)}"`],
    ]);
    const r = await fetch(`${p.s3Url}/posts`, {
      method: 'POST',
      headers: { 'content-type': form('b') },
      body: new Uint8Array(body),
    });
    assert.equal(r.status, 204, await r.text());
    assert.equal(
      new URL(r.headers.get('location') ?? '').pathname,
      `/posts/${odd.split('/').map(encodeURIComponent).join('/')}`,
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'posts', Key: odd }));
    assert.equal(await got.Body?.transformToString(), 'odd key');
    // A key over 1024 bytes after substitution, and an empty one.
    const long = multipart('b', [
      ...signedFields(policy, { key: `h/${FILENAME}` }),
      ['file', 'x', `; filename="${'n'.repeat(1100)}"`],
    ]);
    refused('long key', await send(long, form('b')), long, 'KeyTooLongError');
    const empty = multipart('b', [...signedFields(policy, { key: FILENAME }), ['file', 'x']]);
    refused('empty key', await send(empty, form('b')), empty, 'InvalidArgument');
    // A form to a bucket that does not exist, and to an invalid bucket name.
    refused('no such bucket', await send(body, form('b'), '/nope'), body, 'NoSuchBucket');
    refused('bad bucket name', await send(body, form('b'), '/Bad_Name'), body);
  });

  it('never answers a mutated signed form with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('flip' as const),
              at: fc.nat(),
              byte: fc.integer({ min: 0, max: 255 }),
            }),
            fc.record({
              kind: fc.constant('cut' as const),
              at: fc.nat(),
              len: fc.integer({ min: 1, max: 64 }),
            }),
            fc.record({
              kind: fc.constant('insert' as const),
              at: fc.nat(),
              text: fc.oneof(
                fc.constantFrom(
                  '\r\n',
                  '--BOUNDARY',
                  '\r\n\r\n',
                  '"',
                  ';',
                  'name="file"',
                  '\r\n--',
                  '--\r\n',
                ),
                fc.string({ maxLength: 16 }),
              ),
            }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async (mutations) => {
          let b = Buffer.from(valid.body);
          for (const m of mutations) {
            const at = m.at % (b.length + 1);
            if (m.kind === 'flip' && at < b.length) b[at] = m.byte;
            else if (m.kind === 'cut') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
            else if (m.kind === 'insert')
              b = Buffer.concat([
                b.subarray(0, at),
                Buffer.from(m.text.replace('BOUNDARY', valid.boundary)),
                b.subarray(at),
              ]);
          }
          const a = await send(b, form(valid.boundary));
          // Some mutations leave a valid form (the file's bytes changed): stored, fine.
          if (a.status !== 204) refused('mutation', a, b);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps serving after a concurrent hostile burst, with no platform error logged', async () => {
    const burst: [Buffer, string][] = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? [valid.body.subarray(0, i * 7), valid.boundary]
        : i % 3 === 1
          ? [multipart('b', [...signedFields(b64(`[${i}]`)), ['file', 'x', '; filename="x"']]), 'b']
          : [Buffer.alloc(i * 100, 0x2d), 'b'],
    );
    const answers = await Promise.all(burst.map(([b, boundary]) => send(b, form(boundary))));
    answers.forEach((a, i) => {
      refused(`burst ${i}`, a, burst[i]![0]);
    });
    assert.equal((await send(valid.body, form(valid.boundary))).status, 204);
    const list = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      list.Buckets?.map((b) => b.Name),
      ['posts'],
    );
    const errors = p.logs.filter((l) => /"level":(50|60)/.test(l));
    assert.deepEqual(errors, [], 'platform errors logged');
  });
});
