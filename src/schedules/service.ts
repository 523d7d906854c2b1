/**
 * Recurring schedules: CRUD (REST + manifest) and the runner that turns due ticks into durable
 * async invocations.
 *
 * Exactly one fire per tick, across restarts: each tick is submitted with the idempotency key
 * `schedule:<name>:<tick>` (the queue dedupes it), then the schedule's next tick is moved by
 * compare-and-set. A crash between the two re-submits the same tick after restart, which the
 * queue recognises as a duplicate.
 *
 * Misfires: a tick more than MISFIRE_GRACE_MS late (the platform was down) fires once when the
 * schedule's policy is `fireOnce` (however many ticks were missed), or is skipped with `skip`.
 */
import { randomUUID } from 'node:crypto';
import type { AsyncService } from '../async/types.ts';
import { CoreErrors, toNimbusError } from '../core/errors.ts';
import type { Clock, ScheduleRepo } from '../core/ports.ts';
import type { MisfirePolicy, ScheduleRecord, TenantId } from '../core/types.ts';
import { WorkflowErrors } from '../workflows/errors.ts';
import type { WorkflowService } from '../workflows/types.ts';
import { type CompiledSchedule, compileSchedule } from './expression.ts';

export const MISFIRE_GRACE_MS = 60_000;
/** The runner re-reads its timers at least this often (cheap; bounds clock drift). */
const MAX_SLEEP_MS = 60_000;

export interface ScheduleInput {
  readonly name: string;
  /** The function a tick invokes; '' with `stateMachine`. */
  readonly functionName: string;
  /** A state machine a tick starts an execution of (instead of a function). */
  readonly stateMachine?: string | undefined;
  readonly qualifier?: string | undefined;
  readonly expression: string;
  readonly timezone?: string | undefined;
  /** Constant event (any JSON value). */
  readonly input?: unknown;
  readonly enabled?: boolean | undefined;
  readonly misfire?: MisfirePolicy | undefined;
  readonly description?: string | undefined;
}

export interface ScheduleService {
  put(tenant: TenantId, input: ScheduleInput, origin?: ScheduleRecord['origin']): Promise<ScheduleRecord>;
  get(tenant: TenantId, name: string): Promise<ScheduleRecord>;
  list(tenant: TenantId): Promise<ScheduleRecord[]>;
  delete(tenant: TenantId, name: string): Promise<void>;
  /** Replaces a function's manifest schedules with these (deploy). */
  replaceForFunction(
    tenant: TenantId,
    functionName: string,
    inputs: readonly ScheduleInput[],
  ): Promise<ScheduleRecord[]>;
  /** Replaces a state machine's manifest schedules with these (deploy; serverless-step-functions). */
  replaceForStateMachine(
    tenant: TenantId,
    stateMachine: string,
    inputs: readonly Omit<ScheduleInput, 'functionName' | 'stateMachine' | 'qualifier'>[],
  ): Promise<ScheduleRecord[]>;
  /** Drops a deleted function's schedules. */
  deleteForFunction(tenant: TenantId, functionName: string): Promise<void>;
  start(): Promise<void>;
  /** Stops firing (cluster mode: this node lost the leader lease) until `start` again. */
  pause(): Promise<void>;
  close(): Promise<void>;
  /** Runs one pass now (tests with a fake clock; also called on every change). */
  tick(): Promise<void>;
}

