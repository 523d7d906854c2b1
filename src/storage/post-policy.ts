/**
 * Browser-based uploads (S3 POST Object): the `multipart/form-data` body, the SigV4 POST policy
 * (`createPresignedPost`) and its conditions. Pure functions; the S3 server authenticates the
 * form's signature, authorizes s3:PutObject and stores the object.
 *
 * The form: fields first, then the `file` part (fields after it are ignored, as S3 does). Field
 * names are case-insensitive and kept lower-cased; a field given twice is refused. Everything
 * before the file's content (fields and the file's own part headers) is at most 20 KB, S3's limit,
 * so an unauthenticated body cannot make the parser walk thousands of parts.
 *
 * The policy: base64 JSON `{ expiration, conditions }`. Conditions are `{"field": "value"}`,
 * `["eq", "$field", "value"]`, `["starts-with", "$field", "prefix"]` (an empty prefix allows
 * anything) and `["content-length-range", min, max]`. `$bucket` is the bucket the request is
 * addressed to and `$key` the key after `${filename}` substitution (the key that is stored). Every
 * form field except `policy`, `x-amz-signature`, `file` and `x-ignore-*` must be named by a
 * condition.
 */
import { defineErrors } from '../core/errors.ts';
import { S3Errors } from './service.ts';

export const PostErrors = defineErrors('S3_POST', {
  MALFORMED: {
    status: 400,
    kind: 'user',
    message: 'The body of your POST request is not well-formed multipart/form-data: {reason}',
  },
  PRE_DATA_TOO_LARGE: {
    status: 400,
    kind: 'user',
    message: 'Your POST request fields preceding the upload file were too large (the limit is {limit} bytes)',
  },
  INVALID_POLICY: { status: 400, kind: 'user', message: 'Invalid Policy: {reason}' },
  POLICY_EXPIRED: { status: 403, kind: 'user', message: 'Invalid according to Policy: Policy expired.' },
  CONDITION_FAILED: {
    status: 403,
    kind: 'user',
    message: 'Invalid according to Policy: Policy Condition failed: {condition}',
  },
  EXTRA_FIELD: {
    status: 403,
    kind: 'user',
    message: 'Invalid according to Policy: Extra input fields: {field}',
    hint: 'every form field except policy, x-amz-signature, file and x-ignore-* needs a policy condition',
  },
  ENTITY_TOO_SMALL: {
    status: 400,
    kind: 'user',
    message: 'Your proposed upload ({size} bytes) is smaller than the minimum allowed size ({min} bytes)',
  },
});

/** The S3 `<Code>` of each POST error (read with S3_CODES by the S3 server). */
export const POST_S3_CODES: Readonly<Record<string, string>> = {
  [PostErrors.codes.MALFORMED]: 'MalformedPOSTRequest',
  [PostErrors.codes.PRE_DATA_TOO_LARGE]: 'MaxPostPreDataLengthExceededError',
  [PostErrors.codes.INVALID_POLICY]: 'InvalidPolicyDocument',
  [PostErrors.codes.POLICY_EXPIRED]: 'AccessDenied',
  [PostErrors.codes.CONDITION_FAILED]: 'AccessDenied',
  [PostErrors.codes.EXTRA_FIELD]: 'AccessDenied',
  [PostErrors.codes.ENTITY_TOO_SMALL]: 'EntityTooSmall',
};

/** S3's limit on the form fields that precede the file. */
export const MAX_PRE_DATA_BYTES = 20 * 1024;

export interface PostFile {
  readonly data: Buffer;
  /** The file name the client sent (as sent; `objectKey` keeps its last path component). */
  readonly filename: string | undefined;
  /** The file part's own Content-Type (the object's type is the `Content-Type` field). */
  readonly contentType: string | undefined;
}

export interface PostForm {
  /** Lower-cased field name → value (UTF-8), the fields before the file. */
  readonly fields: ReadonlyMap<string, string>;
  readonly file: PostFile;
}

/** The boundary of a `multipart/form-data` Content-Type (`''` when it has none); undefined for other types. */
export function formBoundary(contentType: string | string[] | undefined): string | undefined {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  if (ct === undefined) return undefined;
  // A boundary has no ';' (RFC 2046 bchars), so splitting on it is safe even when quoted.
  const [type = '', ...params] = ct.split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const v = p.slice(eq + 1).trim();
    return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  }
  return '';
}

const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const CRLF = 0x0d0a;

