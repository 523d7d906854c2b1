/**
 * The SQS API in the AWS query protocol (`Action=<Op>&Version=2012-11-05`, XML answers), as the
 * SDKs from before SQS's move to JSON speak it: Debian bookworm's boto3 (botocore 1.29) and the
 * AWS CLI v1 on it. It adapts the JSON 1.0 operations of api.ts instead of repeating them: the flattened query
 * parameters become the JSON input (`Attribute.N.Name/Value` → `Attributes`,
 * `SendMessageBatchRequestEntry.N.*` → `Entries`, …), the JSON operation runs (authorization,
 * validation, the service) and its output is written as the query XML (`<Attribute>`,
 * `<SendMessageBatchResultEntry>`, `<Message>`, … flattened the way the 2012-11-05 model says).
 * Errors answer `<ErrorResponse>` with SQS's query codes (`AWS.SimpleQueueService.NonExistentQueue`).
 *
 * The queue is named by the `QueueUrl` parameter (botocore POSTs to `/`). Requests POSTed to the
 * queue URL itself (`POST /<account>/<queue>`, as the v2 JavaScript SDK did while it spoke query)
 * are not routed here.
 */
import type { AwsJsonInput, AwsJsonService } from '../api/aws-json.ts';
import { type AwsQueryOperation, type AwsQueryService, el, type QueryNode, raw } from '../api/aws-query.ts';
import { CoreErrors, type NimbusError } from '../core/errors.ts';
import { sqsErrorType } from './api.ts';
import { SqsErrors } from './errors.ts';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

type Node = QueryNode | string | undefined;
type Json = Record<string, unknown>;

/** The entries of a flattened list (`Name.1`, `Name.2`, …) in index order; a bare value is one. */
function flatList(node: Node): (QueryNode | string)[] {
  if (node === undefined) return [];
  if (typeof node === 'string') return [node];
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

const strings = (node: Node) => flatList(node).filter((v): v is string => typeof v === 'string');

/** A flattened map (`Name.N.<key>` / `Name.N.<value>`) as key → converted value. */
function flatMap(node: Node, key: string, value: string, conv: (v: Node) => unknown): Json {
  const pairs: [string, unknown][] = [];
  for (const e of flatList(node)) {
    if (typeof e !== 'object') continue;
    const k = e[key];
    if (typeof k === 'string') pairs.push([k, conv(e[value])]);
  }
  // fromEntries: a name such as `__proto__` stays an own property, as JSON.parse makes it.
  return Object.fromEntries(pairs);
}

/** `Value.DataType / .StringValue / .BinaryValue / .StringListValue.N / .BinaryListValue.N`. */
function attributeValue(v: Node): Json {
  if (typeof v !== 'object') return {};
  const out: Json = {};
  for (const k of ['DataType', 'StringValue', 'BinaryValue'] as const)
    if (typeof v[k] === 'string') out[k] = v[k];
  if (v.StringListValue !== undefined) out.StringListValues = strings(v.StringListValue);
  if (v.BinaryListValue !== undefined) out.BinaryListValues = strings(v.BinaryListValue);
  return out;
}

/** Integer parameters (a non-integer stays a string: the JSON operation refuses it). */
const NUMERIC = new Set([
  'MaxNumberOfMessages',
  'WaitTimeSeconds',
  'VisibilityTimeout',
  'DelaySeconds',
  'MaxResults',
  'MaxNumberOfMessagesPerSecond',
]);
const number = (v: string): number | string => (/^-?\d{1,15}$/.test(v) ? Number(v) : v);

/** Query names of structured parameters → their JSON member. */
const STRUCTURED: Record<string, (v: Node, action: string) => [string, unknown]> = {
  Attribute: (v) => ['Attributes', flatMap(v, 'Name', 'Value', (x) => x)],
  AttributeName: (v) => ['AttributeNames', strings(v)],
  MessageAttributeName: (v) => ['MessageAttributeNames', strings(v)],
  MessageSystemAttributeName: (v) => ['MessageSystemAttributeNames', strings(v)],
  MessageAttribute: (v) => ['MessageAttributes', flatMap(v, 'Name', 'Value', attributeValue)],
  MessageSystemAttribute: (v) => ['MessageSystemAttributes', flatMap(v, 'Name', 'Value', attributeValue)],
  // CreateQueue's member is `tags`, TagQueue's `Tags`; both are `Tag.N.Key/.Value` on the wire.
  Tag: (v, action) => [action === 'CreateQueue' ? 'tags' : 'Tags', flatMap(v, 'Key', 'Value', (x) => x)],
  TagKey: (v) => ['TagKeys', strings(v)],
  AWSAccountId: (v) => ['AWSAccountIds', strings(v)],
  ActionName: (v) => ['Actions', strings(v)],
  SendMessageBatchRequestEntry: (v, action) => ['Entries', entryList(v, action)],
  DeleteMessageBatchRequestEntry: (v, action) => ['Entries', entryList(v, action)],
  ChangeMessageVisibilityBatchRequestEntry: (v, action) => ['Entries', entryList(v, action)],
};

/**
 * An empty list is sent by its member name, empty (`Entries=`, `AttributeNames=`: botocore
 * serializes an empty flattened list so).
 */
const LIST_MEMBERS = new Set([
  'Entries',
  'AttributeNames',
  'MessageAttributeNames',
  'MessageSystemAttributeNames',
  'TagKeys',
  'AWSAccountIds',
  'Actions',
]);

const entryList = (v: Node, action: string) =>
  flatList(v).map((e) => (typeof e === 'object' ? toJson(e, action) : {}));

/** A request's (or a batch entry's) parameters as the JSON operation's input. */
function toJson(params: QueryNode, action: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'Action' || k === 'Version') continue;
    const conv = STRUCTURED[k];
    if (conv) {
      const [name, value] = conv(v, action);
      out[name] = value;
    } else if (v === '' && LIST_MEMBERS.has(k)) out[k] ??= [];
    else if (typeof v === 'string') out[k] = NUMERIC.has(k) ? number(v) : v;
    // A structured parameter SQS does not have is ignored, as the JSON schemas drop unknown members.
  }
  return out;
}

