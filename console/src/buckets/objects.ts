/**
 * Object bytes to and from the platform (src/api/object-routes.ts): uploads send the file as the
 * body, downloads come back as a Blob. The JSON fetcher in api.ts would stringify both.
 */
import { ApiError } from '../api.ts';

export const objectPath = (bucket: string, key: string) =>
  `/v1/buckets/${encodeURIComponent(bucket)}/object?key=${encodeURIComponent(key)}`;

async function send(key: string, method: string, path: string, body?: Blob): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { 'content-type': body.type || 'application/octet-stream' } : {}),
      },
      body,
    });
  } catch (e) {
    throw new ApiError({
      code: 'NETWORK',
      message: `the platform did not answer (${(e as Error).message})`,
      status: 0,
      hint: 'check that Nimbus is running and reachable from this browser',
    });
  }
  if (r.ok) return r;
  const text = await r.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string; hint?: string } }).error;
    if (e?.code)
      throw new ApiError({ code: e.code, message: e.message ?? '', status: r.status, hint: e.hint });
  } catch (e) {
    if (e instanceof ApiError) throw e;
  }
  throw new ApiError({
    code: `HTTP_${r.status}`,
    message: text.slice(0, 300) || r.statusText,
    status: r.status,
  });
}

export async function uploadObject(secret: string, bucket: string, key: string, file: Blob): Promise<void> {
  await send(secret, 'PUT', objectPath(bucket, key), file);
}

/** Fetches the object and hands it to the browser as a download named after the key's last part. */
export async function downloadObject(secret: string, bucket: string, key: string): Promise<void> {
  const blob = await (await send(secret, 'GET', objectPath(bucket, key))).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = key.slice(key.lastIndexOf('/') + 1) || 'object';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
