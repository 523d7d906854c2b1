/**
 * Message move tasks: SQS's dead-letter-queue redrive (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask), as AWS documents it:
 * - the source is a dead-letter queue (some queue's RedrivePolicy targets it); the destination is
 *   a queue of the same type (FIFO or standard), or none: each message goes back to the queue
 *   whose RedrivePolicy moved it there (the port `source` `redrive:<queue>` every dead-lettered
 *   message has carried since the first SQS release);
 * - one task at a time per source; MaxNumberOfMessagesPerSecond 1-500 (none: as fast as the
 *   queue commits);
 * - a moved message is a new message of the destination: new MessageId, receive count 0, its
 *   retention period starts again; body, message attributes, trace header, FIFO group and
 *   deduplication id are kept (FIFO: a new sequence number, no deduplication against the original
 *   send, which would drop it).
 *
 * The move: the task leases a batch of the dead-letter queue's visible messages (oldest first)
 * and acks each with the destination message as its follow-up — one commit, so a message is
 * never in both queues nor in neither. It moves the messages that were in the queue when it
 * started (a message dead-lettered later is given back at once, counting a receive): when a lease
 * finds none of those visible, the task is COMPLETED. Messages a consumer holds in flight then
 * stay. A message with no queue to go back to (sent to the dead-letter queue directly, or its
 * queue deleted) FAILS the task, naming it; it stays, with the ones after it (start a task with a
 * destination for them).
 *
 * Tasks are stored in the settings table (`sqs.move-tasks/<queue>`, the last 10 per queue), and
 * every change to them is one atomic read-change-write (SettingsRepo.update, locked across
 * cluster nodes): a cancel, a heartbeat and a takeover never overwrite one another, and only one
 * node takes a stale task over. They survive a restart: a RUNNING task whose heartbeat (saved
 * every second while it runs) is older than STALE_MS is taken over — at start-up, and on every
 * retention sweep (cluster mode: a node that died) — and goes on with the messages still in the
 * dead-letter queue, once the leases of its previous run have lapsed; its count may miss the
 * moves of its last second. A restart never loses or duplicates a message: each move is one
 * commit.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Queue, SettingsRepo, SqsQueueRepo } from '../core/ports.ts';
import type { EnqueueItem, LeasedMessage, SqsQueueRecord, TenantId } from '../core/types.ts';
import { SqsErrors } from './errors.ts';
import { DEAD_LETTER_SOURCE, parseStored, portQueue, type Stored, sequenceNumber } from './stored.ts';

export const MOVE_TASK_STATUSES = ['RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED'] as const;
export type MoveTaskStatus = (typeof MOVE_TASK_STATUSES)[number];

export interface MoveTask {
  readonly id: string;
  /** The dead-letter queue the messages leave. */
  readonly source: string;
  /** null: each message goes back to the queue it was dead-lettered from. */
  readonly destination: string | null;
  readonly maxPerSecond: number | null;
  readonly status: MoveTaskStatus;
  readonly moved: number;
  /** The source's visible messages when the task started. */
  readonly toMove: number;
  readonly startedAt: number;
  /** Its last change; while RUNNING, the heartbeat of the node that runs it. */
  readonly updatedAt: number;
  readonly endedAt: number | null;
  readonly failureReason: string | null;
}

