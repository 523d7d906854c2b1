import { createHash } from 'node:crypto';
import { getBytes, type Upload } from './objects.ts';

/** Byte statistics of the original: size, mean, distinct values, entropy (bits per byte), SHA-256. */
export const handler = async (event: Upload) => {
  const bytes = await getBytes(event);
  const counts = new Uint32Array(256);
  let sum = 0;
  for (const b of bytes) {
    counts[b] = (counts[b] ?? 0) + 1;
    sum += b;
  }
  let entropy = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / bytes.length;
    entropy -= p * Math.log2(p);
  }
  return {
    bytes: bytes.length,
    meanByte: Math.round((sum / bytes.length) * 100) / 100,
    distinctBytes: counts.filter((c) => c > 0).length,
    entropyBitsPerByte: Math.round(entropy * 1000) / 1000,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
};
