/**
 * The SQS API (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Op>`), as `@aws-sdk/client-sqs` and
 * boto3 speak it, over the SQS service. Every operation authorizes `sqs:<Op>` on the queue's ARN
 * (batch operations authorize their single-message action, as on AWS). A QueueUrl is
 * `<origin>/<account>/<name>` with the origin the caller used; a URL naming another account is
 * QueueDoesNotExist (the tenant is always the caller's).
 *
 * Message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask: the
 * dead-letter-queue redrive, move-tasks.ts) name queues by ARN; an ARN of another account or
 * region, or of no queue, is ResourceNotFoundException. Starting one also takes what the move
 * does, as on AWS: sqs:ReceiveMessage and sqs:DeleteMessage on the source, sqs:SendMessage on the
 * destination (without one: on each queue whose RedrivePolicy targets the source).
 *
 * Not served: AddPermission/RemovePermission (UnsupportedOperation), list-typed message
 * attributes (SQS has none either). The query (XML) protocol is query-api.ts over these.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorize, isAllowed, type Principal } from '../api/auth.ts';
import type { AwsErrorType, AwsJsonInput, AwsJsonOperation, AwsJsonService } from '../api/aws-json.ts';
import { CoreErrors, NimbusError } from '../core/errors.ts';
import { traceparentOfHeaders } from '../observability/trace-context.ts';
import { SqsErrors } from './errors.ts';
import { md5OfAttributes } from './md5.ts';
import type {
  EntryResult,
  MessageAttributeValue,
  MoveTask,
  SendInput,
  SentMessage,
  SqsService,
} from './service.ts';

function input<T>(schema: z.ZodType<T>, raw: AwsJsonInput): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const missing = r.error.issues.find((i) => i.code === 'invalid_type' && i.input === undefined);
    if (missing) throw SqsErrors.MISSING_PARAMETER({ field: missing.path.join('.') });
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    });
  }
  return r.data;
}

const QueueUrl = z.string().min(1).max(2048);
const StrMap = z.record(z.string().max(256), z.string().max(262_144));
const Attr = z.object({
  DataType: z.string().max(256),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: z.array(z.string()).optional(),
  BinaryListValues: z.array(z.string()).optional(),
});
const Message = {
  MessageBody: z.string().max(1_048_576),
  DelaySeconds: z.number().int().optional(),
  MessageAttributes: z.record(z.string().max(256), Attr).optional(),
  MessageSystemAttributes: z.record(z.string().max(256), Attr).optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
};
const EntryId = z.string().max(256);
const Names = z.array(z.string().max(256)).max(100).optional();

const S = {
  Create: z.object({
    QueueName: z.string().max(256),
    Attributes: StrMap.optional(),
    tags: StrMap.optional(),
  }),
  GetUrl: z.object({ QueueName: z.string().max(256), QueueOwnerAWSAccountId: z.string().optional() }),
  List: z.object({
    QueueNamePrefix: z.string().max(256).optional(),
    NextToken: z.string().max(1024).optional(),
    MaxResults: z.number().int().min(1).max(1000).optional(),
  }),
  Url: z.object({ QueueUrl }),
  GetAttrs: z.object({ QueueUrl, AttributeNames: Names }),
  SetAttrs: z.object({ QueueUrl, Attributes: StrMap }),
  Send: z.object({ QueueUrl, ...Message }),
  SendBatch: z.object({ QueueUrl, Entries: z.array(z.object({ Id: EntryId, ...Message })).max(1000) }),
  Receive: z.object({
    QueueUrl,
    AttributeNames: Names,
    MessageSystemAttributeNames: Names,
    MessageAttributeNames: Names,
    MaxNumberOfMessages: z.number().int().optional(),
    VisibilityTimeout: z.number().int().optional(),
    WaitTimeSeconds: z.number().int().optional(),
    ReceiveRequestAttemptId: z.string().optional(),
  }),
  Delete: z.object({ QueueUrl, ReceiptHandle: z.string().max(1024) }),
  DeleteBatch: z.object({
    QueueUrl,
    Entries: z.array(z.object({ Id: EntryId, ReceiptHandle: z.string().max(1024) })).max(1000),
  }),
  Change: z.object({ QueueUrl, ReceiptHandle: z.string().max(1024), VisibilityTimeout: z.number().int() }),
  ChangeBatch: z.object({
    QueueUrl,
    Entries: z
      .array(
        z.object({ Id: EntryId, ReceiptHandle: z.string().max(1024), VisibilityTimeout: z.number().int() }),
      )
      .max(1000),
  }),
  MoveStart: z.object({
    SourceArn: z.string().max(2048),
    DestinationArn: z.string().max(2048).optional(),
    MaxNumberOfMessagesPerSecond: z.number().int().optional(),
  }),
  MoveList: z.object({ SourceArn: z.string().max(2048), MaxResults: z.number().int().optional() }),
  MoveCancel: z.object({ TaskHandle: z.string().max(4096) }),
  Tag: z.object({ QueueUrl, Tags: StrMap }),
  Untag: z.object({ QueueUrl, TagKeys: z.array(z.string().max(128)).max(50) }),
};

const BATCH_MAX_BYTES = 1_048_576;

/** The entry list of a batch request: 1-10 entries with distinct, well-formed ids. */
function checkBatch(entries: readonly { Id: string }[]): void {
  if (entries.length === 0) throw SqsErrors.BATCH_EMPTY();
  if (entries.length > 10) throw SqsErrors.BATCH_TOO_MANY({ count: entries.length });
  const seen = new Set<string>();
  for (const e of entries) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) throw SqsErrors.BATCH_ID_INVALID({ id: e.Id.slice(0, 90) });
    if (seen.has(e.Id)) throw SqsErrors.BATCH_IDS_NOT_DISTINCT({ id: e.Id });
    seen.add(e.Id);
  }
}

