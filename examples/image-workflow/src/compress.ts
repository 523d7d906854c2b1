import { gzipSync } from 'node:zlib';
import { getBytes, namedError, putBytes, type Upload } from './objects.ts';

/**
 * The "re-encode" step, kept free of native image libraries: the bytes are gzipped into
 * compressed/<key>.gz. A key containing "corrupt" (or an empty object) stands for an image that
 * cannot be decoded: the step fails with Image.Corrupt and the workflow's Catch takes over.
 */
export const handler = async (event: Upload) => {
  if (/corrupt/i.test(event.key)) throw namedError('Image.Corrupt', `${event.key} is not a readable image`);
  const original = await getBytes(event);
  if (original.length === 0) throw namedError('Image.Corrupt', `${event.key} is empty`);
  const compressed = gzipSync(original, { level: 9 });
  const location = await putBytes(`compressed/${event.key}.gz`, compressed, 'application/gzip');
  return {
    location,
    originalBytes: original.length,
    compressedBytes: compressed.length,
    ratio: Math.round((compressed.length / original.length) * 1000) / 1000,
  };
};
