/**
 * A function's `scaling` settings: the zod schema shared by REST, the manifest and deploy
 * validation (cross-field rules included), so every entry point accepts the same things.
 */
import { z } from 'zod';
import type { ScalingConfig } from '../core/types.ts';
import { compileSchedule } from '../schedules/expression.ts';

const count = (max: number) => z.number().int().min(0).max(max);

export const ScalingConfigSchema = z
  .object({
    minInstances: count(1000).optional(),
    maxInstances: z.number().int().min(1).max(10_000).optional(),
    perInstanceConcurrency: z.number().int().min(1).max(1000).optional(),
    provisionedConcurrency: count(10_000).optional(),
    provisionedSchedule: z
      .array(
        z
          .object({
            schedule: z.string().min(1),
            timezone: z.string().optional(),
            provisionedConcurrency: count(10_000),
          })
          .strict(),
      )
      .max(20)
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.maxInstances !== undefined && s.minInstances !== undefined && s.minInstances > s.maxInstances) {
      ctx.addIssue({ code: 'custom', path: ['minInstances'], message: 'must not exceed maxInstances' });
    }
    for (const [i, e] of (s.provisionedSchedule ?? []).entries()) {
      try {
        compileSchedule(e.schedule, { timezone: e.timezone, anchor: 0 });
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['provisionedSchedule', i, 'schedule'],
          message: (err as Error).message,
        });
      }
    }
  });

/** Problems in a scaling config, as lines for DEPLOY_INVALID_CONFIG (empty when valid). */
export function scalingConfigProblems(c: ScalingConfig | undefined, runtimeFamily: string): string[] {
  if (c === undefined) return [];
  const r = ScalingConfigSchema.safeParse(c);
  const out = r.success ? [] : r.error.issues.map((i) => `scaling.${i.path.join('.')}: ${i.message}`);
  if ((c.perInstanceConcurrency ?? 1) > 1 && runtimeFamily !== 'node') {
    out.push('scaling.perInstanceConcurrency: values above 1 are supported for Node.js runtimes only');
  }
  return out;
}
