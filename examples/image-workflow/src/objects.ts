import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The unmodified AWS SDK: the platform gives every function its endpoint and role credentials. */
const s3 = new S3Client({});

/** Where every step writes what it made (an AWS::S3::Bucket resource of serverless.yml). */
export const RESULTS_BUCKET = process.env.RESULTS_BUCKET ?? 'image-workflow-results';

/** A stored object, as the state machine passes it from step to step. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/** The input of an execution (on-upload.ts starts it). */
export interface Upload extends ObjectRef {
  size: number;
  etag: string;
}

export async function getBytes(o: ObjectRef): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

export async function putBytes(
  key: string,
  body: Uint8Array | string,
  contentType: string,
): Promise<ObjectRef> {
  await s3.send(
    new PutObjectCommand({ Bucket: RESULTS_BUCKET, Key: key, Body: body, ContentType: contentType }),
  );
  return { bucket: RESULTS_BUCKET, key };
}

export const putJson = (key: string, value: unknown) =>
  putBytes(key, JSON.stringify(value, null, 2), 'application/json');

/** An error the state machine sees by name (its Catch and Retry match `Error`). */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
