/**
 * @module workflows/types
 * The workflows capability as the protocol layers see it (Step Functions API, REST /v1, CLI,
 * the function context client): state machines, executions, history, task tokens. Every call is
 * scoped to the caller's tenant; ARNs carry the tenant's account id.
 */
import type { ExecutionStatus, LeasedMessage, StateMachineRecord, TenantId } from '../core/types.ts';

/** A state machine as callers see it: the stored record, with its ARN instead of the tenant. */
export type MachineView = Omit<StateMachineRecord, 'tenant'> & {
  readonly arn: string;
  readonly status: 'ACTIVE';
};

export interface MachineInput {
  readonly name: string;
  /** ASL as JSON text, YAML text, or an already parsed object. */
  readonly definition: string | object;
  /** Default: the tenant's default workflow role (`arn:aws:iam::<account>:role/nimbus-workflows`). */
  readonly roleArn?: string | undefined;
  readonly type?: 'STANDARD' | 'EXPRESS' | undefined;
  readonly description?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface ExecutionView {
  readonly arn: string;
  readonly machineArn: string;
  readonly machine: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** JSON texts. */
  readonly input: string;
  readonly output: string | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly startedAt: number;
  readonly stoppedAt: number | null;
  readonly redriveCount: number;
  readonly redriveAt: number | null;
  /** REDRIVABLE | NOT_REDRIVABLE (ended SUCCEEDED, still running, or the machine is gone). */
  readonly redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';
}

export interface HistoryEventView {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  /** `{ <type>EventDetails: {...} }` (AWS's field names). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back to get the next page; absent on the last one. */
  readonly nextToken?: string | undefined;
}

export interface StartInput {
  readonly machine: string;
  /** Default: a UUID. Same name + same input while it exists: the same execution (idempotent). */
  readonly name?: string | undefined;
  /** JSON text (default `{}`). */
  readonly input?: string | undefined;
  /** The starter's trace (W3C `traceparent`): the execution's Task invokes continue it. */
  readonly traceparent?: string | undefined;
}

export interface WorkflowService {
  /** An execution ended on another node: its sync callers waiting here look again at once. */
  ended(arn: string): void;
  machineArn(tenant: TenantId, name: string): string;
  /** Creates; the same name, definition and role again returns the existing one (AWS's rule). */
  createMachine(tenant: TenantId, m: MachineInput): Promise<MachineView>;
  /** Creates or updates (deploys use this). */
  putMachine(tenant: TenantId, m: MachineInput): Promise<MachineView>;
  updateMachine(
    tenant: TenantId,
    name: string,
    u: {
      definition?: string | object | undefined;
      roleArn?: string | undefined;
      description?: string | undefined;
    },
  ): Promise<MachineView>;
  describeMachine(tenant: TenantId, name: string): Promise<MachineView>;
  listMachines(tenant: TenantId): Promise<MachineView[]>;
  deleteMachine(tenant: TenantId, name: string): Promise<void>;

  startExecution(tenant: TenantId, s: StartInput): Promise<ExecutionView>;
  /** Runs to the end and answers (EXPRESS machines), or gives up at `timeoutMs` (then RUNNING). */
  startSyncExecution(tenant: TenantId, s: StartInput, opts?: { timeoutMs?: number }): Promise<ExecutionView>;
  describeExecution(tenant: TenantId, arn: string): Promise<ExecutionView>;
  listExecutions(
    tenant: TenantId,
    q: {
      machine?: string | undefined;
      status?: ExecutionStatus | undefined;
      limit?: number | undefined;
      nextToken?: string | undefined;
    },
  ): Promise<Page<ExecutionView>>;
  stopExecution(
    tenant: TenantId,
    arn: string,
    r: { error?: string | undefined; cause?: string | undefined },
  ): Promise<ExecutionView>;
  redriveExecution(tenant: TenantId, arn: string): Promise<ExecutionView>;
  history(
    tenant: TenantId,
    arn: string,
    q: { limit?: number | undefined; nextToken?: string | undefined; reverse?: boolean | undefined },
  ): Promise<Page<HistoryEventView>>;
  /** Resolves when the execution is no longer RUNNING (or at timeoutMs, with it still running). */
  waitForEnd(tenant: TenantId, arn: string, timeoutMs: number): Promise<ExecutionView>;

  sendTaskSuccess(tenant: TenantId, taskToken: string, output: string): Promise<void>;
  sendTaskFailure(
    tenant: TenantId,
    taskToken: string,
    r: { error?: string | undefined; cause?: string | undefined },
  ): Promise<void>;
  sendTaskHeartbeat(tenant: TenantId, taskToken: string): Promise<void>;

  /** The executor: applies one workflow queue message (acks it itself). */
  handle(m: LeasedMessage): Promise<void>;
}
