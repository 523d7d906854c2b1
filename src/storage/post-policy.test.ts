import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import fc from 'fast-check';
import { isNimbusError } from '../core/errors.ts';
import { postPolicySignature } from '../security/authenticate.ts';
import {
  checkPostPolicy,
  decodePostPolicy,
  formBoundary,
  MAX_PRE_DATA_BYTES,
  objectAttributes,
  objectKey,
  POST_S3_CODES,
  type PostPolicy,
  parsePostForm,
  postSignature,
} from './post-policy.ts';
import { S3_CODES } from './service.ts';

/** The S3 code of what `fn` throws (a coded error is required). */
const s3CodeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(isNimbusError(e), `not a coded error: ${String(e)}`);
    return S3_CODES[e.code] ?? POST_S3_CODES[e.code] ?? e.code;
  }
  return 'no error';
};
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

/** How fetch / a browser encodes a FormData (boundary and body). */
async function encode(form: FormData): Promise<{ boundary: string; body: Buffer }> {
  const r = new Request('http://x/', { method: 'POST', body: form });
  const boundary = formBoundary(r.headers.get('content-type') ?? '');
  assert.ok(boundary);
  return { boundary, body: Buffer.from(await r.arrayBuffer()) };
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal key placeholder, not a template.
const F = '${filename}';
const B = 'XyZ';
const part = (name: string, value: string, extra = '') =>
  `--${B}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`;
const raw = (s: string) => Buffer.from(s, 'latin1');
const FILE = `--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n`;

describe('formBoundary', () => {
  it('reads the boundary of multipart/form-data only', () => {
    assert.equal(formBoundary('multipart/form-data; boundary=abc'), 'abc');
    assert.equal(formBoundary('Multipart/Form-Data;charset=utf-8;BOUNDARY="a b:c"'), 'a b:c');
    assert.equal(formBoundary(['multipart/form-data; boundary=x', 'text/plain']), 'x');
    assert.equal(formBoundary('multipart/form-data'), '');
    assert.equal(formBoundary('multipart/mixed; boundary=abc'), undefined);
    assert.equal(formBoundary('application/xml'), undefined);
    assert.equal(formBoundary(undefined), undefined);
  });
});

describe('parsePostForm', () => {
  it('parses what fetch encodes: fields (names lower-cased) then the file, bytes intact', async () => {
    const form = new FormData();
    form.append('Key', `uploads/${F}`);
    form.append('X-Amz-Meta-Owner', 'ädä');
    const bytes = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x0d]);
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'cat "1".png');
    form.append('after', 'ignored');
    const { boundary, body } = await encode(form);
    const f = parsePostForm(body, boundary);
    assert.deepEqual(
      [...f.fields],
      [
        ['key', `uploads/${F}`],
        ['x-amz-meta-owner', 'ädä'],
      ],
    );
    assert.deepEqual(f.file.data, bytes);
    assert.equal(f.file.contentType, 'image/png');
    assert.equal(f.file.filename, 'cat %221%22.png', 'a browser percent-encodes quotes in names');
  });

  it('round-trips any fields and file content through FormData', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), { maxLength: 6 }),
        fc.array(fc.string({ maxLength: 40 }), { minLength: 6, maxLength: 6 }),
        fc.uint8Array({ maxLength: 300 }),
        async (names, values, content) => {
          const form = new FormData();
          const fields = names.filter((n) => n !== 'file');
          fields.forEach((n, i) => {
            form.append(n, values[i]!);
          });
          form.append('file', new Blob([Buffer.from(content)]), 'f.bin');
          const { boundary, body } = await encode(form);
          const f = parsePostForm(body, boundary);
          // FormData normalizes line breaks in field values to CRLF.
          const expected = fields.map((n, i) => [n, values[i]!.replace(/\r\n|\r|\n/g, '\r\n')]);
          assert.deepEqual([...f.fields], expected);
          assert.deepEqual(new Uint8Array(f.file.data), content);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses every truncation of a form with a coded 400 (or reads the same file when only the tail is cut)', () => {
    const whole = raw(`${part('key', 'k')}${part('policy', 'p')}${FILE}--${B}--\r\n`);
    const fileEnd = whole.indexOf(`\r\n--${B}--`);
    for (let n = 0; n < whole.length; n++) {
      const cut = whole.subarray(0, n);
      let r: ReturnType<typeof parsePostForm> | undefined;
      try {
        r = parsePostForm(cut, B);
      } catch (e) {
        assert.ok(isNimbusError(e) && e.status === 400, `cut at ${n}: ${String(e)}`);
        continue;
      }
      assert.ok(n >= fileEnd + B.length + 4, `cut at ${n} was accepted`);
      assert.equal(r.file.data.toString(), 'hello');
    }
  });

  it('accepts a preamble, transport padding and fields after the file (ignored)', () => {
    const f = parsePostForm(
      raw(
        `preamble\r\n${part('a', '1').replace(`--${B}\r\n`, `--${B} \t\r\n`)}${FILE}${part('b', '2')}--${B}--`,
      ),
      B,
    );
    assert.deepEqual([...f.fields], [['a', '1']]);
    assert.equal(f.file.filename, 'a.txt');
  });

  it('takes a file part without a file name as bytes', () => {
    const f = parsePostForm(
      Buffer.concat([
        raw(`--${B}\r\nContent-Disposition: form-data; name="FILE"\r\n\r\n`),
        Buffer.from([0xff, 0xfe, 0]),
        raw(`\r\n--${B}--\r\n`),
      ]),
      B,
    );
    assert.deepEqual([...f.file.data], [0xff, 0xfe, 0]);
    assert.equal(f.file.filename, undefined);
  });

  it('refuses malformed forms with coded errors', () => {
    const cases: [string, Buffer, string, string?][] = [
      ['no file', raw(`${part('key', 'k')}--${B}--\r\n`), 'InvalidArgument'],
      ['empty body', raw(''), 'MalformedPOSTRequest'],
      ['no boundary at all', raw('just text'), 'MalformedPOSTRequest'],
      ['closed immediately', raw(`--${B}--\r\n`), 'InvalidArgument'],
      ['boundary prefixes other text', raw(`--${B}X\r\n${FILE}--${B}--`), 'MalformedPOSTRequest'],
      [
        'field ends in a longer boundary',
        raw(`${part('a', `1\r\n--${B}X`)}${FILE}--${B}--`),
        'MalformedPOSTRequest',
      ],
      ['no headers', raw(`--${B}\r\n\r\nvalue\r\n${FILE}--${B}--`), 'MalformedPOSTRequest'],
      [
        'no name',
        raw(`--${B}\r\nContent-Disposition: form-data\r\n\r\nv\r\n${FILE}--${B}--`),
        'MalformedPOSTRequest',
      ],
      ['empty name', raw(`${part('', 'v')}${FILE}--${B}--`), 'MalformedPOSTRequest'],
      [
        'not form-data',
        raw(`--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n${FILE}--${B}--`),
        'MalformedPOSTRequest',
      ],
      [
        'two dispositions',
        raw(
          `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="b"\r\n\r\nv\r\n${FILE}`,
        ),
        'MalformedPOSTRequest',
      ],
      [
        'folded header',
        raw(`--${B}\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\nv\r\n${FILE}`),
        'MalformedPOSTRequest',
      ],
      [
        'header without colon',
        raw(`--${B}\r\nContent-Disposition form-data; name="a"\r\n\r\nv\r\n${FILE}`),
        'MalformedPOSTRequest',
      ],
      [
        'unterminated quote',
        raw(`--${B}\r\nContent-Disposition: form-data; name="a\r\n\r\nv\r\n${FILE}`),
        'MalformedPOSTRequest',
      ],
      ['parameter twice', raw(`${part('a', 'v', '; name="b"')}${FILE}`), 'MalformedPOSTRequest'],
      ['duplicate field', raw(`${part('key', 'a')}${part('KEY', 'b')}${FILE}--${B}--`), 'InvalidArgument'],
      ['file not closed', raw(`${part('key', 'a')}${FILE.slice(0, -2)}`), 'MalformedPOSTRequest'],
    ];
    for (const [label, body, code] of cases)
      assert.equal(
        s3CodeOf(() => parsePostForm(body, B)),
        code,
        label,
      );
    for (const bad of ['', 'a'.repeat(71), 'ends with space ', 'semi;colon', 'quo"te', 'tab\tb', 'ümlaut'])
      assert.equal(
        s3CodeOf(() => parsePostForm(raw(`${FILE}--${B}--`), bad)),
        'MalformedPOSTRequest',
        bad,
      );
  });

  it(`limits what precedes the file to ${MAX_PRE_DATA_BYTES} bytes (fields, part count, preamble)`, () => {
    const big = raw(`${part('a', 'x'.repeat(MAX_PRE_DATA_BYTES))}${FILE}--${B}--`);
    assert.equal(
      s3CodeOf(() => parsePostForm(big, B)),
      'MaxPostPreDataLengthExceededError',
    );
    let many = '';
    for (let i = 0; many.length <= MAX_PRE_DATA_BYTES; i++) many += part(`f${i}`, '1');
    assert.equal(
      s3CodeOf(() => parsePostForm(raw(`${many}${FILE}--${B}--`), B)),
      'MaxPostPreDataLengthExceededError',
    );
    const preamble = raw(`${'p'.repeat(MAX_PRE_DATA_BYTES + 1)}\r\n${FILE}--${B}--`);
    assert.equal(
      s3CodeOf(() => parsePostForm(preamble, B)),
      'MaxPostPreDataLengthExceededError',
    );
    // Just under the limit is fine, and the file itself may be large.
    const under = raw(
      `${part('a', 'x'.repeat(MAX_PRE_DATA_BYTES - 300))}${FILE.replace('hello', 'y'.repeat(100_000))}--${B}--`,
    );
    assert.equal(parsePostForm(under, B).file.data.length, 100_000);
  });
});

