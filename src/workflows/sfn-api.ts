/**
 * @module workflows/sfn-api
 * The Step Functions API (AWS JSON 1.0, `X-Amz-Target: AWSStepFunctions.<Op>`), as
 * `@aws-sdk/client-sfn` and boto3 speak it, over the workflow service: state machines
 * (Create/Update/Describe/List/Delete), executions (Start, StartSync, Describe, List, Stop,
 * Redrive, GetExecutionHistory) and the callback pattern (SendTaskSuccess/Failure/Heartbeat).
 *
 * ARNs: `arn:aws:states:<region>:<account>:stateMachine:<name>` and
 * `arn:aws:states:<region>:<account>:execution:<machine>:<name>` (`express:` for EXPRESS ones).
 * A malformed ARN is InvalidArn; an ARN of another account or region names nothing of the
 * caller's (StateMachineDoesNotExist / ExecutionDoesNotExist): the tenant is always the caller's.
 * Every operation authorizes `states:<Operation>` on the ARN it acts on (the task token
 * operations and ListStateMachines on `*`), as IAM does on AWS. Timestamps are epoch seconds.
 *
 * StartSyncExecution is sent by the SDKs to a `sync-` host prefix (`sync-states.<region>…`): the
 * API port answers it on whatever host name reaches it (clients with a custom endpoint can also
 * set `disableHostPrefix: true`).
 *
 * Not served: activities, versions and aliases (`publish: true` is refused; a qualified
 * state machine ARN is InvalidArn), map runs, TestState, logging/tracing/encryption settings
 * (accepted and ignored), tags after creation.
 */

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorize, type Principal } from '../api/auth.ts';
import type { AwsErrorType, AwsJsonInput, AwsJsonService } from '../api/aws-json.ts';
import { CoreErrors, type NimbusError } from '../core/errors.ts';
import type { ExecutionStatus, TenantId } from '../core/types.ts';
import { traceparentOfHeaders } from '../observability/trace-context.ts';
import { WorkflowErrors } from './errors.ts';
import type { ExecutionView, HistoryEventView, MachineView, WorkflowService } from './types.ts';

export interface SfnApiDeps {
  readonly workflows: WorkflowService;
  readonly region: string;
}

// ------------------------------------------------------------------ ARNs (shared with the REST routes)

const MACHINE_ARN = /^(arn:[^:]+:states:[^:]*:[^:]*:)stateMachine:([^:]+)(:[^:]*)?$/;
const EXECUTION_ARN = /^(arn:[^:]+:states:[^:]*:[^:]*:)(?:execution|express):([^:]+):[^:]+(?::[^:]+)?$/;
const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

/** `arn:aws:states:<region>:<account>:` of the tenant, as the service builds its ARNs. */
export function statesArnPrefix(w: WorkflowService, tenant: TenantId): string {
  const sample = w.machineArn(tenant, 'x');
  return sample.slice(0, sample.lastIndexOf('stateMachine:'));
}

/**
 * The name in a state machine ARN of the tenant's. InvalidArn when it is not a state machine ARN;
 * StateMachineDoesNotExist when it is another account's (or region's).
 */
export function machineNameOfArn(w: WorkflowService, tenant: TenantId, arn: string): string {
  const m = MACHINE_ARN.exec(arn);
  if (!m)
    throw WorkflowErrors.INVALID_ARN({
      arn: clip(arn),
      reason: 'expected arn:aws:states:<region>:<account>:stateMachine:<name>',
    });
  if (m[3] !== undefined)
    throw WorkflowErrors.INVALID_ARN({
      arn: clip(arn),
      reason: 'state machine versions and aliases are not supported',
    });
  if (m[1] !== statesArnPrefix(w, tenant)) throw WorkflowErrors.MACHINE_NOT_FOUND({ name: clip(arn) });
  return m[2]!;
}

/** The ARN itself when it is an execution ARN of the tenant's (InvalidArn / ExecutionDoesNotExist). */
/** The ARN of an execution's state machine (undefined: `arn` is no execution ARN). */
export function machineArnOfExecution(arn: string): string | undefined {
  const m = EXECUTION_ARN.exec(arn);
  return m ? `${m[1]}stateMachine:${m[2]}` : undefined;
}

