/**
 * @module workflows/integrations
 * The service calls Task states and distributed Map readers make, on Nimbus's own services:
 *   - `sqs:sendMessage` (QueueUrl, MessageBody, MessageAttributes, DelaySeconds, MessageGroupId,
 *     MessageDeduplicationId) → `{MessageId, MD5OfMessageBody, …}`;
 *   - `sns:publish` (TopicArn, Message, Subject, MessageAttributes) → `{MessageId}`;
 *   - `events:putEvents` (Entries[{Source, DetailType, Detail, EventBusName}]) →
 *     `{Entries:[{EventId}], FailedEntryCount}`;
 *   - ItemReader `s3:listObjectsV2` (Bucket, Prefix) → one item per object
 *     `{Key, Size, ETag, LastModified, StorageClass}`, and `s3:getObject` (Bucket, Key) with
 *     ReaderConfig.InputType JSON (an array), JSONL, or CSV (CSVHeaderLocation FIRST_ROW or GIVEN
 *     with CSVHeaders, CSVDelimiter); ReaderConfig.MaxItems caps the items.
 * The executor makes a call after the transition that asked for it commits, and feeds the answer
 * back as a `result` event: a crash in between repeats the call (at-least-once, like a Task).
 * The services come in as narrow functions (wired in src/server/): this module shapes requests
 * and answers and never reaches past the caller's tenant.
 */
import { randomUUID } from 'node:crypto';
import { isNimbusError } from '../core/errors.ts';
import type { TenantId } from '../core/types.ts';
import { cloudEventFromEventBridge, cloudEventFromSns } from '../events/views.ts';
import { isJsonObject } from './asl/jsonpath.ts';
import { type Json, type JsonObject, StatesError } from './asl/types.ts';

export interface IntegrationDeps {
  readonly sqsSend: (
    tenant: TenantId,
    queue: string,
    m: {
      body: string;
      delaySeconds?: number | undefined;
      attributes?:
        | Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>
        | undefined;
      groupId?: string | undefined;
      dedupeId?: string | undefined;
    },
  ) => Promise<{
    messageId: string;
    md5OfBody: string;
    md5OfAttributes?: string | undefined;
    sequenceNumber?: string | undefined;
  }>;
  readonly publish: (tenant: TenantId, topic: string, events: readonly unknown[]) => Promise<unknown>;
  readonly listObjects: (
    tenant: TenantId,
    bucket: string,
    q: { prefix: string; maxKeys: number; after?: string | undefined },
  ) => Promise<{
    contents: readonly { key: string; size: number; etag: string; lastModified: number }[];
    truncated: boolean;
    nextAfter?: string | undefined;
  }>;
  readonly getObject: (tenant: TenantId, bucket: string, key: string) => Promise<Uint8Array>;
  readonly now: () => number;
}

/** Items a reader may hand one Map (the whole list lives in the execution's state). */
export const MAX_READER_ITEMS = 10_000;

export type Integration = (tenant: TenantId, params: Json) => Promise<Json>;

const obj = (v: Json): JsonObject => (isJsonObject(v) ? v : {});
const str = (v: Json | undefined, field: string): string => {
  if (typeof v !== 'string' || v === '')
    throw new StatesError('States.Runtime', `${field} must be a non-empty string`);
  return v;
};
/** A message body or detail: strings as they are, anything else as JSON (as Step Functions does). */
const text = (v: Json | undefined) => (typeof v === 'string' ? v : JSON.stringify(v ?? null));
const last = (arnOrUrl: string) =>
  arnOrUrl.slice(Math.max(arnOrUrl.lastIndexOf('/'), arnOrUrl.lastIndexOf(':')) + 1);

