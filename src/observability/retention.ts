/**
 * The log retention sweeper: every `intervalMs` (10 min) on the injected clock, and when a test
 * calls `sweep()`, each tenant's lines older than its `retentionDays` (and usage rows that
 * started before that) are deleted, then its oldest lines until its lines fit `maxMegabytes` —
 * in batches of `batch` rows, at most `maxBatches` per tenant and sweep, so one sweep never
 * holds the records file for long. On SQLite the deletes run on the record writer's thread.
 */
import type { Clock, LogRepo } from '../core/ports.ts';
import type { LogSettingsCache } from './log-settings.ts';

const DAY_MS = 86_400_000;

export interface LogRetention {
  /** One pass over every tenant; resolves with the rows deleted. */
  sweep(): Promise<number>;
  stop(): void;
}

export function startLogRetention(o: {
  repo: Pick<LogRepo, 'tenants' | 'bytes' | 'prune'>;
  settings: LogSettingsCache;
  clock: Clock;
  intervalMs?: number;
  batch?: number;
  maxBatches?: number;
  onError?: (e: unknown) => void;
}): LogRetention {
  const batch = o.batch ?? 5000;
  const maxBatches = o.maxBatches ?? 200;
  let running: Promise<number> | undefined;
  let stopped = false;
  let cancel: (() => void) | undefined;

  async function sweepTenant(tenant: string): Promise<number> {
    const s = o.settings.get(tenant);
    let deleted = 0;
    const before = o.clock.now() - s.retentionDays * DAY_MS;
    for (let i = 0; i < maxBatches && !stopped; i++) {
      const n = await o.repo.prune({ tenant, before, limit: batch });
      deleted += n;
      if (n === 0) break;
    }
    if (s.maxMegabytes !== null) {
      const cap = s.maxMegabytes * 1024 * 1024;
      // A cheap check first (a sum over the tenant's lines); the delete sums a window.
      if ((await o.repo.bytes(tenant)) > cap) {
        for (let i = 0; i < maxBatches && !stopped; i++) {
          const n = await o.repo.prune({ tenant, maxBytes: cap, limit: batch });
          deleted += n;
          if (n < batch) break;
        }
      }
    }
    return deleted;
  }

  async function pass(): Promise<number> {
    await o.settings.load();
    let total = 0;
    for (const tenant of await o.repo.tenants()) {
      if (stopped) break;
      try {
        total += await sweepTenant(tenant);
      } catch (e) {
        o.onError?.(e);
      }
    }
    return total;
  }

  const sweep = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    cancel = o.clock.setTimeout(() => {
      sweep()
        .catch((e: unknown) => o.onError?.(e))
        .finally(schedule);
    }, o.intervalMs ?? 600_000);
  };
  schedule();
  return {
    sweep,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
