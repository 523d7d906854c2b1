/**
 * What the OpenAPI document (openapi.ts) says about each REST route that its zod schemas do not:
 * summary, tag, IAM action, query parameters, success statuses and the answer's schema; the
 * named schemas (`components.schemas`, the console's type names); the AWS-shaped APIs that are
 * described by AWS's references instead. A data table: openapi.e2e.test fails for a `/v1`
 * route missing here.
 */
import { z } from 'zod';
import { CorsSchema } from '../gateway/cors.ts';
import { PriceTableSchema } from '../metering/prices.ts';
import { SERIES } from '../observability/rollups.ts';
import { LIVE_SECONDS } from '../observability/windows.ts';
import { DlqBody, TimerBody } from './async-routes.ts';
import { AuditQuerySchema } from './audit-routes.ts';
import { GROUPINGS } from './billing-routes.ts';
import { BucketBody, FunctionBody as BucketEventsBody } from './bucket-routes.ts';
import {
  OwnedBody as OwnedSubscriptionsBody,
  SubscriptionSpec,
  TopicBody,
  WebhookBody,
} from './event-routes.ts';
import { CreateBody as CreateRouteBody, ReplaceBody as ReplaceRoutesBody } from './http-routes.ts';
import {
  CreateKey,
  CreateTenant,
  PermissionsQuery,
  PutPolicies,
  PutRole,
  Rotate,
} from './identity-routes.ts';
import { ObjectKeyQuery, ObjectListQuery } from './object-routes.ts';
import * as V from './openapi-views.ts';
import { AliasBody, DeployBody, PatchBody, SourceQuery, VersionBody } from './routes.ts';
import {
  MachineReplaceBody,
  ReplaceBody as ReplaceSchedulesBody,
  Spec as ScheduleSpec,
} from './schedule-routes.ts';
import { PutBody as PutSecretBody, RotateBody as RotateSecretBody } from './secret-routes.ts';
import { CreateBody as CreateSourceBody, OwnedBody as OwnedSourcesBody } from './source-routes.ts';
import { RedriveBody as SqsRedriveBody } from './sqs-routes.ts';
import {
  FailureBody,
  HeartbeatBody,
  MachineBody,
  StartBody,
  StopBody,
  SuccessBody,
} from './workflow-routes.ts';

/** Named schemas: `components.schemas` (and the console's type names). */
export const SCHEMAS = {
  // requests
  DeployRequest: DeployBody,
  UpdateFunctionRequest: PatchBody,
  AliasRequest: AliasBody,
  PublishVersionRequest: VersionBody,
  TimerRequest: TimerBody,
  DeadLetterSelection: DlqBody,
  BucketNotificationsRequest: BucketBody,
  FunctionBucketEventsRequest: BucketEventsBody,
  TopicRequest: TopicBody,
  SubscriptionRequest: SubscriptionSpec,
  OwnedSubscriptionsRequest: OwnedSubscriptionsBody,
  WebhookRequest: WebhookBody,
  CreateRouteRequest: CreateRouteBody,
  ReplaceRoutesRequest: ReplaceRoutesBody,
  CorsSettings: CorsSchema,
  CreateTenantRequest: CreateTenant,
  CreateKeyRequest: CreateKey,
  RotateKeyRequest: Rotate,
  KeyPoliciesRequest: PutPolicies,
  RoleRequest: PutRole,
  ScheduleRequest: ScheduleSpec,
  FunctionSchedulesRequest: ReplaceSchedulesBody,
  WorkflowSchedulesRequest: MachineReplaceBody,
  PutSecretRequest: PutSecretBody,
  RotateSecretRequest: RotateSecretBody,
  CreateSourceRequest: CreateSourceBody,
  FunctionSourcesRequest: OwnedSourcesBody,
  WorkflowRequest: MachineBody,
  StartExecutionRequest: StartBody,
  StopExecutionRequest: StopBody,
  TaskSuccessRequest: SuccessBody,
  TaskFailureRequest: FailureBody,
  TaskHeartbeatRequest: HeartbeatBody,
  PriceTable: PriceTableSchema,
  AlertRuleRequest: V.AlertRuleBody,
  BudgetRequest: V.BudgetBody,
  LogSettingsRequest: V.LogSettingsBody,
  SqsRedriveRequest: SqsRedriveBody,
  // answers
  Error: V.ErrorBody,
  FunctionView: V.FunctionView,
  VersionView: V.VersionView,
  AliasView: V.AliasView,
  DeployResult: V.DeployResult,
  FunctionList: V.FunctionList,
  FunctionDetail: V.FunctionDetail,
  FunctionResult: V.FunctionResult,
  VersionResult: V.VersionResult,
  VersionList: V.VersionList,
  AliasResult: V.AliasResult,
  AliasList: V.AliasList,
  InvokeResult: V.InvokeResult,
  AsyncSubmitted: V.AsyncSubmitted,
  LogLineView: V.LogLineView,
  LogPage: V.LogPage,
  RouteView: V.RouteView,
  RouteResult: V.RouteResult,
  RouteList: V.RouteList,
  TopicView: V.TopicView,
  TopicList: V.TopicList,
  TopicDetail: V.TopicDetail,
  SubscriptionView: V.SubscriptionView,
  SubscriptionList: V.SubscriptionList,
  ScheduleView: V.ScheduleView,
  ScheduleList: V.ScheduleList,
  Identity: V.Identity,
  PermissionsRequest: PermissionsQuery,
  PermissionsView: V.PermissionsView,
  Health: V.Health,
  OpenApiDocument: V.OpenApiDocumentView,
  InvocationError: V.InvocationError,
  InvocationView: V.InvocationView,
  TimerCreated: V.TimerCreated,
  TimerList: V.TimerList,
  QueueView: V.QueueView,
  QueueList: V.QueueList,
  DeadLetterList: V.DeadLetterList,
  DeadLettersReplayed: V.DeadLettersReplayed,
  DeadLettersPurged: V.DeadLettersPurged,
  SqsQueueView: V.SqsQueueView,
  SqsQueueList: V.SqsQueueList,
  MoveTaskView: V.MoveTaskView,
  MoveTaskAnswer: V.MoveTaskAnswer,
  MoveTaskList: V.MoveTaskList,
  LogSettings: V.LogSettings,
  LogSettingsResult: V.LogSettingsResult,
  PublishedEvents: V.PublishedEvents,
  WebhookView: V.WebhookView,
  WebhookCreated: V.WebhookCreated,
  WebhookList: V.WebhookList,
  SourceView: V.SourceView,
  SourceList: V.SourceList,
  CorsView: V.CorsView,
  GatewayCors: V.GatewayCors,
  BucketView: V.BucketView,
  BucketList: V.BucketList,
  BucketName: V.BucketName,
  BucketNotificationView: V.BucketNotificationView,
  BucketNotificationList: V.BucketNotificationList,
  FunctionBucketEvents: V.FunctionBucketEvents,
  ObjectView: V.ObjectView,
  ObjectList: V.ObjectList,
  WorkflowView: V.WorkflowView,
  WorkflowList: V.WorkflowList,
  ExecutionView: V.ExecutionView,
  ExecutionList: V.ExecutionList,
  HistoryEventView: V.HistoryEventView,
  HistoryPage: V.HistoryPage,
  TenantView: V.TenantView,
  TenantDetail: V.TenantDetail,
  TenantResult: V.TenantResult,
  TenantList: V.TenantList,
  TenantDeleted: V.TenantDeleted,
  KeyView: V.KeyView,
  KeyResult: V.KeyResult,
  KeyWithSecret: V.KeyWithSecret,
  KeyList: V.KeyList,
  RoleView: V.RoleView,
  RoleResult: V.RoleResult,
  RoleList: V.RoleList,
  SecretView: V.SecretView,
  SecretValue: V.SecretValue,
  SecretList: V.SecretList,
  MasterKeyRotation: V.MasterKeyRotation,
  AuditRecordView: V.AuditRecordView,
  AuditPage: V.AuditPage,
  AuditVerification: V.AuditVerification,
  UsageSummary: V.UsageSummary,
  UsageGroup: V.UsageGroup,
  UsageRecordView: V.UsageRecordView,
  UsageAggregate: V.UsageAggregate,
  UsageRecords: V.UsageRecords,
  UsageReport: V.UsageReport,
  Prices: V.Prices,
  BudgetView: V.BudgetView,
  BudgetResult: V.BudgetResult,
  BudgetList: V.BudgetList,
  AlertRuleView: V.AlertRuleView,
  AlertResult: V.AlertResult,
  AlertList: V.AlertList,
  MetricSeries: V.MetricSeries,
  LiveFunction: V.LiveFunction,
  LiveMetrics: V.LiveMetrics,
  FunctionStatus: V.FunctionStatus,
  PlatformStatus: V.PlatformStatus,
  DoctorReport: V.DoctorReport,
} as const satisfies Record<string, z.ZodType>;
export type SchemaName = keyof typeof SCHEMAS;

