/**
 * @module api/aws-query
 * The AWS query protocol on the API port: `POST /` with an `application/x-www-form-urlencoded`
 * body `Action=<Op>&Version=<date>&…` and XML answers, as `@aws-sdk/client-sns` speaks it (SNS
 * never moved to JSON). It shares `POST /` with the AWS JSON protocols (aws-json.ts routes a
 * request without `X-Amz-Target` and with a form body here).
 *
 * Services register their API version (SNS `2010-03-31`, SQS `2012-11-05`): a request whose
 * `Version` names a registered service goes to it; one without a `Version` (or with a version no
 * service registered) goes to the only service that has its `Action`.
 *
 * Parameters are flattened the query way (`Attributes.entry.1.key`, `Tags.member.2.Value`);
 * `decodeParams` rebuilds the tree and `members` / `entries` read its lists and maps. Operations
 * return the XML of their `<Op>Result` element; errors answer `<ErrorResponse>` with the service's
 * error code.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CoreErrors, type NimbusError } from '../core/errors.ts';
import { AwsJsonErrors } from './aws-json.ts';

export type QueryNode = { [k: string]: QueryNode | string };

/** One operation: the decoded parameters in, the inner XML of `<Op>Result` out. */
export type AwsQueryOperation = (params: QueryNode, req: FastifyRequest) => Promise<string>;

export interface AwsQueryService {
  /** The API version requests name in `Version=`: `2010-03-31` for SNS, `2012-11-05` for SQS. */
  readonly version: string;
  readonly xmlns: string;
  readonly operations: Readonly<Record<string, AwsQueryOperation>>;
  /** The service's error code and status for a coded error (undefined: the common mapping). */
  readonly errorCode?: (e: NimbusError) => { code: string; status: number } | undefined;
  /** Operations audited like reads (only when denied). */
  readonly dataOperations?: ReadonlySet<string>;
  /**
   * Operations that answer an `<OpResult>` element even when it is empty (botocore looks for the
   * element of every operation with an output shape). Otherwise '' answers without one.
   */
  readonly resultActions?: ReadonlySet<string>;
}

export interface AwsQueryDispatcher {
  register(service: AwsQueryService): void;
  /** A query-protocol request: no X-Amz-Target, a form body. */
  isQuery(req: FastifyRequest): boolean;
  handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  sendError(e: NimbusError, req: FastifyRequest, reply: FastifyReply): FastifyReply;
}

const MAX_PARAMS = 2000;