describe('postSignature', () => {
  const full = new Map([
    ['policy', 'e30='],
    ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
    ['x-amz-credential', 'AK/20240101/r/s3/aws4_request'],
    ['x-amz-date', '20240101T000000Z'],
    ['x-amz-signature', 'ab'],
    ['key', 'k'],
  ]);
  it('reads the signed fields and refuses a form missing one', () => {
    assert.equal(postSignature(full).key, 'k');
    assert.equal(postSignature(full).securityToken, undefined);
    const without = (name: string) => new Map([...full].filter(([k]) => k !== name));
    assert.equal(
      s3CodeOf(() => postSignature(without('policy'))),
      'InvalidPolicyDocument',
    );
    for (const name of ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature', 'key'])
      assert.equal(
        s3CodeOf(() => postSignature(without(name))),
        'InvalidArgument',
        name,
      );
    const v2 = new Map([...full, ['x-amz-algorithm', 'AWS4-HMAC-SHA1']]);
    assert.equal(
      s3CodeOf(() => postSignature(v2)),
      'InvalidArgument',
    );
  });
});

describe('objectKey', () => {
  it('substitutes the last path component of the file name', () => {
    assert.equal(objectKey(`uploads/${F}`, 'cat.png'), 'uploads/cat.png');
    assert.equal(objectKey(`u/${F}`, 'C:\\Users\\ada\\x.pdf'), 'u/x.pdf');
    assert.equal(objectKey(`u/${F}`, '../../etc/passwd'), 'u/passwd');
    assert.equal(objectKey(`${F}/${F}`, 'a$&b'), 'a$&b/a$&b');
    assert.equal(objectKey(`u/${F}`, undefined), 'u/');
    assert.equal(objectKey('plain', 'ignored.txt'), 'plain');
  });
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');
const policy = (conditions: unknown[], expiration = '2100-01-01T00:00:00Z') =>
  decodePostPolicy(b64({ expiration, conditions }));

describe('decodePostPolicy', () => {
  it('decodes the conditions createPresignedPost writes', () => {
    const p = policy([
      { bucket: 'b' },
      ['starts-with', '$Key', 'u/'],
      ['eq', '$Content-Type', 'text/plain'],
      ['content-length-range', 1, '10'],
      { 'X-Amz-Meta-A': 'x', n: 5 },
    ]);
    assert.equal(p.expiresAt, Date.UTC(2100, 0, 1));
    assert.deepEqual(
      p.conditions.map((c) =>
        c.op === 'content-length-range' ? [c.op, c.min, c.max] : [c.op, c.field, c.value],
      ),
      [
        ['eq', 'bucket', 'b'],
        ['starts-with', 'key', 'u/'],
        ['eq', 'content-type', 'text/plain'],
        ['content-length-range', 1, 10],
        ['eq', 'x-amz-meta-a', 'x'],
        ['eq', 'n', '5'],
      ],
    );
    // Whitespace in the base64 (line-wrapped encoders) is tolerated.
    const wrapped = b64({ expiration: '2100-01-01T00:00:00.000Z', conditions: [] }).replace(
      /(.{8})/g,
      '$1\n',
    );
    assert.equal(decodePostPolicy(wrapped).conditions.length, 0);
  });

  it('refuses anything that is not a policy document (InvalidPolicyDocument)', () => {
    const bad = [
      '',
      '!!!!',
      'e30',
      'e30=e30=',
      b64('[]'),
      b64('null'),
      b64('1'),
      b64('"s"'),
      b64('{'),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64'),
      b64({ conditions: [] }),
      b64({ expiration: 5, conditions: [] }),
      b64({ expiration: 'tomorrow', conditions: [] }),
      b64({ expiration: '2100-13-45T00:00:00Z', conditions: [] }),
      b64({ expiration: '2100-01-01T00:00:00Z' }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: {} }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [null] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [{}] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [{ a: { b: 1 } }] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['eq', 'key', 'x']] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['eq', '$', 'x']] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['eq', '$key']] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['matches', '$key', '.*']] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['content-length-range', 10, 1]] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['content-length-range', -1, 1]] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['content-length-range', 0, 1e300]] }),
      b64({ expiration: '2100-01-01T00:00:00Z', conditions: [['content-length-range', 0.5, 1]] }),
    ];
    for (const p of bad)
      assert.equal(
        s3CodeOf(() => decodePostPolicy(p)),
        'InvalidPolicyDocument',
        p,
      );
  });
});