// ---- output: the JSON output as the query XML ------------------------------------------------

const s = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
const rec = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The members of `o` that are present, in the order given, as `<Name>value</Name>`. */
const fields = (o: Json, names: readonly string[]) =>
  names
    .filter((n) => o[n] !== undefined && o[n] !== null)
    .map((n) => el(n, s(o[n])))
    .join('');
/** A flattened string map: `<tag><key/><value/></tag>` per entry. */
const pairs = (map: unknown, tag: string, key: string, value: string) =>
  Object.entries(rec(map))
    .map(([k, v]) => raw(tag, el(key, k) + el(value, s(v))))
    .join('');

function attributeValueXml(v: unknown): string {
  const a = rec(v);
  return (
    fields(a, ['StringValue', 'BinaryValue']) +
    arr(a.StringListValues)
      .map((x) => el('StringListValue', s(x)))
      .join('') +
    arr(a.BinaryListValues)
      .map((x) => el('BinaryListValue', s(x)))
      .join('') +
    fields(a, ['DataType'])
  );
}

const SENT = [
  'MessageId',
  'MD5OfMessageBody',
  'MD5OfMessageAttributes',
  'MD5OfMessageSystemAttributes',
  'SequenceNumber',
];

function messageXml(v: unknown): string {
  const m = rec(v);
  return raw(
    'Message',
    fields(m, ['MessageId', 'ReceiptHandle', 'MD5OfBody', 'Body']) +
      pairs(m.Attributes, 'Attribute', 'Name', 'Value') +
      fields(m, ['MD5OfMessageAttributes']) +
      Object.entries(rec(m.MessageAttributes))
        .map(([k, a]) => raw('MessageAttribute', el('Name', k) + raw('Value', attributeValueXml(a))))
        .join(''),
  );
}

/**
 * The query code of each SQS exception the JSON output names (a batch entry's `Code` is the JSON
 * type): derived from `sqsErrorType`, so the two protocols cannot drift apart.
 */
const QUERY_CODE_OF_TYPE: ReadonlyMap<string, string> = new Map(
  Object.keys(SqsErrors.codes).flatMap((k) => {
    const t = sqsErrorType((SqsErrors as unknown as Record<string, (p: object) => NimbusError>)[k]!({}));
    return t?.queryCode && t.queryCode !== t.type ? [[t.type, t.queryCode] as const] : [];
  }),
);
const queryCode = (type: string) => QUERY_CODE_OF_TYPE.get(type) ?? type;