const malformed = (reason: string) => PostErrors.MALFORMED({ reason });

/**
 * Parses a POST Object body: the fields up to the `file` part, and the file. Refuses (coded, 400)
 * a bad boundary, a truncated body, parts without a form-data name, a field given twice, more than
 * MAX_PRE_DATA_BYTES before the file's content, and a form without a file.
 */
export function parsePostForm(body: Buffer, boundary: string): PostForm {
  if (!BOUNDARY.test(boundary)) throw malformed('the Content-Type has no valid boundary');
  const open = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  /** Where a search that must end before the file may stop; past it is "too large", short of it "truncated". */
  const beforeFile = (at: number, what: string): number => {
    if (at >= 0 && at <= MAX_PRE_DATA_BYTES) return at;
    if (at > MAX_PRE_DATA_BYTES || body.length > MAX_PRE_DATA_BYTES)
      throw PostErrors.PRE_DATA_TOO_LARGE({ limit: MAX_PRE_DATA_BYTES });
    throw malformed(`truncated body: ${what}`);
  };

  // An optional preamble, then the first boundary.
  let pos = body.subarray(0, open.length).equals(open)
    ? open.length
    : beforeFile(body.indexOf(delimiter), 'no boundary') + delimiter.length;
  const fields = new Map<string, string>();
  for (;;) {
    pos = afterDelimiter(body, pos);
    if (pos < 0)
      throw S3Errors.INVALID_ARGUMENT({ reason: 'POST requires exactly one file upload per request' });
    // Part headers end at an empty line (a part without headers starts with it).
    const headEnd = beforeFile(body.indexOf('\r\n\r\n', pos - 2), 'part headers do not end');
    const part = partHeaders(body.subarray(pos, Math.max(pos, headEnd)).toString('utf8'));
    pos = headEnd + 4;
    if (part.name === 'file') {
      beforeFile(pos, 'the file part');
      const end = body.indexOf(delimiter, pos);
      if (end < 0) throw malformed('truncated body: the file has no closing boundary');
      afterDelimiter(body, end + delimiter.length);
      return {
        fields,
        file: { data: body.subarray(pos, end), filename: part.filename, contentType: part.contentType },
      };
    }
    const end = beforeFile(body.indexOf(delimiter, pos), `field ${part.name} has no closing boundary`);
    if (fields.has(part.name))
      throw S3Errors.INVALID_ARGUMENT({ reason: `the form field ${part.name} is given more than once` });
    fields.set(part.name, body.subarray(pos, end).toString('utf8'));
    pos = end + delimiter.length;
  }
}

/**
 * What follows a boundary: `--` ends the body (-1), optional padding and CRLF start a part (the
 * position after the CRLF). Anything else is a boundary that only prefixes other text.
 */
function afterDelimiter(body: Buffer, at: number): number {
  if (body[at] === 0x2d && body[at + 1] === 0x2d) return -1;
  let i = at;
  while (body[i] === 0x20 || body[i] === 0x09) i++;
  if (i + 1 >= body.length) throw malformed('truncated body after a boundary');
  if (body.readUInt16BE(i) !== CRLF) throw malformed('a boundary is followed by other text');
  return i + 2;
}

/** A part's Content-Disposition (`form-data; name="…"; filename="…"`) and Content-Type. */
function partHeaders(text: string): {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
} {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text === '' ? [] : text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /^[\t ]/.test(line)) throw malformed('a part header line is not "Name: value"');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') {
      if (disposition !== undefined) throw malformed('a part has two Content-Disposition headers');
      disposition = value;
    } else if (name === 'content-type') contentType = value;
  }
  if (disposition === undefined) throw malformed('a part has no Content-Disposition header');
  const params = dispositionParams(disposition);
  const name = params.get('name');
  if (name === undefined || name === '') throw malformed('a part has no form-data name');
  return { name: name.toLowerCase(), filename: params.get('filename'), contentType };
}

/**
 * `form-data; a=b; c="d"`: the parameters, names lower-cased. Quoted values end at the next quote
 * (browsers percent-encode a quote in a name and do not backslash-escape, so `C:\x` stays as sent).
 */
