/**
 * The CloudFormation parts of a serverless.yml that Nimbus acts on: the short-form intrinsic
 * tags (`!Ref`, `!GetAtt`, `!Sub`, `!Join`, … — parsed into their `Fn::` objects), the
 * `resources.Resources` of type `AWS::SQS::Queue` (created or updated at deploy), and the
 * references to them, resolved into strings:
 *
 * - `Ref: Queue` / `Fn::GetAtt: [Queue, QueueUrl]` → `${nimbus:queue-url:<name>}`, which an
 *   instance's environment expands to the URL it reaches the platform at;
 * - `Fn::GetAtt: [Queue, Arn]` → `arn:aws:sqs:${nimbus:region}:${nimbus:account}:<name>`;
 * - `Fn::GetAtt: [Queue, QueueName]` → the name;
 * - `Ref: AWS::Region` / `AWS::AccountId` / `AWS::StackName`, `Fn::Join`, `Fn::Sub` over these.
 *
 * `${nimbus:region}` / `${nimbus:account}` are filled in by the deploy (it asks the platform
 * who the caller is) and by instances. Other resources and intrinsics are left as they are and
 * reported in the deploy's warning about keys Nimbus does not act on.
 */
import type { Tags } from 'yaml';

export const REGION_REF = `\${nimbus:region}`;
export const ACCOUNT_REF = `\${nimbus:account}`;
export const queueUrlRef = (name: string) => `\${nimbus:queue-url:${name}}`;
export const QUEUE_URL_REF = /\$\{nimbus:queue-url:([A-Za-z0-9_.-]{1,80})\}/g;

const FN = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
] as const;

/** One short-form tag, in its scalar, sequence and mapping forms. */
const shortForm = (tag: string, to: (v: unknown) => unknown) => [
  { tag, resolve: (v: string) => to(v) },
  { tag, collection: 'seq' as const, resolve: (v: unknown) => to(plain(v)) },
  { tag, collection: 'map' as const, resolve: (v: unknown) => to(plain(v)) },
];

/** yaml custom tags for CloudFormation's short forms (`!Ref X` → `{Ref: X}`, …). */
export const CFN_TAGS = [
  ...shortForm('!Ref', (v) => ({ Ref: v })),
  ...shortForm('!GetAtt', (v) => ({ 'Fn::GetAtt': typeof v === 'string' ? v.split('.') : v })),
  ...FN.flatMap((f) => shortForm(`!${f}`, (v) => ({ [`Fn::${f}`]: v }))),
] as Tags;

/** A yaml collection node's plain value (custom-tag resolvers receive nodes for collections). */
function plain(v: unknown): unknown {
  const n = v as { toJSON?: () => unknown };
  return n && typeof n === 'object' && typeof n.toJSON === 'function' ? n.toJSON() : v;
}

export interface ManifestQueue {
  readonly logicalId: string;
  readonly name: string;
  /** SQS attributes (strings), references resolved (account/region placeholders remain). */
  readonly attributes: Record<string, string>;
  readonly tags: Record<string, string>;
}

const QUEUE_PROPS = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
] as const;

/** `AWS::S3::Bucket` resources: logical id → bucket name (BucketName, or `<stack>-<logicalid>`). */
export function bucketNames(resources: Record<string, unknown>, stack: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    const res = r as { Type?: unknown; Properties?: Record<string, unknown> };
    if (res?.Type !== 'AWS::S3::Bucket') continue;
    const given = res.Properties?.BucketName;
    out.set(
      id,
      typeof given === 'string'
        ? given
        : `${stack}-${id}`
            .toLowerCase()
            .replace(/[^a-z0-9.-]/g, '-')
            .slice(0, 63),
    );
  }
  return out;
}

/** `AWS::SQS::Queue` resources: logical id → queue name (QueueName, or `<stack>-<logicalId>`). */
export function queueNames(resources: Record<string, unknown>, stack: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    const res = r as { Type?: unknown; Properties?: Record<string, unknown> };
    if (res?.Type !== 'AWS::SQS::Queue') continue;
    const p = res.Properties ?? {};
    const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
    const given = typeof p.QueueName === 'string' ? p.QueueName : undefined;
    out.set(id, given ?? `${stack}-${id}`.slice(0, fifo ? 75 : 80) + (fifo ? '.fifo' : ''));
  }
  return out;
}

/**
 * Replaces the intrinsics Nimbus understands with strings, everywhere in `value`; `problems`
 * collects references to logical ids the file does not define.
 */