export function ownExecutionArn(w: WorkflowService, tenant: TenantId, arn: string): string {
  const m = EXECUTION_ARN.exec(arn);
  if (!m)
    throw WorkflowErrors.INVALID_ARN({
      arn: clip(arn),
      reason: 'expected arn:aws:states:<region>:<account>:execution:<state machine>:<name>',
    });
  if (m[1] !== statesArnPrefix(w, tenant)) throw WorkflowErrors.EXECUTION_NOT_FOUND({ arn: clip(arn) });
  return arn;
}

// ------------------------------------------------------------------ inputs

const Arn = z.string().min(1).max(2048);
const NextToken = z.string().min(1).max(3096).optional();
const MaxResults = z.number().int().min(0).max(1000).optional();
const TaskToken = z.string().min(1).max(4096);
const IncludedData = z.enum(['ALL_DATA', 'METADATA_ONLY']).optional();
const Definition = z.string().min(1).max(1_048_576);
const Ignored = z.unknown().optional();
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

const S = {
  Create: z.object({
    name: z.string().min(1).max(256),
    definition: Definition,
    roleArn: z.string().min(1).max(256).optional(),
    type: z.enum(['STANDARD', 'EXPRESS']).optional(),
    tags: z
      .array(z.object({ key: z.string().min(1).max(128), value: z.string().max(256).optional() }))
      .max(50)
      .optional(),
    publish: z.boolean().optional(),
    versionDescription: z.string().max(256).optional(),
    loggingConfiguration: Ignored,
    tracingConfiguration: Ignored,
    encryptionConfiguration: Ignored,
  }),
  Update: z.object({
    stateMachineArn: Arn,
    definition: Definition.optional(),
    roleArn: z.string().min(1).max(256).optional(),
    publish: z.boolean().optional(),
    versionDescription: z.string().max(256).optional(),
    loggingConfiguration: Ignored,
    tracingConfiguration: Ignored,
    encryptionConfiguration: Ignored,
  }),
  Machine: z.object({ stateMachineArn: Arn, includedData: IncludedData }),
  ListMachines: z.object({ maxResults: MaxResults, nextToken: NextToken }),
  Start: z.object({
    stateMachineArn: Arn,
    name: z.string().min(1).max(256).optional(),
    input: z.string().max(262_144).optional(),
    traceHeader: z.string().max(256).optional(),
    includedData: IncludedData,
  }),
  Execution: z.object({ executionArn: Arn, includedData: IncludedData }),
  ListExecutions: z.object({
    stateMachineArn: Arn,
    statusFilter: z.enum(STATUSES).optional(),
    maxResults: MaxResults,
    nextToken: NextToken,
    redriveFilter: z.enum(['REDRIVEN', 'NOT_REDRIVEN']).optional(),
    mapRunArn: z.string().optional(),
  }),
  Stop: z.object({
    executionArn: Arn,
    error: z.string().max(256).optional(),
    cause: z.string().max(32_768).optional(),
  }),
  History: z.object({
    executionArn: Arn,
    maxResults: MaxResults,
    nextToken: NextToken,
    reverseOrder: z.boolean().optional(),
    includeExecutionData: z.boolean().optional(),
  }),
  Redrive: z.object({ executionArn: Arn, clientToken: z.string().max(256).optional() }),
  TaskSuccess: z.object({ taskToken: TaskToken, output: z.string().max(262_144) }),
  TaskFailure: z.object({
    taskToken: TaskToken,
    error: z.string().max(256).optional(),
    cause: z.string().max(32_768).optional(),
  }),
  TaskHeartbeat: z.object({ taskToken: TaskToken }),
};

function input<T>(schema: z.ZodType<T>, raw: AwsJsonInput): T {
  const r = schema.safeParse(raw);
  if (!r.success)
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    });
  return r.data;
}

// ------------------------------------------------------------------ outputs

/** Epoch seconds (AWS JSON timestamps), fractional. */
const sec = (ms: number) => ms / 1000;
const DEFAULT_PAGE = 100;
/** Execution data in history events: left out when `includeExecutionData` is false. */
const DATA_FIELDS = new Set(['input', 'output', 'parameters', 'assignedVariables']);

function executionData(v: ExecutionView, included: boolean) {
  if (!included) return { inputDetails: { included: false }, outputDetails: { included: false } };
  return {
    input: v.input,
    inputDetails: { included: true },
    ...(v.output !== null ? { output: v.output, outputDetails: { included: true } } : {}),
  };
}

