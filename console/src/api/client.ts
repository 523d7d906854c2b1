/**
 * The console's typed client of the REST API: openapi-fetch over `paths`, which
 * `npm run openapi:types` generates from the platform's OpenAPI document (GET /v1/openapi.json),
 * so a path, its parameters, its body and its answer are checked against what the API says.
 * Every request carries the signed-in key; `ok()` turns a failed answer into the coded ApiError
 * the pages show.
 */
import createClient, { type Client } from 'openapi-fetch';
import { ApiError, networkError } from '../api.ts';
import type { components, paths } from './schema';

export type ApiClient = Client<paths>;
/** The API's named schemas: `Schema<'FunctionView'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

export function clientFor(key: string): ApiClient {
  const client = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${key}`);
      return request;
    },
  });
  return client;
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The answer's data; a failed answer (or none) throws the coded ApiError. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  let r: Answer<T>;
  try {
    r = await call;
  } catch (e) {
    throw networkError(e);
  }
  if (r.response.ok) return r.data as T;
  const e = (r.error as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
  if (e?.code)
    throw new ApiError({ code: e.code, message: e.message ?? '', status: r.response.status, hint: e.hint });
  throw new ApiError({
    code: `HTTP_${r.response.status}`,
    message: typeof r.error === 'string' && r.error ? r.error.slice(0, 300) : r.response.statusText,
    status: r.response.status,
  });
}
