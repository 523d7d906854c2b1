/**
 * @module workflows/service
 * State machines and executions for the protocol layers (Step Functions API, REST, CLI, the
 * context client). Definitions are parsed (JSON or YAML) and validated when stored; an execution
 * keeps the definition it started with. StartExecution commits the execution, its first history
 * event and its `start` event (outbox) in one transaction; the executor does the rest. Stop,
 * redrive and task callbacks are applied at once through the executor's step, so the caller
 * learns whether they took.
 */
import { randomUUID } from 'node:crypto';
import { isNimbusError } from '../core/errors.ts';
import { jsonTooDeep, MAX_JSON_DEPTH, parseForView } from '../core/json.ts';
import type { Clock, Queue, Store } from '../core/ports.ts';
import type { ExecutionRecord, ExecutionStatus, StateMachineRecord, TenantId } from '../core/types.ts';
import { validTraceparent } from '../observability/trace-context.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { StateIO } from './asl/io.ts';
import type { QueryLanguage } from './asl/types.ts';
import { newRuntime, type Runtime } from './engine/runtime.ts';
import { decodeTaskToken } from './engine/task-token.ts';
import { WorkflowErrors } from './errors.ts';
import { createExecutor, machineArnOf, startItem } from './executor.ts';
import type { Integration } from './integrations.ts';
import type {
  ExecutionView,
  HistoryEventView,
  MachineInput,
  MachineView,
  Page,
  WorkflowService,
} from './types.ts';

export interface WorkflowDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly region: string;
  /** The tenant's 12-digit account id (ARNs). */
  readonly accountOf: (tenant: TenantId) => string;
  readonly io: (language: QueryLanguage) => StateIO;
  readonly relay: () => Promise<void>;
  /** The queue the workflow events come from (the executor acks them). */
  readonly queue: Pick<Queue, 'ack' | 'nack' | 'deadLetter'>;
  readonly random?: () => number;
  /** The event bus's index rebuild (subscriptions of `nimbus:waitForEvent` Tasks). */
  readonly reloadTopic?: (tenant: TenantId, topic: string) => Promise<void>;
  /** Service calls of Tasks and Map readers (createIntegrations). */
  readonly integrations?: Readonly<Record<string, Integration>>;
  /** See ExecutorDeps.authorizeTask. */
  readonly authorizeTask?: (
    tenant: TenantId,
    roleArn: string,
    functionName: string,
  ) => Promise<string | undefined>;
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
  /** After a delete: what targets the machine (gateway routes, schedules, manifest rules) goes too. */
  readonly onMachineDeleted?: (tenant: TenantId, name: string) => Promise<void>;
  /** After an execution's start commits (metrics). */
  readonly onStarted?: (tenant: TenantId, machine: string) => void;
  /** A PRODUCER span per execution start (absent: tracing off). */
  readonly tracing?: Tracing | undefined;
  /** See ExecutorDeps.onTransition. */
  readonly onTransition?: (tenant: TenantId, machine: string, statesEntered: number, end?: string) => void;
  /** An execution ended here (cluster mode tells the other nodes, whose sync callers may wait). */
  readonly onEnded?: (arn: string) => void;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const MAX_INPUT = 256 * 1024;
const MAX_DEFINITION = 1024 * 1024;
/** Failed, timed-out and aborted executions may be redriven for 14 days (AWS's rule). */
const REDRIVE_WINDOW_MS = 14 * 86_400_000;
/** The waiter's backstop poll (another node may end the execution). */
const END_POLL_MS = 1000;