describe('checkPostPolicy', () => {
  const NOW = Date.UTC(2030, 0, 1);
  const fields = (o: Record<string, string>) => new Map(Object.entries(o));
  const base = {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': 'AK/20300101/r/s3/aws4_request',
    'x-amz-date': '20300101T000000Z',
    policy: 'x',
    'x-amz-signature': 'y',
  };
  const signed = [
    { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
    { 'x-amz-credential': 'AK/20300101/r/s3/aws4_request' },
    { 'x-amz-date': '20300101T000000Z' },
  ];
  const check = (p: PostPolicy, form: Record<string, string>, o: { size?: number; key?: string } = {}) =>
    checkPostPolicy(p, {
      fields: fields({ ...base, ...form }),
      bucket: 'b',
      key: o.key ?? form.key ?? '',
      size: o.size ?? 5,
      now: NOW,
    });

  it('passes a form that satisfies every condition and names every field', () => {
    const p = policy([
      ...signed,
      { bucket: 'b' },
      ['starts-with', '$key', 'u/'],
      ['starts-with', '$Content-Type', ''],
      ['eq', '$x-amz-meta-a', 'v'],
      ['content-length-range', 0, 5],
    ]);
    check(p, { key: 'u/k', 'content-type': 'anything', 'x-amz-meta-a': 'v', 'x-ignore-me': '1', file: 'f' });
    check(p, { key: 'u/k', 'x-amz-meta-a': 'v', bucket: 'b' }, { size: 0 });
  });

  it('refuses an expired policy before anything else', () => {
    const p = policy([], '2029-12-31T23:59:59Z');
    assert.equal(
      s3CodeOf(() => check(p, { key: 'k', extra: '1' })),
      'AccessDenied',
    );
    assert.match(
      messageOf(() => check(p, {})),
      /Policy expired\./,
    );
  });

  it('refuses a failed condition, naming it', () => {
    const p = policy([...signed, { key: 'u/k' }, ['starts-with', '$Content-Type', 'image/']]);
    assert.equal(
      s3CodeOf(() => check(p, { key: 'u/other' })),
      'AccessDenied',
    );
    assert.match(
      messageOf(() => check(p, { key: 'u/other' })),
      /Policy Condition failed: \{"key":"u\/k"\}/,
    );
    // An absent field is the empty string: it fails a non-empty prefix.
    assert.match(
      messageOf(() => check(p, { key: 'u/k' })),
      /Policy Condition failed: \["starts-with","\$Content-Type","image\/"\]/,
    );
    // `$key` is the key stored (after ${filename}), not the field as sent.
    assert.equal(
      s3CodeOf(() => check(p, { key: `u/${F}` }, { key: 'u/x' })),
      'AccessDenied',
    );
    // `$bucket` is the bucket addressed, and a bucket field must agree with it.
    const pb = policy([...signed, { key: 'u/k' }, { bucket: 'other' }]);
    assert.equal(
      s3CodeOf(() => check(pb, { key: 'u/k' })),
      'AccessDenied',
    );
    const pb2 = policy([...signed, { key: 'u/k' }, ['starts-with', '$bucket', '']]);
    assert.equal(
      s3CodeOf(() => check(pb2, { key: 'u/k', bucket: 'other' })),
      'InvalidArgument',
    );
  });

  it('enforces content-length-range at both ends', () => {
    const p = policy([...signed, { key: 'k' }, ['content-length-range', 2, 4]]);
    assert.equal(
      s3CodeOf(() => check(p, { key: 'k' }, { size: 5 })),
      'EntityTooLarge',
    );
    assert.equal(
      s3CodeOf(() => check(p, { key: 'k' }, { size: 1 })),
      'EntityTooSmall',
    );
    check(p, { key: 'k' }, { size: 2 });
    check(p, { key: 'k' }, { size: 4 });
  });

  it('refuses a field no condition names (field names are case-insensitive in conditions)', () => {
    const p = policy([...signed, { key: 'k' }, ['starts-with', '$X-Amz-Meta-A', '']]);
    check(p, { key: 'k', 'x-amz-meta-a': 'v' });
    assert.equal(
      s3CodeOf(() => check(p, { key: 'k', 'x-amz-meta-b': 'v' })),
      'AccessDenied',
    );
    assert.match(
      messageOf(() => check(p, { key: 'k', 'x-amz-meta-b': 'v' })),
      /Extra input fields: x-amz-meta-b/,
    );
    // The signed fields themselves must be named too (createPresignedPost does).
    const unsigned = policy([{ key: 'k' }]);
    assert.match(
      messageOf(() => check(unsigned, { key: 'k' })),
      /Extra input fields: x-amz-algorithm/,
    );
    // A content-length-range names no field.
    const sized = policy([...signed, ['content-length-range', 0, 9]]);
    assert.match(
      messageOf(() => check(sized, { key: 'k' })),
      /Extra input fields: key/,
    );
  });
});

describe('objectAttributes', () => {
  it('reads Content-Type, Content-MD5 and x-amz-meta-*; refuses what cannot be a header', () => {
    const a = objectAttributes(
      new Map([
        ['content-type', 'text/plain; charset=utf-8'],
        ['x-amz-meta-owner', 'ada'],
        ['key', 'k'],
      ]),
    );
    assert.deepEqual(a, {
      contentType: 'text/plain; charset=utf-8',
      metadata: { owner: 'ada' },
      contentMd5: undefined,
    });
    for (const [k, v] of [
      ['x-amz-meta-', 'v'],
      ['x-amz-meta-a b', 'v'],
      ['x-amz-meta-a', 'line\r\nbreak'],
      ['x-amz-meta-a', '€'],
      ['content-type', 'text/plain\n'],
      ['content-md5', 'ü'],
    ] as const)
      assert.equal(
        s3CodeOf(() => objectAttributes(new Map([[k, v]]))),
        'InvalidArgument',
        `${k}: ${v}`,
      );
  });
});

describe('postPolicySignature', () => {
  it('is the signature createPresignedPost computes', async () => {
    const credentials = { accessKeyId: 'AKIATEST', secretAccessKey: 's3cr3t/with+chars' };
    const client = new S3Client({
      region: 'local-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials,
    });
    const { fields } = await createPresignedPost(client, {
      Bucket: 'b',
      Key: 'k',
      Conditions: [['content-length-range', 0, 10]],
    });
    const [, day = '', region = '', service = ''] = fields['X-Amz-Credential']!.split('/');
    assert.equal(
      postPolicySignature(credentials.secretAccessKey, { day, region, service }, fields.Policy!),
      fields['X-Amz-Signature'],
    );
    assert.notEqual(
      postPolicySignature('other', { day, region, service }, fields.Policy!),
      fields['X-Amz-Signature'],
    );
    // And the policy it wrote decodes, with every field it sends named by a condition.
    const p = decodePostPolicy(fields.Policy!);
    const form = new Map(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
    checkPostPolicy(p, { fields: form, bucket: 'b', key: 'k', size: 3, now: Date.now() });
  });
});
