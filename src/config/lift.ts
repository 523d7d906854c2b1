/**
 * serverless-lift constructs, served by Nimbus itself (the plugin's CloudFormation is not run):
 *
 * - `type: queue` → an SQS queue `<service>-<stage>-<id>` with a dead-letter queue (`…-dlq`,
 *   messages kept 14 days) after `maxRetries` receives (default 3), VisibilityTimeout 6× the
 *   worker's timeout (Lift's rule), `fifo: true` for FIFO, `delay` in seconds; a worker function
 *   `<id>Worker` consuming it (`batchSize` default 1, `maxBatchingWindow`, partial batch failures
 *   reported with ReportBatchItemFailures as Lift configures it); every function of the service
 *   may send to it. Variables: `${construct:<id>.queueUrl}`, `.queueArn`, `.queueName`,
 *   `.dlqUrl`, `.dlqArn`.
 * - `type: storage` → a bucket `<service>-<stage>-<id>` (lower-cased); every function may read,
 *   write, delete and list it. Variables: `${construct:<id>.bucketName}`, `.bucketArn`.
 *
 * Other construct types (webhook, static-website, single-page-app, database/dynamodb-single-table,
 * server-side-website) are reported in the deploy's warning, not deployed.
 */
import { ACCOUNT_REF, type ManifestQueue, queueUrlRef, REGION_REF } from './cloudformation.ts';

export interface LiftResult {
  /** `construct:<id>.<attr>` → value. */
  readonly vars: Record<string, string>;
  readonly queues: ManifestQueue[];
  readonly buckets: string[];
  /** Worker functions to add, in Serverless syntax (key → definition). */
  readonly functions: Record<string, Record<string, unknown>>;
  /** IAM statements for the service role. */
  readonly statements: Record<string, unknown>[];
  readonly problems: string[];
  readonly warnings: string[];
}

const queueArn = (name: string) => `arn:aws:sqs:${REGION_REF}:${ACCOUNT_REF}:${name}`;

export function liftConstructs(
  constructs: unknown,
  o: { readonly service: string; readonly stage: string; readonly defaultTimeoutSec: number },
): LiftResult {
  const r: LiftResult = {
    vars: {},
    queues: [],
    buckets: [],
    functions: {},
    statements: [],
    problems: [],
    warnings: [],
  };
  if (constructs === undefined) return r;
  if (!constructs || typeof constructs !== 'object' || Array.isArray(constructs)) {
    r.problems.push('constructs must be a map of construct ids to {type, …}');
    return r;
  }
  for (const [id, raw] of Object.entries(constructs)) {
    const c = (raw ?? {}) as Record<string, unknown>;
    if (!/^[A-Za-z0-9-]{1,40}$/.test(id)) {
      r.problems.push(`constructs.${id}: ids are 1-40 of A-Z a-z 0-9 -`);
      continue;
    }
    const base = `${o.service}-${o.stage}-${id}`;
    if (c.type === 'queue') {
      const worker = c.worker as Record<string, unknown> | undefined;
      if (!worker || typeof worker.handler !== 'string') {
        r.problems.push(`constructs.${id}: a queue needs worker.handler`);
        continue;
      }
      const fifo = c.fifo === true;
      const name = fifo ? `${base.slice(0, 70)}.fifo` : base.slice(0, 80);
      const dlq = fifo ? `${base.slice(0, 66)}-dlq.fifo` : `${base.slice(0, 76)}-dlq`;
      const timeout = typeof worker.timeout === 'number' ? worker.timeout : o.defaultTimeoutSec;
      const maxRetries = typeof c.maxRetries === 'number' ? c.maxRetries : 3;
      const fifoAttrs: Record<string, string> = fifo
        ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' }
        : {};
      r.queues.push(
        {
          logicalId: `${id}Dlq`,
          name: dlq,
          attributes: { MessageRetentionPeriod: '1209600', ...fifoAttrs },
          tags: {},
        },
        {
          logicalId: `${id}Queue`,
          name,
          attributes: {
            VisibilityTimeout: String(Math.min(43_200, timeout * 6)),
            ...(typeof c.delay === 'number' ? { DelaySeconds: String(c.delay) } : {}),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: queueArn(dlq),
              maxReceiveCount: maxRetries,
            }),
            ...fifoAttrs,
          },
          tags: {},
        },
      );
      const { handler, ...rest } = worker;
      r.functions[`${id}Worker`] = {
        handler,
        ...rest,
        timeout,
        events: [
          {
            sqs: {
              arn: queueArn(name),
              batchSize: typeof c.batchSize === 'number' ? c.batchSize : 1,
              ...(typeof c.maxBatchingWindow === 'number'
                ? { maximumBatchingWindow: c.maxBatchingWindow }
                : {}),
              functionResponseType: 'ReportBatchItemFailures',
            },
          },
        ],
      };
      r.statements.push({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn(name)] });
      Object.assign(r.vars, {
        [`construct:${id}.queueUrl`]: queueUrlRef(name),
        [`construct:${id}.queueArn`]: queueArn(name),
        [`construct:${id}.queueName`]: name,
        [`construct:${id}.dlqUrl`]: queueUrlRef(dlq),
        [`construct:${id}.dlqArn`]: queueArn(dlq),
      });
    } else if (c.type === 'storage') {
      const bucket = base
        .toLowerCase()
        .replace(/[^a-z0-9.-]/g, '-')
        .slice(0, 63);
      r.buckets.push(bucket);
      r.statements.push({
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      });
      Object.assign(r.vars, {
        [`construct:${id}.bucketName`]: bucket,
        [`construct:${id}.bucketArn`]: `arn:aws:s3:::${bucket}`,
      });
    } else {
      r.warnings.push(
        `constructs.${id}: Lift type ${String(c.type)} is not deployed by Nimbus (queue and storage are)`,
      );
    }
  }
  return r;
}