export function createIntegrations(d: IntegrationDeps): Record<string, Integration> {
  async function readerItems(tenant: TenantId, p: JsonObject, list: boolean): Promise<Json[]> {
    const cfg = obj(p.ReaderConfig ?? null);
    const max = Math.min(
      typeof cfg.MaxItems === 'number' && cfg.MaxItems > 0 ? cfg.MaxItems : MAX_READER_ITEMS,
      MAX_READER_ITEMS,
    );
    const bucket = str(p.Bucket, 'ItemReader Parameters.Bucket');
    if (list) {
      const items: Json[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await d.listObjects(tenant, bucket, {
          prefix: typeof p.Prefix === 'string' ? p.Prefix : '',
          maxKeys: 1000,
          after,
        });
        for (const o of page.contents) {
          if (items.length >= max) return items;
          items.push({
            Key: o.key,
            Size: o.size,
            ETag: `"${o.etag}"`,
            LastModified: new Date(o.lastModified).toISOString(),
            StorageClass: 'STANDARD',
          });
        }
        if (!page.truncated || !page.nextAfter) return items;
        after = page.nextAfter;
      }
    }
    const body = Buffer.from(
      await d.getObject(tenant, bucket, str(p.Key, 'ItemReader Parameters.Key')),
    ).toString('utf8');
    const type = typeof cfg.InputType === 'string' ? cfg.InputType : 'JSON';
    let items: Json[];
    try {
      if (type === 'JSON') {
        const v = JSON.parse(body) as Json;
        if (!Array.isArray(v)) throw new Error('the object is not a JSON array');
        items = v;
      } else if (type === 'JSONL') {
        items = body
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Json);
      } else if (type === 'CSV') {
        const delimiter =
          { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' }[
            String(cfg.CSVDelimiter ?? 'COMMA')
          ] ?? ',';
        const given = cfg.CSVHeaderLocation === 'GIVEN';
        const headers = Array.isArray(cfg.CSVHeaders) ? cfg.CSVHeaders.map(String) : undefined;
        if (given && !headers) throw new Error('CSVHeaderLocation GIVEN needs CSVHeaders');
        // Loaded on the first CSV reader only.
        const { parse: parseCsv } = await import('csv-parse/sync');
        items = parseCsv(body, {
          columns: given ? headers : true,
          delimiter,
          skip_empty_lines: true,
          to: max,
        }) as Json[];
      } else throw new Error(`InputType ${type} is not supported (JSON, JSONL, CSV)`);
    } catch (e) {
      throw new StatesError('States.ItemReaderFailed', `reading ${bucket}: ${(e as Error).message}`);
    }
    return items.slice(0, max);
  }

  return {
    async 'sqs:sendMessage'(tenant, params) {
      const p = obj(params);
      const attrs = obj(p.MessageAttributes ?? null);
      const r = await d.sqsSend(tenant, last(str(p.QueueUrl, 'QueueUrl')), {
        body: text(p.MessageBody),
        delaySeconds: typeof p.DelaySeconds === 'number' ? p.DelaySeconds : undefined,
        attributes: Object.keys(attrs).length > 0 ? (attrs as never) : undefined,
        groupId: typeof p.MessageGroupId === 'string' ? p.MessageGroupId : undefined,
        dedupeId: typeof p.MessageDeduplicationId === 'string' ? p.MessageDeduplicationId : undefined,
      });
      return {
        MessageId: r.messageId,
        MD5OfMessageBody: r.md5OfBody,
        ...(r.md5OfAttributes ? { MD5OfMessageAttributes: r.md5OfAttributes } : {}),
        ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}),
      };
    },

    async 'sns:publish'(tenant, params) {
      const p = obj(params);
      const arn = str(p.TopicArn, 'TopicArn');
      const id = randomUUID();
      const ev = cloudEventFromSns(
        {
          Message: text(p.Message),
          Subject: typeof p.Subject === 'string' ? p.Subject : undefined,
          MessageAttributes: p.MessageAttributes ? (obj(p.MessageAttributes) as never) : undefined,
        },
        id,
        arn,
        d.now(),
      );
      await d.publish(tenant, last(arn), [ev]);
      return { MessageId: id };
    },

    async 'events:putEvents'(tenant, params) {
      const entries = obj(params).Entries;
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10)
        throw new StatesError('States.Runtime', 'Entries must hold 1 to 10 events');
      const out: Json[] = [];
      for (const raw of entries) {
        const e = obj(raw);
        const id = randomUUID();
        const detail = typeof e.Detail === 'string' ? (JSON.parse(e.Detail) as Json) : (e.Detail ?? {});
        const ev = cloudEventFromEventBridge(
          { Source: str(e.Source, 'Source'), DetailType: str(e.DetailType, 'DetailType'), Detail: detail },
          id,
          d.now(),
        );
        await d.publish(tenant, typeof e.EventBusName === 'string' ? last(e.EventBusName) : 'default', [ev]);
        out.push({ EventId: id });
      }
      return { Entries: out, FailedEntryCount: 0 };
    },

    's3:listObjectsV2': (tenant, params) => readerItems(tenant, obj(params), true),
    's3:getObject': (tenant, params) => readerItems(tenant, obj(params), false),
  };
}

/** The error a failed call raises in the workflow: `SQS.*`, `SNS.*`, `EventBridge.*`, `S3.*`. */
export function callError(integration: string, e: unknown): { error: string; cause: string } {
  if (e instanceof StatesError) return { error: e.error, cause: e.cause };
  const service =
    { sqs: 'SQS', sns: 'SNS', events: 'EventBridge', s3: 'S3' }[integration.split(':')[0] ?? ''] ?? 'Service';
  if (isNimbusError(e)) {
    const kind =
      e.status === 404
        ? 'NotFoundException'
        : e.status < 500
          ? 'InvalidParameterException'
          : 'ServiceException';
    return { error: `${service}.${kind}`, cause: `${e.code}: ${e.message}` };
  }
  return { error: `${service}.ServiceException`, cause: (e as Error)?.message ?? String(e) };
}
