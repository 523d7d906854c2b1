import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Upload } from './objects.ts';

interface S3Event {
  Records: { s3: { bucket: { name: string }; object: { key: string; size: number; eTag?: string } } }[];
}

const sfn = new SFNClient({});

/** An execution name (1-80 of A-Z a-z 0-9 - _) from the key and the content's ETag. */
const executionName = (key: string, etag: string) =>
  `${key.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60)}-${etag.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;

/**
 * s3:ObjectCreated → one execution of the image-workflow state machine per object. The name
 * comes from the key and the ETag, so a redelivered notification does not process an image twice.
 */
export const handler = async (event: S3Event) => {
  const started: string[] = [];
  for (const r of event.Records) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    const etag = r.s3.object.eTag ?? '';
    const input: Upload = { bucket: r.s3.bucket.name, key, size: r.s3.object.size, etag };
    try {
      const out = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: process.env.STATE_MACHINE_ARN,
          name: executionName(key, etag),
          input: JSON.stringify(input),
        }),
      );
      console.log(`started ${out.executionArn} for ${input.bucket}/${key}`);
      started.push(out.executionArn!);
    } catch (e) {
      // The same object again after its execution ended: already processed.
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
      console.log(`already processed: ${input.bucket}/${key}`);
    }
  }
  return { started };
};