function batchResult<T>(
  entries: readonly { Id: string }[],
  results: readonly EntryResult<T>[],
  ok: (id: string, v: T) => object,
): { Successful: object[]; Failed: object[] } {
  const Successful: object[] = [];
  const Failed: object[] = [];
  results.forEach((r, i) => {
    const Id = entries[i]!.Id;
    if ('ok' in r) Successful.push(ok(Id, r.ok));
    else
      Failed.push({
        Id,
        SenderFault: true,
        Code: sqsErrorType(r.error)?.type ?? 'InvalidParameterValue',
        Message: `[${r.error.code}] ${r.error.message}`,
      });
  });
  return { Successful, Failed };
}

/** `traceparent`: the request's trace (its traceparent or X-Amzn-Trace-Id header). */
const sendInput = (
  m: Omit<z.infer<typeof S.Send>, 'QueueUrl'>,
  traceparent: string | undefined,
): SendInput => {
  const trace = m.MessageSystemAttributes?.AWSTraceHeader;
  const other = Object.keys(m.MessageSystemAttributes ?? {}).filter((k) => k !== 'AWSTraceHeader');
  if (other.length > 0)
    throw SqsErrors.INVALID_PARAMETER({
      field: 'MessageSystemAttributes',
      reason: 'only AWSTraceHeader is supported',
    });
  return {
    body: m.MessageBody,
    delaySeconds: m.DelaySeconds,
    attributes: m.MessageAttributes,
    traceHeader: trace?.StringValue,
    traceparent,
    groupId: m.MessageGroupId,
    dedupeId: m.MessageDeduplicationId,
  };
};

/** The names a ReceiveMessage asked for: all, a `prefix.*`, or exact ones. */
function nameFilter(names: readonly string[] | undefined): (n: string) => boolean {
  if (!names || names.length === 0) return () => false;
  if (names.includes('All') || names.includes('.*')) return () => true;
  const exact = new Set(names.filter((n) => !n.endsWith('.*')));
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  return (n) => exact.has(n) || prefixes.some((p) => n.startsWith(p));
}

/** A queue's URL as a caller of `req` reaches it: `<origin>/<account>/<name>`. */
export const queueUrlOf = (req: FastifyRequest, accountId: string, name: string) =>
  `${req.protocol}://${req.headers.host ?? 'localhost'}/${accountId}/${name}`;

const ARN_RE = /^arn:aws:sqs:[^:]*:\d{12}:[^:]+$/;

/**
 * The queue an ARN names in the caller's account and region (`field`: the parameter, for the
 * error): an ARN of another account or region is not found, as on AWS.
 */
