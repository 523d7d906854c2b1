/**
 * @module blobs
 * BlobStore adapters (content-addressed bytes: code artifacts now, bucket objects later).
 */
export { createFsBlobStore } from './fs/index.ts';
export {
  BlobsErrors,
  type JetStreamBlobStore,
  type JetStreamBlobStoreOptions,
  openJetStreamBlobStore,
} from './jetstream/index.ts';