export type Tag =
  | 'Functions'
  | 'Invocations'
  | 'Logs'
  | 'Async'
  | 'SQS'
  | 'Schedules'
  | 'Events'
  | 'Sources'
  | 'Routes'
  | 'Buckets'
  | 'Workflows'
  | 'Identity'
  | 'Secrets'
  | 'Audit'
  | 'Billing'
  | 'Alerts'
  | 'Metrics'
  | 'Platform';

/** A request body that is not one of SCHEMAS: its media types and what they hold. */
export interface RawBody {
  readonly content: Record<string, { schema: Record<string, unknown> }>;
  readonly required: boolean;
  readonly description: string;
}

export interface RouteDoc {
  readonly summary: string;
  readonly tag: Tag;
  /** The IAM action the route authorizes (`x-nimbus-action`). */
  readonly action: string;
  /** Only principals of the default tenant (operators), whatever their policy allows. */
  readonly operatorOnly?: true;
  readonly body?: SchemaName | RawBody;
  /** The body may be left out (the route takes `{}`). */
  readonly bodyOptional?: true;
  readonly query?: z.ZodObject;
  readonly headers?: readonly { name: string; description: string }[];
  /** Success statuses (default [200]); 204 has no content. */
  readonly status?: readonly (200 | 201 | 202 | 204)[];
  /**
   * The answer's schema, for every success status but 204. Every route that answers JSON has one
   * (openapi.test checks it).
   */
  readonly response?: SchemaName;
  /** A 503 answer that is not a coded error but this schema (`GET /healthz` while unhealthy). */
  readonly unavailable?: SchemaName;
  /** Other media types of the answer: media type → description. */
  readonly produces?: Readonly<Record<string, string>>;
  /** The answer is only what `produces` lists. */
  readonly notJson?: true;
  /** Overrides the one derived from the path (`getFunctionsName`). */
  readonly operationId?: string;
  /** No credentials (GET /healthz). */
  readonly open?: true;
}

const anyJson: RawBody = {
  content: { 'application/json': { schema: {} } },
  required: false,
  description: 'the event: any JSON value (empty = `{}`)',
};
const q = z.object;
const str = z.string;
const num = z.coerce.number;
const flag = (d: string) => z.enum(['1', 'true']).optional().describe(d);
const tenantQuery = q({ tenant: str().optional().describe("operators only: act on another tenant's key") });
const pageQuery = {
  limit: num().int().min(1).max(1000).optional(),
  nextToken: str().optional().describe('the `nextToken` of the previous page'),
};