export async function queueOfArn(sqs: SqsService, p: Principal, arn: string, field: string): Promise<string> {
  if (!ARN_RE.test(arn))
    throw SqsErrors.INVALID_PARAMETER({
      field,
      reason: 'an SQS queue ARN is required: arn:aws:sqs:<region>:<account-id>:<queue-name>',
    });
  const name = arn.slice(arn.lastIndexOf(':') + 1);
  const notFound = () => SqsErrors.RESOURCE_NOT_FOUND({ field, arn: arn.slice(0, 300) });
  if (sqs.arnOf(p.tenant, name) !== arn) throw notFound();
  await sqs.getQueue(p.tenant, name).catch((e: unknown) => {
    throw e instanceof NimbusError && e.code === SqsErrors.codes.QUEUE_NOT_FOUND ? notFound() : e;
  });
  return name;
}

/**
 * What a move task does beyond its own action, checked before it starts, as AWS does: it receives
 * and deletes the source's messages and sends them on — to `destination`, or back to each queue
 * whose RedrivePolicy targets the source. (The audit entry keeps the route's own action unless
 * one of these is refused.)
 */
export async function authorizeMove(
  req: FastifyRequest,
  sqs: SqsService,
  p: Principal,
  source: string,
  destination: string | undefined,
): Promise<void> {
  const to =
    destination !== undefined
      ? [destination]
      : (await sqs.deadLetterSources(p.tenant, source)).map((q) => q.name);
  const checks: [string, string][] = [
    ['sqs:ReceiveMessage', sqs.arnOf(p.tenant, source)],
    ['sqs:DeleteMessage', sqs.arnOf(p.tenant, source)],
    ...to.map((n): [string, string] => ['sqs:SendMessage', sqs.arnOf(p.tenant, n)]),
  ];
  for (const [action, resource] of checks)
    if (!isAllowed(req, action, resource)) {
      if (req.authz) Object.assign(req.authz, { action, resource, denied: true });
      throw CoreErrors.FORBIDDEN({
        reason: `${p.arn} is not authorized to perform ${action} on ${resource} (a message move task receives and deletes the source's messages and sends them to the destination)`,
      });
    }
}

/** A task's handle (as AWS writes them: base64 JSON of the task id and its source's ARN). */
export const moveTaskHandle = (sourceArn: string, id: string) =>
  Buffer.from(JSON.stringify({ taskId: id, sourceArn })).toString('base64');

export function parseMoveTaskHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as Record<string, unknown>;
    if (typeof v.taskId === 'string' && typeof v.sourceArn === 'string')
      return { taskId: v.taskId, sourceArn: v.sourceArn };
  } catch {
    // not a handle
  }
  return undefined;
}

export interface SqsApiDeps {
  readonly sqs: SqsService;
}

