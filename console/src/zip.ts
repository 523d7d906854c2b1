/**
 * Code archives in the browser: the editor's files zipped for `PUT /v1/functions/:name`
 * `{code: {zipBase64}}`, and the archive a function was deployed from
 * (`GET /v1/functions/:name/source`: a zip, or a tar, gzipped or not) unpacked into files.
 * fflate (the library the platform unzips with) does zip and gzip; modern-tar reads tar (ustar,
 * pax and GNU long names).
 */
import { Gunzip, unzipSync, zipSync } from 'fflate';
import { unpackTar } from 'modern-tar';

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

const tooBig = (max: number) =>
  new Error(`the archive unpacks to more than ${max / 1024 / 1024} MiB, too much to edit in a browser`);

/** The files of a zip (folders left out); throws when they add up to more than `max` bytes. */
export function unzipFiles(zip: Uint8Array, max = MAX_UNZIPPED_BYTES): Record<string, Uint8Array> {
  let total = 0;
  const files = unzipSync(zip, {
    filter: (f) => {
      total += f.originalSize;
      if (total > max) throw tooBig(max);
      return !f.name.endsWith('/');
    },
  });
  return files;
}

/** gunzip, stopped as soon as the output passes `max` bytes (a 1 MiB gzip can unpack to 1 GiB). */
function gunzipAtMost(gz: Uint8Array, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const g = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > max) throw tooBig(max);
    chunks.push(chunk);
  });
  g.push(gz, true);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The regular files of a tar or a gzipped tar (folders, links and devices left out, a leading
 * `./` dropped); throws when they add up to more than `max` bytes.
 */
export async function untarFiles(
  archive: Uint8Array,
  max = MAX_UNZIPPED_BYTES,
): Promise<Record<string, Uint8Array>> {
  const gzipped = archive[0] === 0x1f && archive[1] === 0x8b;
  const tar = gzipped ? gunzipAtMost(archive, max) : archive;
  let total = 0;
  const entries = await unpackTar(tar, {
    filter: (h) => {
      if (h.type !== 'file') return false;
      total += h.size;
      if (total > max) throw tooBig(max);
      return true;
    },
  });
  const out: Record<string, Uint8Array> = {};
  for (const e of entries) {
    const path = e.header.name.replace(/^(\.\/)+/, '');
    if (path && !path.endsWith('/')) out[path] = e.data ?? new Uint8Array(0);
  }
  return out;
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