export interface MoveTaskDeps {
  readonly repo: SqsQueueRepo;
  readonly queue: Queue;
  /** Where tasks are kept; without it (unit use), in memory only. */
  readonly settings?: SettingsRepo | undefined;
  readonly clock: Clock;
  /** Wakes the long polls of a port queue (a moved message is there). */
  readonly wake: (portQueue: string) => void;
  /** Queues whose RedrivePolicy targets `name`. */
  readonly deadLetterSources: (tenant: TenantId, name: string) => Promise<SqsQueueRecord[]>;
  readonly log?:
    | ((level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void)
    | undefined;
}

export interface StartMove {
  readonly destination?: string | undefined;
  readonly maxPerSecond?: number | undefined;
}

export interface MoveTasks {
  start(tenant: TenantId, source: string, o: StartMove): Promise<MoveTask>;
  /** The source's tasks, newest first. */
  list(tenant: TenantId, source: string): Promise<MoveTask[]>;
  /** Cancels a RUNNING task; answers it as it ended (or CANCELLING when another node runs it). */
  cancel(tenant: TenantId, source: string, id: string): Promise<MoveTask>;
  /** The queue is deleted: its running task stops and its tasks are forgotten. */
  forget(tenant: TenantId, name: string): Promise<void>;
  /** Takes over RUNNING tasks nobody runs (their heartbeat is older than STALE_MS). */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** Tasks kept per queue (ListMessageMoveTasks answers at most 10). */
const KEEP = 10;
const BATCH = 10;
/** How long a batch's messages are leased for the move (it takes milliseconds). */
const MOVE_LEASE_MS = 10_000;
/** Progress and heartbeat are saved at most this often. */
const SAVE_MS = 1000;
/** A RUNNING task not saved for this long has no runner: taken over (longer than a lease). */
export const STALE_MS = 15_000;
export const MAX_PER_SECOND = 500;

const keyOf = (name: string) => `sqs.move-tasks/${name}`;
const active = (t: MoveTask) => t.status === 'RUNNING' || t.status === 'CANCELLING';
const isFifo = (q: SqsQueueRecord) => q.attributes.FifoQueue === 'true';

interface Runner {
  readonly id: string;
  cancel: boolean;
  stop: boolean;
  done: Promise<void>;
}

export function createMoveTasks(d: MoveTaskDeps): MoveTasks {
  const { repo, queue, clock } = d;
  const memory = new Map<string, MoveTask[]>();
  const runners = new Map<string, Runner>();
  let closed = false;
  let recheck: { at: number; cancel: () => void } | undefined;

  const rk = (tenant: TenantId, name: string) => `${tenant}\u0000${name}`;

  async function load(tenant: TenantId, name: string): Promise<MoveTask[]> {
    if (!d.settings) return memory.get(rk(tenant, name)) ?? [];
    return (await d.settings.get<{ tasks: MoveTask[] }>(tenant, keyOf(name)))?.tasks ?? [];
  }

  /**
   * Changes the queue's task list in one atomic read-change-write (SettingsRepo.update: across
   * cluster nodes too, so that a cancel, a heartbeat and a takeover never overwrite each other).
   * `fn` answers the same array for no change. Answers the list as stored.
   */
  async function change(
    tenant: TenantId,
    name: string,
    fn: (tasks: readonly MoveTask[]) => readonly MoveTask[],
  ): Promise<readonly MoveTask[]> {
    if (!d.settings) {
      const next = fn(memory.get(rk(tenant, name)) ?? []);
      memory.set(rk(tenant, name), [...next]);
      return next;
    }
    const stored = await d.settings.update<{ tasks: MoveTask[] }>(tenant, keyOf(name), (cur) => {
      const tasks = cur?.tasks ?? [];
      const next = fn(tasks);
      return next === tasks ? cur : { tasks: [...next] };
    });
    return stored?.tasks ?? [];
  }

  /**
   * Changes one task (nothing when it is gone: the queue was deleted); answers it as stored.
   * `fn` answers the task itself for no change.
   */
  const update = async (tenant: TenantId, name: string, id: string, fn: (t: MoveTask) => MoveTask) =>
    (
      await change(tenant, name, (tasks) => {
        const i = tasks.findIndex((t) => t.id === id);
        if (i < 0) return tasks;
        const next = fn(tasks[i]!);
        return next === tasks[i] ? tasks : tasks.map((t, j) => (j === i ? next : t));
      })
    ).find((t) => t.id === id);

  const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, Math.max(0, ms)));

  function launch(tenant: TenantId, t: MoveTask): void {
    const k = rk(tenant, t.source);
    if (runners.has(k) || closed) return;
    const runner: Runner = { id: t.id, cancel: false, stop: false, done: Promise.resolve() };
    runners.set(k, runner);
    runner.done = run(tenant, t, runner)
      .catch(async (e: unknown) => {
        d.log?.('error', { err: e, tenant, queue: t.source, task: t.id }, 'SQS message move task failed');
        const reason = `internal error: ${e instanceof Error ? e.message : String(e)}`;
        // If even this fails, the task stays RUNNING and is taken over once its heartbeat is stale.
        await update(tenant, t.source, t.id, (x) => ended(x, 'FAILED', x.moved, reason)).catch(
          () => undefined,
        );
      })
      .finally(() => {
        if (runners.get(k) === runner) runners.delete(k);
      });
  }

  const ended = (t: MoveTask, status: MoveTaskStatus, moved: number, reason?: string): MoveTask => {
    const now = clock.now();
    return { ...t, status, moved, updatedAt: now, endedAt: now, failureReason: reason ?? null };
  };