export function sqsApi(d: SqsApiDeps): AwsJsonService {
  const { sqs } = d;
  const urlOf = (req: FastifyRequest, p: Principal, name: string) => queueUrlOf(req, p.accountId, name);

  /** Authorizes `sqs:<action>` on the URL's queue; returns the caller and the queue name. */
  function target(req: FastifyRequest, action: string, url: string): { p: Principal; name: string } {
    let account = '';
    let name = url;
    try {
      const parts = new URL(url).pathname.split('/').filter(Boolean);
      name = decodeURIComponent(parts.at(-1) ?? '');
      account = parts.at(-2) ?? '';
    } catch {
      // Not a URL: taken as a bare queue name (as LocalStack does).
    }
    const p = authorize(req, `sqs:${action}`, (a) =>
      a.of('sqs', name).replace(`:${a.account}:`, `:${account || a.account}:`),
    );
    if (account && account !== p.accountId) throw SqsErrors.QUEUE_NOT_FOUND({ name: url.slice(0, 200) });
    return { p, name };
  }

  /** An operation Nimbus refuses, named here (the query protocol has no X-Amz-Target to read). */
  const unsupported =
    (operation: string): AwsJsonOperation =>
    async (_, req) => {
      authorize(req, `sqs:${operation}`);
      throw SqsErrors.UNSUPPORTED({ operation });
    };

  return {
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    errorType: sqsErrorType,
    dataOperations: new Set([
      'GetQueueUrl',
      'ListQueues',
      'GetQueueAttributes',
      'ListQueueTags',
      'ListDeadLetterSourceQueues',
      'SendMessage',
      'SendMessageBatch',
      'ReceiveMessage',
      'DeleteMessage',
      'DeleteMessageBatch',
      'ChangeMessageVisibility',
      'ChangeMessageVisibilityBatch',
      'ListMessageMoveTasks',
    ]),
    operations: {
      async CreateQueue(raw, req) {
        const b = input(S.Create, raw);
        const p = authorize(req, 'sqs:CreateQueue', (a) => a.of('sqs', b.QueueName));
        const q = await sqs.createQueue(p.tenant, b.QueueName, b.Attributes, b.tags);
        return { QueueUrl: urlOf(req, p, q.name) };
      },

      async GetQueueUrl(raw, req) {
        const b = input(S.GetUrl, raw);
        const p = authorize(req, 'sqs:GetQueueUrl', (a) => a.of('sqs', b.QueueName));
        if (b.QueueOwnerAWSAccountId !== undefined && b.QueueOwnerAWSAccountId !== p.accountId)
          throw SqsErrors.QUEUE_NOT_FOUND({ name: b.QueueName });
        const q = await sqs.getQueue(p.tenant, b.QueueName);
        return { QueueUrl: urlOf(req, p, q.name) };
      },

      async ListQueues(raw, req) {
        const b = input(S.List, raw);
        const p = authorize(req, 'sqs:ListQueues');
        const all = await sqs.listQueues(p.tenant, b.QueueNamePrefix);
        let start = 0;
        if (b.NextToken !== undefined) {
          const after = Buffer.from(b.NextToken, 'base64url').toString('utf8');
          start = all.findIndex((q) => q.name > after);
          if (start < 0) start = all.length;
        }
        // Without MaxResults SQS answers up to 1000 and no token.
        const max = b.MaxResults ?? 1000;
        const page = all.slice(start, start + max);
        const more = b.MaxResults !== undefined && start + max < all.length;
        return {
          ...(page.length > 0 ? { QueueUrls: page.map((q) => urlOf(req, p, q.name)) } : {}),
          ...(more ? { NextToken: Buffer.from(page.at(-1)!.name).toString('base64url') } : {}),
        };
      },

      async DeleteQueue(raw, req) {
        const { p, name } = target(req, 'DeleteQueue', input(S.Url, raw).QueueUrl);
        await sqs.deleteQueue(p.tenant, name);
        return {};
      },

      async GetQueueAttributes(raw, req) {
        const b = input(S.GetAttrs, raw);
        const { p, name } = target(req, 'GetQueueAttributes', b.QueueUrl);
        const all = await sqs.attributes(p.tenant, name);
        const want = nameFilter(b.AttributeNames);
        const Attributes = Object.fromEntries(Object.entries(all).filter(([k, v]) => want(k) && v !== ''));
        return Object.keys(Attributes).length > 0 ? { Attributes } : {};
      },

      async SetQueueAttributes(raw, req) {
        const b = input(S.SetAttrs, raw);
        const { p, name } = target(req, 'SetQueueAttributes', b.QueueUrl);
        await sqs.setAttributes(p.tenant, name, b.Attributes);
        return {};
      },

      async SendMessage(raw, req) {
        const b = input(S.Send, raw);
        const { p, name } = target(req, 'SendMessage', b.QueueUrl);
        // The caller's trace becomes the message's AWSTraceHeader (as SQS does with X-Amzn-Trace-Id).
        const [r] = await sqs.send(
          p.tenant,
          name,
          [sendInput(b, traceparentOfHeaders(req.headers))],
          p.keyId,
        );
        if (!r || 'error' in r) throw r?.error ?? CoreErrors.INTERNAL({ reason: 'no send result' });
        return sentOutput(r.ok, b.MessageSystemAttributes?.AWSTraceHeader);
      },

      async SendMessageBatch(raw, req) {
        const b = input(S.SendBatch, raw);
        const { p, name } = target(req, 'SendMessage', b.QueueUrl);
        checkBatch(b.Entries);
        const size = b.Entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody), 0);
        if (size > BATCH_MAX_BYTES) throw SqsErrors.BATCH_TOO_LONG({ size, limit: BATCH_MAX_BYTES });
        const traceparent = traceparentOfHeaders(req.headers);
        const inputs = b.Entries.map((e) => {
          try {
            return sendInput(e, traceparent);
          } catch (err) {
            if (err instanceof NimbusError) return err;
            throw err;
          }
        });
        const valid = inputs.filter((x): x is SendInput => !(x instanceof NimbusError));
        const sent = await sqs.send(p.tenant, name, valid, p.keyId);
        let k = 0;
        const results = inputs.map(
          (x): EntryResult<SentMessage> => (x instanceof NimbusError ? { error: x } : sent[k++]!),
        );
        return batchResult(b.Entries, results, (Id, ok) => ({
          Id,
          ...sentOutput(ok, b.Entries.find((e) => e.Id === Id)?.MessageSystemAttributes?.AWSTraceHeader),
        }));
      },

      async ReceiveMessage(raw, req) {
        const b = input(S.Receive, raw);
        const { p, name } = target(req, 'ReceiveMessage', b.QueueUrl);
        const max = b.MaxNumberOfMessages ?? 1;
        if (max < 1 || max > 10)
          throw SqsErrors.INVALID_PARAMETER({
            field: 'MaxNumberOfMessages',
            reason: 'an integer 1-10 is required',
          });
        if (b.WaitTimeSeconds !== undefined && (b.WaitTimeSeconds < 0 || b.WaitTimeSeconds > 20))
          throw SqsErrors.INVALID_PARAMETER({
            field: 'WaitTimeSeconds',
            reason: 'an integer 0-20 is required',
          });
        if (b.VisibilityTimeout !== undefined && (b.VisibilityTimeout < 0 || b.VisibilityTimeout > 43_200))
          throw SqsErrors.INVALID_PARAMETER({
            field: 'VisibilityTimeout',
            reason: 'an integer 0-43200 is required',
          });
        // A client that goes away stops the long poll (nothing is leased for it afterwards).
        const abort = new AbortController();
        const res = req.raw.socket;
        const onClose = () => abort.abort();
        res?.once('close', onClose);
        try {
          const msgs = await sqs.receive(p.tenant, name, {
            max,
            visibilityMs: b.VisibilityTimeout !== undefined ? b.VisibilityTimeout * 1000 : undefined,
            waitMs: b.WaitTimeSeconds !== undefined ? b.WaitTimeSeconds * 1000 : undefined,
            signal: abort.signal,
          });
          if (msgs.length === 0) return {};
          const sysWant = nameFilter([...(b.AttributeNames ?? []), ...(b.MessageSystemAttributeNames ?? [])]);
          const attrWant = nameFilter(b.MessageAttributeNames);
          return {
            Messages: msgs.map((m) => {
              const attrs = Object.fromEntries(Object.entries(m.attributes).filter(([k]) => sysWant(k)));
              const mattrs: Record<string, MessageAttributeValue> = Object.fromEntries(
                Object.entries(m.messageAttributes).filter(([k]) => attrWant(k)),
              );
              const md5a = md5OfAttributes(mattrs);
              return {
                MessageId: m.messageId,
                ReceiptHandle: m.receiptHandle,
                MD5OfBody: m.md5OfBody,
                Body: m.body,
                ...(Object.keys(attrs).length > 0 ? { Attributes: attrs } : {}),
                ...(md5a ? { MD5OfMessageAttributes: md5a, MessageAttributes: mattrs } : {}),
              };
            }),
          };
        } finally {
          res?.off('close', onClose);
        }
      },

      async DeleteMessage(raw, req) {
        const b = input(S.Delete, raw);
        const { p, name } = target(req, 'DeleteMessage', b.QueueUrl);
        const [r] = await sqs.delete(p.tenant, name, [b.ReceiptHandle]);
        if (r && 'error' in r) throw r.error;
        return {};
      },

      async DeleteMessageBatch(raw, req) {
        const b = input(S.DeleteBatch, raw);
        const { p, name } = target(req, 'DeleteMessage', b.QueueUrl);
        checkBatch(b.Entries);
        const r = await sqs.delete(
          p.tenant,
          name,
          b.Entries.map((e) => e.ReceiptHandle),
        );
        return batchResult(b.Entries, r, (Id) => ({ Id }));
      },

      async ChangeMessageVisibility(raw, req) {
        const b = input(S.Change, raw);
        const { p, name } = target(req, 'ChangeMessageVisibility', b.QueueUrl);
        const [r] = await sqs.changeVisibility(p.tenant, name, [
          { handle: b.ReceiptHandle, timeoutSec: b.VisibilityTimeout },
        ]);
        if (r && 'error' in r) throw r.error;
        return {};
      },

      async ChangeMessageVisibilityBatch(raw, req) {
        const b = input(S.ChangeBatch, raw);
        const { p, name } = target(req, 'ChangeMessageVisibility', b.QueueUrl);
        checkBatch(b.Entries);
        const r = await sqs.changeVisibility(
          p.tenant,
          name,
          b.Entries.map((e) => ({ handle: e.ReceiptHandle, timeoutSec: e.VisibilityTimeout })),
        );
        return batchResult(b.Entries, r, (Id) => ({ Id }));
      },

      async PurgeQueue(raw, req) {
        const { p, name } = target(req, 'PurgeQueue', input(S.Url, raw).QueueUrl);
        await sqs.purge(p.tenant, name);
        return {};
      },

      async TagQueue(raw, req) {
        const b = input(S.Tag, raw);
        const { p, name } = target(req, 'TagQueue', b.QueueUrl);
        await sqs.tag(p.tenant, name, b.Tags);
        return {};
      },

      async UntagQueue(raw, req) {
        const b = input(S.Untag, raw);
        const { p, name } = target(req, 'UntagQueue', b.QueueUrl);
        await sqs.tag(p.tenant, name, {}, b.TagKeys);
        return {};
      },

      async ListQueueTags(raw, req) {
        const { p, name } = target(req, 'ListQueueTags', input(S.Url, raw).QueueUrl);
        const q = await sqs.getQueue(p.tenant, name);
        return Object.keys(q.tags).length > 0 ? { Tags: q.tags } : {};
      },

      async ListDeadLetterSourceQueues(raw, req) {
        const { p, name } = target(req, 'ListDeadLetterSourceQueues', input(S.Url, raw).QueueUrl);
        await sqs.getQueue(p.tenant, name);
        const list = await sqs.deadLetterSources(p.tenant, name);
        return { queueUrls: list.map((q) => urlOf(req, p, q.name)) };
      },

      async StartMessageMoveTask(raw, req) {
        const b = input(S.MoveStart, raw);
        const p = authorize(req, 'sqs:StartMessageMoveTask', () => b.SourceArn);
        const source = await queueOfArn(sqs, p, b.SourceArn, 'SourceArn');
        const destination =
          b.DestinationArn === undefined || b.DestinationArn === ''
            ? undefined
            : await queueOfArn(sqs, p, b.DestinationArn, 'DestinationArn');
        await authorizeMove(req, sqs, p, source, destination);
        const t = await sqs.startMoveTask(p.tenant, source, {
          destination,
          maxPerSecond: b.MaxNumberOfMessagesPerSecond,
        });
        return { TaskHandle: moveTaskHandle(b.SourceArn, t.id) };
      },

      async ListMessageMoveTasks(raw, req) {
        const b = input(S.MoveList, raw);
        const p = authorize(req, 'sqs:ListMessageMoveTasks', () => b.SourceArn);
        const max = b.MaxResults ?? 1;
        if (max < 1 || max > 10)
          throw SqsErrors.INVALID_PARAMETER({ field: 'MaxResults', reason: 'an integer 1-10 is required' });
        const source = await queueOfArn(sqs, p, b.SourceArn, 'SourceArn');
        const tasks = await sqs.listMoveTasks(p.tenant, source);
        return { Results: tasks.slice(0, max).map((t) => moveTaskEntry(sqs, p, t)) };
      },

      async CancelMessageMoveTask(raw, req) {
        const b = input(S.MoveCancel, raw);
        const h = parseMoveTaskHandle(b.TaskHandle);
        const p = authorize(req, 'sqs:CancelMessageMoveTask', () => h?.sourceArn ?? '*');
        // As AWS answers (recorded against it in LocalStack's snapshot tests): a handle that is not
        // one is InvalidParameterValue; a handle naming a queue that is not the caller's is
        // ResourceNotFoundException on SourceArn; an unknown task id, ResourceNotFoundException.
        if (!h)
          throw SqsErrors.INVALID_PARAMETER({
            field: 'TaskHandle',
            reason: 'it is not a task handle ListMessageMoveTasks gave',
          });
        const source = await queueOfArn(sqs, p, h.sourceArn, 'SourceArn');
        const t = await sqs.cancelMoveTask(p.tenant, source, h.taskId);
        return { ApproximateNumberOfMessagesMoved: t.moved };
      },

      AddPermission: unsupported('AddPermission'),
      RemovePermission: unsupported('RemovePermission'),
    },
  };
}

