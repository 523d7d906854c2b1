/** A small REST client for the control-plane API (docs/API.md); errors become NimbusErrors. */
import { NimbusError, type NimbusErrorJSON } from '../core/errors.ts';
import type { Credentials } from './credentials.ts';
import { CliErrors } from './errors.ts';

export class ApiClient {
  readonly creds: Credentials;
  constructor(creds: Credentials) {
    this.creds = creds;
  }

  async raw(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    // An async iterable is sent as it is produced (chunked), e.g. a zip read from disk.
    const streamed = typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
    try {
      return await fetch(`${this.creds.endpoint}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.creds.secret}`,
          'content-type': 'application/json',
          ...headers,
        },
        body:
          body === undefined
            ? undefined
            : streamed
              ? (body as BodyInit)
              : typeof body === 'string'
                ? body
                : JSON.stringify(body),
        signal,
        ...(streamed ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
      const code = cause?.code ?? cause?.errors?.[0]?.code;
      if (
        code === 'ECONNREFUSED' ||
        code === 'ENOTFOUND' ||
        code === 'ECONNRESET' ||
        code === 'EHOSTUNREACH'
      ) {
        throw CliErrors.NOT_RUNNING({ endpoint: this.creds.endpoint });
      }
      throw e;
    }
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    const r = await this.raw(method, path, body, undefined, headers);
    const text = await r.text();
    if (!r.ok) throw errorOf(r.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** GETs a text answer (CSV, …); a refusal throws its coded error like `call`. */
  async text(path: string): Promise<string> {
    const r = await this.raw('GET', path);
    const text = await r.text();
    if (!r.ok) throw errorOf(r.status, text);
    return text;
  }

  /** One operation of an AWS JSON 1.0 API on the API port (`AmazonSQS.CreateQueue`, …). */
  async aws<T = Record<string, unknown>>(target: string, input: object): Promise<T> {
    const r = await this.raw('POST', '/', JSON.stringify(input), undefined, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
    });
    const text = await r.text();
    const parsed = (text ? JSON.parse(text) : {}) as {
      __type?: string;
      message?: string;
      nimbusCode?: string;
    };
    if (!r.ok)
      throw new NimbusError({
        code: parsed.nimbusCode ?? 'NIMBUS_ERR_CLI_HTTP',
        message: parsed.message ?? `HTTP ${r.status}`,
        status: r.status,
        kind: r.status >= 500 ? 'system' : 'user',
        details: { type: parsed.__type },
      });
    return parsed as T;
  }
}

/** The error of a refused request: the platform's coded error, else the status and body. */
function errorOf(status: number, text: string): NimbusError {
  let err: NimbusErrorJSON | undefined;
  try {
    err = (JSON.parse(text) as { error?: NimbusErrorJSON }).error;
  } catch {
    // not JSON
  }
  if (err?.code) return NimbusError.fromJSON(err);
  return new NimbusError({
    code: 'NIMBUS_ERR_CLI_HTTP',
    message: `HTTP ${status}: ${text.slice(0, 200)}`,
    status,
    kind: 'system',
  });
}
