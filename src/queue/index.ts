/**
 * @module queue
 * Durable work queue port adapters. Embedded: SQLite (`sqlite/`); the cluster issue adds
 * Postgres and JetStream adapters that run the same contract suite (`contract.ts`).
 */
export {
  openPostgresQueue,
  PgQueueErrors,
  type PostgresQueue,
  type PostgresQueueOptions,
} from './postgres/index.ts';
export { openSqliteQueue, type SqliteQueueOptions } from './sqlite/index.ts';