function redriveReason(v: ExecutionView): string | undefined {
  if (v.redriveStatus === 'REDRIVABLE') return undefined;
  if (v.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven';
  if (v.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven';
  return 'The execution cannot be redriven';
}

function describeExecution(v: ExecutionView, included: boolean) {
  const reason = redriveReason(v);
  return {
    executionArn: v.arn,
    stateMachineArn: v.machineArn,
    name: v.name,
    status: v.status,
    startDate: sec(v.startedAt),
    ...(v.stoppedAt !== null ? { stopDate: sec(v.stoppedAt) } : {}),
    ...executionData(v, included),
    ...(v.error !== null ? { error: v.error } : {}),
    ...(v.cause !== null ? { cause: v.cause } : {}),
    redriveCount: v.redriveCount,
    ...(v.redriveAt !== null ? { redriveDate: sec(v.redriveAt) } : {}),
    redriveStatus: v.redriveStatus,
    ...(reason !== undefined ? { redriveStatusReason: reason } : {}),
  };
}

const executionItem = (v: ExecutionView) => ({
  executionArn: v.arn,
  stateMachineArn: v.machineArn,
  name: v.name,
  status: v.status,
  startDate: sec(v.startedAt),
  ...(v.stoppedAt !== null ? { stopDate: sec(v.stoppedAt) } : {}),
  redriveCount: v.redriveCount,
  ...(v.redriveAt !== null ? { redriveDate: sec(v.redriveAt) } : {}),
});

/** The sync answer: SUCCEEDED, FAILED or TIMED_OUT (one still running at the deadline times out). */
function syncResult(v: ExecutionView, included: boolean) {
  const running = v.status === 'RUNNING';
  const stop = v.stoppedAt ?? Date.now();
  return {
    executionArn: v.arn,
    stateMachineArn: v.machineArn,
    name: v.name,
    startDate: sec(v.startedAt),
    stopDate: sec(stop),
    status: running ? 'TIMED_OUT' : v.status,
    ...(running
      ? { error: 'States.Timeout', cause: 'The execution did not end in time for a synchronous answer.' }
      : {
          ...(v.error !== null ? { error: v.error } : {}),
          ...(v.cause !== null ? { cause: v.cause } : {}),
        }),
    ...executionData(v, included),
    billingDetails: { billedDurationInMilliseconds: Math.max(0, Math.round(stop - v.startedAt)) },
  };
}

function historyEvent(e: HistoryEventView, withData: boolean): Record<string, unknown> {
  let details: Readonly<Record<string, unknown>> = e.details;
  if (!withData) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.details))
      out[k] =
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).filter(([f]) => !DATA_FIELDS.has(f)))
          : v;
    details = out;
  }
  return {
    timestamp: sec(e.timestamp),
    type: e.type,
    id: e.id,
    previousEventId: e.previousEventId,
    ...details,
  };
}

const limitOf = (maxResults: number | undefined) =>
  maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE : maxResults;

/** One page of `all` (sorted by name) after the name a token carries. */
function pageByName(all: readonly MachineView[], maxResults: number | undefined, token: string | undefined) {
  const sorted = [...all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let start = 0;
  if (token !== undefined) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    start = sorted.findIndex((m) => m.name > after);
    if (start < 0) start = sorted.length;
  }
  const max = limitOf(maxResults);
  const items = sorted.slice(start, start + max);
  const more = start + max < sorted.length;
  return { items, nextToken: more ? Buffer.from(items.at(-1)!.name).toString('base64url') : undefined };
}

const tagsOf = (tags: readonly { key: string; value?: string | undefined }[] | undefined) =>
  tags === undefined ? undefined : Object.fromEntries(tags.map((t) => [t.key, t.value ?? '']));

const noVersions = (publish: boolean | undefined) => {
  if (publish)
    throw WorkflowErrors.INVALID_PARAMETER({
      field: 'publish',
      reason: 'state machine versions are not supported',
    });
};

// ------------------------------------------------------------------ the service

