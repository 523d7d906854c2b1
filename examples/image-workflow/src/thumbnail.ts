import { getBytes, putBytes, type Upload } from './objects.ts';

/** How many bytes a "thumbnail" keeps (the stand-in for resizing, without native libraries). */
const THUMBNAIL_BYTES = 64;

/** thumbs/<key>: the first THUMBNAIL_BYTES bytes of the original. */
export const handler = async (event: Upload) => {
  const bytes = await getBytes(event);
  const thumb = bytes.subarray(0, THUMBNAIL_BYTES);
  const location = await putBytes(`thumbs/${event.key}`, thumb, 'application/octet-stream');
  return { location, bytes: thumb.length };
};
