import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The unmodified AWS SDK: the platform gives every function its endpoint and role credentials. */
const s3 = new S3Client({});

/** users/<id>.json and mail/<id>.json live here (an AWS::S3::Bucket resource of serverless.yml). */
const BUCKET = process.env.DATA_BUCKET ?? 'registration-workflow-data';

export async function putJson(key: string, value: unknown): Promise<{ bucket: string; key: string }> {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: JSON.stringify(value, null, 2),
      ContentType: 'application/json',
    }),
  );
  return { bucket: BUCKET, key };
}

export interface MailInput {
  userId: string;
  email: string;
}

/** "Sends" an e-mail: mail/<user>.json with its kind (a real service hands it to a mail relay). */
export async function sendMail(
  kind: 'welcome' | 'reminder',
  to: MailInput,
  subject: string,
  text: string,
  extra: Record<string, unknown> = {},
) {
  const mail = {
    kind,
    userId: to.userId,
    to: to.email,
    subject,
    text,
    ...extra,
    sentAt: new Date().toISOString(),
  };
  const location = await putJson(`mail/${to.userId}.json`, mail);
  console.log(`${kind} e-mail to ${to.email}`);
  return { ...location, kind };
}
