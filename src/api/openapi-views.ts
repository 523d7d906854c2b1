/**
 * Schemas the OpenAPI document (openapi.ts) needs and the routes do not validate with zod:
 * bodies checked by hand-written parsers (alerts, budgets, the logs setting) and the answer of
 * every route that answers JSON (views.ts and the route files' `*View` functions; the answers of
 * the other capabilities are in openapi-answers.ts, re-exported here). Documentation only: no
 * route parses with these. openapi.test checks that every JSON route declares one; openapi.e2e
 * checks them against the real parsers and real answers (an answer field the schema does not
 * name fails it too), so a drift fails a test.
 */
import { z } from 'zod';
import { ALERT_METRICS } from '../alerts/index.ts';
import { AsyncConfigSchema } from '../async/config.ts';
import { ScalingConfigSchema } from '../scheduler/config.ts';
import { egressPolicySchema } from '../security/egress.ts';

export * from './openapi-answers.ts';

const iso = z.iso.datetime({ offset: true }).describe('ISO 8601 time');
const int = z.number().int();

// ---- request bodies validated by hand (src/alerts, src/budgets, src/observability/log-settings)

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const AlertRuleBody = z
  .object({
    metric: z.enum(ALERT_METRICS),
    function: z.string().regex(NAME).optional(),
    /** budget_percent only: the budget's name. */
    budget: z.string().optional(),
    op: z.enum(['>', '>=', '<', '<=', '==']).optional(),
    threshold: z.number(),
    windowSec: int.min(60).max(86_400).multipleOf(60).optional(),
    forSec: int.min(0).max(86_400).optional(),
    notify: z
      .array(
        z.union([
          z.object({ topic: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/) }).strict(),
          z.object({ function: z.string().regex(NAME) }).strict(),
          z.object({ webhook: z.url().max(2048) }).strict(),
        ]),
      )
      .max(10)
      .optional(),
    description: z.string().max(512).optional(),
  })
  .strict();

export const BudgetBody = z
  .object({
    limitUsd: z.number().gt(0).max(1e9),
    period: z.union([z.literal('monthly'), z.object({ days: int.min(1).max(366) }).strict()]).optional(),
    thresholds: z.array(z.number().gt(0).max(1000)).max(10).optional(),
    action: z.enum(['block', 'notify']).optional(),
    function: z.string().regex(NAME).optional(),
    topic: z.string().optional(),
  })
  .strict();

export const LogSettingsBody = z
  .object({
    retentionDays: int.min(1).max(3650),
    maxMegabytes: int
      .min(1)
      .max(1024 * 1024)
      .nullable(),
    redact: z.array(z.string()).describe('regular expressions; matches are replaced by ***'),
    linesPerSecond: int.min(1).max(1_000_000),
    bytesPerSecond: int.min(1024).max(1024 * 1024 * 1024),
  })
  .partial()
  .strict();

// ---- answers

export const FunctionView = z.object({
  name: z.string(),
  arn: z.string(),
  runtime: z.string(),
  handler: z.string(),
  memoryMb: int,
  timeoutSec: int,
  environment: z.record(z.string(), z.string()),
  description: z.string(),
  reservedConcurrency: int.nullable(),
  async: AsyncConfigSchema.nullable(),
  scaling: ScalingConfigSchema.nullable(),
  isolation: z.enum(['process', 'isolate']),
  egress: egressPolicySchema,
  role: z.string().nullable(),
  secrets: z.array(z.string()),
  codeSha256: z.string(),
  codeSize: int,
  sourceSha256: z
    .string()
    .nullable()
    .describe('sha256 of the archive it was deployed from, when the platform kept it (GET …/source)'),
  revisionId: z.string(),
  createdAt: iso,
  updatedAt: iso,
});

export const VersionView = z.object({
  version: z.string(),
  arn: z.string(),
  runtime: z.string(),
  handler: z.string(),
  memoryMb: int,
  timeoutSec: int,
  isolation: z.enum(['process', 'isolate']),
  egress: z.record(z.string(), z.unknown()),
  description: z.string(),
  codeSha256: z.string(),
  createdAt: iso,
});

export const AliasView = z.object({
  name: z.string(),
  arn: z.string(),
  functionVersion: z.string(),
  additionalWeights: z.record(z.string(), z.number()),
  description: z.string(),
  revisionId: z.string(),
});

const Timings = z.object({ buildMs: z.number(), storeMs: z.number(), totalMs: z.number() });

export const DeployResult = z.union([
  z.object({
    function: FunctionView,
    version: VersionView.optional(),
    timings: Timings,
    warnings: z.array(z.string()),
    unchanged: z.boolean(),
  }),
  z.object({
    dryRun: z.literal(true),
    codeSha256: z.string(),
    codeSize: int,
    exists: z.boolean(),
    unchanged: z.boolean(),
    timings: Timings,
    warnings: z.array(z.string()),
  }),
]);