/** Every route of the REST API (`METHOD /fastify/url`). */
export const ROUTES: Readonly<Record<string, RouteDoc>> = {
  'GET /healthz': {
    summary: 'Health: 200 when the platform and its store (and NATS in cluster mode) answer, else 503',
    tag: 'Platform',
    action: '',
    open: true,
    query: q({ live: str().optional().describe('liveness only: 200 while the process serves') }),
    response: 'Health',
    unavailable: 'Health',
  },
  'GET /metrics': {
    summary: "Prometheus metrics (the caller's tenant; everything for the operator)",
    tag: 'Metrics',
    action: 'nimbus:GetMetrics',
    operationId: 'getPrometheusMetrics',
    produces: { 'text/plain': 'Prometheus text exposition format' },
    notJson: true,
  },
  'GET /v1/openapi.json': {
    summary: 'This document',
    tag: 'Platform',
    action: 'nimbus:GetApiDocument',
    response: 'OpenApiDocument',
  },
  // ---- functions
  'GET /v1/functions': {
    summary: 'List functions',
    tag: 'Functions',
    action: 'lambda:ListFunctions',
    response: 'FunctionList',
  },
  'PUT /v1/functions/:name': {
    summary: 'Deploy a function (create or update $LATEST; `dryRun` builds and stores only)',
    tag: 'Functions',
    action: 'lambda:CreateFunction',
    body: 'DeployRequest',
    status: [200, 201],
    response: 'DeployResult',
  },
  'GET /v1/functions/:name': {
    summary: 'A function with its versions and aliases',
    tag: 'Functions',
    action: 'lambda:GetFunction',
    response: 'FunctionDetail',
  },
  'GET /v1/functions/:name/source': {
    summary: 'Download the archive a function (or a version, or an alias) was deployed from',
    tag: 'Functions',
    action: 'lambda:GetFunction',
    query: SourceQuery,
    produces: {
      'application/zip': 'the zip as uploaded',
      'application/x-tar': 'the tar as uploaded',
    },
    notJson: true,
  },
  'PATCH /v1/functions/:name': {
    summary: "Change a function's configuration (null clears scaling, egress, role)",
    tag: 'Functions',
    action: 'lambda:UpdateFunctionConfiguration',
    body: 'UpdateFunctionRequest',
    response: 'FunctionResult',
  },
  'DELETE /v1/functions/:name': {
    summary: 'Delete a function',
    tag: 'Functions',
    action: 'lambda:DeleteFunction',
    status: [204],
  },
  'POST /v1/functions/:name/versions': {
    summary: 'Publish a version of $LATEST',
    tag: 'Functions',
    action: 'lambda:PublishVersion',
    body: 'PublishVersionRequest',
    bodyOptional: true,
    status: [201],
    response: 'VersionResult',
  },
  'GET /v1/functions/:name/versions': {
    summary: 'List versions',
    tag: 'Functions',
    action: 'lambda:ListVersionsByFunction',
    response: 'VersionList',
  },
  'PUT /v1/functions/:name/aliases/:alias': {
    summary: 'Create or update an alias (weighted routing with additionalWeights)',
    tag: 'Functions',
    action: 'lambda:CreateAlias',
    body: 'AliasRequest',
    response: 'AliasResult',
  },
  'GET /v1/functions/:name/aliases': {
    summary: 'List aliases',
    tag: 'Functions',
    action: 'lambda:ListAliases',
    response: 'AliasList',
  },
  'DELETE /v1/functions/:name/aliases/:alias': {
    summary: 'Delete an alias',
    tag: 'Functions',
    action: 'lambda:DeleteAlias',
    status: [204],
  },
  'GET /v1/artifacts/:sha': {
    summary: "Download a code artifact (a zip) one of the tenant's functions or versions uses",
    tag: 'Functions',
    action: 'lambda:GetFunction',
    produces: { 'application/zip': 'the artifact' },
    notJson: true,
  },
  // ---- invocations
  'POST /v1/functions/:name/invoke': {
    summary: 'Invoke synchronously',
    tag: 'Invocations',
    action: 'lambda:InvokeFunction',
    body: anyJson,
    query: q({
      qualifier: str().optional().describe('version or alias'),
      logs: z.enum(['tail']).optional().describe('tail: the last 4 KB of the log in logTail'),
    }),
    response: 'InvokeResult',
  },
  'POST /v1/functions/:name/invoke-async': {
    summary: 'Invoke asynchronously: 202 once the event is committed (Location: the invocation)',
    tag: 'Invocations',
    action: 'lambda:InvokeFunction',
    body: anyJson,
    query: q({ qualifier: str().optional().describe('version or alias') }),
    headers: [
      { name: 'Idempotency-Key', description: 'at most 256 characters; a repeat answers the first id' },
    ],
    status: [202],
    response: 'AsyncSubmitted',
  },
  'GET /v1/invocations/:id': {
    summary: 'Status of an async invocation',
    tag: 'Invocations',
    action: 'nimbus:GetInvocation',
    response: 'InvocationView',
  },
  // ---- logs
  'GET /v1/functions/:name/logs': {
    summary: 'Log lines (filtered page), or a live tail as NDJSON or Server-Sent Events',
    tag: 'Logs',
    action: 'logs:FilterLogEvents',
    query: q({
      requestId: str().optional(),
      version: str().optional(),
      since: num().int().optional().describe('epoch ms'),
      until: num().int().optional().describe('epoch ms'),
      level: str().optional().describe('lowest level: debug, info, warn, error…'),
      q: str().optional().describe('text the line contains'),
      filter: z.array(str()).optional().describe('JSON field filters (`key=value`, `key>n`…); repeatable'),
      limit: num().int().min(1).max(10_000).optional(),
      tail: flag('the newest lines'),
      afterSeq: num().int().optional().describe('cursor: the `nextSeq` of the previous page'),
      follow: z.enum(['1', 'true', 'sse']).optional().describe('stay open: NDJSON, or SSE (`sse`)'),
    }),
    response: 'LogPage',
    produces: {
      'application/x-ndjson': 'follow=1: LogLineView lines',
      'text/event-stream': 'follow=sse (or Accept: text/event-stream): `log` events',
    },
  },
  'GET /v1/settings/logs': {
    summary: "The tenant's logs setting",
    tag: 'Logs',
    action: 'nimbus:GetLogSettings',
    response: 'LogSettingsResult',
  },
  'PUT /v1/settings/logs': {
    summary: 'Change the logs setting (merged over the current one)',
    tag: 'Logs',
    action: 'nimbus:PutLogSettings',
    body: 'LogSettingsRequest',
    response: 'LogSettingsResult',
  },
  // ---- async
  'POST /v1/timers': {
    summary: 'Create a one-shot timer (at a time or after a delay)',
    tag: 'Async',
    action: 'nimbus:CreateTimer',
    body: 'TimerRequest',
    status: [200, 201],
    response: 'TimerCreated',
  },
  'GET /v1/timers': {
    summary: 'List pending timers',
    tag: 'Async',
    action: 'nimbus:ListTimers',
    query: q({ function: str().optional() }),
    response: 'TimerList',
  },
  'GET /v1/timers/:id': {
    summary: 'A timer',
    tag: 'Async',
    action: 'nimbus:GetTimer',
    response: 'InvocationView',
  },
  'DELETE /v1/timers/:id': {
    summary: 'Cancel a timer',
    tag: 'Async',
    action: 'nimbus:DeleteTimer',
    status: [204],
  },
  'GET /v1/queues': {
    summary: 'Queue statistics per function',
    tag: 'Async',
    action: 'nimbus:ListQueues',
    response: 'QueueList',
  },
  'GET /v1/queues/dlq': {
    summary: 'List dead letters',
    tag: 'Async',
    action: 'nimbus:ListDeadLetters',
    query: q({
      function: str().optional(),
      after: str().optional().describe('the `next` of the previous page'),
      limit: num().int().optional(),
    }),
    response: 'DeadLetterList',
  },
  'GET /v1/queues/dlq/:id': {
    summary: 'A dead letter',
    tag: 'Async',
    action: 'nimbus:GetDeadLetter',
    response: 'InvocationView',
  },
  'POST /v1/queues/dlq/replay': {
    summary: 'Replay dead letters',
    tag: 'Async',
    action: 'nimbus:ReplayDeadLetters',
    body: 'DeadLetterSelection',
    response: 'DeadLettersReplayed',
  },
  'POST /v1/queues/dlq/purge': {
    summary: 'Purge dead letters',
    tag: 'Async',
    action: 'nimbus:PurgeDeadLetters',
    body: 'DeadLetterSelection',
    response: 'DeadLettersPurged',
  },
  // ---- SQS queues (the SQS API itself is POST /, in x-nimbus-compatible-apis)
  'GET /v1/sqs/queues': {
    summary:
      "The tenant's SQS queues: counts (where the key may sqs:GetQueueAttributes), dead-letter relations",
    tag: 'SQS',
    action: 'sqs:ListQueues',
    response: 'SqsQueueList',
  },
  'POST /v1/sqs/queues/:name/purge': {
    summary: 'Delete every message of an SQS queue (PurgeQueue)',
    tag: 'SQS',
    action: 'sqs:PurgeQueue',
    status: [204],
  },
  'POST /v1/sqs/queues/:name/redrive': {
    summary:
      "Move a dead-letter queue's messages back to their source queues, or to `destination` (StartMessageMoveTask; also needs sqs:ReceiveMessage and sqs:DeleteMessage on it and sqs:SendMessage on the destinations)",
    tag: 'SQS',
    action: 'sqs:StartMessageMoveTask',
    body: 'SqsRedriveRequest',
    bodyOptional: true,
    status: [202],
    response: 'MoveTaskAnswer',
  },
  'GET /v1/sqs/queues/:name/redrives': {
    summary: "A dead-letter queue's message move tasks, newest first (the last 10)",
    tag: 'SQS',
    action: 'sqs:ListMessageMoveTasks',
    response: 'MoveTaskList',
  },
  'POST /v1/sqs/queues/:name/redrives/:id/cancel': {
    summary:
      'Cancel a running message move task (CancelMessageMoveTask); what it moved stays moved. A task that already ended is a 409',
    tag: 'SQS',
    action: 'sqs:CancelMessageMoveTask',
    response: 'MoveTaskAnswer',
  },
  // ---- schedules
  'GET /v1/schedules': {
    summary: 'List schedules',
    tag: 'Schedules',
    action: 'nimbus:ListSchedules',
    response: 'ScheduleList',
  },
  'GET /v1/schedules/:name': {
    summary: 'A schedule',
    tag: 'Schedules',
    action: 'nimbus:GetSchedule',
    response: 'ScheduleView',
  },
  'PUT /v1/schedules/:name': {
    summary: 'Create or replace a schedule (cron or rate expression)',
    tag: 'Schedules',
    action: 'nimbus:PutSchedule',
    body: 'ScheduleRequest',
    response: 'ScheduleView',
  },
  'DELETE /v1/schedules/:name': {
    summary: 'Delete a schedule',
    tag: 'Schedules',
    action: 'nimbus:DeleteSchedule',
    status: [204],
  },
  'PUT /v1/functions/:name/schedules': {
    summary: "Replace a function's manifest schedules (what `nimbus deploy` sends)",
    tag: 'Schedules',
    action: 'nimbus:PutSchedule',
    body: 'FunctionSchedulesRequest',
    response: 'ScheduleList',
  },
  'PUT /v1/workflows/:name/schedules': {
    summary: "Replace a state machine's manifest schedules",
    tag: 'Schedules',
    action: 'nimbus:PutSchedule',
    body: 'WorkflowSchedulesRequest',
    response: 'ScheduleList',
  },
  // ---- events
  'GET /v1/topics': {
    summary: 'List topics',
    tag: 'Events',
    action: 'nimbus:ListTopics',
    response: 'TopicList',
  },
  'PUT /v1/topics/:topic': {
    summary: 'Create or update a topic',
    tag: 'Events',
    action: 'nimbus:PutTopic',
    body: 'TopicRequest',
    bodyOptional: true,
    status: [200, 201],
    response: 'TopicView',
  },
  'GET /v1/topics/:topic': {
    summary: 'A topic and its subscription count',
    tag: 'Events',
    action: 'nimbus:GetTopic',
    response: 'TopicDetail',
  },
  'DELETE /v1/topics/:topic': {
    summary: 'Delete a topic',
    tag: 'Events',
    action: 'nimbus:DeleteTopic',
    status: [204],
  },
  'POST /v1/topics/:topic/events': {
    summary: 'Publish CloudEvents (structured, batch or binary mode): 202 once every delivery is committed',
    tag: 'Events',
    action: 'nimbus:PublishEvents',
    body: {
      required: true,
      description:
        'CloudEvents over HTTP: one event (application/cloudevents+json), a batch (application/cloudevents-batch+json), or binary mode (the data as the body, attributes in ce-* headers)',
      content: {
        'application/cloudevents+json': { schema: { type: 'object', required: ['type', 'source'] } },
        'application/cloudevents-batch+json': { schema: { type: 'array', items: { type: 'object' } } },
        '*/*': { schema: {} },
      },
    },
    status: [202],
    response: 'PublishedEvents',
  },
  'GET /v1/topics/:topic/subscriptions': {
    summary: "A topic's subscriptions",
    tag: 'Events',
    action: 'nimbus:ListSubscriptions',
    response: 'SubscriptionList',
  },
  'POST /v1/topics/:topic/subscriptions': {
    summary: 'Subscribe a target (function, webhook, topic, SQS queue, state machine) to a topic',
    tag: 'Events',
    action: 'nimbus:CreateSubscription',
    body: 'SubscriptionRequest',
    status: [201],
    response: 'SubscriptionView',
  },
  'GET /v1/subscriptions': {
    summary: 'List subscriptions',
    tag: 'Events',
    action: 'nimbus:ListSubscriptions',
    query: q({ topic: str().optional() }),
    response: 'SubscriptionList',
  },
  'DELETE /v1/subscriptions/:id': {
    summary: 'Delete a subscription',
    tag: 'Events',
    action: 'nimbus:DeleteSubscription',
    status: [204],
  },
  'PUT /v1/functions/:name/subscriptions': {
    summary: "Replace a function's manifest subscriptions",
    tag: 'Events',
    action: 'nimbus:CreateSubscription',
    body: 'OwnedSubscriptionsRequest',
    response: 'SubscriptionList',
  },
  'PUT /v1/workflows/:name/subscriptions': {
    summary: "Replace a state machine's manifest subscriptions",
    tag: 'Events',
    action: 'nimbus:CreateSubscription',
    body: 'OwnedSubscriptionsRequest',
    response: 'SubscriptionList',
  },
  'POST /v1/webhooks': {
    summary: 'Create an inbound webhook (its URL publishes to a topic); a generated secret is shown once',
    tag: 'Events',
    action: 'nimbus:CreateWebhook',
    body: 'WebhookRequest',
    status: [201],
    response: 'WebhookCreated',
  },
  'GET /v1/webhooks': {
    summary: 'List webhooks',
    tag: 'Events',
    action: 'nimbus:ListWebhooks',
    response: 'WebhookList',
  },
  'DELETE /v1/webhooks/:id': {
    summary: 'Delete a webhook',
    tag: 'Events',
    action: 'nimbus:DeleteWebhook',
    status: [204],
  },
  // ---- sources
  'GET /v1/sources': {
    summary: 'List event sources',
    tag: 'Sources',
    action: 'nimbus:ListSources',
    response: 'SourceList',
  },
  'GET /v1/sources/:id': {
    summary: 'An event source and its status',
    tag: 'Sources',
    action: 'nimbus:GetSource',
    response: 'SourceView',
  },
  'POST /v1/sources': {
    summary: 'Create an event source (a broker feeding a function)',
    tag: 'Sources',
    action: 'nimbus:CreateSource',
    body: 'CreateSourceRequest',
    status: [201],
    response: 'SourceView',
  },
  'DELETE /v1/sources/:id': {
    summary: 'Delete an event source',
    tag: 'Sources',
    action: 'nimbus:DeleteSource',
    status: [204],
  },
  'PUT /v1/functions/:name/sources': {
    summary: "Replace a function's manifest event sources",
    tag: 'Sources',
    action: 'nimbus:CreateSource',
    body: 'FunctionSourcesRequest',
    response: 'SourceList',
  },
  // ---- gateway routes
  'GET /v1/routes': {
    summary: 'List gateway routes',
    tag: 'Routes',
    action: 'nimbus:ListRoutes',
    response: 'RouteList',
  },
  'POST /v1/routes': {
    summary: 'Create a gateway route (route key → function), live without a restart',
    tag: 'Routes',
    action: 'nimbus:CreateRoute',
    body: 'CreateRouteRequest',
    status: [201],
    response: 'RouteResult',
  },
  'DELETE /v1/routes/:id': {
    summary: 'Delete a route',
    tag: 'Routes',
    action: 'nimbus:DeleteRoute',
    status: [204],
  },
  'GET /v1/gateway/cors': {
    summary: "The tenant's gateway CORS",
    tag: 'Routes',
    action: 'nimbus:GetGatewayCors',
    response: 'GatewayCors',
  },
  'PUT /v1/gateway/cors': {
    summary: "Set the tenant's gateway CORS (wins over routes' own)",
    tag: 'Routes',
    action: 'nimbus:PutGatewayCors',
    body: 'CorsSettings',
    response: 'GatewayCors',
  },
  'DELETE /v1/gateway/cors': {
    summary: "Remove the tenant's gateway CORS",
    tag: 'Routes',
    action: 'nimbus:DeleteGatewayCors',
    status: [204],
  },
  'PUT /v1/functions/:name/routes': {
    summary: "Replace a function's routes (what `nimbus deploy` does)",
    tag: 'Routes',
    action: 'nimbus:CreateRoute',
    body: 'ReplaceRoutesRequest',
    response: 'RouteList',
  },
  'PUT /v1/workflows/:name/routes': {
    summary: "Replace a state machine's routes (a request starts an execution)",
    tag: 'Routes',
    action: 'nimbus:CreateRoute',
    body: 'ReplaceRoutesRequest',
    response: 'RouteList',
  },
  // ---- buckets
  'GET /v1/buckets': {
    summary: 'List buckets',
    tag: 'Buckets',
    action: 's3:ListAllMyBuckets',
    response: 'BucketList',
  },
  'PUT /v1/buckets/:bucket': {
    summary: 'Create a bucket if the tenant has none of that name',
    tag: 'Buckets',
    action: 's3:CreateBucket',
    status: [200, 201],
    response: 'BucketName',
  },
  'GET /v1/buckets/:bucket/notifications': {
    summary: "A bucket's notifications",
    tag: 'Buckets',
    action: 's3:GetBucketNotification',
    response: 'BucketNotificationList',
  },
  'PUT /v1/buckets/:bucket/notifications': {
    summary: "Replace a bucket's API-made notifications",
    tag: 'Buckets',
    action: 's3:PutBucketNotification',
    body: 'BucketNotificationsRequest',
    response: 'BucketNotificationList',
  },
  'DELETE /v1/buckets/:bucket': {
    summary: 'Delete an empty bucket',
    tag: 'Buckets',
    action: 's3:DeleteBucket',
    status: [204],
  },
  'GET /v1/buckets/:bucket/objects': {
    summary: "A bucket's objects by prefix, with folders (`prefixes`) when a delimiter is given",
    tag: 'Buckets',
    action: 's3:ListBucket',
    query: ObjectListQuery,
    response: 'ObjectList',
  },
  'PUT /v1/buckets/:bucket/object': {
    summary: 'Upload an object (the body as is; its Content-Type is kept)',
    tag: 'Buckets',
    action: 's3:PutObject',
    query: ObjectKeyQuery,
    body: {
      required: true,
      description: "the object's bytes",
      content: { '*/*': { schema: {} } },
    },
    response: 'ObjectView',
  },
  'GET /v1/buckets/:bucket/object': {
    summary: 'Download an object (as an attachment)',
    tag: 'Buckets',
    action: 's3:GetObject',
    query: ObjectKeyQuery,
    produces: { '*/*': "the object's bytes, with its Content-Type" },
    notJson: true,
  },
  'DELETE /v1/buckets/:bucket/object': {
    summary: 'Delete an object',
    tag: 'Buckets',
    action: 's3:DeleteObject',
    query: ObjectKeyQuery,
    status: [204],
  },
  'PUT /v1/functions/:name/bucket-events': {
    summary: "Replace a function's manifest bucket events (missing buckets are created)",
    tag: 'Buckets',
    action: 's3:PutBucketNotification',
    body: 'FunctionBucketEventsRequest',
    response: 'FunctionBucketEvents',
  },
  // ---- workflows
  'GET /v1/workflows': {
    summary: 'List state machines',
    tag: 'Workflows',
    action: 'states:ListStateMachines',
    response: 'WorkflowList',
  },
  'GET /v1/workflows/:name': {
    summary: 'A state machine',
    tag: 'Workflows',
    action: 'states:DescribeStateMachine',
    response: 'WorkflowView',
  },
  'PUT /v1/workflows/:name': {
    summary: 'Create or update a state machine (Amazon States Language)',
    tag: 'Workflows',
    action: 'states:CreateStateMachine',
    body: 'WorkflowRequest',
    response: 'WorkflowView',
  },
  'DELETE /v1/workflows/:name': {
    summary: 'Delete a state machine',
    tag: 'Workflows',
    action: 'states:DeleteStateMachine',
    status: [204],
  },
  'POST /v1/workflows/:name/executions': {
    summary: 'Start an execution (`sync=1`: an EXPRESS one, answered at its end)',
    tag: 'Workflows',
    action: 'states:StartExecution',
    body: 'StartExecutionRequest',
    bodyOptional: true,
    query: q({ sync: flag('run to the end (states:StartSyncExecution)') }),
    status: [200, 201],
    response: 'ExecutionView',
  },
  'GET /v1/workflows/:name/executions': {
    summary: 'List executions',
    tag: 'Workflows',
    action: 'states:ListExecutions',
    query: q({
      status: z
        .enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'])
        .optional(),
      ...pageQuery,
    }),
    response: 'ExecutionList',
  },
  'GET /v1/executions/:arn': {
    summary: 'An execution (`wait`: answer once it has ended, or at the deadline)',
    tag: 'Workflows',
    action: 'states:DescribeExecution',
    query: q({ wait: num().min(0).max(60).optional().describe('seconds, at most 60') }),
    response: 'ExecutionView',
  },
  'POST /v1/executions/:arn/stop': {
    summary: 'Stop an execution',
    tag: 'Workflows',
    action: 'states:StopExecution',
    body: 'StopExecutionRequest',
    bodyOptional: true,
    response: 'ExecutionView',
  },
  'POST /v1/executions/:arn/redrive': {
    summary: 'Redrive a failed execution from where it failed',
    tag: 'Workflows',
    action: 'states:RedriveExecution',
    response: 'ExecutionView',
  },
  'GET /v1/executions/:arn/history': {
    summary: "An execution's history events",
    tag: 'Workflows',
    action: 'states:GetExecutionHistory',
    query: q({ ...pageQuery, reverse: flag('newest first') }),
    response: 'HistoryPage',
  },
  'POST /v1/tasks/success': {
    summary: 'Complete a callback task',
    tag: 'Workflows',
    action: 'states:SendTaskSuccess',
    body: 'TaskSuccessRequest',
    status: [204],
  },
  'POST /v1/tasks/failure': {
    summary: 'Fail a callback task',
    tag: 'Workflows',
    action: 'states:SendTaskFailure',
    body: 'TaskFailureRequest',
    status: [204],
  },
  'POST /v1/tasks/heartbeat': {
    summary: "Heartbeat a callback task's token",
    tag: 'Workflows',
    action: 'states:SendTaskHeartbeat',
    body: 'TaskHeartbeatRequest',
    status: [204],
  },
  // ---- identity
  'GET /v1/identity': {
    summary: 'Who the caller is (like STS GetCallerIdentity)',
    tag: 'Identity',
    action: 'sts:GetCallerIdentity',
    response: 'Identity',
  },
  'POST /v1/identity/permissions': {
    summary:
      'Which of the given actions the caller may perform (like IAM SimulatePrincipalPolicy on oneself)',
    tag: 'Identity',
    action: 'sts:GetCallerIdentity',
    body: 'PermissionsRequest',
    response: 'PermissionsView',
  },
  'POST /v1/tenants': {
    summary: 'Create a tenant',
    tag: 'Identity',
    action: 'nimbus:CreateTenant',
    operatorOnly: true,
    body: 'CreateTenantRequest',
    status: [201],
    response: 'TenantResult',
  },
  'GET /v1/tenants': {
    summary: 'List tenants',
    tag: 'Identity',
    action: 'nimbus:ListTenants',
    operatorOnly: true,
    response: 'TenantList',
  },
  'GET /v1/tenants/:id': {
    summary: 'A tenant and what it owns',
    tag: 'Identity',
    action: 'nimbus:GetTenant',
    operatorOnly: true,
    response: 'TenantResult',
  },
  'DELETE /v1/tenants/:id': {
    summary: 'Delete a tenant (`force=true` removes everything it owns)',
    tag: 'Identity',
    action: 'nimbus:DeleteTenant',
    operatorOnly: true,
    query: q({ force: z.enum(['true']).optional() }),
    response: 'TenantDeleted',
  },
  'POST /v1/keys': {
    summary: 'Create an API key (its secret is shown once)',
    tag: 'Identity',
    action: 'nimbus:CreateKey',
    body: 'CreateKeyRequest',
    status: [201],
    response: 'KeyWithSecret',
  },
  'GET /v1/keys': {
    summary: 'List API keys',
    tag: 'Identity',
    action: 'nimbus:ListKeys',
    query: tenantQuery,
    response: 'KeyList',
  },
  'GET /v1/keys/:id': {
    summary: 'An API key',
    tag: 'Identity',
    action: 'nimbus:GetKey',
    query: tenantQuery,
    response: 'KeyResult',
  },
  'POST /v1/keys/:id/rotate': {
    summary: 'Rotate a key (the old secret stays valid for graceSeconds)',
    tag: 'Identity',
    action: 'nimbus:RotateKey',
    body: 'RotateKeyRequest',
    bodyOptional: true,
    query: tenantQuery,
    response: 'KeyWithSecret',
  },
  'POST /v1/keys/:id/revoke': {
    summary: 'Revoke a key',
    tag: 'Identity',
    action: 'nimbus:RevokeKey',
    query: tenantQuery,
    response: 'KeyResult',
  },
  'PUT /v1/keys/:id/policies': {
    summary: "Replace a key's policies",
    tag: 'Identity',
    action: 'nimbus:PutKeyPolicy',
    body: 'KeyPoliciesRequest',
    query: tenantQuery,
    response: 'KeyResult',
  },
  'DELETE /v1/keys/:id': {
    summary: 'Delete a key',
    tag: 'Identity',
    action: 'nimbus:DeleteKey',
    query: tenantQuery,
    status: [204],
  },
  'PUT /v1/roles/:name': {
    summary: 'Create or replace an execution role',
    tag: 'Identity',
    action: 'iam:PutRolePolicy',
    body: 'RoleRequest',
    response: 'RoleResult',
  },
  'GET /v1/roles': {
    summary: 'List execution roles',
    tag: 'Identity',
    action: 'iam:ListRoles',
    response: 'RoleList',
  },
  'GET /v1/roles/:name': {
    summary: 'An execution role',
    tag: 'Identity',
    action: 'iam:GetRole',
    response: 'RoleResult',
  },
  'DELETE /v1/roles/:name': {
    summary: 'Delete an execution role',
    tag: 'Identity',
    action: 'iam:DeleteRole',
    status: [204],
  },
  // ---- secrets
  'GET /v1/secrets': {
    summary: 'List secrets (metadata)',
    tag: 'Secrets',
    action: 'secretsmanager:ListSecrets',
    response: 'SecretList',
  },
  'GET /v1/secrets/:name': {
    summary: "A secret's metadata (a name with `/` is percent-encoded into one segment)",
    tag: 'Secrets',
    action: 'secretsmanager:DescribeSecret',
    response: 'SecretView',
  },
  'GET /v1/secrets/:name/value': {
    summary: "A secret's value",
    tag: 'Secrets',
    action: 'secretsmanager:GetSecretValue',
    response: 'SecretValue',
  },
  'PUT /v1/secrets/:name': {
    summary: 'Create a secret (secretsmanager:CreateSecret) or write a new version (PutSecretValue)',
    tag: 'Secrets',
    action: 'secretsmanager:PutSecretValue',
    body: 'PutSecretRequest',
    status: [200, 201],
    response: 'SecretView',
  },
  'POST /v1/secrets/:name/rotate': {
    summary: 'Rotate a secret to a new value',
    tag: 'Secrets',
    action: 'secretsmanager:PutSecretValue',
    body: 'RotateSecretRequest',
    response: 'SecretView',
  },
  'DELETE /v1/secrets/:name': {
    summary: 'Delete a secret',
    tag: 'Secrets',
    action: 'secretsmanager:DeleteSecret',
    status: [204],
  },
  'POST /v1/secrets/rotate-master-key': {
    summary: 'New key-encryption key, every data key re-wrapped under it',
    tag: 'Secrets',
    action: 'nimbus:RotateMasterKey',
    operatorOnly: true,
    response: 'MasterKeyRotation',
  },
  // ---- audit
  'GET /v1/audit': {
    summary: 'Query the audit log',
    tag: 'Audit',
    action: 'nimbus:QueryAudit',
    query: AuditQuerySchema,
    response: 'AuditPage',
  },
  'POST /v1/audit/verify': {
    summary: "Verify the audit log's hash chain",
    tag: 'Audit',
    action: 'nimbus:VerifyAudit',
    operatorOnly: true,
    response: 'AuditVerification',
  },
  // ---- billing
  'GET /v1/usage': {
    summary: 'Usage with its cost, per invocation or aggregated (`by`), as JSON or CSV',
    tag: 'Billing',
    action: 'nimbus:GetUsage',
    query: q({
      function: str().optional(),
      since: num().int().optional().describe('epoch ms'),
      until: num().int().optional().describe('epoch ms'),
      limit: num().int().optional(),
      by: z.enum(GROUPINGS).optional(),
      format: z.enum(['json', 'csv']).optional(),
    }),
    produces: { 'text/csv': 'format=csv with by: a header line, one group per line' },
    response: 'UsageReport',
  },
  'GET /v1/prices': {
    summary: 'The price table',
    tag: 'Billing',
    action: 'nimbus:GetPrices',
    response: 'Prices',
  },
  'PUT /v1/prices': {
    summary: "Set the operator's price table",
    tag: 'Billing',
    action: 'nimbus:PutPrices',
    operatorOnly: true,
    body: 'PriceTable',
    response: 'Prices',
  },
  'DELETE /v1/prices': {
    summary: "Remove the operator's price table (back to the file's or the defaults)",
    tag: 'Billing',
    action: 'nimbus:PutPrices',
    operatorOnly: true,
    status: [204],
  },
  'GET /v1/budgets': {
    summary: 'List budgets with their spend',
    tag: 'Billing',
    action: 'nimbus:ListBudgets',
    response: 'BudgetList',
  },
  'GET /v1/budgets/:name': {
    summary: 'A budget',
    tag: 'Billing',
    action: 'nimbus:GetBudget',
    response: 'BudgetResult',
  },
  'PUT /v1/budgets/:name': {
    summary: 'Create or replace a budget (`action: block` caps spending)',
    tag: 'Billing',
    action: 'nimbus:PutBudget',
    body: 'BudgetRequest',
    response: 'BudgetResult',
  },
  'DELETE /v1/budgets/:name': {
    summary: 'Delete a budget',
    tag: 'Billing',
    action: 'nimbus:DeleteBudget',
    status: [204],
  },
  // ---- alerts
  'GET /v1/alerts': {
    summary: 'List alert rules with their state',
    tag: 'Alerts',
    action: 'nimbus:ListAlerts',
    response: 'AlertList',
  },
  'GET /v1/alerts/:name': {
    summary: 'An alert rule',
    tag: 'Alerts',
    action: 'nimbus:GetAlert',
    response: 'AlertResult',
  },
  'PUT /v1/alerts/:name': {
    summary: 'Create or replace an alert rule',
    tag: 'Alerts',
    action: 'nimbus:PutAlert',
    body: 'AlertRuleRequest',
    response: 'AlertResult',
  },
  'DELETE /v1/alerts/:name': {
    summary: 'Delete an alert rule',
    tag: 'Alerts',
    action: 'nimbus:DeleteAlert',
    status: [204],
  },
  // ---- metrics and status
  'GET /v1/metrics': {
    summary: "A series of a function's (or the tenant's) 1-minute rollups, aggregated into steps",
    tag: 'Metrics',
    action: 'nimbus:GetMetrics',
    query: q({
      function: str().optional(),
      name: z.enum(SERIES).optional(),
      step: z.enum(['60', '300', '3600']).optional().describe('seconds'),
      from: num().int().optional().describe('epoch ms'),
      to: num().int().optional().describe('epoch ms'),
    }),
    response: 'MetricSeries',
  },
  'GET /v1/metrics/live': {
    summary: 'Per-function rates over the last seconds (what `nimbus top` polls)',
    tag: 'Metrics',
    action: 'nimbus:GetMetrics',
    query: q({ window: num().int().min(1).max(LIVE_SECONDS).optional().describe('seconds') }),
    response: 'LiveMetrics',
  },
  'GET /v1/status': {
    summary: "The tenant's functions' instances (and the node's, for the operator)",
    tag: 'Platform',
    action: 'nimbus:GetStatus',
    response: 'PlatformStatus',
  },
  'GET /v1/doctor': {
    summary: 'Checks of the platform and the sandbox isolation',
    tag: 'Platform',
    action: 'nimbus:GetDoctor',
    response: 'DoctorReport',
  },
};