/** A ListMessageMoveTasks entry (its handle only while it runs, as on AWS). */
function moveTaskEntry(sqs: SqsService, p: Principal, t: MoveTask): object {
  const arn = sqs.arnOf(p.tenant, t.source);
  return {
    ...(t.status === 'RUNNING' ? { TaskHandle: moveTaskHandle(arn, t.id) } : {}),
    Status: t.status,
    SourceArn: arn,
    ...(t.destination !== null ? { DestinationArn: sqs.arnOf(p.tenant, t.destination) } : {}),
    ...(t.maxPerSecond !== null ? { MaxNumberOfMessagesPerSecond: t.maxPerSecond } : {}),
    ApproximateNumberOfMessagesMoved: t.moved,
    ApproximateNumberOfMessagesToMove: t.toMove,
    ...(t.failureReason !== null ? { FailureReason: t.failureReason } : {}),
    StartedTimestamp: t.startedAt,
  };
}

function sentOutput(
  r: {
    messageId: string;
    md5OfBody: string;
    md5OfAttributes?: string | undefined;
    sequenceNumber?: string | undefined;
  },
  trace: MessageAttributeValue | undefined,
): object {
  const md5sys = trace ? md5OfAttributes({ AWSTraceHeader: trace }) : undefined;
  return {
    MessageId: r.messageId,
    MD5OfMessageBody: r.md5OfBody,
    ...(r.md5OfAttributes ? { MD5OfMessageAttributes: r.md5OfAttributes } : {}),
    ...(md5sys ? { MD5OfMessageSystemAttributes: md5sys } : {}),
    ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}),
  };
}