export const FunctionList = z.object({ functions: z.array(FunctionView) });
export const FunctionDetail = z.object({
  function: FunctionView,
  versions: z.array(VersionView),
  aliases: z.array(AliasView),
});
export const FunctionResult = z.object({ function: FunctionView });
export const VersionResult = z.object({ version: VersionView });
export const VersionList = z.object({ versions: z.array(VersionView) });
export const AliasResult = z.object({ alias: AliasView });
export const AliasList = z.object({ aliases: z.array(AliasView) });

export const InvokeResult = z.object({
  requestId: z.string(),
  version: z.string(),
  ok: z.boolean(),
  result: z.unknown().optional().describe('what the handler returned (ok)'),
  error: z
    .looseObject({
      errorType: z.string(),
      errorMessage: z.string(),
      trace: z.array(z.string()),
      code: z.string().describe('the coded platform error (timeout, oom, crash…)'),
    })
    .partial()
    .optional()
    .describe("the function error (not ok): what the function's runtime reported, and the code"),
  cold: z.boolean(),
  initDurationMs: z.number().optional(),
  durationMs: z.number(),
  billedDurationMs: z.number(),
  maxRssBytes: z.number().optional(),
  memoryMb: int,
  logTail: z.string().optional(),
});

export const AsyncSubmitted = z.object({ id: z.string(), duplicate: z.boolean() });

export const LogLineView = z.object({
  seq: int,
  ts: int.describe('epoch ms'),
  requestId: z.string(),
  version: z.string(),
  stream: z.string(),
  message: z.string(),
  instanceId: z.string(),
  level: z.string().nullable(),
});
export const LogPage = z.object({ lines: z.array(LogLineView), nextSeq: int, more: z.boolean() });

export const RouteView = z.object({
  id: z.string(),
  routeKey: z.string(),
  function: z.string().nullable(),
  stateMachine: z.string().optional(),
  qualifier: z.string().nullable(),
  payloadFormat: z.enum(['1.0', '2.0']),
  throttle: z.record(z.string(), z.unknown()).nullable(),
  stage: z.string().nullable(),
  cors: z.record(z.string(), z.unknown()).nullable(),
  auth: z.record(z.string(), z.unknown()).nullable(),
  createdAt: iso,
});
export const RouteResult = z.object({ route: RouteView });
export const RouteList = z.object({ routes: z.array(RouteView) });

export const TopicView = z.object({ name: z.string(), description: z.string() });
export const TopicList = z.object({ topics: z.array(TopicView) });
export const TopicDetail = TopicView.extend({ subscriptions: int });

export const SubscriptionView = z.object({
  id: z.string(),
  topic: z.string(),
  pattern: z.unknown().describe('the event pattern, or null'),
  target: z.union([
    z.object({ function: z.string(), qualifier: z.string().optional() }),
    z.object({ webhook: z.string() }),
    z.object({ sqs: z.string() }),
    z.object({ stateMachine: z.string() }),
    z.object({ workflow: z.string() }),
    z.object({ topic: z.string() }),
  ]),
  view: z.enum(['cloudevent', 'eventbridge', 'sns']),
  inputTransformer: z.record(z.string(), z.unknown()).nullable(),
  partitionKey: z.string().nullable(),
  retry: z.record(z.string(), z.unknown()).nullable(),
  origin: z.string(),
  owner: z.string().nullable(),
  description: z.string(),
  createdAt: iso,
});
export const SubscriptionList = z.object({ subscriptions: z.array(SubscriptionView) });

export const ScheduleView = z.object({
  name: z.string(),
  function: z.string().nullable(),
  stateMachine: z.string().optional(),
  qualifier: z.string().nullable(),
  expression: z.string(),
  timezone: z.string(),
  input: z.unknown(),
  enabled: z.boolean(),
  misfire: z.enum(['fireOnce', 'skip']),
  origin: z.string(),
  description: z.string(),
  nextFireAt: iso.nullable(),
  lastFireAt: iso.nullable(),
  createdAt: iso,
  updatedAt: iso,
});
export const ScheduleList = z.object({ schedules: z.array(ScheduleView) });

export const Identity = z.object({
  tenant: z.string(),
  accountId: z.string(),
  arn: z.string(),
  region: z.string(),
});

export const PermissionsView = z.object({
  allowed: z
    .record(z.string(), z.boolean())
    .describe('action → whether the caller may perform it (on the asked resource, else `*`)'),
});

/** The coded error every 4xx/5xx answer carries (src/core/errors.ts `NimbusErrorJSON`). */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('NIMBUS_ERR_<AREA>_<WHAT>'),
    message: z.string(),
    status: int,
    kind: z.enum(['user', 'system']),
    retryable: z.boolean(),
    retryAfterMs: z.number().optional(),
    hint: z.string().optional().describe('how to fix it'),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