function dispositionParams(v: string): Map<string, string> {
  const semi = v.indexOf(';');
  if ((semi < 0 ? v : v.slice(0, semi)).trim().toLowerCase() !== 'form-data')
    throw malformed('a part is not Content-Disposition: form-data');
  const out = new Map<string, string>();
  let i = semi < 0 ? v.length : semi + 1;
  while (i < v.length) {
    while (v[i] === ' ' || v[i] === '\t' || v[i] === ';') i++;
    if (i >= v.length) break;
    const eq = v.indexOf('=', i);
    if (eq < 0) throw malformed('a Content-Disposition parameter has no value');
    const name = v.slice(i, eq).trim().toLowerCase();
    let value: string;
    let at = eq + 1;
    while (v[at] === ' ' || v[at] === '\t') at++;
    if (v[at] === '"') {
      const close = v.indexOf('"', at + 1);
      if (close < 0) throw malformed('an unterminated quoted Content-Disposition parameter');
      value = v.slice(at + 1, close);
      i = close + 1;
    } else {
      const end = v.indexOf(';', at);
      value = v.slice(at, end < 0 ? v.length : end).trim();
      i = end < 0 ? v.length : end;
    }
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw malformed('a bad Content-Disposition parameter name');
    if (out.has(name)) throw malformed(`the Content-Disposition parameter ${name} is given twice`);
    out.set(name, value);
  }
  return out;
}

/** The form fields a signed POST carries, checked for presence (a missing one is a coded 400). */
export interface PostSignature {
  readonly policy: string;
  readonly credential: string;
  readonly date: string;
  readonly signature: string;
  readonly securityToken: string | undefined;
  /** The `key` field as sent (before `${filename}` substitution). */
  readonly key: string;
}

export function postSignature(fields: ReadonlyMap<string, string>): PostSignature {
  const policy = fields.get('policy');
  if (policy === undefined || policy === '')
    throw PostErrors.INVALID_POLICY({ reason: "Bucket POST must contain a field named 'policy'" });
  const need = (name: string) => {
    const v = fields.get(name);
    if (v === undefined || v === '')
      throw S3Errors.INVALID_ARGUMENT({ reason: `Bucket POST must contain a field named '${name}'` });
    return v;
  };
  const algorithm = need('x-amz-algorithm');
  if (algorithm !== 'AWS4-HMAC-SHA256')
    throw S3Errors.INVALID_ARGUMENT({ reason: 'x-amz-algorithm must be AWS4-HMAC-SHA256' });
  return {
    policy,
    credential: need('x-amz-credential'),
    date: need('x-amz-date'),
    signature: need('x-amz-signature'),
    securityToken: fields.get('x-amz-security-token'),
    key: need('key'),
  };
}

const FILENAME = '$' + '{filename}';

/** The stored key: `${filename}` becomes the last path component of the file's name (as S3 does). */
export function objectKey(template: string, filename: string | undefined): string {
  const base = (filename ?? '').split(/[/\\]/).pop() ?? '';
  return template.split(FILENAME).join(base);
}

export type PostCondition =
  | {
      readonly op: 'eq' | 'starts-with';
      readonly field: string;
      readonly value: string;
      readonly text: string;
    }
  | {
      readonly op: 'content-length-range';
      readonly min: number;
      readonly max: number;
      readonly text: string;
    };

