/**
 * The requests that are not JSON in and JSON out, so they bypass the typed client (client.ts):
 * object bytes up and down (buckets/objects.ts), a function's source archive (function/Code.tsx)
 * and the NDJSON live tail of the logs (`followLines`). The editor's deploy goes up through
 * XMLHttpRequest for its upload progress (function/deploy.ts) and reads its errors with errorOf.
 */
import { errorOf, networkError } from './errors.ts';

/** One request with the key: no answer, or an answer that is not ok, becomes a coded ApiError. */
export async function request(
  key: string,
  method: string,
  path: string,
  init: { body?: BodyInit; type?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(init.type ? { 'content-type': init.type } : {}) },
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (e) {
    throw networkError(e);
  }
  if (!r.ok) throw await errorOf(r);
  return r;
}

/**
 * Streams the NDJSON lines of a `follow=1` answer until `signal` aborts. Each line is what the
 * JSON page of the same route lists (`T`); it is not checked.
 */
export async function followLines<T>(
  key: string,
  path: string,
  signal: AbortSignal,
  onItem: (item: T) => void,
): Promise<void> {
  const r = await request(key, 'GET', path, { signal });
  if (!r.body) throw await errorOf(r);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onItem(JSON.parse(line) as T);
      nl = buf.indexOf('\n');
    }
  }
}
