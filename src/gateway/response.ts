/**
 * Function result → HTTP response, as API Gateway maps it. Payload 2.0: a value without
 * `statusCode` becomes 200 JSON; `{statusCode, headers, multiValueHeaders, cookies, body,
 * isBase64Encoded}` is honoured. Payload 1.0 requires `statusCode`. Header names and values are
 * validated: CR/LF (response splitting) or invalid names make the response a coded 502 — never
 * injected into the wire.
 */
import { defineErrors } from '../core/errors.ts';

export const GatewayErrors = defineErrors('GATEWAY', {
  ROUTE_NOT_FOUND: { status: 404, kind: 'user', message: 'no route matches {method} {path}' },
  BAD_FUNCTION_RESPONSE: {
    status: 502,
    kind: 'user',
    message: 'the function returned a response the gateway cannot send: {reason}',
    hint: 'return {statusCode, headers, body} with string header values and no CR/LF characters',
  },
  FUNCTION_ERROR: {
    status: 502,
    kind: 'user',
    message: 'the function failed',
    hint: 'see the function logs for the request id',
  },
  FUNCTION_TIMEOUT: { status: 504, kind: 'user', message: 'the function did not answer in time' },
  INTEGRATION_TIMEOUT: {
    status: 504,
    kind: 'user',
    message: 'the function did not answer within the gateway timeout ({ms} ms)',
    hint: 'answer sooner, stream the response, or use an async invocation',
  },
  MALFORMED_REQUEST: { status: 400, kind: 'user', message: 'malformed request: {reason}' },
  THROTTLED: {
    status: 429,
    kind: 'user',
    message: 'too many requests for this route',
    hint: 'retry after the Retry-After delay',
    retryable: true,
  },
});

export interface HttpResponse {
  readonly statusCode: number;
  /** Header pairs (a name may repeat, e.g. set-cookie). */
  readonly headers: readonly (readonly [string, string])[];
  /**
   * Text stays a string: Node writes a string body in one write with the head (a Buffer goes
   * out by writev after a copy), and no Buffer is made for it.
   */
  readonly body: Buffer | string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

/** Validated, lower-cased header pairs from a response shape (headers, multiValueHeaders, cookies). */
export function headerPairs(r: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const add = (k: string, v: unknown) => {
    if (!TOKEN.test(k))
      throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: `invalid header name ${JSON.stringify(k)}` });
    if (v === null || v === undefined) return;
    if (typeof v === 'object')
      throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: `header ${k} is not a string` });
    const s = String(v);
    if (BAD_VALUE.test(s))
      throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: `header ${k} contains CR, LF or NUL` });
    out.push([k.toLowerCase(), s]);
  };
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object')
      throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: 'headers must be an object' });
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) add(k, v);
  }
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    for (const [k, vs] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(vs))
        throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: `multiValueHeaders.${k} must be an array` });
      for (const v of vs) add(k, v);
    }
  }
  if (Array.isArray(r.cookies)) for (const c of r.cookies) add('set-cookie', c);
  return out;
}

function bodyOf(r: Record<string, unknown>): Buffer | string {
  const b = r.body;
  if (b === undefined || b === null) return '';
  const text = typeof b === 'string' ? b : JSON.stringify(b);
  return r.isBase64Encoded === true ? Buffer.from(text, 'base64') : text;
}

/** Maps the function's JSON result text to an HTTP response for the route's payload format. */
export function mapFunctionResult(payloadJson: string, format: '1.0' | '2.0'): HttpResponse {
  let value: unknown;
  try {
    value = JSON.parse(payloadJson);
  } catch {
    throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: 'result is not JSON' });
  }
  const isShaped =
    value !== null && typeof value === 'object' && !Array.isArray(value) && 'statusCode' in value;
  if (!isShaped) {
    if (format === '1.0')
      throw GatewayErrors.BAD_FUNCTION_RESPONSE({ reason: 'payload 1.0 responses need a statusCode' });
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: payloadJson,
    };
  }
  const r = value as Record<string, unknown>;
  const status = Number(r.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw GatewayErrors.BAD_FUNCTION_RESPONSE({
      reason: `statusCode ${JSON.stringify(r.statusCode)} is not an HTTP status`,
    });
  }
  const headers = headerPairs(r);
  if (!headers.some(([k]) => k === 'content-type') && r.body !== undefined && r.body !== null) {
    headers.push(['content-type', 'application/json']);
  }
  return { statusCode: status, headers, body: bodyOf(r) };
}
