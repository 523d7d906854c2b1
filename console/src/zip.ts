/**
 * Code archives in the browser, with fflate (the same library the platform unpacks with): the
 * editor's files zipped for `PUT /v1/functions/:name` `{code: {zipBase64}}`, and the archive a
 * function was deployed from (`GET /v1/functions/:name/source`) unzipped into files.
 */
import { unzipSync, zipSync } from 'fflate';

/** Zips `files` (path → text or bytes). */
export function zipFiles(files: Record<string, string | Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  return zipSync(
    Object.fromEntries(
      Object.entries(files).map(([path, body]) => [path, typeof body === 'string' ? enc.encode(body) : body]),
    ),
    { level: 6 },
  );
}

/** What the editor unpacks at most (a kept source may unpack to the build's limit, 250 MB). */
export const MAX_UNZIPPED_BYTES = 32 * 1024 * 1024;

/** The files of a zip (folders left out); throws when they add up to more than `max` bytes. */
export function unzipFiles(zip: Uint8Array, max = MAX_UNZIPPED_BYTES): Record<string, Uint8Array> {
  let total = 0;
  const files = unzipSync(zip, {
    filter: (f) => {
      total += f.originalSize;
      if (total > max)
        throw new Error(
          `the archive unpacks to more than ${max / 1024 / 1024} MiB, too much to edit in a browser`,
        );
      return !f.name.endsWith('/');
    },
  });
  return files;
}

/** The bytes as UTF-8 text, or undefined when they are not (a binary file the editor leaves alone). */
export function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