/** An execution input or task output: JSON of at most 256 KiB and MAX_JSON_DEPTH levels. */
function readDocument(text: string): { value: unknown } | { problem: string } {
  if (Buffer.byteLength(text) > MAX_INPUT) return { problem: `larger than ${MAX_INPUT} bytes` };
  if (jsonTooDeep(text)) return { problem: `it nests deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

let tools: Promise<[typeof import('./asl/parse.ts'), typeof import('./asl/validate.ts')]> | undefined;
const definitionTools = () => {
  tools ??= Promise.all([import('./asl/parse.ts'), import('./asl/validate.ts')]);
  return tools;
};

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function unb64<T>(s: string | undefined, field: string): T | undefined {
  if (s === undefined || s === '') return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as T;
  } catch {
    throw WorkflowErrors.INVALID_TOKEN({ reason: `${field} is not a token this API issued` });
  }
}

export function createWorkflowService(d: WorkflowDeps): WorkflowService {
  const waiters = new Map<string, Set<() => void>>();
  const executor = createExecutor({
    ...d,
    onEnd: (_tenant, arn) => {
      for (const w of waiters.get(arn) ?? []) w();
      d.onEnded?.(arn);
    },
  });

  const machineArn = (tenant: TenantId, name: string) => machineArnOf(d.region, d.accountOf(tenant), name);
  const executionArn = (tenant: TenantId, machine: string, name: string) =>
    `arn:aws:states:${d.region}:${d.accountOf(tenant)}:execution:${machine}:${name}`;
  const defaultRole = (tenant: TenantId) => `arn:aws:iam::${d.accountOf(tenant)}:role/nimbus-workflows`;

  function machineView({ tenant, ...m }: StateMachineRecord): MachineView {
    return { ...m, arn: machineArn(tenant, m.name), status: 'ACTIVE' };
  }

  function executionView(e: ExecutionRecord): ExecutionView {
    // The runtime state (large while a big Map runs) is read only for an execution that ended
    // badly: there it is small, its frames gone.
    const redrivable =
      (e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED') &&
      d.clock.now() - (e.stoppedAt ?? 0) <= REDRIVE_WINDOW_MS &&
      (JSON.parse(e.state) as Runtime).failedAt !== undefined;
    return {
      arn: e.arn,
      machineArn: machineArn(e.tenant, e.machine),
      machine: e.machine,
      name: e.name,
      status: e.status,
      input: e.input,
      output: e.output,
      error: e.error,
      cause: e.cause,
      startedAt: e.startedAt,
      stoppedAt: e.stoppedAt,
      redriveCount: e.redriveCount,
      redriveAt: e.redriveAt,
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    };
  }

  /**
   * Parses (JSON or YAML) and validates; the stored text is canonical JSON. The parser and
   * validator (yaml, asl-validator, jsonata: ~60 ms of module loading) load on the first
   * definition, not at platform start.
   */
  async function definitionText(def: string | object): Promise<string> {
    const [{ parseDefinition }, { validateDefinition }] = await definitionTools();
    const value = typeof def === 'string' ? parseDefinition(def) : def;
    const text = JSON.stringify(value);
    if (text === undefined || Buffer.byteLength(text) > MAX_DEFINITION)
      throw WorkflowErrors.INVALID_DEFINITION({
        problems: `the definition is larger than ${MAX_DEFINITION} bytes`,
      });
    const v = validateDefinition(value);
    if (!v.ok)
      throw WorkflowErrors.INVALID_DEFINITION(
        { problems: v.errors.map((p) => `${p.path}: ${p.message}`).join('; ') },
        { details: { problems: v.errors } },
      );
    return JSON.stringify(v.definition);
  }

  function checkName(name: string, what: string) {
    if (!NAME.test(name))
      throw WorkflowErrors.INVALID_NAME({
        name,
        reason: `${what} names are 1-80 characters of A-Z a-z 0-9 _ -`,
      });
  }

  function roleOf(tenant: TenantId, roleArn: string | undefined): string {
    if (roleArn === undefined || roleArn === '') return defaultRole(tenant);
    if (!ROLE_ARN.test(roleArn))
      throw WorkflowErrors.INVALID_ARN({ arn: roleArn, reason: 'not an IAM role ARN' });
    return roleArn;
  }

  async function machineOf(tenant: TenantId, name: string): Promise<StateMachineRecord> {
    const m = await d.store.workflows.getMachine(tenant, name);
    if (!m) throw WorkflowErrors.MACHINE_NOT_FOUND({ name });
    return m;
  }

  async function executionOf(tenant: TenantId, arn: string): Promise<ExecutionRecord> {
    const e = await d.store.workflows.getExecution(tenant, arn);
    if (!e) throw WorkflowErrors.EXECUTION_NOT_FOUND({ arn });
    return e;
  }

  async function createMachine(tenant: TenantId, m: MachineInput, upsert: boolean): Promise<MachineView> {
    checkName(m.name, 'state machine');
    const definition = await definitionText(m.definition);
    const roleArn = roleOf(tenant, m.roleArn);
    const now = d.clock.now();
    const rec: StateMachineRecord = {
      tenant,
      name: m.name,
      type: m.type ?? 'STANDARD',
      definition,
      roleArn,
      description: m.description ?? '',
      tags: m.tags ?? {},
      revisionId: randomUUID(),
      createdAt: now,
      updatedAt: now,
    };
    if (await d.store.workflows.createMachine(rec)) return machineView(rec);
    const existing = await machineOf(tenant, m.name);
    if (upsert) {
      if (m.type !== undefined && m.type !== existing.type)
        throw WorkflowErrors.INVALID_PARAMETER({
          field: 'type',
          reason: `${m.name} is ${existing.type}; a state machine's type cannot change (delete it and deploy again)`,
        });
      const u = {
        ...existing,
        definition,
        roleArn,
        description: rec.description,
        type: existing.type,
        revisionId: randomUUID(),
        updatedAt: now,
      };
      await d.store.workflows.updateMachine(u);
      return machineView(u);
    }
    // AWS: creating the same machine again is idempotent; a different one is a conflict.
    if (existing.definition === definition && existing.roleArn === roleArn && existing.type === rec.type)
      return machineView(existing);
    throw WorkflowErrors.MACHINE_EXISTS({ name: m.name });
  }

  function parseInput(input: string | undefined): string {
    const text = input === undefined || input === '' ? '{}' : input;
    const r = readDocument(text);
    if ('problem' in r) throw WorkflowErrors.INVALID_INPUT({ reason: r.problem });
    return text;
  }

  async function start(
    tenant: TenantId,
    s: {
      machine: string;
      name?: string | undefined;
      input?: string | undefined;
      traceparent?: string | undefined;
    },
  ) {
    const m = await machineOf(tenant, s.machine);
    const name = s.name ?? randomUUID();
    checkName(name, 'execution');
    const input = parseInput(s.input);
    const arn = executionArn(tenant, m.name, name);
    const now = d.clock.now();
    const rt = newRuntime();
    rt.events = 1;
    // The execution's trace: a span for its start (tracing on), kept in its state so every Task
    // invoke, whenever it runs, continues the trace of whoever started it.
    const span = d.tracing?.start(`StartExecution ${m.name}`, {
      kind: 'producer',
      parent: s.traceparent,
      attributes: { 'nimbus.tenant': tenant, 'nimbus.state_machine': m.name, 'nimbus.execution': name },
    });
    const traceparent = span ? span.traceparent : validTraceparent(s.traceparent);
    if (traceparent) rt.traceparent = traceparent;
    const rec: ExecutionRecord = {
      tenant,
      arn,
      machine: m.name,
      name,
      status: 'RUNNING',
      input,
      output: null,
      error: null,
      cause: null,
      startedAt: now,
      stoppedAt: null,
      definition: m.definition,
      roleArn: m.roleArn,
      seq: 0,
      state: JSON.stringify(rt),
      redriveCount: 0,
      redriveAt: null,
    };
    const started = {
      id: 1,
      previousEventId: 0,
      ts: now,
      type: 'ExecutionStarted',
      details: JSON.stringify({
        executionStartedEventDetails: {
          input,
          inputDetails: { truncated: false },
          roleArn: m.roleArn,
        },
      }),
    };
    const created = await d.store.transaction(async (tx) => {
      if (!(await tx.workflows.createExecution(rec, [started]))) return false;
      await tx.outbox.add([{ tenant, item: JSON.stringify(startItem(tenant, arn)) }]);
      return true;
    });
    if (!created) {
      const e = await executionOf(tenant, arn);
      // AWS: the same name and input while it runs is the same execution.
      if (e.status === 'RUNNING' && e.input === input) return executionView(e);
      throw WorkflowErrors.EXECUTION_EXISTS({ name });
    }
    span?.end();
    d.onStarted?.(tenant, m.name);
    await d.relay();
    return executionView(rec);
  }

  async function waitForEnd(tenant: TenantId, arn: string, timeoutMs: number): Promise<ExecutionView> {
    const deadline = d.clock.now() + timeoutMs;
    for (;;) {
      const e = await executionOf(tenant, arn);
      const left = deadline - d.clock.now();
      if (e.status !== 'RUNNING' || left <= 0) return executionView(e);
      await new Promise<void>((resolve) => {
        const s = waiters.get(arn) ?? new Set<() => void>();
        waiters.set(arn, s);
        const done = () => {
          cancel();
          s.delete(done);
          if (s.size === 0 && waiters.get(arn) === s) waiters.delete(arn);
          resolve();
        };
        const cancel = d.clock.setTimeout(done, Math.min(left, END_POLL_MS));
        s.add(done);
      });
    }
  }

  async function callback(
    tenant: TenantId,
    taskToken: string,
    event:
      | { type: 'callback'; ok: boolean; output?: unknown; error?: string; cause?: string }
      | { type: 'heartbeat' },
  ) {
    const t = decodeTaskToken(taskToken);
    if (!t) throw WorkflowErrors.INVALID_TOKEN({ reason: 'not a task token issued by this platform' });
    const e = await d.store.workflows.getExecution(tenant, t.arn);
    if (e?.status !== 'RUNNING') throw WorkflowErrors.TASK_NOT_FOUND();
    const tr = await executor.step(tenant, t.arn, { ...event, token: t.token, nonce: t.nonce } as never);
    if (!tr) throw WorkflowErrors.TASK_NOT_FOUND();
  }

  return {
    machineArn,
    createMachine: (tenant, m) => createMachine(tenant, m, false),
    putMachine: (tenant, m) => createMachine(tenant, m, true),

    async updateMachine(tenant, name, u) {
      const m = await machineOf(tenant, name);
      const next: StateMachineRecord = {
        ...m,
        definition: u.definition === undefined ? m.definition : await definitionText(u.definition),
        roleArn: u.roleArn === undefined ? m.roleArn : roleOf(tenant, u.roleArn),
        description: u.description ?? m.description,
        revisionId: randomUUID(),
        updatedAt: d.clock.now(),
      };
      if (!(await d.store.workflows.updateMachine(next))) throw WorkflowErrors.MACHINE_NOT_FOUND({ name });
      return machineView(next);
    },

    async describeMachine(tenant, name) {
      return machineView(await machineOf(tenant, name));
    },

    async listMachines(tenant) {
      return (await d.store.workflows.listMachines(tenant)).map(machineView);
    },

    async deleteMachine(tenant, name) {
      if (!(await d.store.workflows.deleteMachine(tenant, name)))
        throw WorkflowErrors.MACHINE_NOT_FOUND({ name });
      await d.onMachineDeleted?.(tenant, name);
      // Its running executions end with a coded error instead of running on unseen.
      for (;;) {
        const running = await d.store.workflows.listExecutions({
          tenant,
          machine: name,
          status: 'RUNNING',
          limit: 100,
        });
        if (running.length === 0) break;
        for (const e of running)
          await executor.step(tenant, e.arn, {
            type: 'stop',
            error: 'Nimbus.StateMachineDeleted',
            cause: `The state machine ${name} was deleted while this execution ran.`,
          });
      }
    },

    startExecution: (tenant, s) => start(tenant, s),

    async startSyncExecution(tenant, s, opts) {
      const m = await machineOf(tenant, s.machine);
      if (m.type !== 'EXPRESS')
        throw WorkflowErrors.TYPE_NOT_SUPPORTED({ operation: 'StartSyncExecution', name: m.name });
      const e = await start(tenant, s);
      const done = await waitForEnd(tenant, e.arn, opts?.timeoutMs ?? 5 * 60_000);
      if (done.status !== 'RUNNING') return done;
      // Express executions run at most five minutes: one that outlives its caller's wait ends.
      await executor.step(tenant, e.arn, {
        type: 'stop',
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'The synchronous execution ran longer than its caller waited.',
      });
      return executionView(await executionOf(tenant, e.arn));
    },

    async describeExecution(tenant, arn) {
      return executionView(await executionOf(tenant, arn));
    },

    async listExecutions(tenant, q) {
      const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
      if (q.machine !== undefined) await machineOf(tenant, q.machine);
      const before = unb64<{ startedAt: number; arn: string }>(q.nextToken, 'nextToken');
      const rows = await d.store.workflows.listExecutions({
        tenant,
        machine: q.machine,
        status: q.status as ExecutionStatus | undefined,
        before,
        limit: limit + 1,
      });
      const items = rows.slice(0, limit).map(executionView);
      const last = rows.length > limit ? rows[limit - 1] : undefined;
      return { items, nextToken: last ? b64({ startedAt: last.startedAt, arn: last.arn }) : undefined };
    },

    async stopExecution(tenant, arn, r) {
      const e = await executionOf(tenant, arn);
      if (e.status === 'RUNNING')
        await executor.step(tenant, arn, { type: 'stop', error: r.error, cause: r.cause });
      return executionView(await executionOf(tenant, arn));
    },

    async redriveExecution(tenant, arn) {
      const e = await executionOf(tenant, arn);
      const view = executionView(e);
      if (view.redriveStatus !== 'REDRIVABLE')
        throw WorkflowErrors.NOT_REDRIVABLE({
          arn,
          reason:
            e.status === 'RUNNING'
              ? 'it is still running'
              : e.status === 'SUCCEEDED'
                ? 'it succeeded'
                : 'it ended too long ago or before any state ran',
        });
      const now = d.clock.now();
      const tr = await executor.step(tenant, arn, { type: 'redrive' }, (rec) =>
        rec.status === 'RUNNING' || rec.status === 'SUCCEEDED'
          ? undefined
          : {
              ...rec,
              status: 'RUNNING',
              stoppedAt: null,
              output: null,
              error: null,
              cause: null,
              redriveCount: rec.redriveCount + 1,
              redriveAt: now,
            },
      );
      if (!tr) throw WorkflowErrors.NOT_REDRIVABLE({ arn, reason: 'it changed meanwhile' });
      return executionView(await executionOf(tenant, arn));
    },

    async history(tenant, arn, q) {
      await executionOf(tenant, arn);
      const limit = Math.min(Math.max(q.limit ?? 1000, 1), 1000);
      const cursor = unb64<{ id: number }>(q.nextToken, 'nextToken');
      const rows = await d.store.workflows.history(tenant, arn, {
        limit: limit + 1,
        reverse: q.reverse,
        ...(cursor ? (q.reverse ? { before: cursor.id } : { after: cursor.id }) : {}),
      });
      const items: HistoryEventView[] = rows.slice(0, limit).map((r) => ({
        id: r.id,
        previousEventId: r.previousEventId,
        timestamp: r.ts,
        type: r.type,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
      const last = rows.length > limit ? items[items.length - 1] : undefined;
      return { items, nextToken: last ? b64({ id: last.id }) : undefined } satisfies Page<HistoryEventView>;
    },

    waitForEnd,
    ended(arn) {
      for (const w of waiters.get(arn) ?? []) w();
    },

    async sendTaskSuccess(tenant, taskToken, output) {
      const r = readDocument(output);
      if ('problem' in r) throw WorkflowErrors.INVALID_OUTPUT({ reason: r.problem });
      await callback(tenant, taskToken, { type: 'callback', ok: true, output: r.value });
    },

    async sendTaskFailure(tenant, taskToken, r) {
      await callback(tenant, taskToken, {
        type: 'callback',
        ok: false,
        error: r.error ?? 'States.TaskFailed',
        cause: r.cause ?? '',
      });
    },

    async sendTaskHeartbeat(tenant, taskToken) {
      await callback(tenant, taskToken, { type: 'heartbeat' });
    },

    async handle(m) {
      const env = parseForView(m.body) as
        | { event?: { type?: unknown; machine?: unknown; input?: unknown } }
        | undefined;
      const ev = env?.event;
      if (ev?.type !== 'launch') return executor.handle(m, d.queue);
      // A stateMachine target (an EventBridge rule, a subscription, a schedule): the message id
      // names the execution, so a redelivery finds the one it started.
      try {
        await start(m.tenant, { machine: String(ev.machine), name: m.id, input: String(ev.input) });
      } catch (e) {
        if (!isNimbusError(e) || e.kind !== 'user') {
          await d.queue.nack(m.id, m.leaseToken, {
            retryAt: d.clock.now() + 1000,
            error: String((e as Error).message),
          });
          return;
        }
        if (e.code !== WorkflowErrors.codes.EXECUTION_EXISTS)
          d.log?.(
            'warn',
            { machine: ev.machine, err: e.message },
            'could not start an execution for an event',
          );
      }
      await d.queue.ack(m.id, m.leaseToken);
    },
  };
}