export interface PostPolicy {
  readonly expiresAt: number;
  readonly conditions: readonly PostCondition[];
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and validates the base64 policy document (InvalidPolicyDocument when it is not one). */
export function decodePostPolicy(b64: string): PostPolicy {
  const bad = (reason: string) => PostErrors.INVALID_POLICY({ reason });
  const compact = b64.replace(/[\t\n\r ]/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    throw bad('the policy is not base64');
  let doc: unknown;
  try {
    doc = JSON.parse(utf8.decode(Buffer.from(compact, 'base64')));
  } catch {
    throw bad('the policy is not UTF-8 JSON');
  }
  if (!isObject(doc)) throw bad('the policy is not a JSON object');
  const { expiration, conditions } = doc;
  if (typeof expiration !== 'string') throw bad('Policy missing expiration');
  const expiresAt = Date.parse(expiration);
  if (!ISO_8601.test(expiration) || !Number.isFinite(expiresAt))
    throw bad(`Invalid 'expiration' value: '${expiration.slice(0, 64)}'`);
  if (!Array.isArray(conditions)) throw bad('Policy missing conditions');
  return { expiresAt, conditions: conditions.flatMap((c: unknown) => condition(c, bad)) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function condition(c: unknown, bad: (reason: string) => Error): PostCondition[] {
  const text = (JSON.stringify(c) ?? String(c)).slice(0, 256);
  const scalar = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
  if (isObject(c)) {
    const entries = Object.entries(c);
    if (entries.length === 0) throw bad(`Invalid Policy: an empty condition ${text}`);
    return entries.map(([k, v]) => {
      const value = scalar(v);
      if (value === undefined) throw bad(`Invalid Condition: ${text}`);
      return { op: 'eq' as const, field: k.toLowerCase(), value, text };
    });
  }
  if (!Array.isArray(c) || c.length !== 3 || typeof c[0] !== 'string')
    throw bad(`Invalid Condition: ${text}`);
  const op = c[0].toLowerCase();
  if (op === 'content-length-range') {
    const n = (v: unknown) => {
      const s = scalar(v);
      return s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : undefined;
    };
    const min = n(c[1]);
    const max = n(c[2]);
    if (min === undefined || max === undefined || min > max)
      throw bad(`Invalid content-length-range: ${text}`);
    return [{ op, min, max, text }];
  }
  if (op !== 'eq' && op !== 'starts-with') throw bad(`Invalid Condition: unknown operation in ${text}`);
  const field = c[1];
  const value = scalar(c[2]);
  if (typeof field !== 'string' || !field.startsWith('$') || field.length < 2 || value === undefined)
    throw bad(`Invalid Condition: ${text}`);
  return [{ op, field: field.slice(1).toLowerCase(), value, text }];
}

/** Form fields no condition has to name. */
export function isExemptField(name: string): boolean {
  return name === 'policy' || name === 'x-amz-signature' || name === 'file' || name.startsWith('x-ignore-');
}

/**
 * Checks a decoded policy against the request: not expired, every condition holds (in order), and
 * every non-exempt field is named by a condition. `bucket` is the bucket addressed, `key` the key
 * to store. Throws the coded S3 error of the first failure.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  r: {
    readonly fields: ReadonlyMap<string, string>;
    readonly bucket: string;
    readonly key: string;
    readonly size: number;
    readonly now: number;
  },
): void {
  if (r.now >= policy.expiresAt) throw PostErrors.POLICY_EXPIRED();
  const formBucket = r.fields.get('bucket');
  if (formBucket !== undefined && formBucket !== r.bucket)
    throw S3Errors.INVALID_ARGUMENT({
      reason: 'the form field bucket names another bucket than the request',
    });
  const value = (field: string) =>
    field === 'bucket' ? r.bucket : field === 'key' ? r.key : (r.fields.get(field) ?? '');
  const named = new Set<string>();
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') {
      if (r.size < c.min) throw PostErrors.ENTITY_TOO_SMALL({ size: r.size, min: c.min });
      if (r.size > c.max) throw S3Errors.ENTITY_TOO_LARGE({ size: r.size, limit: c.max });
      continue;
    }
    named.add(c.field);
    const v = value(c.field);
    if (c.op === 'eq' ? v !== c.value : !v.startsWith(c.value))
      throw PostErrors.CONDITION_FAILED({ condition: c.text });
  }
  for (const name of r.fields.keys())
    if (!isExemptField(name) && !named.has(name)) throw PostErrors.EXTRA_FIELD({ field: name.slice(0, 128) });
}

const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const HEADER_TEXT = /^[\t\x20-\x7e]*$/;

/**
 * The object's Content-Type and x-amz-meta-* metadata from the form. They are served back as
 * response headers, so names must be header tokens and values printable ASCII (InvalidArgument).
 */
export function objectAttributes(fields: ReadonlyMap<string, string>): {
  contentType: string | undefined;
  metadata: Record<string, string>;
  contentMd5: string | undefined;
} {
  const metadata: Record<string, string> = {};
  const text = (name: string, v: string) => {
    if (!HEADER_TEXT.test(v)) throw S3Errors.INVALID_ARGUMENT({ reason: `${name} must be printable ASCII` });
    return v;
  };
  for (const [name, v] of fields) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const m = name.slice(11);
    if (!HEADER_TOKEN.test(m))
      throw S3Errors.INVALID_ARGUMENT({ reason: 'a metadata name is not a valid header name' });
    metadata[m] = text(name.slice(0, 128), v);
  }
  const ct = fields.get('content-type');
  const md5 = fields.get('content-md5');
  return {
    contentType: ct === undefined ? undefined : text('Content-Type', ct),
    metadata,
    contentMd5: md5 === undefined ? undefined : text('Content-MD5', md5),
  };
}
