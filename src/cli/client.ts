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
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (!r.ok) {
      const err = (parsed as { error?: NimbusErrorJSON }).error;
      if (err?.code) throw NimbusError.fromJSON(err);
      throw new NimbusError({
        code: 'NIMBUS_ERR_CLI_HTTP',
        message: `HTTP ${r.status}: ${text.slice(0, 200)}`,
        status: r.status,
        kind: 'system',
      });
    }
    return parsed as T;
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
