/**
 * The console's typed client of the REST API: openapi-fetch over `paths`, which
 * `npm run openapi:types` generates from the platform's OpenAPI document (GET /v1/openapi.json),
 * so a path, its parameters, its body and its answer are checked against what the API says.
 * Every request carries the signed-in key; `ok()` turns a failed answer into the coded ApiError
 * the pages show. (Answers that are not JSON go through raw.ts.)
 */
import createClient, { type Client } from 'openapi-fetch';
import { errorOfBody, networkError } from './errors.ts';
import type { components, paths } from './schema';

/** JSON answers only: a route that may also answer CSV or a stream is read as its JSON. */
export type ApiClient = Client<paths, 'application/json'>;
/** The API's named schemas: `Schema<'FunctionView'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

export function clientFor(key: string): ApiClient {
  return createClient<paths, 'application/json'>({
    baseUrl: globalThis.location?.origin ?? '',
    headers: { authorization: `Bearer ${key}` },
  });
}

/** What a client call resolves to (openapi-fetch's FetchResponse, loosely). */
export type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The answer's data; a failed answer (or none) throws the coded ApiError. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  let r: Answer<T>;
  try {
    r = await call;
  } catch (e) {
    throw networkError(e);
  }
  if (!r.response.ok) throw errorOfBody(r.response.status, r.response.statusText, r.error);
  // A 204 has no data: T is then `never` or `undefined`, so nothing reads it.
  return r.data as T;
}