export function sfnApi(d: SfnApiDeps): AwsJsonService {
  const w = d.workflows;

  /** Authorizes `states:<op>` on the state machine ARN; the caller and the machine's name. */
  const onMachine = (req: FastifyRequest, op: string, arn: string): { p: Principal; name: string } => {
    const p = authorize(req, `states:${op}`, () => arn);
    return { p, name: machineNameOfArn(w, p.tenant, arn) };
  };
  /** Authorizes `states:<op>` on the execution ARN; the caller and the (checked) ARN. */
  const onExecution = (req: FastifyRequest, op: string, arn: string): { p: Principal; arn: string } => {
    const p = authorize(req, `states:${op}`, () => arn);
    return { p, arn: ownExecutionArn(w, p.tenant, arn) };
  };

  return {
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    errorType: sfnErrorType,
    dataOperations: new Set([
      'DescribeStateMachine',
      'ListStateMachines',
      'DescribeExecution',
      'ListExecutions',
      'GetExecutionHistory',
      'SendTaskHeartbeat',
    ]),
    operations: {
      async CreateStateMachine(raw, req) {
        const b = input(S.Create, raw);
        const p = authorize(req, 'states:CreateStateMachine', (a) =>
          a.of('states', `stateMachine:${b.name}`),
        );
        noVersions(b.publish);
        const m = await w.createMachine(p.tenant, {
          name: b.name,
          definition: b.definition,
          roleArn: b.roleArn,
          type: b.type,
          tags: tagsOf(b.tags),
        });
        return { stateMachineArn: m.arn, creationDate: sec(m.createdAt) };
      },

      async UpdateStateMachine(raw, req) {
        const b = input(S.Update, raw);
        const { p, name } = onMachine(req, 'UpdateStateMachine', b.stateMachineArn);
        noVersions(b.publish);
        const settings = ['loggingConfiguration', 'tracingConfiguration', 'encryptionConfiguration'];
        if (
          b.definition === undefined &&
          b.roleArn === undefined &&
          !settings.some((k) => raw[k] !== undefined)
        )
          throw WorkflowErrors.INVALID_PARAMETER({
            field: 'definition',
            reason: `give at least one of definition, roleArn, ${settings.join(', ')}`,
          });
        const m = await w.updateMachine(p.tenant, name, { definition: b.definition, roleArn: b.roleArn });
        return { updateDate: sec(m.updatedAt), revisionId: m.revisionId };
      },

      async DescribeStateMachine(raw, req) {
        const b = input(S.Machine, raw);
        const { p, name } = onMachine(req, 'DescribeStateMachine', b.stateMachineArn);
        const m = await w.describeMachine(p.tenant, name);
        return {
          stateMachineArn: m.arn,
          name: m.name,
          status: m.status,
          ...(b.includedData === 'METADATA_ONLY' ? {} : { definition: m.definition }),
          roleArn: m.roleArn,
          type: m.type,
          creationDate: sec(m.createdAt),
          loggingConfiguration: { level: 'OFF', includeExecutionData: false },
          tracingConfiguration: { enabled: false },
          revisionId: m.revisionId,
          ...(m.description ? { description: m.description } : {}),
        };
      },

      async ListStateMachines(raw, req) {
        const b = input(S.ListMachines, raw);
        const p = authorize(req, 'states:ListStateMachines');
        const page = pageByName(await w.listMachines(p.tenant), b.maxResults, b.nextToken);
        return {
          stateMachines: page.items.map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: m.type,
            creationDate: sec(m.createdAt),
          })),
          ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
        };
      },

      async DeleteStateMachine(raw, req) {
        const b = input(S.Machine, raw);
        const { p, name } = onMachine(req, 'DeleteStateMachine', b.stateMachineArn);
        await w.deleteMachine(p.tenant, name);
        return {};
      },

      async StartExecution(raw, req) {
        const b = input(S.Start, raw);
        const { p, name } = onMachine(req, 'StartExecution', b.stateMachineArn);
        // The caller's trace (the AWS SDK sends X-Amzn-Trace-Id from inside a function).
        const v = await w.startExecution(p.tenant, {
          machine: name,
          name: b.name,
          input: b.input,
          traceparent: traceparentOfHeaders(req.headers),
        });
        return { executionArn: v.arn, startDate: sec(v.startedAt) };
      },

      async StartSyncExecution(raw, req) {
        const b = input(S.Start, raw);
        const { p, name } = onMachine(req, 'StartSyncExecution', b.stateMachineArn);
        const v = await w.startSyncExecution(p.tenant, {
          machine: name,
          name: b.name,
          input: b.input,
          traceparent: traceparentOfHeaders(req.headers),
        });
        return syncResult(v, b.includedData !== 'METADATA_ONLY');
      },

      async DescribeExecution(raw, req) {
        const b = input(S.Execution, raw);
        const { p, arn } = onExecution(req, 'DescribeExecution', b.executionArn);
        return describeExecution(
          await w.describeExecution(p.tenant, arn),
          b.includedData !== 'METADATA_ONLY',
        );
      },

      async ListExecutions(raw, req) {
        const b = input(S.ListExecutions, raw);
        if (b.mapRunArn !== undefined)
          throw WorkflowErrors.INVALID_PARAMETER({
            field: 'mapRunArn',
            reason: 'map runs are not supported',
          });
        const { p, name } = onMachine(req, 'ListExecutions', b.stateMachineArn);
        const page = await w.listExecutions(p.tenant, {
          machine: name,
          status: b.statusFilter satisfies ExecutionStatus | undefined,
          limit: limitOf(b.maxResults),
          nextToken: b.nextToken,
        });
        const items =
          b.redriveFilter === undefined
            ? page.items
            : page.items.filter((v) => v.redriveCount > 0 === (b.redriveFilter === 'REDRIVEN'));
        return {
          executions: items.map(executionItem),
          ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
        };
      },

      async StopExecution(raw, req) {
        const b = input(S.Stop, raw);
        const { p, arn } = onExecution(req, 'StopExecution', b.executionArn);
        const v = await w.stopExecution(p.tenant, arn, { error: b.error, cause: b.cause });
        return { stopDate: sec(v.stoppedAt ?? Date.now()) };
      },

      async RedriveExecution(raw, req) {
        const b = input(S.Redrive, raw);
        const { p, arn } = onExecution(req, 'RedriveExecution', b.executionArn);
        const v = await w.redriveExecution(p.tenant, arn);
        return { redriveDate: sec(v.redriveAt ?? Date.now()) };
      },

      async GetExecutionHistory(raw, req) {
        const b = input(S.History, raw);
        const { p, arn } = onExecution(req, 'GetExecutionHistory', b.executionArn);
        const page = await w.history(p.tenant, arn, {
          limit: limitOf(b.maxResults),
          nextToken: b.nextToken,
          reverse: b.reverseOrder,
        });
        const withData = b.includeExecutionData !== false;
        return {
          events: page.items.map((e) => historyEvent(e, withData)),
          ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
        };
      },

      async SendTaskSuccess(raw, req) {
        const b = input(S.TaskSuccess, raw);
        const p = authorize(req, 'states:SendTaskSuccess');
        await w.sendTaskSuccess(p.tenant, b.taskToken, b.output);
        return {};
      },

      async SendTaskFailure(raw, req) {
        const b = input(S.TaskFailure, raw);
        const p = authorize(req, 'states:SendTaskFailure');
        await w.sendTaskFailure(p.tenant, b.taskToken, { error: b.error, cause: b.cause });
        return {};
      },

      async SendTaskHeartbeat(raw, req) {
        const b = input(S.TaskHeartbeat, raw);
        const p = authorize(req, 'states:SendTaskHeartbeat');
        await w.sendTaskHeartbeat(p.tenant, b.taskToken);
        return {};
      },
    },
  };
}

