/**
 * @module metering
 * One usage record per invocation, computed by a pure function: Lambda bills duration rounded up
 * to 1 ms, and GB-seconds = memory (GB) × billed seconds.
 */
import type { UsageRecord } from '../core/types.ts';
import { costOf, type Price } from './prices.ts';

export * from './prices.ts';

export interface UsageInput {
  readonly tenant: string;
  readonly requestId: string;
  readonly functionName: string;
  readonly version: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly memoryMb: number;
  readonly maxRssBytes: number;
  readonly initDurationMs?: number | undefined;
  readonly outcome: UsageRecord['outcome'];
  readonly attempt?: number | undefined;
  /** The price that applies (prices.ts); absent = no cost recorded. */
  readonly price?: Price | undefined;
}

export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function computeUsage(u: UsageInput): UsageRecord {
  const billed = billedDurationMs(u.durationMs);
  const { price, ...rest } = u;
  const gbSeconds = (u.memoryMb / 1024) * (billed / 1000);
  return {
    ...rest,
    durationMs: Math.round(u.durationMs * 1000) / 1000,
    billedDurationMs: billed,
    gbSeconds,
    costUsd: price ? costOf(price, gbSeconds) : 0,
  };
}
