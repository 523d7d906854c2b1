/**
 * The CloudWatch Logs API subset tools read function logs with (awsJson1_1,
 * `X-Amz-Target: Logs_20140328.<Op>`), as `@aws-sdk/client-cloudwatch-logs` speaks it:
 * DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents. A read-only layer over
 * the log store; it keeps no state.
 *
 * - A log group per function of the caller's tenant, `/aws/lambda/<function>`; a stream per
 *   instance, `YYYY/MM/DD/[<version>]<instance id>` (observability/log-streams.ts).
 * - Messages read as CloudWatch shows Lambda's: START/END/REPORT as they are, function lines
 *   `<time>\t<request id>\t<level>\t<text>` (formatLogLine).
 * - Nimbus keeps no ingestion time: `ingestionTime` and `lastIngestionTime` are the event times.
 *   `storedBytes` is 0; `retentionInDays` is the tenant's (its logs setting: one for all groups).
 * - Bounded work: DescribeLogStreams and stream naming read at most MAX_STREAMS streams of a
 *   function (the most recent); FilterLogEvents looks at most SCAN_BUDGET lines per call (stream
 *   selection included) and answers a nextToken when the budget ends, even with few or no
 *   matches, as CloudWatch does. Listing streams groups the function's lines (no index by
 *   instance: the hot path's inserts stay as they are). An answer holds at most 1 MB of events,
 *   as CloudWatch's.
 * - Tokens are cursors over the store's line order (seq): `f/<seq>` and `b/<seq>` for
 *   GetLogEvents (the same token comes back when there is nothing new), an opaque base64url one
 *   for the others.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CoreErrors, defineErrors, isNimbusError, type NimbusError } from '../core/errors.ts';
import type { LogStreamRepo, LogStreamSummary, StreamKey, StreamLine } from '../core/log-streams.ts';
import type { FunctionRecord } from '../core/types.ts';
import { compileFilterPattern, FilterPatternErrors } from '../observability/filter-pattern.ts';
import { logStreamName, parseLogStreamName, streamDay } from '../observability/log-streams.ts';
import { formatLogLine } from '../observability/logs.ts';
import { authorize, type Principal } from './auth.ts';
import type { AwsErrorType, AwsJsonInput, AwsJsonService } from './aws-json.ts';

export interface CwLogsApiDeps {
  readonly registry: {
    listFunctions(tenant: string): Promise<readonly FunctionRecord[]>;
    getFunction(tenant: string, name: string): Promise<FunctionRecord>;
  };
  readonly logStreams: LogStreamRepo;
  /** Writes batched invocation records, so a read sees every finished invocation. */
  readonly flush: () => Promise<void>;
  readonly region: string;
  /** The tenant's log retention in days (its logs setting), shown as every group's retentionInDays. */
  readonly retentionDays?: (tenant: string) => number | undefined;
  /** Lines FilterLogEvents looks at per call (default SCAN_BUDGET; tests lower it). */
  readonly scanBudget?: number;
}

export const CwLogsErrors = defineErrors('CWLOGS', {
  INVALID_PARAMETER: { status: 400, kind: 'user', message: 'invalid parameter {field}: {reason}' },
  GROUP_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'the specified log group does not exist: {group}',
    hint: 'log groups are /aws/lambda/<function> for the functions of your tenant',
  },
  STREAM_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'the specified log stream does not exist: {stream}',
  },
  INVALID_TOKEN: { status: 400, kind: 'user', message: 'invalid {field}: pass a token this API returned' },
});

/** Streams of a function read per request (most recent first when there are more). */
export const MAX_STREAMS = 10_000;
/** Lines FilterLogEvents looks at per call. */
export const SCAN_BUDGET = 10_000;
/** Message text (UTF-8 bytes) FilterLogEvents matches per call: 40 lines of the 256 KB maximum. */
const SCAN_BYTES = 10 * 1024 * 1024;
/** An answer's events, as CloudWatch counts them (message bytes + 26 each): at most 1 MB. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const eventSize = (message: string) => Buffer.byteLength(message) + 26;
/** Lines read from the store at a time (lines are at most 256 KB). */
const SCAN_WINDOW = 500;
const READ_WINDOW = 500;
const PREFIX = '/aws/lambda/';
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,140}$/;
const GROUP_ARN = /^arn:aws:logs:([^:]*):([^:]*):log-group:([^:]+)(?::\*)?$/;

