/**
 * Queue attributes: which SetQueueAttributes accepts, their ranges and defaults (as SQS
 * documents them), and the parsed settings the service works with.
 *
 * Stored and answered but not acted on: Policy (queue resource policies are not evaluated;
 * the caller's IAM policies are), RedriveAllowPolicy, KmsMasterKeyId,
 * KmsDataKeyReusePeriodSeconds, SqsManagedSseEnabled (messages are not encrypted at rest
 * beyond the data directory's permissions), DeduplicationScope and FifoThroughputLimit.
 */
import { SqsErrors } from './errors.ts';

export const NAME_RE = /^[A-Za-z0-9_-]{1,80}$/;

interface IntSpec {
  readonly min: number;
  readonly max: number;
  readonly dflt: number;
}

const INTS: Readonly<Record<string, IntSpec>> = {
  DelaySeconds: { min: 0, max: 900, dflt: 0 },
  MaximumMessageSize: { min: 1024, max: 1_048_576, dflt: 262_144 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, dflt: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, dflt: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, dflt: 30 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400, dflt: 300 },
};
const STRINGS = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId']);
const BOOLS = new Set(['SqsManagedSseEnabled']);
const FIFO_ONLY: Readonly<Record<string, readonly string[]>> = {
  ContentBasedDeduplication: ['true', 'false'],
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};
/** Computed by the service, never set. */
export const READ_ONLY = new Set([
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
]);

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** What the service acts on, parsed from the stored attribute strings. */
export interface QueueSettings {
  readonly fifo: boolean;
  readonly delayMs: number;
  readonly maxMessageBytes: number;
  readonly retentionMs: number;
  readonly waitMs: number;
  readonly visibilityMs: number;
  readonly contentDedupe: boolean;
  readonly redrive?: RedrivePolicy | undefined;
}

export const isFifoName = (name: string) => name.endsWith('.fifo');

/** Checks a queue name; returns whether it names a FIFO queue. */
export function checkName(name: string): boolean {
  const fifo = isFifoName(name);
  const base = fifo ? name.slice(0, -5) : name;
  if (!NAME_RE.test(base) || name.length > 80)
    throw SqsErrors.INVALID_NAME({
      name: name.slice(0, 100),
      reason: 'use 1-80 characters of A-Z a-z 0-9 _ - (FIFO: ending in .fifo)',
    });
  return fifo;
}

const bad = (name: string, reason: string) => SqsErrors.INVALID_ATTRIBUTE_VALUE({ name, reason });

function parseRedrive(v: string): RedrivePolicy {
  let p: unknown;
  try {
    p = JSON.parse(v);
  } catch {
    throw bad('RedrivePolicy', 'it is not JSON');
  }
  const o = (p ?? {}) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  const max = Number(o.maxReceiveCount);
  if (typeof o.deadLetterTargetArn !== 'string' || !o.deadLetterTargetArn.startsWith('arn:'))
    throw bad('RedrivePolicy', 'deadLetterTargetArn must be a queue ARN');
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw bad('RedrivePolicy', 'maxReceiveCount must be an integer 1-1000');
  return { deadLetterTargetArn: o.deadLetterTargetArn, maxReceiveCount: max };
}

/**
 * Validates attributes given to CreateQueue (`creating`) or SetQueueAttributes and returns them
 * normalised (numbers as canonical strings). RedrivePolicy's target is checked by the service.
 */
export function checkAttributes(
  input: Readonly<Record<string, string>>,
  fifo: boolean,
  creating: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const v = String(raw);
    const int = INTS[name];
    if (int) {
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || n < int.min || n > int.max)
        throw bad(name, `an integer ${int.min}-${int.max} is required`);
      out[name] = String(n);
    } else if (STRINGS.has(name)) {
      if (name === 'RedrivePolicy' && v !== '') parseRedrive(v);
      out[name] = v;
    } else if (BOOLS.has(name)) {
      if (v !== 'true' && v !== 'false') throw bad(name, 'true or false');
      out[name] = v;
    } else if (name === 'FifoQueue') {
      if (!creating) throw SqsErrors.INVALID_ATTRIBUTE_NAME({ name: 'FifoQueue (set only at creation)' });
      if (v !== String(fifo))
        throw bad(name, fifo ? 'a .fifo queue is FIFO' : 'a FIFO queue’s name must end in .fifo');
      if (fifo) out[name] = 'true';
    } else if (Object.hasOwn(FIFO_ONLY, name)) {
      if (!fifo) throw SqsErrors.INVALID_ATTRIBUTE_NAME({ name: `${name} (FIFO queues only)` });
      if (!FIFO_ONLY[name]!.includes(v)) throw bad(name, `one of ${FIFO_ONLY[name]!.join(', ')}`);
      out[name] = v;
    } else {
      throw SqsErrors.INVALID_ATTRIBUTE_NAME({ name: name.slice(0, 80) });
    }
  }
  return out;
}

/** The stored attributes of a new queue: defaults, then the given ones. */
export function initialAttributes(given: Record<string, string>, fifo: boolean): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, s] of Object.entries(INTS))
    if (k !== 'KmsDataKeyReusePeriodSeconds') base[k] = String(s.dflt);
  base.SqsManagedSseEnabled = 'false';
  if (fifo) {
    base.FifoQueue = 'true';
    base.ContentBasedDeduplication = 'false';
    base.DeduplicationScope = 'queue';
    base.FifoThroughputLimit = 'perQueue';
  }
  return { ...base, ...given };
}

const intOf = (a: Readonly<Record<string, string>>, k: string) => Number(a[k] ?? INTS[k]!.dflt);

export function settingsOf(attrs: Readonly<Record<string, string>>): QueueSettings {
  const r = attrs.RedrivePolicy;
  return {
    fifo: attrs.FifoQueue === 'true',
    delayMs: intOf(attrs, 'DelaySeconds') * 1000,
    maxMessageBytes: intOf(attrs, 'MaximumMessageSize'),
    retentionMs: intOf(attrs, 'MessageRetentionPeriod') * 1000,
    waitMs: intOf(attrs, 'ReceiveMessageWaitTimeSeconds') * 1000,
    visibilityMs: intOf(attrs, 'VisibilityTimeout') * 1000,
    contentDedupe: attrs.ContentBasedDeduplication === 'true',
    redrive: r ? parseRedrive(r) : undefined,
  };
}