export function resolveIntrinsics(
  value: unknown,
  ctx: {
    readonly queues: ReadonlyMap<string, string>;
    readonly buckets?: ReadonlyMap<string, string> | undefined;
    readonly stack: string;
  },
  problems: string[],
): unknown {
  const rec = (v: unknown): unknown => resolveIntrinsics(v, ctx, problems);
  if (Array.isArray(value)) return value.map(rec);
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const k = keys[0]!;
    const arg = o[k];
    const ref = (id: string, attr?: string): string | undefined => {
      if (attr === undefined) {
        if (id === 'AWS::Region') return REGION_REF;
        if (id === 'AWS::AccountId') return ACCOUNT_REF;
        if (id === 'AWS::StackName') return ctx.stack;
        if (id === 'AWS::Partition') return 'aws';
        if (id === 'AWS::URLSuffix') return 'amazonaws.com';
      }
      const b = ctx.buckets?.get(id);
      if (b !== undefined) {
        if (attr === undefined) return b;
        if (attr === 'Arn') return `arn:aws:s3:::${b}`;
        return undefined;
      }
      const q = ctx.queues.get(id);
      if (q === undefined) return undefined;
      if (attr === undefined || attr === 'QueueUrl') return queueUrlRef(q);
      if (attr === 'Arn') return `arn:aws:sqs:${REGION_REF}:${ACCOUNT_REF}:${q}`;
      if (attr === 'QueueName') return q;
      return undefined;
    };
    if (k === 'Ref' && typeof arg === 'string') {
      const r = ref(arg);
      if (r !== undefined) return r;
      problems.push(
        `Ref: ${arg} — Nimbus resolves AWS::SQS::Queue and AWS::S3::Bucket resources and AWS:: pseudo parameters`,
      );
      return value;
    }
    if (k === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
      const r = typeof id === 'string' && typeof attr === 'string' ? ref(id, attr) : undefined;
      if (r !== undefined) return r;
      problems.push(
        `Fn::GetAtt: ${JSON.stringify(arg)} — Nimbus resolves Arn, QueueName and QueueUrl of AWS::SQS::Queue and Arn of AWS::S3::Bucket resources`,
      );
      return value;
    }
    if (k === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      const parts = (arg[1] as unknown[]).map(rec);
      if (parts.every((p) => typeof p === 'string' || typeof p === 'number')) return parts.join(arg[0]);
    }
    if (k === 'Fn::Sub' && typeof arg === 'string') {
      let ok = true;
      const s = arg.replace(/\$\{([^}!][^}]*)\}/g, (whole, expr: string) => {
        const [id, attr] = expr.split('.');
        const r = ref(id!, attr);
        if (r === undefined) ok = false;
        return r ?? whole;
      });
      if (ok) return s;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, rec(o[k])]));
}

/** The queues a (resolved) `resources.Resources` defines, with their SQS attributes. */
export function manifestQueues(
  resources: Record<string, unknown>,
  names: ReadonlyMap<string, string>,
): ManifestQueue[] {
  const out: ManifestQueue[] = [];
  for (const [id, name] of names) {
    const p = ((resources[id] as { Properties?: Record<string, unknown> }).Properties ?? {}) as Record<
      string,
      unknown
    >;
    const attributes: Record<string, string> = {};
    for (const k of QUEUE_PROPS) if (p[k] !== undefined) attributes[k] = String(p[k]);
    if (attributes.FifoQueue === 'false') delete attributes.FifoQueue;
    for (const k of ['RedrivePolicy', 'RedriveAllowPolicy'] as const)
      if (p[k] !== undefined) attributes[k] = typeof p[k] === 'string' ? p[k] : JSON.stringify(p[k]);
    const tags: Record<string, string> = {};
    if (Array.isArray(p.Tags))
      for (const t of p.Tags as { Key?: unknown; Value?: unknown }[])
        if (typeof t?.Key === 'string') tags[t.Key] = String(t.Value ?? '');
    out.push({ logicalId: id, name, attributes, tags });
  }
  // Dead-letter queues first: a RedrivePolicy names a queue that must exist.
  const dependsOn = (q: ManifestQueue) =>
    out.filter((x) => q.attributes.RedrivePolicy?.includes(`:${x.name}"`));
  const ordered: ManifestQueue[] = [];
  const visit = (q: ManifestQueue, depth: number) => {
    if (ordered.includes(q) || depth > out.length) return;
    for (const d of dependsOn(q)) if (d !== q) visit(d, depth + 1);
    ordered.push(q);
  };
  for (const q of out) visit(q, 0);
  return ordered;
}