function input<T>(schema: z.ZodType<T>, raw: AwsJsonInput): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw CwLogsErrors.INVALID_PARAMETER({
      field: i?.path.join('.') || 'input',
      reason: r.error.issues.map((x) => `${x.path.join('.') || 'input'}: ${x.message}`).join('; '),
    });
  }
  return r.data;
}

const Time = z.number().int().min(0).max(8.64e15);
const Token = z.string().min(1).max(2048);
const GroupRef = {
  logGroupName: z.string().min(1).max(512).optional(),
  logGroupIdentifier: z.string().min(1).max(2048).optional(),
};
const DescribeGroups = z.object({
  logGroupNamePrefix: z.string().min(1).max(512).optional(),
  logGroupNamePattern: z.string().max(512).optional(),
  limit: z.number().int().min(1).max(50).optional(),
  nextToken: Token.optional(),
});
const DescribeStreams = z.object({
  ...GroupRef,
  logStreamNamePrefix: z.string().min(1).max(512).optional(),
  orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
  descending: z.boolean().optional(),
  limit: z.number().int().min(1).max(50).optional(),
  nextToken: Token.optional(),
});
const GetEvents = z.object({
  ...GroupRef,
  logStreamName: z.string().min(1).max(512),
  startTime: Time.optional(),
  endTime: Time.optional(),
  nextToken: Token.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});
const FilterEvents = z.object({
  ...GroupRef,
  logStreamNames: z.array(z.string().min(1).max(512)).min(1).max(100).optional(),
  logStreamNamePrefix: z.string().min(1).max(512).optional(),
  startTime: Time.optional(),
  endTime: Time.optional(),
  filterPattern: z.string().max(1024).optional(),
  nextToken: Token.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  interleaved: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

/** An opaque token: base64url JSON, checked field by field when read back. */
const encodeToken = (v: Record<string, unknown>) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeToken(token: string, field: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw CwLogsErrors.INVALID_TOKEN({ field });
}
const seqOf = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw CwLogsErrors.INVALID_TOKEN({ field });
  return v;
};

/** `f/<seq>` / `b/<seq>`: GetLogEvents' forward and backward cursors. */
const directionToken = (dir: 'f' | 'b', seq: number) => `${dir}/${String(seq).padStart(20, '0')}`;
function readDirectionToken(token: string): { dir: 'f' | 'b'; seq: number } {
  const m = /^([fb])\/(\d{1,20})$/.exec(token);
  const seq = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isSafeInteger(seq)) throw CwLogsErrors.INVALID_TOKEN({ field: 'nextToken' });
  return { dir: m[1] as 'f' | 'b', seq };
}

const message = (l: StreamLine) => formatLogLine(l);