export interface ScheduleDeps {
  readonly repo: ScheduleRepo;
  readonly async: Pick<AsyncService, 'submit'>;
  /** Starts the executions of schedules that target a state machine. */
  readonly workflows?: Pick<WorkflowService, 'startExecution'> | undefined;
  readonly clock: Clock;
  /** The event's account: the schedule's tenant's (`accountOf`), else `accountId`. */
  readonly arn: { region: string; accountId: string; accountOf?: (tenant: string) => string };
  readonly log?: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function createScheduleService(d: ScheduleDeps): ScheduleService {
  const { repo, clock } = d;
  const log = d.log ?? (() => {});
  const compiled = new Map<string, { key: string; c: CompiledSchedule }>();
  const keyOf = (r: ScheduleRecord) => `${r.tenant}\u0000${r.name}`;
  const compileFor = (r: ScheduleRecord): CompiledSchedule => {
    const sig = `${r.expression}\u0000${r.timezone}\u0000${r.createdAt}`;
    const hit = compiled.get(keyOf(r));
    if (hit?.key === sig) return hit.c;
    const c = compileSchedule(r.expression, { timezone: r.timezone, anchor: r.createdAt });
    compiled.set(keyOf(r), { key: sig, c });
    return c;
  };

  let closed = false;
  let started = false;
  let cancelTimer: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let rerun = false;

  function validate(input: ScheduleInput): void {
    if (!NAME.test(input.name))
      throw CoreErrors.VALIDATION({ reason: `schedule name "${input.name}": 1–64 of A–Z a–z 0–9 . _ -` });
    if (!input.functionName && !input.stateMachine)
      throw CoreErrors.VALIDATION({ reason: 'a schedule needs a target function' });
    if (input.misfire !== undefined && input.misfire !== 'fireOnce' && input.misfire !== 'skip')
      throw CoreErrors.VALIDATION({ reason: 'misfire must be "fireOnce" or "skip"' });
    compileSchedule(input.expression, { timezone: input.timezone, anchor: 0 });
  }

  function record(
    tenant: TenantId,
    input: ScheduleInput,
    origin: ScheduleRecord['origin'],
    prior?: ScheduleRecord,
  ) {
    const now = clock.now();
    const sameTiming =
      prior && prior.expression === input.expression.trim() && prior.timezone === (input.timezone ?? 'UTC');
    const rec: ScheduleRecord = {
      tenant,
      name: input.name,
      functionName: input.stateMachine ? '' : input.functionName,
      ...(input.stateMachine ? { stateMachine: input.stateMachine } : {}),
      qualifier: input.qualifier,
      expression: input.expression.trim(),
      timezone: input.timezone ?? 'UTC',
      input: input.input === undefined ? undefined : JSON.stringify(input.input),
      enabled: input.enabled ?? true,
      misfire: input.misfire ?? 'fireOnce',
      origin,
      description: input.description ?? '',
      createdAt: sameTiming ? prior.createdAt : now,
      updatedAt: now,
      lastFireAt: prior?.lastFireAt,
      nextFireAt: undefined,
    };
    // Keep the pending tick when timing did not change (a redeploy must not skip or repeat it).
    const c = compileFor(rec);
    const nextFireAt = sameTiming && prior.nextFireAt !== undefined ? prior.nextFireAt : c.next(now);
    return { ...rec, nextFireAt };
  }

  async function put(tenant: TenantId, input: ScheduleInput, origin: ScheduleRecord['origin'] = 'api') {
    validate(input);
    const prior = await repo.get(tenant, input.name);
    const rec = record(tenant, input, origin, prior);
    await repo.put(rec);
    poke();
    return rec;
  }

  function eventFor(r: ScheduleRecord, tick: number): string {
    if (r.input !== undefined) return r.input;
    // EventBridge "Scheduled Event" shape.
    const account = d.arn.accountOf?.(r.tenant) ?? d.arn.accountId;
    return JSON.stringify({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account,
      time: new Date(tick).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: d.arn.region,
      resources: [`arn:aws:events:${d.arn.region}:${account}:rule/${r.name}`],
      detail: {},
    });
  }

  /**
   * A state machine's tick: one execution named `<schedule>-<tick>`, so a tick fired again (a
   * crash before the advance) finds the execution it started instead of starting another.
   */
  async function startExecution(r: ScheduleRecord, tick: number): Promise<void> {
    if (!d.workflows) throw CoreErrors.INTERNAL({ reason: 'schedules have no workflow service' });
    try {
      await d.workflows.startExecution(r.tenant, {
        machine: r.stateMachine!,
        name: `${r.name.replaceAll('.', '_')}-${tick}`,
        input: eventFor(r, tick),
      });
    } catch (e) {
      // Started by an earlier fire of this tick (and ended since): nothing to do.
      if (toNimbusError(e).code === WorkflowErrors.codes.EXECUTION_EXISTS) return;
      throw e;
    }
  }

  /** Returns false when the tick must be tried again later (back-pressure). */
  async function fireDue(r: ScheduleRecord, now: number): Promise<boolean> {
    const tick = r.nextFireAt!;
    const c = compileFor(r);
    const late = now - tick;
    const skip = late > MISFIRE_GRACE_MS && r.misfire === 'skip';
    if (!skip) {
      try {
        if (r.stateMachine !== undefined) await startExecution(r, tick);
        else
          await d.async.submit({
            tenant: r.tenant,
            functionName: r.functionName,
            qualifier: r.qualifier,
            payload: eventFor(r, tick),
            source: 'schedule',
            idempotencyKey: `schedule:${r.name}:${tick}`,
          });
      } catch (e) {
        const err = toNimbusError(e);
        if (err.status === 429 || err.kind === 'system') {
          // Back-pressure or trouble: keep the tick and try again on a later pass.
          log('warn', { schedule: r.name, code: err.code }, 'schedule tick not submitted yet');
          return false;
        }
        // The target is gone or invalid: this tick cannot run; log it and move on.
        log('error', { schedule: r.name, code: err.code, message: err.message }, 'schedule tick dropped');
      }
    } else {
      log('info', { schedule: r.name, tick: new Date(tick).toISOString() }, 'missed schedule tick skipped');
    }
    // Catch-up fires once: the next tick is the first one after now.
    const next = c.next(Math.max(now, tick));
    await repo.advance(r.tenant, r.name, tick, next, skip ? undefined : tick);
    return true;
  }

  async function pass(): Promise<void> {
    const now = clock.now();
    const all = await repo.listAll();
    let soonest = Number.POSITIVE_INFINITY;
    for (const r of all) {
      if (!r.enabled) continue;
      try {
        if (r.nextFireAt === undefined) {
          const next = compileFor(r).next(now);
          if (next !== undefined) await repo.advance(r.tenant, r.name, undefined, next);
          if (next !== undefined) soonest = Math.min(soonest, next);
          continue;
        }
        if (r.nextFireAt <= now) {
          // Fired: re-read at once (it may be due again); refused: retry in a second.
          soonest = Math.min(soonest, (await fireDue(r, now)) ? now : now + 1000);
          continue;
        }
        soonest = Math.min(soonest, r.nextFireAt);
      } catch (e) {
        log('error', { err: e, schedule: r.name }, 'schedule pass failed');
      }
    }
    if (closed) return;
    cancelTimer?.();
    const wait = Math.max(0, Math.min(MAX_SLEEP_MS, soonest - clock.now()));
    cancelTimer = clock.setTimeout(poke, soonest === now ? 0 : wait);
  }

  function poke(): void {
    if (!started || closed) return;
    void tick();
  }

  async function tick(): Promise<void> {
    if (running) {
      rerun = true;
      return running;
    }
    running = (async () => {
      do {
        rerun = false;
        await pass().catch((e: unknown) => log('error', { err: e }, 'schedule runner failed'));
      } while (rerun && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    put,
    async get(tenant, name) {
      const r = await repo.get(tenant, name);
      if (!r) throw CoreErrors.NOT_FOUND({ what: `schedule ${name}` });
      return r;
    },
    list: (tenant) => repo.list(tenant),
    async delete(tenant, name) {
      if (!(await repo.delete(tenant, name))) throw CoreErrors.NOT_FOUND({ what: `schedule ${name}` });
    },
    async replaceForFunction(tenant, functionName, inputs) {
      for (const i of inputs) validate({ ...i, functionName });
      const existing = (await repo.list(tenant)).filter(
        (r) => r.functionName === functionName && r.origin === 'manifest',
      );
      const keep = new Set(inputs.map((i) => i.name));
      for (const r of existing) if (!keep.has(r.name)) await repo.delete(tenant, r.name);
      const out: ScheduleRecord[] = [];
      for (const i of inputs) {
        const prior = await repo.get(tenant, i.name);
        if (prior && (prior.origin !== 'manifest' || prior.functionName !== functionName))
          throw CoreErrors.CONFLICT({ what: `schedule ${i.name} (it belongs to ${prior.functionName})` });
        const rec = record(tenant, { ...i, functionName }, 'manifest', prior);
        await repo.put(rec);
        out.push(rec);
      }
      poke();
      return out;
    },
    async replaceForStateMachine(tenant, stateMachine, inputs) {
      for (const i of inputs) validate({ ...i, functionName: '', stateMachine });
      const existing = (await repo.list(tenant)).filter(
        (r) => r.stateMachine === stateMachine && r.origin === 'manifest',
      );
      const keep = new Set(inputs.map((i) => i.name));
      for (const r of existing) if (!keep.has(r.name)) await repo.delete(tenant, r.name);
      const out: ScheduleRecord[] = [];
      for (const i of inputs) {
        const prior = await repo.get(tenant, i.name);
        if (prior && (prior.origin !== 'manifest' || prior.stateMachine !== stateMachine))
          throw CoreErrors.CONFLICT({
            what: `schedule ${i.name} (it belongs to ${prior.stateMachine ? `state machine ${prior.stateMachine}` : prior.functionName})`,
          });
        const rec = record(tenant, { ...i, functionName: '', stateMachine }, 'manifest', prior);
        await repo.put(rec);
        out.push(rec);
      }
      poke();
      return out;
    },
    async deleteForFunction(tenant, functionName) {
      await repo.deleteForFunction(tenant, functionName);
    },
    async start() {
      started = true;
      await tick();
    },
    async pause() {
      started = false;
      cancelTimer?.();
      await running;
    },
    async close() {
      closed = true;
      cancelTimer?.();
      await running;
    },
    tick,
  };
}