// A CR is a character reference: XML parsers turn a literal one (and CRLF) into LF, which would
// change a message body (and its MD5) on the way.
export const xmlEscape = (s: string) =>
  s.replace(
    /[&<>"'\r]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]!,
  );
// Characters XML 1.0 cannot carry at all are dropped (a message body is the sender's text).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 forbids
const XML_INVALID = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `<name>text</name>` (text escaped), or `<name>inner</name>` for already-built XML. */
export const el = (name: string, text: string | number | boolean) =>
  `<${name}>${xmlEscape(String(text).replace(XML_INVALID, ''))}</${name}>`;
export const raw = (name: string, inner: string) => `<${name}>${inner}</${name}>`;
export const memberList = (name: string, items: readonly string[]) =>
  raw(name, items.map((i) => raw('member', i)).join(''));
export const entryMap = (name: string, map: Readonly<Record<string, string>>) =>
  raw(
    name,
    Object.entries(map)
      .map(([k, v]) => raw('entry', el('key', k) + el('value', v)))
      .join(''),
  );

/** `a.b.1.c=v` pairs → a tree (numeric segments stay object keys; see `members`). */
export function decodeParams(form: URLSearchParams): QueryNode {
  const root: QueryNode = {};
  let n = 0;
  for (const [k, v] of form) {
    if (++n > MAX_PARAMS) throw AwsJsonErrors.SERIALIZATION({ reason: `more than ${MAX_PARAMS} parameters` });
    const path = k.split('.');
    if (path.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype'))
      throw CoreErrors.VALIDATION({ reason: `invalid parameter name ${k.slice(0, 100)}` });
    let node = root;
    for (const seg of path.slice(0, -1)) {
      const next = node[seg];
      if (typeof next === 'string')
        throw CoreErrors.VALIDATION({ reason: `parameter ${k.slice(0, 100)} conflicts with another` });
      if (next === undefined) {
        const child: QueryNode = {};
        node[seg] = child;
        node = child;
      } else node = next;
    }
    const last = path.at(-1)!;
    if (typeof node[last] === 'object')
      throw CoreErrors.VALIDATION({ reason: `parameter ${k.slice(0, 100)} conflicts with another` });
    node[last] = v;
  }
  return root;
}

/** A list (`X.member.N…`) in index order. */
export function members(node: QueryNode | string | undefined): (QueryNode | string)[] {
  const m = typeof node === 'object' ? node.member : undefined;
  if (typeof m !== 'object') return [];
  return Object.keys(m)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => m[k]!);
}

/** A map (`X.entry.N.<keyName>` / `.<valueName>`). */
export function entries(
  node: QueryNode | string | undefined,
  keyName = 'key',
  valueName = 'value',
): Record<string, QueryNode | string> {
  const e = typeof node === 'object' ? node.entry : undefined;
  const out: Record<string, QueryNode | string> = {};
  if (typeof e !== 'object') return out;
  for (const k of Object.keys(e).sort((a, b) => Number(a) - Number(b))) {
    const item = e[k];
    if (typeof item !== 'object') continue;
    const name = item[keyName];
    const value = item[valueName];
    if (typeof name === 'string' && value !== undefined) out[name] = value;
  }
  return out;
}

export const str = (node: QueryNode | string | undefined): string | undefined =>
  typeof node === 'string' ? node : undefined;

/** The query protocol's error code for failures every service shares. */
function commonCode(e: NimbusError, hasAuthorization: boolean): { code: string; status: number } {
  switch (e.code) {
    case CoreErrors.codes.FORBIDDEN:
      return { code: 'AuthorizationError', status: 403 };
    case CoreErrors.codes.UNAUTHORIZED:
      return hasAuthorization
        ? { code: 'IncompleteSignature', status: 400 }
        : { code: 'MissingAuthenticationToken', status: 403 };
    case AwsJsonErrors.codes.UNKNOWN_OPERATION:
      return { code: 'InvalidAction', status: 400 };
  }
  if (e.status === 429) return { code: 'Throttling', status: 400 };
  if (e.status === 404) return { code: 'NotFound', status: 404 };
  if (e.status >= 500) return { code: 'InternalFailure', status: 500 };
  if (e.status === 401 || e.status === 403) return { code: 'InvalidClientTokenId', status: 403 };
  return { code: 'InvalidParameter', status: 400 };
}

export function createAwsQueryDispatcher(): AwsQueryDispatcher {
  const byVersion = new Map<string, AwsQueryService>();
  const byAction = new Map<string, AwsQueryService[]>();
  const formOf = (req: FastifyRequest) =>
    new URLSearchParams(req.body instanceof Buffer ? req.body.toString('utf8') : '');
  const parsed = new WeakMap<FastifyRequest, URLSearchParams>();
  const form = (req: FastifyRequest) => {
    let f = parsed.get(req);
    if (!f) {
      f = formOf(req);
      parsed.set(req, f);
    }
    return f;
  };
  /** The service of the request's Version, else the only one with its Action. */
  const serviceOf = (req: FastifyRequest): AwsQueryService | undefined => {
    const f = form(req);
    const svc = byVersion.get(f.get('Version') ?? '');
    if (svc) return svc;
    const list = byAction.get(f.get('Action') ?? '');
    return list?.length === 1 ? list[0] : undefined;
  };

  return {
    register(service) {
      if (byVersion.has(service.version))
        throw CoreErrors.INTERNAL({ reason: `AWS query version ${service.version} registered twice` });
      byVersion.set(service.version, service);
      for (const action of Object.keys(service.operations))
        byAction.set(action, [...(byAction.get(action) ?? []), service]);
    },

    isQuery(req) {
      const t = req.headers['x-amz-target'];
      const ct = String(req.headers['content-type'] ?? '');
      return t === undefined && /^application\/x-www-form-urlencoded\b/i.test(ct);
    },

    async handle(req, reply) {
      const f = form(req);
      const action = f.get('Action') ?? '';
      const svc = serviceOf(req);
      const op = svc && Object.hasOwn(svc.operations, action) ? svc.operations[action] : undefined;
      if (!svc || !op)
        throw AwsJsonErrors.UNKNOWN_OPERATION({ target: action.slice(0, 200) || '(no Action)' });
      if (req.authz && svc.dataOperations?.has(action)) req.authz.dataEvent = true;
      const result = await op(decodeParams(f), req);
      const xml =
        `<?xml version="1.0"?><${action}Response xmlns="${svc.xmlns}">` +
        (result === '' && !svc.resultActions?.has(action) ? '' : raw(`${action}Result`, result)) +
        raw('ResponseMetadata', el('RequestId', randomUUID())) +
        `</${action}Response>`;
      return reply.header('content-type', 'text/xml').send(Buffer.from(xml));
    },

    sendError(e, req, reply) {
      const svc = serviceOf(req);
      const m = svc?.errorCode?.(e) ?? commonCode(e, req.headers.authorization !== undefined);
      const xml =
        `<?xml version="1.0"?><ErrorResponse xmlns="${svc?.xmlns ?? 'https://sns.amazonaws.com/doc/2010-03-31/'}">` +
        raw(
          'Error',
          el('Type', m.status >= 500 ? 'Receiver' : 'Sender') +
            el('Code', m.code) +
            el('Message', `[${e.code}] ${e.message}`),
        ) +
        el('RequestId', randomUUID()) +
        '</ErrorResponse>';
      return reply
        .code(m.status)
        .header('content-type', 'text/xml')
        .header('x-nimbus-error-code', e.code)
        .send(Buffer.from(xml));
    },
  };
}
