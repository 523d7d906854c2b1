/**
 * Where the platform's state lives: the Store, the blob stores (code artifacts, bucket objects)
 * and the durable queues. A single node keeps them in its data dir (SQLite, files); a cluster node
 * uses the cluster's PostgreSQL schemas and JetStream Object Store. Apart from the composition root
 * so that this one mode switch for the adapters is read in one place.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createFsBlobStore, openJetStreamBlobStore } from '../blobs/index.ts';
import type { PlatformConfig } from '../config/index.ts';
import type { BlobStore, Clock, Queue, Store } from '../core/ports.ts';
import { openSqliteQueue } from '../queue/index.ts';
import { inspectStore, openStore } from '../store/index.ts';
import type { ClusterNode } from './cluster.ts';

export interface PlatformStorage {
  /** The Store as opened (without environment encryption). */
  readonly store: Store;
  /** Code artifacts or bucket objects: `dir` in the data dir, or the cluster's bucket of `kind`. */
  blobStore(kind: 'code' | 'objects', dir: string): Promise<BlobStore>;
  /** A durable queue: `<name>.db` in the data dir, or PostgreSQL (SKIP LOCKED) in a cluster. */
  openQueue(name: string, dedupeWindowMs?: number): Promise<Queue>;
}

/**
 * Opens the Store (and warns about what `inspectStore` finds); blob stores and queues open when
 * asked. `defer` receives what must be closed, in the order it was opened.
 */
export async function openStorage(o: {
  readonly config: PlatformConfig;
  readonly cluster: ClusterNode | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly defer: (cleanup: () => Promise<void>) => void;
}): Promise<PlatformStorage> {
  const { config, cluster, clock, logger } = o;
  const store = await openStore({
    url: config.store,
    schema: cluster?.schema,
    dataDir: config.dataDir,
    sqliteSynchronous: config.sqliteSynchronous,
    onError: (e) =>
      logger.error({ err: e }, 'record writer failed; records now go through the store connection'),
  });
  o.defer(() => store.close());
  for (const f of await inspectStore(config.store)) logger.warn({ finding: f.code, hint: f.hint }, f.message);
  return {
    store,
    async blobStore(kind, dir) {
      if (!cluster) return createFsBlobStore(join(config.dataDir, dir));
      const b = await openJetStreamBlobStore({
        nc: cluster.nc,
        bucket: cluster.bucket(kind),
        replicas: config.natsReplicas,
      });
      o.defer(() => b.close());
      return b;
    },
    async openQueue(name, dedupeWindowMs) {
      if (!cluster)
        return openSqliteQueue({
          file: join(config.dataDir, `${name}.db`),
          clock,
          synchronous: config.sqliteSynchronous,
          dedupeWindowMs,
        });
      const { openPostgresQueue } = await import('../queue/postgres/index.ts');
      return await openPostgresQueue({
        url: config.store,
        schema: `${cluster.schema}_${name}`,
        clock,
        nodeId: cluster.nodeId,
        dedupeWindowMs,
      });
    },
  };
}
