import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The unmodified AWS SDK: the platform gives every function its endpoint and role credentials. */
const s3 = new S3Client({});

/** Where the saga keeps its records (an AWS::S3::Bucket resource of serverless.yml). */
const BUCKET = process.env.LEDGER_BUCKET ?? 'order-saga-ledger';

/** The execution's input, plus what the steps before added (ResultPath). */
export interface Order {
  orderId: string;
  items?: { sku: string; qty: number }[];
  amount?: number;
  /** Makes that step fail (a demo switch): "reserve", "charge" or "ship". */
  failAt?: 'reserve' | 'charge' | 'ship';
  /** The payment provider fails once with a transient error before it succeeds. */
  flakyPayment?: boolean;
  reservation?: { reservationId: string };
  payment?: { paymentId: string; amount: number };
  shipment?: { trackingNumber: string };
}

export interface JournalEntry {
  step: string;
  at: string;
}

async function getJson<T>(key: string): Promise<T | undefined> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await r.Body!.transformToString()) as T;
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey') return undefined;
    throw e;
  }
}

export async function putJson(key: string, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: JSON.stringify(value, null, 2),
      ContentType: 'application/json',
    }),
  );
}

const journalKey = (orderId: string) => `orders/${orderId}/journal.json`;

/** What happened to an order so far, in order (orders/<id>/journal.json). */
export const journal = async (orderId: string) => (await getJson<JournalEntry[]>(journalKey(orderId))) ?? [];

/**
 * Appends one entry to the order's journal. The saga's steps run one at a time, so a read and a
 * write do not race.
 */
export async function record(orderId: string, step: string): Promise<void> {
  const entries = await journal(orderId);
  entries.push({ step, at: new Date().toISOString() });
  await putJson(journalKey(orderId), entries);
}

/** An error the state machine sees by name (Retry and Catch match it). */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export function requireOrder(event: Order): string {
  if (typeof event.orderId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(event.orderId))
    throw namedError('Order.Invalid', '"orderId" is required (1-64 of A-Z a-z 0-9 _ -)');
  return event.orderId;
}