/** SQS's exceptions (and their query-protocol codes) for the SQS area's coded errors. */
export function sqsErrorType(e: NimbusError): AwsErrorType | undefined {
  const t = (type: string, queryCode = type, status = 400): AwsErrorType => ({ type, status, queryCode });
  switch (e.code) {
    case SqsErrors.codes.QUEUE_NOT_FOUND:
      return t('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    case SqsErrors.codes.QUEUE_EXISTS:
      return t('QueueNameExists', 'QueueAlreadyExists');
    case SqsErrors.codes.INVALID_ATTRIBUTE_NAME:
      return t('InvalidAttributeName');
    case SqsErrors.codes.INVALID_ATTRIBUTE_VALUE:
      return t('InvalidAttributeValue');
    case SqsErrors.codes.MISSING_PARAMETER:
      return t('MissingParameter');
    case SqsErrors.codes.INVALID_MESSAGE_CONTENTS:
      return t('InvalidMessageContents');
    case SqsErrors.codes.RECEIPT_HANDLE_INVALID:
      return t('ReceiptHandleIsInvalid');
    case SqsErrors.codes.MESSAGE_NOT_INFLIGHT:
      return t('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight');
    case SqsErrors.codes.BATCH_EMPTY:
      return t('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest');
    case SqsErrors.codes.BATCH_TOO_MANY:
      return t('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
    case SqsErrors.codes.BATCH_IDS_NOT_DISTINCT:
      return t('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
    case SqsErrors.codes.BATCH_ID_INVALID:
      return t('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId');
    case SqsErrors.codes.BATCH_TOO_LONG:
      return t('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong');
    case SqsErrors.codes.RESOURCE_NOT_FOUND:
    case SqsErrors.codes.MOVE_TASK_NOT_FOUND:
      return t('ResourceNotFoundException', 'ResourceNotFoundException', 404);
    case SqsErrors.codes.MOVE_SOURCE_NOT_DLQ:
    case SqsErrors.codes.MOVE_DESTINATION_INVALID:
    case SqsErrors.codes.MOVE_TASK_ACTIVE:
    case SqsErrors.codes.MOVE_TASK_NOT_RUNNING:
      return t('InvalidParameterValue');
    case SqsErrors.codes.UNSUPPORTED:
      return t('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation');
    case SqsErrors.codes.INVALID_NAME:
    case SqsErrors.codes.INVALID_PARAMETER:
    case SqsErrors.codes.MESSAGE_TOO_LONG:
    case CoreErrors.codes.VALIDATION:
      return t('InvalidParameterValue');
  }
  return undefined;
}
