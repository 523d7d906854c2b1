/**
 * The price table: what one invocation costs, C = k_req + k_gbs · f(t) · r, with f(t) the billed
 * duration in seconds and r the memory size in GB (Lambda's model: a price per request plus a
 * price per GB-second). Prices depend on the runtime family, the isolation and the host's
 * architecture; the most specific matching entry wins. The defaults are AWS Lambda's public
 * on-demand prices (us-east-1, 2026: x86_64 $0.0000166667 per GB-s, arm64 $0.0000133334, $0.20
 * per million requests), so a bill reads like the one it replaces. The operator may replace the
 * table (a JSON file given with --price-table, or `PUT /v1/prices`); a price applies to the
 * invocations that end after it is set, like a real price change.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineErrors } from '../core/errors.ts';
import type { SettingsRepo } from '../core/ports.ts';
import { DEFAULT_TENANT } from '../core/types.ts';

export const PriceErrors = defineErrors('PRICES', {
  INVALID: {
    status: 400,
    kind: 'user',
    message: 'invalid price table: {reason}',
    hint: 'a price table is {"currency": "USD", "entries": [{"perRequest": 2e-7, "perGbSecond": 0.0000166667, "family"?, "isolation"?, "architecture"?}]}',
  },
});

const usd = z.number().finite().min(0).max(1000);

export const PriceEntrySchema = z
  .object({
    /** Runtime family (`node`, `python`, `java`, `provided`); absent = any. */
    family: z.enum(['node', 'python', 'java', 'provided']).optional(),
    /** `process` or `isolate`; absent = any. */
    isolation: z.enum(['process', 'isolate']).optional(),
    /** `x86_64` or `arm64` (the host's); absent = any. */
    architecture: z.enum(['x86_64', 'arm64']).optional(),
    /** Price of one request. */
    perRequest: usd,
    /** Price of one GB-second of billed duration × memory. */
    perGbSecond: usd,
  })
  .strict();

export const PriceTableSchema = z
  .object({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
      .default('USD'),
    entries: z.array(PriceEntrySchema).min(1).max(100),
  })
  .strict();

export type PriceEntry = z.infer<typeof PriceEntrySchema>;
export type PriceTable = z.infer<typeof PriceTableSchema>;

export const DEFAULT_PRICES: PriceTable = Object.freeze({
  currency: 'USD',
  entries: Object.freeze([
    Object.freeze({ perRequest: 0.0000002, perGbSecond: 0.0000166667 }),
    Object.freeze({ architecture: 'arm64', perRequest: 0.0000002, perGbSecond: 0.0000133334 }),
  ]) as PriceEntry[],
});

/** Validates a price table given by a user (a coded 400 on anything else). */
export function parsePriceTable(input: unknown): PriceTable {
  const r = PriceTableSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw PriceErrors.INVALID({ reason: `${i.path.join('.') || '(table)'}: ${i.message}` });
  }
  return r.data;
}

/** The host's architecture in Lambda's words. */
export const hostArchitecture = (): 'x86_64' | 'arm64' => (process.arch === 'arm64' ? 'arm64' : 'x86_64');

export interface PriceKey {
  readonly family: string;
  readonly isolation: 'process' | 'isolate';
  readonly architecture: 'x86_64' | 'arm64';
}

export interface Price {
  readonly perRequest: number;
  readonly perGbSecond: number;
}

/** The most specific entry matching `k` (ties: the later entry), or a zero price if none does. */
export function priceFor(table: PriceTable, k: PriceKey): Price {
  let best: PriceEntry | undefined;
  let bestScore = -1;
  for (const e of table.entries) {
    if (e.family !== undefined && e.family !== k.family) continue;
    if (e.isolation !== undefined && e.isolation !== k.isolation) continue;
    if (e.architecture !== undefined && e.architecture !== k.architecture) continue;
    const score =
      (e.family !== undefined ? 4 : 0) +
      (e.isolation !== undefined ? 2 : 0) +
      (e.architecture !== undefined ? 1 : 0);
    if (score >= bestScore) {
      best = e;
      bestScore = score;
    }
  }
  return best
    ? { perRequest: best.perRequest, perGbSecond: best.perGbSecond }
    : { perRequest: 0, perGbSecond: 0 };
}

/** One invocation's cost: one request plus its GB-seconds at the price. */
export function costOf(price: Price, gbSeconds: number): number {
  return price.perRequest + gbSeconds * price.perGbSecond;
}

/**
 * The live price table with a per-key cache (the invoke path asks once per invocation): `set`
 * replaces the table and clears the cache.
 */
export class PriceBook {
  #table: PriceTable;
  #cache = new Map<string, Price>();

  constructor(table: PriceTable = DEFAULT_PRICES) {
    this.#table = table;
  }

  get table(): PriceTable {
    return this.#table;
  }

  set(table: PriceTable): void {
    this.#table = table;
    this.#cache.clear();
  }

  price(k: PriceKey): Price {
    const key = `${k.family}|${k.isolation}|${k.architecture}`;
    let p = this.#cache.get(key);
    if (!p) {
      p = priceFor(this.#table, k);
      this.#cache.set(key, p);
    }
    return p;
  }
}

/** The settings key (default tenant) of the operator's price table override. */
export const PRICES_SETTING = 'billing.prices';

/**
 * The table in force at start-up: the operator's override (`PUT /v1/prices`), else the file given
 * with --price-table, else the defaults. A bad file stops the start with a coded error.
 */
export async function loadPriceTable(file: string | undefined, settings: SettingsRepo): Promise<PriceTable> {
  const override = await settings.get(DEFAULT_TENANT, PRICES_SETTING);
  if (override !== undefined) return parsePriceTable(override);
  if (!file) return DEFAULT_PRICES;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw PriceErrors.INVALID({ reason: `cannot read ${file}: ${(e as Error).message}` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw PriceErrors.INVALID({ reason: `${file} is not JSON` });
  }
  return parsePriceTable(json);
}