const AWS = 'https://docs.aws.amazon.com';
/** The APIs served in AWS's own shape, described by AWS's references, not by this document. */
export const COMPATIBLE_APIS = [
  {
    name: 'AWS Lambda',
    port: 'api',
    routes: ['/2015-03-31/*', '/2017-10-31/*', '/2019-09-25/*', '/2019-09-30/*'],
    docs: `${AWS}/lambda/latest/api/welcome.html`,
  },
  {
    name: 'AWS Secrets Manager',
    port: 'api',
    routes: ['POST / (X-Amz-Target: secretsmanager.*)'],
    docs: `${AWS}/secretsmanager/latest/apireference/Welcome.html`,
  },
  {
    name: 'Amazon SQS',
    port: 'api',
    routes: ['POST / (X-Amz-Target: AmazonSQS.*, or the query protocol)'],
    docs: `${AWS}/AWSSimpleQueueService/latest/APIReference/Welcome.html`,
  },
  {
    name: 'Amazon SNS',
    port: 'api',
    routes: ['POST / (query protocol)'],
    docs: `${AWS}/sns/latest/api/welcome.html`,
  },
  {
    name: 'Amazon EventBridge',
    port: 'api',
    routes: ['POST / (X-Amz-Target: AWSEvents.*)'],
    docs: `${AWS}/eventbridge/latest/APIReference/Welcome.html`,
  },
  {
    name: 'AWS Step Functions',
    port: 'api',
    routes: ['POST / (X-Amz-Target: AWSStepFunctions.*)'],
    docs: `${AWS}/step-functions/latest/apireference/Welcome.html`,
  },
  {
    name: 'Amazon CloudWatch Logs',
    port: 'api',
    routes: ['POST / (X-Amz-Target: Logs_20140328.*)'],
    docs: `${AWS}/AmazonCloudWatchLogs/latest/APIReference/Welcome.html`,
  },
  {
    name: 'Amazon S3',
    port: 's3',
    routes: ['the S3 port (path-style)'],
    docs: `${AWS}/AmazonS3/latest/API/Welcome.html`,
  },
] as const;
