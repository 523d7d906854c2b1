/**
 * The MD5 digests SQS answers with: of the body, and of the message attributes in SQS's own
 * binary encoding (sorted by name; each name, data type and value length-prefixed, a transport
 * byte 1 for String/Number and 2 for Binary). SDKs recompute them (the JS SDK the body's, boto3
 * both), so they must be exact.
 */
import { createHash } from 'node:crypto';

/** One message attribute as the JSON protocol carries it (BinaryValue base64). */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string | undefined;
  readonly BinaryValue?: string | undefined;
  readonly StringListValues?: readonly string[] | undefined;
  readonly BinaryListValues?: readonly string[] | undefined;
}

export const md5Hex = (s: string | Uint8Array) => createHash('md5').update(s).digest('hex');

function lengthPrefixed(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** MD5OfMessageAttributes; undefined when there are none. */
export function md5OfAttributes(
  attrs: Readonly<Record<string, MessageAttributeValue>> | undefined,
): string | undefined {
  const names = Object.keys(attrs ?? {}).sort();
  if (names.length === 0 || !attrs) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const a = attrs[name]!;
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(a.BinaryValue, 'base64')));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}
