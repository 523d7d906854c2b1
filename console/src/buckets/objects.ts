/**
 * Object bytes to and from the platform (src/api/object-routes.ts): uploads send the file as the
 * body, downloads come back as a Blob, so both are raw requests (api/raw.ts), not the JSON client.
 */
import { request } from '../api/raw.ts';

const objectPath = (bucket: string, key: string) =>
  `/v1/buckets/${encodeURIComponent(bucket)}/object?key=${encodeURIComponent(key)}`;

export async function uploadObject(secret: string, bucket: string, key: string, file: Blob): Promise<void> {
  await request(secret, 'PUT', objectPath(bucket, key), {
    body: file,
    type: file.type || 'application/octet-stream',
  });
}

/** Fetches the object and hands it to the browser as a download named after the key's last part. */
export async function downloadObject(secret: string, bucket: string, key: string): Promise<void> {
  const blob = await (await request(secret, 'GET', objectPath(bucket, key))).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = key.slice(key.lastIndexOf('/') + 1) || 'object';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