/** A batch result: `<entryTag>` per success, `<BatchResultErrorEntry>` per failure. */
function batchXml(out: Json, entryTag: string, okFields: readonly string[]): string {
  return (
    arr(out.Successful)
      .map((e) => raw(entryTag, fields(rec(e), okFields)))
      .join('') +
    arr(out.Failed)
      .map((e) => {
        const f = rec(e);
        return raw(
          'BatchResultErrorEntry',
          el('Id', s(f.Id)) +
            el('Code', queryCode(s(f.Code))) +
            el('Message', s(f.Message)) +
            el('SenderFault', s(f.SenderFault ?? true)),
        );
      })
      .join('')
  );
}

const MOVE_TASK_FIELDS = [
  'TaskHandle',
  'Status',
  'SourceArn',
  'DestinationArn',
  'MaxNumberOfMessagesPerSecond',
  'ApproximateNumberOfMessagesMoved',
  'ApproximateNumberOfMessagesToMove',
  'FailureReason',
  'StartedTimestamp',
];

/** The inner XML of `<ActionResult>` for the JSON output of each operation that has one. */
const RESULTS: Record<string, (out: Json) => string> = {
  CreateQueue: (o) => fields(o, ['QueueUrl']),
  GetQueueUrl: (o) => fields(o, ['QueueUrl']),
  ListQueues: (o) =>
    arr(o.QueueUrls)
      .map((u) => el('QueueUrl', s(u)))
      .join('') + fields(o, ['NextToken']),
  ListDeadLetterSourceQueues: (o) =>
    arr(o.queueUrls)
      .map((u) => el('QueueUrl', s(u)))
      .join('') + fields(o, ['NextToken']),
  GetQueueAttributes: (o) => pairs(o.Attributes, 'Attribute', 'Name', 'Value'),
  ListQueueTags: (o) => pairs(o.Tags, 'Tag', 'Key', 'Value'),
  SendMessage: (o) => fields(o, SENT),
  SendMessageBatch: (o) => batchXml(o, 'SendMessageBatchResultEntry', ['Id', ...SENT]),
  ReceiveMessage: (o) => arr(o.Messages).map(messageXml).join(''),
  DeleteMessageBatch: (o) => batchXml(o, 'DeleteMessageBatchResultEntry', ['Id']),
  ChangeMessageVisibilityBatch: (o) => batchXml(o, 'ChangeMessageVisibilityBatchResultEntry', ['Id']),
  StartMessageMoveTask: (o) => fields(o, ['TaskHandle']),
  CancelMessageMoveTask: (o) => fields(o, ['ApproximateNumberOfMessagesMoved']),
  // Flattened, as the 2012-11-05 query model names the list's members.
  ListMessageMoveTasks: (o) =>
    arr(o.Results)
      .map((e) => raw('ListMessageMoveTasksResultEntry', fields(rec(e), MOVE_TASK_FIELDS)))
      .join(''),
};

/** SQS's query error code: its exception's query code; AccessDenied for a denial. */
export function sqsQueryErrorCode(e: NimbusError): { code: string; status: number } | undefined {
  const t = sqsErrorType(e);
  if (t) return { code: t.queryCode ?? t.type, status: t.status };
  if (e.code === CoreErrors.codes.FORBIDDEN) return { code: 'AccessDenied', status: 403 };
  return undefined;
}

/** The query protocol over the JSON operations of `json` (sqsApi's service, built once). */
export function sqsQueryApi(json: AwsJsonService): AwsQueryService {
  const operations: Record<string, AwsQueryOperation> = {};
  for (const [action, op] of Object.entries(json.operations)) {
    operations[action] = async (params, req) => {
      const out = await op(toJson(params, action) as AwsJsonInput, req);
      return RESULTS[action]?.(rec(out)) ?? '';
    };
  }
  return {
    version: '2012-11-05',
    xmlns: XMLNS,
    operations,
    errorCode: sqsQueryErrorCode,
    ...(json.dataOperations ? { dataOperations: json.dataOperations } : {}),
    resultActions: new Set(Object.keys(RESULTS)),
  };
}