export function cwLogsApi(d: CwLogsApiDeps): AwsJsonService {
  const streamArn = (groupArn: string, name: string) => `${groupArn}:log-stream:${name}`;

  /**
   * The function a request's log group names, authorized for `action` on the group's ARN. An
   * ARN of another account or region is authorized as given and then not found: the tenant is
   * always the caller's.
   */
  const group = async (
    req: FastifyRequest,
    action: string,
    b: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined },
  ): Promise<{ p: Principal; fn: FunctionRecord; name: string; arn: string }> => {
    if ((b.logGroupName === undefined) === (b.logGroupIdentifier === undefined))
      throw CwLogsErrors.INVALID_PARAMETER({
        field: 'logGroupName',
        reason: 'give exactly one of logGroupName and logGroupIdentifier',
      });
    const id = (b.logGroupName ?? b.logGroupIdentifier)!;
    const m = b.logGroupIdentifier !== undefined ? GROUP_ARN.exec(id) : null;
    const name = m ? m[3]! : id;
    if (!GROUP_NAME.test(name))
      throw CwLogsErrors.INVALID_PARAMETER({
        field: b.logGroupName !== undefined ? 'logGroupName' : 'logGroupIdentifier',
        reason: 'a log group name is 1-512 characters of [.-_/#A-Za-z0-9] (or a log group ARN)',
      });
    const p = authorize(req, `logs:${action}`, (a) =>
      m ? id.replace(/:\*$/, '') : a.of('logs', `log-group:${name}`),
    );
    if (m && (m[1] !== d.region || m[2] !== p.accountId)) throw CwLogsErrors.GROUP_NOT_FOUND({ group: name });
    const fnName = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : '';
    if (!FUNCTION_NAME.test(fnName)) throw CwLogsErrors.GROUP_NOT_FOUND({ group: name });
    const fn = await d.registry.getFunction(p.tenant, fnName).catch((e: unknown) => {
      if (isNimbusError(e) && e.status === 404) throw CwLogsErrors.GROUP_NOT_FOUND({ group: name });
      throw e;
    });
    return { p, fn, name, arn: `arn:aws:logs:${d.region}:${p.accountId}:log-group:${name}` };
  };

  /** The function's streams with their names, most recent first (at most MAX_STREAMS). */
  const streamsOf = async (tenant: string, fn: string) =>
    (await d.logStreams.listStreams(tenant, fn, MAX_STREAMS)).map((s) => ({ ...s, name: logStreamName(s) }));

  return {
    targetPrefix: 'Logs_20140328',
    jsonVersion: '1.1',
    internalErrorType: 'ServiceUnavailableException',
    errorType: cwLogsErrorType,
    dataOperations: new Set(['DescribeLogGroups', 'DescribeLogStreams', 'GetLogEvents', 'FilterLogEvents']),
    operations: {
      async DescribeLogGroups(raw, req) {
        const b = input(DescribeGroups, raw);
        const p = authorize(req, 'logs:DescribeLogGroups', (a) => a.of('logs', 'log-group:*'));
        if (b.logGroupNamePrefix !== undefined && b.logGroupNamePattern !== undefined)
          throw CwLogsErrors.INVALID_PARAMETER({
            field: 'logGroupNamePattern',
            reason: 'it cannot be combined with logGroupNamePrefix',
          });
        const pattern = b.logGroupNamePattern?.toLowerCase();
        const all = (await d.registry.listFunctions(p.tenant))
          .map((f) => ({ f, name: `${PREFIX}${f.name}` }))
          .filter(
            (g) =>
              (b.logGroupNamePrefix === undefined || g.name.startsWith(b.logGroupNamePrefix)) &&
              (pattern === undefined || g.name.toLowerCase().includes(pattern)),
          )
          .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
        let start = 0;
        if (b.nextToken !== undefined) {
          const after = decodeToken(b.nextToken, 'nextToken').after;
          if (typeof after !== 'string') throw CwLogsErrors.INVALID_TOKEN({ field: 'nextToken' });
          start = all.findIndex((g) => g.name > after);
          if (start < 0) start = all.length;
        }
        const limit = b.limit ?? 50;
        const page = all.slice(start, start + limit);
        const retentionInDays = d.retentionDays?.(p.tenant);
        return {
          logGroups: page.map(({ f, name }) => {
            const arn = `arn:aws:logs:${d.region}:${p.accountId}:log-group:${name}`;
            return {
              logGroupName: name,
              creationTime: f.createdAt,
              metricFilterCount: 0,
              arn: `${arn}:*`,
              logGroupArn: arn,
              storedBytes: 0,
              logGroupClass: 'STANDARD',
              ...(retentionInDays !== undefined ? { retentionInDays } : {}),
            };
          }),
          ...(start + limit < all.length ? { nextToken: encodeToken({ after: page.at(-1)!.name }) } : {}),
        };
      },

      async DescribeLogStreams(raw, req) {
        const b = input(DescribeStreams, raw);
        const g = await group(req, 'DescribeLogStreams', b);
        const byTime = b.orderBy === 'LastEventTime';
        if (byTime && b.logStreamNamePrefix !== undefined)
          throw CwLogsErrors.INVALID_PARAMETER({
            field: 'logStreamNamePrefix',
            reason: 'it cannot be combined with orderBy LastEventTime',
          });
        await d.flush();
        const prefix = b.logStreamNamePrefix;
        const sign = b.descending ? -1 : 1;
        type Named = LogStreamSummary & { name: string };
        const cmpName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
        const cmp = (x: { lastTs: number; name: string }, y: { lastTs: number; name: string }) =>
          sign * (byTime ? x.lastTs - y.lastTs || cmpName(x.name, y.name) : cmpName(x.name, y.name));
        const all: Named[] = (await streamsOf(g.p.tenant, g.fn.name))
          .filter((s) => prefix === undefined || s.name.startsWith(prefix))
          .sort(cmp);
        let start = 0;
        if (b.nextToken !== undefined) {
          const t = decodeToken(b.nextToken, 'nextToken');
          if (typeof t.name !== 'string' || typeof t.last !== 'number')
            throw CwLogsErrors.INVALID_TOKEN({ field: 'nextToken' });
          const after = { name: t.name, lastTs: t.last };
          start = all.findIndex((s) => cmp(s, after) > 0);
          if (start < 0) start = all.length;
        }
        const limit = b.limit ?? 50;
        const page = all.slice(start, start + limit);
        const last = page.at(-1);
        return {
          logStreams: page.map((s) => ({
            logStreamName: s.name,
            creationTime: s.firstTs,
            firstEventTimestamp: s.firstTs,
            lastEventTimestamp: s.lastTs,
            lastIngestionTime: s.lastTs,
            arn: streamArn(g.arn, s.name),
            storedBytes: 0,
          })),
          ...(last && start + limit < all.length
            ? { nextToken: encodeToken({ name: last.name, last: last.lastTs }) }
            : {}),
        };
      },

      async GetLogEvents(raw, req) {
        const b = input(GetEvents, raw);
        const g = await group(req, 'GetLogEvents', b);
        const tok = b.nextToken === undefined ? undefined : readDirectionToken(b.nextToken);
        const key = parseLogStreamName(b.logStreamName);
        if (!key) throw CwLogsErrors.STREAM_NOT_FOUND({ stream: b.logStreamName.slice(0, 200) });
        await d.flush();
        const stream: StreamKey = { version: key.version, instanceId: key.instanceId };
        const base = { tenant: g.p.tenant, functionName: g.fn.name, streams: [stream] };
        // The stream exists when its instance has lines and the first is of the name's day.
        const [first] = await d.logStreams.lines({ ...base, limit: 1 });
        if (!first || streamDay(first.ts) !== key.day)
          throw CwLogsErrors.STREAM_NOT_FOUND({ stream: b.logStreamName });
        const limit = b.limit ?? 10_000;
        const window = {
          ...base,
          ...(b.startTime !== undefined ? { since: b.startTime } : {}),
          ...(b.endTime !== undefined ? { until: b.endTime } : {}),
        };
        // Nothing of the stream is before its first line: the store's scan starts there.
        const floor = first.seq - 1;
        const forwards = tok ? tok.dir === 'f' : b.startFromHead === true;
        // Read in windows until `limit` events or MAX_RESPONSE_BYTES (CloudWatch's 1 MB).
        const events: StreamLine[] = [];
        let bytes = 0;
        let cursor = forwards ? Math.max(tok?.seq ?? floor, floor) : tok?.seq;
        read: while (events.length < limit) {
          const n = Math.min(READ_WINDOW, limit - events.length);
          const batch = forwards
            ? await d.logStreams.lines({ ...window, afterSeq: cursor!, limit: n })
            : await d.logStreams.lines({
                ...window,
                afterSeq: floor,
                ...(cursor !== undefined ? { beforeSeq: cursor } : {}),
                limit: n,
                last: true,
              });
          if (batch.length === 0) break;
          for (const l of forwards ? batch : batch.reverse()) {
            const size = eventSize(message(l));
            if (events.length > 0 && bytes + size > MAX_RESPONSE_BYTES) break read;
            bytes += size;
            events.push(l);
            cursor = l.seq;
          }
        }
        if (!forwards) events.reverse();
        const head = events[0];
        const tail = events.at(-1);
        // Nothing new: the token passed comes back (how clients know they reached the end).
        const forward = tail
          ? directionToken('f', tail.seq)
          : tok?.dir === 'f'
            ? b.nextToken!
            : directionToken('f', tok ? Math.max(0, tok.seq - 1) : 0);
        const backward = head
          ? directionToken('b', head.seq)
          : tok?.dir === 'b'
            ? b.nextToken!
            : directionToken('b', tok ? tok.seq + 1 : 0);
        return {
          events: events.map((l) => ({ timestamp: l.ts, message: message(l), ingestionTime: l.ts })),
          nextForwardToken: forward,
          nextBackwardToken: backward,
        };
      },

      async FilterLogEvents(raw, req) {
        const b = input(FilterEvents, raw);
        const g = await group(req, 'FilterLogEvents', b);
        if (b.logStreamNames !== undefined && b.logStreamNamePrefix !== undefined)
          throw CwLogsErrors.INVALID_PARAMETER({
            field: 'logStreamNamePrefix',
            reason: 'it cannot be combined with logStreamNames',
          });
        if (b.startTime !== undefined && b.endTime !== undefined && b.endTime < b.startTime)
          throw CwLogsErrors.INVALID_PARAMETER({ field: 'endTime', reason: 'it is before startTime' });
        const matches = compileFilterPattern(b.filterPattern);
        let afterSeq: number | undefined;
        if (b.nextToken !== undefined)
          afterSeq = seqOf(decodeToken(b.nextToken, 'nextToken').after, 'nextToken');
        await d.flush();
        const known = await streamsOf(g.p.tenant, g.fn.name);
        const nameOf = new Map(known.map((s) => [`${s.version}\n${s.instanceId}`, s.name]));
        const streamName = (l: StreamLine) =>
          nameOf.get(`${l.version}\n${l.instanceId}`) ?? logStreamName({ ...l, firstTs: l.ts });
        // Which streams: named ones, a prefix's, or all. Chosen here, line by line, not in the
        // store's query: a call then looks at no more rows than its budget, however rare the
        // chosen streams are among the function's lines (later calls go on from the token).
        const prefix = b.logStreamNamePrefix;
        const only = b.logStreamNames ? new Set(b.logStreamNames) : undefined;
        const chosen = (name: string) =>
          (only === undefined || only.has(name)) && (prefix === undefined || name.startsWith(prefix));
        const limit = b.limit ?? 10_000;
        const events: {
          logStreamName: string;
          timestamp: number;
          message: string;
          ingestionTime: number;
          eventId: string;
        }[] = [];
        const searched = new Set<string>();
        let scanned = 0;
        let scannedBytes = 0;
        let bytes = 0;
        let cursor = afterSeq;
        let more = false;
        const budget = d.scanBudget ?? SCAN_BUDGET;
        scan: while (scanned < budget && scannedBytes < SCAN_BYTES) {
          const batch = await d.logStreams.lines({
            tenant: g.p.tenant,
            functionName: g.fn.name,
            ...(b.startTime !== undefined ? { since: b.startTime } : {}),
            // endTime is inclusive in FilterLogEvents.
            ...(b.endTime !== undefined ? { until: b.endTime + 1 } : {}),
            ...(cursor !== undefined ? { afterSeq: cursor } : {}),
            limit: Math.min(SCAN_WINDOW, budget - scanned),
          });
          if (batch.length === 0) break;
          for (const l of batch) {
            // The cursor moves past a line once it is done with (taken or passed over).
            if (scannedBytes >= SCAN_BYTES) {
              more = true;
              break scan;
            }
            const name = streamName(l);
            if (!chosen(name)) {
              scanned++;
              cursor = l.seq;
              continue;
            }
            if (searched.size < 100) searched.add(name);
            const text = message(l);
            const size = eventSize(text);
            scannedBytes += size;
            if (!matches(text)) {
              scanned++;
              cursor = l.seq;
              continue;
            }
            if (events.length > 0 && bytes + size > MAX_RESPONSE_BYTES) {
              more = true;
              break scan;
            }
            bytes += size;
            scanned++;
            cursor = l.seq;
            events.push({
              logStreamName: name,
              timestamp: l.ts,
              message: text,
              ingestionTime: l.ts,
              eventId: String(l.seq).padStart(20, '0'),
            });
            if (events.length >= limit) {
              more = true;
              break scan;
            }
          }
          if (scanned >= budget || scannedBytes >= SCAN_BYTES) more = true;
        }
        return {
          events,
          searchedLogStreams: [...searched].map((logStreamName) => ({
            logStreamName,
            searchedCompletely: !more,
          })),
          ...(more && cursor !== undefined ? { nextToken: encodeToken({ after: cursor }) } : {}),
        };
      },
    },
  };
}

/** CloudWatch Logs' exceptions for the coded errors this API throws (undefined: the common mapping). */
export function cwLogsErrorType(e: NimbusError): AwsErrorType | undefined {
  switch (e.code) {
    case CwLogsErrors.codes.GROUP_NOT_FOUND:
    case CwLogsErrors.codes.STREAM_NOT_FOUND:
      return { type: 'ResourceNotFoundException', status: 400 };
    case CwLogsErrors.codes.INVALID_PARAMETER:
    case CwLogsErrors.codes.INVALID_TOKEN:
    case FilterPatternErrors.codes.INVALID:
    case FilterPatternErrors.codes.TOO_LONG:
    case FilterPatternErrors.codes.UNSUPPORTED:
    case CoreErrors.codes.VALIDATION:
      return { type: 'InvalidParameterException', status: 400 };
  }
  return undefined;
}
