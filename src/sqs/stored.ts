/**
 * How an SQS message sits in the Queue port: its port queue's name, and the JSON the port's body
 * holds (shared by the service and the message move tasks, which rewrite it for the destination).
 */
import type { TenantId } from '../core/types.ts';
import type { MessageAttributeValue } from './md5.ts';

/** What a message is stored as (JSON text in the port's body). */
export interface Stored {
  /** Body. */
  b: string;
  /** Message attributes. */
  a?: Record<string, MessageAttributeValue>;
  /** AWSTraceHeader. */
  t?: string;
  /** FIFO group, dedupe id, sequence number. */
  g?: string;
  d?: string;
  n?: string;
  /** Sender id. */
  s: string;
  /** The MessageId it had before a redrive. */
  m?: string;
}

/** The port queue of an SQS queue. */
export const portQueue = (tenant: TenantId, name: string) => `sqs/${tenant}/${name}`;

/**
 * The port `source` of a message the RedrivePolicy of queue `name` moved to its dead-letter queue
 * (every dead-lettered message has carried it since the first SQS release): a move task without a
 * destination sends the message back there.
 */
export const DEAD_LETTER_SOURCE = 'redrive:';

export function parseStored(body: string): Stored {
  try {
    const s = JSON.parse(body) as Stored;
    if (typeof s?.b === 'string') return s;
  } catch {
    // fall through
  }
  return { b: body, s: 'unknown' };
}

let seq = 0;
/** A FIFO sequence number: increasing, 20 digits (as SQS writes them). */
export const sequenceNumber = (now: number) => String(now * 1000 + (seq++ % 1000)).padStart(20, '0');