/** Step Functions' exception names (all 400, as on AWS) for the workflow errors. */
const SFN_ERRORS = new Map<string, string>([
  [WorkflowErrors.codes.MACHINE_NOT_FOUND, 'StateMachineDoesNotExist'],
  [WorkflowErrors.codes.MACHINE_EXISTS, 'StateMachineAlreadyExists'],
  [WorkflowErrors.codes.INVALID_DEFINITION, 'InvalidDefinition'],
  [WorkflowErrors.codes.INVALID_NAME, 'InvalidName'],
  [WorkflowErrors.codes.INVALID_ARN, 'InvalidArn'],
  [WorkflowErrors.codes.INVALID_INPUT, 'InvalidExecutionInput'],
  [WorkflowErrors.codes.INVALID_PARAMETER, 'ValidationException'],
  [WorkflowErrors.codes.EXECUTION_NOT_FOUND, 'ExecutionDoesNotExist'],
  [WorkflowErrors.codes.EXECUTION_EXISTS, 'ExecutionAlreadyExists'],
  [WorkflowErrors.codes.NOT_REDRIVABLE, 'ExecutionNotRedrivable'],
  [WorkflowErrors.codes.TYPE_NOT_SUPPORTED, 'StateMachineTypeNotSupported'],
  [WorkflowErrors.codes.INVALID_TOKEN, 'InvalidToken'],
  [WorkflowErrors.codes.TASK_NOT_FOUND, 'TaskDoesNotExist'],
  [WorkflowErrors.codes.INVALID_OUTPUT, 'InvalidOutput'],
  [CoreErrors.codes.VALIDATION, 'ValidationException'],
]);

export function sfnErrorType(e: NimbusError): AwsErrorType | undefined {
  const type = SFN_ERRORS.get(e.code);
  return type === undefined ? undefined : { type, status: 400 };
}