  async function run(tenant: TenantId, t: MoveTask, r: Runner): Promise<void> {
    const qn = portQueue(tenant, t.source);
    let moved = t.moved;
    const finish = async (status: MoveTaskStatus, reason?: string) => {
      await update(tenant, t.source, t.id, (x) => ended(x, status, moved, reason));
    };
    const src = await repo.get(tenant, t.source);
    if (!src) return; // deleted: forget() has dropped its tasks
    const fifo = isFifo(src);
    /** The destinations looked up for this batch (read again each batch: one may be deleted). */
    const destinations = new Map<string, SqsQueueRecord | undefined>();
    /** Where a message goes, or why it cannot. */
    const destinationOf = async (m: LeasedMessage): Promise<SqsQueueRecord | string> => {
      const id = parseStored(m.body).m ?? m.id;
      const name =
        t.destination ??
        (m.source.startsWith(DEAD_LETTER_SOURCE) ? m.source.slice(DEAD_LETTER_SOURCE.length) : undefined);
      if (name === undefined)
        return `message ${id} was sent to ${t.source} directly, not moved there by a RedrivePolicy: it has no source queue to go back to (start a task with a destination)`;
      if (!destinations.has(name)) destinations.set(name, await repo.get(tenant, name));
      const q = destinations.get(name);
      if (!q) return `message ${id} goes to queue ${name}, which no longer exists`;
      if (isFifo(q) !== fifo)
        return `message ${id} goes to queue ${name}, which is not ${fifo ? 'a FIFO' : 'a standard'} queue`;
      return q;
    };
    const moveItem = (m: LeasedMessage, to: SqsQueueRecord): EnqueueItem => {
      // A new message of the destination: its own MessageId (no `m`), FIFO sequence number.
      const { m: _previousId, ...s } = parseStored(m.body);
      const body: Stored = isFifo(to) ? { ...s, n: sequenceNumber(clock.now()) } : s;
      return {
        queue: portQueue(tenant, to.name),
        tenant,
        body: JSON.stringify(body),
        source: `move:${t.source}`,
        group: fifo ? (m.group ?? s.g) : undefined,
      };
    };
    const giveBack = (list: readonly LeasedMessage[]) =>
      Promise.all(list.map((m) => queue.extend(m.id, m.leaseToken, 0)));

    let saved = clock.now();
    let windowStart = saved;
    let inWindow = 0;
    for (;;) {
      if (closed || r.stop) return; // stays RUNNING: taken over after a restart
      if (r.cancel) return finish('CANCELLED');
      let max = BATCH;
      const now = clock.now();
      if (t.maxPerSecond !== null) {
        if (now - windowStart >= 1000) {
          windowStart = now;
          inWindow = 0;
        }
        max = Math.min(BATCH, t.maxPerSecond - inWindow);
        if (max <= 0) {
          await sleep(windowStart + 1000 - now);
          continue;
        }
      }
      destinations.clear();
      const got = await queue.lease(qn, { max, visibilityMs: MOVE_LEASE_MS });
      const before = got.filter((m) => m.enqueuedAt <= t.startedAt);
      await giveBack(got.filter((m) => m.enqueuedAt > t.startedAt));
      if (before.length === 0) return finish('COMPLETED');
      for (const [i, m] of before.entries()) {
        const to = await destinationOf(m);
        if (typeof to === 'string') {
          await giveBack(before.slice(i));
          return finish('FAILED', to);
        }
        const item = moveItem(m, to);
        // One commit: the destination gets it exactly when the dead-letter queue loses it.
        if (await queue.ack(m.id, m.leaseToken, { followUps: [item] })) {
          moved++;
          inWindow++;
          d.wake(item.queue);
        }
      }
      if (clock.now() - saved >= SAVE_MS) {
        saved = clock.now();
        const stored = await update(tenant, t.source, t.id, (x) => ({ ...x, moved, updatedAt: saved }));
        if (!stored) return; // the queue was deleted
        // Cancelled on another node (CANCELLING), or ended there as if this runner were gone.
        if (stored.status !== 'RUNNING') r.cancel = true;
      }
    }
  }

  function armRecheck(ms: number): void {
    const at = clock.now() + ms;
    if (closed || (recheck && recheck.at <= at)) return;
    recheck?.cancel();
    recheck = {
      at,
      cancel: clock.setTimeout(() => {
        recheck = undefined;
        resume().catch((e: unknown) => d.log?.('error', { err: e }, 'SQS message move tasks: resume failed'));
      }, ms),
    };
  }

  /** No heartbeat for STALE_MS: its runner is gone. */
  const stale = (t: MoveTask) => clock.now() - t.updatedAt >= STALE_MS;

