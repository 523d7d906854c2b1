/** Kysely table types shared by both adapters. JSON values are stored as text; times as epoch ms. */
import type { Generated } from 'kysely';

export interface Tables {
  api_keys: {
    tenant: string;
    key_id: string;
    secret_hash: string;
    secret_ciphertext: string;
    role: string;
    description: string;
    created_at: number;
    disabled: number;
    kind: Generated<string>;
    policies: Generated<string>;
    expires_at: number | null;
    prev_secret_hash: string | null;
    prev_secret_ciphertext: string | null;
    prev_expires_at: number | null;
  };
  tenants: { id: string; account_id: string; description: string; created_at: number };
  roles: {
    tenant: string;
    name: string;
    policies: string;
    description: string;
    generation: number;
    created_at: number;
    updated_at: number;
  };
  secrets: {
    tenant: string;
    name: string;
    description: string;
    ciphertext: string;
    wrapped_key: string;
    kek_id: string;
    version_id: string;
    created_at: number;
    updated_at: number;
  };
  audit_log: {
    seq: number;
    tenant: string;
    ts: number;
    principal: string;
    action: string;
    resource: string;
    source_ip: string;
    result: string;
    status: number;
    detail: string;
    prev_hash: string;
    hash: string;
  };
  audit_head: { id: number; seq: number; hash: string };
  functions: {
    tenant: string;
    name: string;
    config: string;
    code: string;
    revision_id: string;
    next_version: number;
    created_at: number;
    updated_at: number;
  };
  versions: {
    tenant: string;
    function_name: string;
    version: number;
    config: string;
    code: string;
    description: string;
    created_at: number;
  };
  aliases: {
    tenant: string;
    function_name: string;
    name: string;
    function_version: string;
    weights: string;
    description: string;
    revision_id: string;
    created_at: number;
    updated_at: number;
  };
  log_lines: {
    seq: Generated<number>;
    tenant: string;
    function_name: string;
    version: string;
    request_id: string;
    ts: number;
    stream: string;
    message: string;
    instance_id: string;
    level: string | null;
  };
  routes: {
    tenant: string;
    id: string;
    route_key: string;
    function_name: string;
    qualifier: string | null;
    payload_format: string;
    auth: string | null;
    throttle: string | null;
    stage: string | null;
    cors: string | null;
    state_machine: string | null;
    created_at: number;
  };
  settings: {
    tenant: string;
    key: string;
    value: string;
  };
  buckets: { tenant: string; name: string; created_at: number };
  objects: {
    bucket: string;
    key: string;
    size: number;
    etag: string;
    content_type: string;
    metadata: string;
    sha256: string;
    last_modified: number;
  };
  uploads: {
    upload_id: string;
    bucket: string;
    key: string;
    content_type: string;
    metadata: string;
    created_at: number;
  };
  upload_parts: { upload_id: string; part_number: number; size: number; etag: string; sha256: string };
  bucket_notifications: {
    bucket: string;
    id: string;
    function_name: string;
    events: string;
    prefix: string | null;
    suffix: string | null;
    origin: string;
  };
  outbox: { seq: Generated<number>; tenant: string; item: string };
  sources: {
    tenant: string;
    id: string;
    function_name: string;
    qualifier: string | null;
    kind: string;
    config: string;
    batch_size: number;
    batch_window_ms: number;
    max_retries: number;
    concurrency: number;
    enabled: number;
    origin: string;
    created_at: number;
  };
  webhooks: {
    tenant: string;
    id: string;
    topic: string;
    verification: string;
    secret_ciphertext: string | null;
    header: string | null;
    tolerance_sec: number;
    description: string;
    created_at: number;
  };
  state_machines: {
    tenant: string;
    name: string;
    type: string;
    definition: string;
    role_arn: string;
    description: string;
    tags: string;
    revision_id: string;
    created_at: number;
    updated_at: number;
  };
  executions: {
    tenant: string;
    arn: string;
    machine: string;
    name: string;
    status: string;
    input: string;
    output: string | null;
    error: string | null;
    cause: string | null;
    started_at: number;
    stopped_at: number | null;
    definition: string;
    role_arn: string;
    seq: number;
    state: string;
    redrive_count: number;
    redrive_at: number | null;
  };
  execution_events: {
    tenant: string;
    arn: string;
    id: number;
    previous_id: number;
    ts: number;
    type: string;
    details: string;
  };
  sqs_queues: {
    tenant: string;
    name: string;
    attributes: string;
    tags: string;
    created_at: number;
    updated_at: number;
  };
  topics: {
    tenant: string;
    name: string;
    description: string;
    created_at: number;
  };
  subscriptions: {
    tenant: string;
    id: string;
    topic: string;
    pattern: string | null;
    target: string;
    input_transformer: string | null;
    partition_key: string | null;
    retry: string | null;
    origin: string;
    owner: string | null;
    description: string;
    created_at: number;
  };
  schedules: {
    tenant: string;
    name: string;
    function_name: string;
    state_machine: string | null;
    qualifier: string | null;
    expression: string;
    timezone: string;
    input: string | null;
    enabled: number;
    misfire: string;
    origin: string;
    description: string;
    next_fire_at: number | null;
    last_fire_at: number | null;
    created_at: number;
    updated_at: number;
  };
  usage: {
    tenant: string;
    request_id: string;
    function_name: string;
    version: string;
    started_at: number;
    duration_ms: number;
    billed_duration_ms: number;
    memory_mb: number;
    max_rss_bytes: number;
    gb_seconds: number;
    init_duration_ms: number | null;
    outcome: string;
    /** Invocation records (0017): where START, END and REPORT render, and what they say. */
    instance_id: string | null;
    status: string | null;
    start_seq: number | null;
    end_seq: number | null;
    report_seq: number | null;
    /** 0021: the delivery attempt (part of the key) and the invocation's cost. */
    attempt: number;
    cost: number;
  };
  /** 0020: per-function 1-minute activity rollups (src/observability/rollups.ts). */
  metric_rollups: {
    tenant: string;
    function_name: string;
    minute: number;
    invocations: number;
    errors: number;
    throttles: number;
    cold_starts: number;
    duration_sum_ms: number;
    duration_max_ms: number;
    duration_p50_ms: number | null;
    duration_p99_ms: number | null;
    gb_seconds: number;
  };
  budgets: {
    tenant: string;
    name: string;
    function_name: string | null;
    period: string;
    anchor: number;
    limit_usd: number;
    thresholds: string;
    action: string;
    topic: string | null;
    notified_period: number | null;
    notified_pct: number | null;
    created_at: number;
    updated_at: number;
  };
  /** 0022: cluster mode's leader leases (src/store/repos-cluster.ts). */
  cluster_leases: {
    name: string;
    holder: string;
    token: number;
    expires_at: number;
    acquired_at: number;
  };
  /** 0022: cluster mode's node registry; roles and load are JSON text. */
  cluster_nodes: {
    id: string;
    address: string;
    roles: string;
    started_at: number;
    seen_at: number;
    load: string;
  };
}
