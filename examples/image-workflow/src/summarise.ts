import { putJson, type Upload } from './objects.ts';

interface Processed extends Upload {
  compressed: { location: unknown; originalBytes: number; compressedBytes: number; ratio: number };
  processed: { analysis: Record<string, unknown>; thumbnail: { location: unknown; bytes: number } };
}

/** summaries/<key>.json: everything the workflow learnt about the upload. */
export const handler = async (event: Processed) => {
  const summary = {
    source: { bucket: event.bucket, key: event.key, etag: event.etag },
    compressed: event.compressed,
    analysis: event.processed.analysis,
    thumbnail: event.processed.thumbnail,
    summarisedAt: new Date().toISOString(),
  };
  const location = await putJson(`summaries/${event.key}.json`, summary);
  return { summary: location, ...summary };
};