  async function resume(): Promise<void> {
    if (closed) return;
    for (const q of await repo.list()) {
      for (const t of await load(q.tenant, q.name)) {
        if (!active(t) || runners.has(rk(q.tenant, q.name))) continue;
        if (!stale(t)) {
          armRecheck(STALE_MS - (clock.now() - t.updatedAt) + 100);
          continue;
        }
        // Each change below checks again, in the same atomic change, that the task is still as it
        // was read: a runner's heartbeat may have come in since.
        if (t.status === 'CANCELLING') {
          await update(q.tenant, q.name, t.id, (x) =>
            x.status === 'CANCELLING' && stale(x) ? ended(x, 'CANCELLED', x.moved) : x,
          );
          continue;
        }
        // Its heartbeat is fresh again at once, so that no other node takes it over too.
        let took = false;
        const mine = await update(q.tenant, q.name, t.id, (x) => {
          if (x.status !== 'RUNNING' || !stale(x)) return x;
          took = true;
          return { ...x, updatedAt: clock.now() };
        });
        if (!took || !mine) continue; // another node took it first
        d.log?.(
          'info',
          { tenant: q.tenant, queue: q.name, task: t.id, moved: mine.moved },
          'SQS message move task resumed',
        );
        launch(q.tenant, mine);
      }
    }
  }

  async function getQueue(tenant: TenantId, name: string): Promise<SqsQueueRecord> {
    const r = await repo.get(tenant, name);
    if (!r) throw SqsErrors.QUEUE_NOT_FOUND({ name });
    return r;
  }

  return {
    async start(tenant, source, o) {
      const src = await getQueue(tenant, source);
      if ((await d.deadLetterSources(tenant, source)).length === 0)
        throw SqsErrors.MOVE_SOURCE_NOT_DLQ({ name: source });
      if (o.destination !== undefined) {
        if (o.destination === source)
          throw SqsErrors.MOVE_DESTINATION_INVALID({
            source,
            destination: o.destination,
            reason: 'the source and the destination are the same queue',
          });
        const dest = await getQueue(tenant, o.destination);
        if (isFifo(dest) !== isFifo(src))
          throw SqsErrors.MOVE_DESTINATION_INVALID({
            source,
            destination: o.destination,
            reason: 'a FIFO dead-letter queue moves to a FIFO queue, a standard one to a standard one',
          });
      }
      const rate = o.maxPerSecond;
      if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > MAX_PER_SECOND))
        throw SqsErrors.INVALID_PARAMETER({
          field: 'MaxNumberOfMessagesPerSecond',
          reason: `an integer 1-${MAX_PER_SECOND} is required`,
        });
      const [stats] = await queue.stats(portQueue(tenant, source));
      const now = clock.now();
      const task: MoveTask = {
        id: randomUUID(),
        source,
        destination: o.destination ?? null,
        maxPerSecond: rate ?? null,
        status: 'RUNNING',
        moved: 0,
        toMove: stats?.ready ?? 0,
        startedAt: now,
        updatedAt: now,
        endedAt: null,
        failureReason: null,
      };
      await change(tenant, source, (tasks) => {
        const running = tasks.find(active);
        if (running) throw SqsErrors.MOVE_TASK_ACTIVE({ name: source, id: running.id });
        return [task, ...tasks].slice(0, KEEP);
      });
      launch(tenant, task);
      return task;
    },

    async list(tenant, source) {
      await getQueue(tenant, source);
      return load(tenant, source);
    },

    async cancel(tenant, source, id) {
      await getQueue(tenant, source);
      const t = (await load(tenant, source)).find((x) => x.id === id);
      if (!t) throw SqsErrors.MOVE_TASK_NOT_FOUND({ id });
      if (t.status !== 'RUNNING') throw SqsErrors.MOVE_TASK_NOT_RUNNING({ id, status: t.status });
      const runner = runners.get(rk(tenant, source));
      if (runner?.id === id) {
        runner.cancel = true;
        await runner.done;
      } else {
        // Another node runs it (it ends it on its next save), or nobody does (resume ends it).
        await update(tenant, source, id, (x) => {
          // Checked again in the atomic change: it may have ended since it was read.
          if (x.status !== 'RUNNING') throw SqsErrors.MOVE_TASK_NOT_RUNNING({ id, status: x.status });
          return { ...x, status: 'CANCELLING' };
        });
      }
      return (await load(tenant, source)).find((x) => x.id === id) ?? t;
    },

    async forget(tenant, name) {
      const runner = runners.get(rk(tenant, name));
      if (runner) {
        runner.stop = true;
        await runner.done;
      }
      if (!d.settings) memory.delete(rk(tenant, name));
      else await d.settings.delete(tenant, keyOf(name));
    },

    resume,

    async close() {
      closed = true;
      recheck?.cancel();
      for (const r of runners.values()) r.stop = true;
      await Promise.all([...runners.values()].map((r) => r.done));
    },
  };
}
