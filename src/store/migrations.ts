/**
 * Migrations for both adapters, written once with Kysely's schema builder; the only dialect
 * difference is the auto-increment log sequence. Every table has `tenant` from the first migration.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { StoreErrors } from './errors.ts';

export type Dialect = 'sqlite' | 'postgres';

function migrations(dialect: Dialect): Record<string, Migration> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  /** A table's column names, from the store's own schema only (Postgres stores may share a database). */
  const columnsOf = async (db: Kysely<unknown>, table: string): Promise<Set<string>> => {
    const cols =
      dialect === 'postgres'
        ? sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ${table}`
        : sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`;
    return new Set((await cols.execute(db)).rows.map((r) => r.name));
  };
  /** SQLite: whether `table` lives in the records file attached as `rec` (migration 0018). */
  const inRecords = async (db: Kysely<unknown>, table: string): Promise<boolean> =>
    dialect === 'sqlite' &&
    (await sql`SELECT 1 FROM pragma_database_list WHERE name = 'rec'`.execute(db)).rows.length > 0 &&
    (await sql`SELECT 1 FROM rec.sqlite_master WHERE name = ${table}`.execute(db)).rows.length > 0;
  return {
    '0001_foundation': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('api_keys')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.primaryKey())
          .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
          .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createTable('functions')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('revision_id', 'text', (c) => c.notNull())
          .addColumn('next_version', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('functions_pk', ['tenant', 'name'])
          .execute();
        await db.schema
          .createTable('versions')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('versions_pk', ['tenant', 'function_name', 'version'])
          .execute();
        await db.schema
          .createTable('aliases')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('function_version', 'text', (c) => c.notNull())
          .addColumn('weights', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('revision_id', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('aliases_pk', ['tenant', 'function_name', 'name'])
          .execute();
        await db.schema
          .createTable('log_lines')
          .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addColumn('ts', big, (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('log_lines_fn_seq')
          .on('log_lines')
          .columns(['tenant', 'function_name', 'seq'])
          .execute();
        await db.schema.createIndex('log_lines_request').on('log_lines').columns(['request_id']).execute();
        await db.schema
          .createIndex('log_lines_ts')
          .on('log_lines')
          .columns(['tenant', 'function_name', 'ts'])
          .execute();
        await db.schema
          .createTable('usage')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('started_at', big, (c) => c.notNull())
          .addColumn('duration_ms', 'double precision', (c) => c.notNull())
          .addColumn('billed_duration_ms', big, (c) => c.notNull())
          .addColumn('memory_mb', 'integer', (c) => c.notNull())
          .addColumn('max_rss_bytes', big, (c) => c.notNull())
          .addColumn('gb_seconds', 'double precision', (c) => c.notNull())
          .addColumn('init_duration_ms', 'double precision')
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('usage_pk', ['tenant', 'request_id'])
          .execute();
        await db.schema
          .createIndex('usage_fn_time')
          .on('usage')
          .columns(['tenant', 'function_name', 'started_at'])
          .execute();
        await db.schema.createIndex('usage_time').on('usage').columns(['tenant', 'started_at']).execute();
      },
    },
    '0002_routes': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('routes')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('route_key', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('qualifier', 'text')
          .addColumn('payload_format', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('routes_pk', ['tenant', 'id'])
          .addUniqueConstraint('routes_key_unique', ['tenant', 'route_key'])
          .execute();
      },
    },
    '0003_route_auth': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('routes').addColumn('auth', 'text').execute();
      },
    },
    '0004_settings': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('settings')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('settings_pk', ['tenant', 'key'])
          .execute();
      },
    },
    '0005_route_throttle': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('routes').addColumn('throttle', 'text').execute();
      },
    },
    '0006_schedules': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('schedules')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('qualifier', 'text')
          .addColumn('expression', 'text', (c) => c.notNull())
          .addColumn('timezone', 'text', (c) => c.notNull())
          .addColumn('input', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('misfire', 'text', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('next_fire_at', big)
          .addColumn('last_fire_at', big)
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('schedules_pk', ['tenant', 'name'])
          .execute();
        await db.schema
          .createIndex('schedules_function')
          .on('schedules')
          .columns(['tenant', 'function_name'])
          .execute();
      },
    },
    '0007_event_bus': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('topics')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('topics_pk', ['tenant', 'name'])
          .execute();
        await db.schema
          .createTable('subscriptions')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('topic', 'text', (c) => c.notNull())
          .addColumn('pattern', 'text')
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('input_transformer', 'text')
          .addColumn('partition_key', 'text')
          .addColumn('retry', 'text')
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('owner', 'text')
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('subscriptions_pk', ['tenant', 'id'])
          .execute();
        await db.schema
          .createIndex('subscriptions_topic')
          .on('subscriptions')
          .columns(['tenant', 'topic'])
          .execute();
      },
    },
    '0008_webhooks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('webhooks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('topic', 'text', (c) => c.notNull())
          .addColumn('verification', 'text', (c) => c.notNull())
          .addColumn('secret_ciphertext', 'text')
          .addColumn('header', 'text')
          .addColumn('tolerance_sec', 'integer', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
      },
    },
    '0009_sources': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sources')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('qualifier', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('batch_size', 'integer', (c) => c.notNull())
          .addColumn('batch_window_ms', 'integer', (c) => c.notNull())
          .addColumn('max_retries', 'integer', (c) => c.notNull())
          .addColumn('concurrency', 'integer', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('sources_pk', ['tenant', 'id'])
          .execute();
      },
    },
    '0010_storage': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('buckets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('objects')
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('size', big, (c) => c.notNull())
          .addColumn('etag', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('last_modified', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('objects_pk', ['bucket', 'key'])
          .execute();
        await db.schema.createIndex('objects_sha').on('objects').column('sha256').execute();
        await db.schema
          .createTable('uploads')
          .addColumn('upload_id', 'text', (c) => c.primaryKey())
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('upload_parts')
          .addColumn('upload_id', 'text', (c) => c.notNull())
          .addColumn('part_number', 'integer', (c) => c.notNull())
          .addColumn('size', big, (c) => c.notNull())
          .addColumn('etag', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('upload_parts_pk', ['upload_id', 'part_number'])
          .execute();
        await db.schema
          .createTable('bucket_notifications')
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('prefix', 'text')
          .addColumn('suffix', 'text')
          .addColumn('origin', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('bucket_notifications_pk', ['bucket', 'id'])
          .execute();
        await db.schema
          .createTable('outbox')
          .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('item', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0011_identity': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('tenants')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().unique())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        // Keys: policies replace the three fixed roles (mapped onto the managed policies below);
        // an expiry; a second secret during rotation.
        await db.schema
          .alterTable('api_keys')
          .addColumn('kind', 'text', (c) => c.notNull().defaultTo('user'))
          .execute();
        await db.schema
          .alterTable('api_keys')
          .addColumn('policies', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
        await db.schema.alterTable('api_keys').addColumn('expires_at', big).execute();
        await db.schema.alterTable('api_keys').addColumn('prev_secret_hash', 'text').execute();
        await db.schema.alterTable('api_keys').addColumn('prev_secret_ciphertext', 'text').execute();
        await db.schema.alterTable('api_keys').addColumn('prev_expires_at', big).execute();
        await db.schema.createIndex('api_keys_prev_hash').on('api_keys').column('prev_secret_hash').execute();
        for (const [role, policy] of [
          ['admin', 'AdministratorAccess'],
          ['developer', 'Developer'],
          ['invoker', 'Invoker'],
        ] as const)
          await sql`UPDATE api_keys SET policies = ${JSON.stringify([policy])} WHERE role = ${role}`.execute(
            db,
          );
        await db.schema
          .createTable('roles')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('policies', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('generation', 'integer', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('roles_pk', ['tenant', 'name'])
          .execute();
        await db.schema
          .createTable('secrets')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('ciphertext', 'text', (c) => c.notNull())
          .addColumn('wrapped_key', 'text', (c) => c.notNull())
          .addColumn('kek_id', 'text', (c) => c.notNull())
          .addColumn('version_id', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('secrets_pk', ['tenant', 'name'])
          .execute();
        await db.schema.createIndex('secrets_kek').on('secrets').column('kek_id').execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('seq', big, (c) => c.primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('ts', big, (c) => c.notNull())
          .addColumn('principal', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('resource', 'text', (c) => c.notNull())
          .addColumn('source_ip', 'text', (c) => c.notNull())
          .addColumn('result', 'text', (c) => c.notNull())
          .addColumn('status', 'integer', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_tenant_seq').on('audit_log').columns(['tenant', 'seq']).execute();
        await db.schema.createIndex('audit_ts').on('audit_log').column('ts').execute();
        // The chain's head (one row): appends lock it, so concurrent writers (cluster nodes) link in
        // turn; it also remembers the last pruned record, the anchor verification starts from.
        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', big, (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await sql`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ${'0'.repeat(64)})`.execute(db);
      },
    },
    // Buckets are named per tenant (src/storage/service.ts): the default tenant's keep their
    // names as storage names (no change), another tenant's bucket is stored as `<tenant>~<name>`.
    // Renames the rows other tenants made while names were global (`~` is in no bucket name).
    '0012_bucket_namespaces': {
      async up(db: Kysely<unknown>) {
        const legacy = sql`(SELECT name FROM buckets WHERE tenant <> 'default' AND name NOT LIKE '%~%')`;
        const renamed = (t: string) =>
          sql`(SELECT b.tenant || '~' || b.name FROM buckets b WHERE b.name = ${sql.ref(`${t}.bucket`)})`;
        for (const t of ['objects', 'uploads', 'bucket_notifications'])
          await sql`UPDATE ${sql.table(t)} SET bucket = ${renamed(t)} WHERE bucket IN ${legacy}`.execute(db);
        await sql`UPDATE buckets SET name = tenant || '~' || name WHERE tenant <> 'default' AND name NOT LIKE '%~%'`.execute(
          db,
        );
      },
    },
    '0013_sqs_queues': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sqs_queues')
          .ifNotExists()
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('attributes', 'text', (c) => c.notNull())
          .addColumn('tags', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('sqs_queues_pk', ['tenant', 'name'])
          .execute();
      },
    },
    // REST (`http` event) routes: the API Gateway stage they are served under and their CORS
    // (JSON). Idempotent like 0013: columns already there (a re-run) are left as they are; the
    // lookup reads the store's own schema only (Postgres stores may share a database).
    '0014_route_stage_cors': {
      async up(db: Kysely<unknown>) {
        const have = await columnsOf(db, 'routes');
        for (const column of ['stage', 'cors'])
          if (!have.has(column)) await db.schema.alterTable('routes').addColumn(column, 'text').execute();
      },
    },
    // Workflows (src/workflows/): state machines, executions (with the executor's runtime state)
    // and their history events.
    '0015_workflows': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('state_machines')
          .ifNotExists()
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('role_arn', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('tags', 'text', (c) => c.notNull())
          .addColumn('revision_id', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('state_machines_pk', ['tenant', 'name'])
          .execute();
        await db.schema
          .createTable('executions')
          .ifNotExists()
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('arn', 'text', (c) => c.notNull())
          .addColumn('machine', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('input', 'text', (c) => c.notNull())
          .addColumn('output', 'text')
          .addColumn('error', 'text')
          .addColumn('cause', 'text')
          .addColumn('started_at', big, (c) => c.notNull())
          .addColumn('stopped_at', big)
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('role_arn', 'text', (c) => c.notNull())
          .addColumn('seq', big, (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('redrive_count', 'integer', (c) => c.notNull())
          .addColumn('redrive_at', big)
          .addPrimaryKeyConstraint('executions_pk', ['tenant', 'arn'])
          .execute();
        await db.schema
          .createIndex('executions_by_machine')
          .ifNotExists()
          .on('executions')
          .columns(['tenant', 'machine', 'started_at'])
          .execute();
        await db.schema
          .createTable('execution_events')
          .ifNotExists()
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('arn', 'text', (c) => c.notNull())
          .addColumn('id', 'integer', (c) => c.notNull())
          .addColumn('previous_id', 'integer', (c) => c.notNull())
          .addColumn('ts', big, (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('details', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('execution_events_pk', ['tenant', 'arn', 'id'])
          .execute();
      },
    },
    // State machines as targets of gateway routes and schedules (serverless-step-functions
    // `http` and `schedule` events): the machine's name, the function name then ''. Idempotent
    // like 0014.
    '0016_state_machine_targets': {
      async up(db: Kysely<unknown>) {
        for (const table of ['routes', 'schedules']) {
          const have = await columnsOf(db, table);
          if (!have.has('state_machine'))
            await db.schema.alterTable(table).addColumn('state_machine', 'text').execute();
        }
      },
    },
    // Compact invocation records: START/END/REPORT render from the usage row at read time
    // (issue 16: one row per invocation instead of three log rows plus the usage row).
    // Idempotent like 0014.
    '0017_invocation_records': {
      async up(db: Kysely<unknown>) {
        const have = await columnsOf(db, 'usage');
        for (const [name, type] of [
          ['instance_id', 'text'],
          ['status', 'text'],
          ['start_seq', big],
          ['end_seq', big],
          ['report_seq', big],
        ] as const) {
          if (!have.has(name)) await db.schema.alterTable('usage').addColumn(name, type).execute();
        }
        // On SQLite the index goes where `usage` is: `rec` once 0018 has moved it (a re-run).
        if (await inRecords(db, 'usage'))
          await sql`CREATE INDEX IF NOT EXISTS rec.usage_fn_report_seq ON usage (tenant, function_name, report_seq)`.execute(
            db,
          );
        else
          await db.schema
            .createIndex('usage_fn_report_seq')
            .ifNotExists()
            .on('usage')
            .columns(['tenant', 'function_name', 'report_seq'])
            .execute();
      },
    },
    // SQLite: invocation records (log_lines, usage) move to the records file that the store
    // attaches as `rec` and a worker thread writes (sqlite/records.ts). Tables, indexes, rows and
    // the AUTOINCREMENT counter move; unqualified names then resolve to `rec`. Idempotent: a crash
    // between copying and dropping copies again with INSERT OR IGNORE.
    '0018_records_file': {
      async up(db: Kysely<unknown>) {
        if (dialect !== 'sqlite') return;
        for (const table of ['log_lines', 'usage']) {
          const objs = (
            await sql<{ type: string; sql: string }>`SELECT type, sql FROM main.sqlite_master
              WHERE tbl_name = ${table} AND sql IS NOT NULL ORDER BY type = 'table' DESC`.execute(db)
          ).rows;
          if (objs.length === 0) continue;
          if (!(await inRecords(db, table))) {
            for (const o of objs) {
              const ddl =
                o.type === 'table'
                  ? o.sql.replace(/^CREATE\s+TABLE\s+("?)(\w+)\1/i, 'CREATE TABLE rec."$2"')
                  : o.sql.replace(
                      /^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?("?)(\w+)\3/i,
                      'CREATE $1INDEX rec."$4"',
                    );
              await sql.raw(ddl).execute(db);
            }
          }
          const counter = (
            await sql<{ seq: number }>`SELECT seq FROM main.sqlite_sequence WHERE name = ${table}`.execute(db)
          ).rows[0]?.seq;
          await sql.raw(`INSERT OR IGNORE INTO rec."${table}" SELECT * FROM main."${table}"`).execute(db);
          if (counter !== undefined) {
            await sql`UPDATE rec.sqlite_sequence SET seq = max(seq, ${counter}) WHERE name = ${table}`.execute(
              db,
            );
            await sql`INSERT INTO rec.sqlite_sequence (name, seq) SELECT ${table}, ${counter}
              WHERE NOT EXISTS (SELECT 1 FROM rec.sqlite_sequence WHERE name = ${table})`.execute(db);
          }
          await sql.raw(`DROP TABLE main."${table}"`).execute(db);
        }
      },
    },
    // Per-function 1-minute rollups (issue 17): at most one row per function and minute, low
    // volume, so it lives in the main store (not the records file).
    '0020_metric_rollups': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('metric_rollups')
          .ifNotExists()
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('function_name', 'text', (c) => c.notNull())
          .addColumn('minute', big, (c) => c.notNull())
          .addColumn('invocations', big, (c) => c.notNull())
          .addColumn('errors', big, (c) => c.notNull())
          .addColumn('throttles', big, (c) => c.notNull())
          .addColumn('cold_starts', big, (c) => c.notNull())
          .addColumn('duration_sum_ms', 'double precision', (c) => c.notNull())
          .addColumn('duration_max_ms', 'double precision', (c) => c.notNull())
          .addColumn('duration_p50_ms', 'double precision')
          .addColumn('duration_p99_ms', 'double precision')
          .addColumn('gb_seconds', 'double precision', (c) => c.notNull())
          .addPrimaryKeyConstraint('metric_rollups_pk', ['tenant', 'function_name', 'minute'])
          .execute();
        // Retention deletes by minute alone.
        await db.schema
          .createIndex('metric_rollups_minute')
          .ifNotExists()
          .on('metric_rollups')
          .column('minute')
          .execute();
      },
    },
    // Function log levels (issue 17): each stored line's level (DEBUG…FATAL), null for lines
    // stored before. On SQLite log_lines lives in the records file (`rec`, 0018).
    '0019_log_levels': {
      async up(db: Kysely<unknown>) {
        if (dialect === 'postgres') {
          if (!(await columnsOf(db, 'log_lines')).has('level'))
            await sql`ALTER TABLE log_lines ADD COLUMN level text`.execute(db);
          return;
        }
        const at = (await inRecords(db, 'log_lines')) ? 'rec' : 'main';
        const cols = await sql<{
          name: string;
        }>`SELECT name FROM pragma_table_info('log_lines', ${at})`.execute(db);
        if (!cols.rows.some((c) => c.name === 'level'))
          await sql.raw(`ALTER TABLE ${at}.log_lines ADD COLUMN level text`).execute(db);
      },
    },
    // Cost and budgets (issue 17): each usage row carries its cost and its delivery attempt (a
    // retried async invocation keeps its request id and every attempt is billed, so the key
    // becomes (tenant, request_id, attempt)); budgets with hard caps. SQLite cannot change a
    // primary key in place: `usage` is rebuilt where it lives (`rec`), rows and indexes included.
    '0021_cost_budgets': {
      async up(db: Kysely<unknown>) {
        const have = await columnsOf(db, 'usage');
        if (!have.has('attempt')) {
          if (dialect === 'postgres') {
            await sql`ALTER TABLE usage ADD COLUMN attempt integer NOT NULL DEFAULT 1,
              ADD COLUMN cost double precision NOT NULL DEFAULT 0`.execute(db);
            await sql`ALTER TABLE usage DROP CONSTRAINT usage_pk`.execute(db);
            await sql`ALTER TABLE usage ADD CONSTRAINT usage_pk PRIMARY KEY (tenant, request_id, attempt)`.execute(
              db,
            );
          } else {
            const at = (await inRecords(db, 'usage')) ? 'rec' : 'main';
            const cols = [...have].map((c) => `"${c}"`).join(', ');
            const indexes = (
              await sql<{ sql: string }>`SELECT sql FROM ${sql.raw(at)}.sqlite_master
                WHERE tbl_name = 'usage' AND type = 'index' AND sql IS NOT NULL`.execute(db)
            ).rows;
            await sql
              .raw(
                `CREATE TABLE ${at}."usage_0021" ("tenant" text not null, "request_id" text not null,
                "function_name" text not null, "version" text not null, "started_at" integer not null,
                "duration_ms" double precision not null, "billed_duration_ms" integer not null,
                "memory_mb" integer not null, "max_rss_bytes" integer not null,
                "gb_seconds" double precision not null, "init_duration_ms" double precision,
                "outcome" text not null, "instance_id" text, "status" text, "start_seq" integer,
                "end_seq" integer, "report_seq" integer, "attempt" integer not null default 1,
                "cost" double precision not null default 0,
                constraint "usage_pk" primary key ("tenant", "request_id", "attempt"))`,
              )
              .execute(db);
            await sql
              .raw(`INSERT INTO ${at}."usage_0021" (${cols}) SELECT ${cols} FROM ${at}."usage"`)
              .execute(db);
            await sql.raw(`DROP TABLE ${at}."usage"`).execute(db);
            await sql.raw(`ALTER TABLE ${at}."usage_0021" RENAME TO "usage"`).execute(db);
            for (const i of indexes)
              await sql
                .raw(
                  i.sql.replace(
                    /^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?("?)(\w+)\3/i,
                    `CREATE $1INDEX ${at}."$4"`,
                  ),
                )
                .execute(db);
          }
        }
        await db.schema
          .createTable('budgets')
          .ifNotExists()
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          /** null: every function of the tenant. */
          .addColumn('function_name', 'text')
          /** `monthly` (calendar month, UTC) or `days:<n>` from `anchor`. */
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('anchor', big, (c) => c.notNull())
          .addColumn('limit_usd', 'double precision', (c) => c.notNull())
          /** JSON array of percentages, e.g. [50, 80, 100]. */
          .addColumn('thresholds', 'text', (c) => c.notNull())
          /** `block` (refuse new invocations at the cap) or `notify`. */
          .addColumn('action', 'text', (c) => c.notNull())
          /** A topic of the tenant that receives threshold events; null = none. */
          .addColumn('topic', 'text')
          /** The period start and highest threshold already announced in it. */
          .addColumn('notified_period', big)
          .addColumn('notified_pct', 'integer')
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('budgets_pk', ['tenant', 'name'])
          .execute();
      },
    },
    // Cluster mode: leader leases (the row is the lease; `token` is the fencing token, never
    // reused) and the node registry kept by heartbeats (src/cluster/). Not tenant data: these
    // rows belong to the platform itself. Times are epoch ms of the nodes' clocks.
    '0022_cluster': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('cluster_leases')
          .ifNotExists()
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('token', big, (c) => c.notNull())
          .addColumn('expires_at', big, (c) => c.notNull())
          .addColumn('acquired_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('cluster_nodes')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('address', 'text', (c) => c.notNull())
          /** JSON array of role names. */
          .addColumn('roles', 'text', (c) => c.notNull())
          .addColumn('started_at', big, (c) => c.notNull())
          .addColumn('seen_at', big, (c) => c.notNull())
          /** JSON NodeLoad: { inflight, instances, warm }. */
          .addColumn('load', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('cluster_nodes_seen')
          .ifNotExists()
          .on('cluster_nodes')
          .column('seen_at')
          .execute();
      },
    },
  };
}

/**
 * `schema`: the PostgreSQL schema the store lives in (its search_path). Kysely then looks for its
 * own migration and lock tables there; without it, it finds them in any schema of the database,
 * and two stores migrating at once in sibling schemas raced ("kysely_migration_lock does not
 * exist").
 */
export async function migrate(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error } = await new Migrator({
    db,
    provider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  }).migrateToLatest();
  if (error) throw StoreErrors.MIGRATION_FAILED({ reason: (error as Error).message }, { cause: error });
  void sql;
}
