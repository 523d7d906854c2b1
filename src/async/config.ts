/**
 * Async settings of a function: the zod schema shared by REST, the manifest and deploy
 * validation, destination parsing (function name, Lambda ARN or webhook URL), and the effective
 * retry policy.
 */
import { z } from 'zod';
import type { AsyncInvokeConfig, DestinationRef } from '../core/types.ts';
import { urlEgressProblem } from '../security/egress.ts';
import { AsyncErrors } from './errors.ts';
import { DEFAULT_RETRY_POLICY, RETRY_LIMITS, type RetryPolicy } from './retry.ts';

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ARN = /^arn:aws:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/;

/**
 * `orders-failed`, `orders-failed:prod`, `arn:aws:lambda:…:function:name[:qualifier]`,
 * `https://…` (webhook), or the object form. Returns undefined for anything else.
 */
export function parseDestination(v: unknown): DestinationRef | undefined {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.type === 'webhook' && typeof o.url === 'string') return parseDestination(o.url);
    if (o.type === 'function' && typeof o.name === 'string')
      return parseDestination(typeof o.qualifier === 'string' ? `${o.name}:${o.qualifier}` : o.name);
    if (typeof o.Destination === 'string') return parseDestination(o.Destination);
    return undefined;
  }
  if (typeof v !== 'string') return undefined;
  if (/^https?:\/\//.test(v)) {
    try {
      return { type: 'webhook', url: new URL(v).toString() };
    } catch {
      return undefined;
    }
  }
  const arn = ARN.exec(v);
  if (arn) return { type: 'function', name: arn[1]!, qualifier: arn[2] };
  const [name, qualifier, extra] = v.split(':');
  if (extra !== undefined || !name || !FUNCTION_NAME.test(name)) return undefined;
  if (qualifier !== undefined && !/^[A-Za-z0-9_$-]{1,128}$/.test(qualifier)) return undefined;
  return { type: 'function', name, qualifier };
}

/**
 * CIDRs the administrator opened for webhooks (NIMBUS_EGRESS_ALLOW_CIDRS), set once at start-up.
 * Process-wide because this schema is static: REST, the Lambda API and deploy validation all
 * parse with it, and none of them carries platform config.
 */
let destinationEgressAllow: readonly string[] = [];
export function setDestinationEgressAllow(cidrs: readonly string[]): void {
  destinationEgressAllow = Object.freeze([...cidrs]);
}

/** Refuses a webhook the platform may never call (a literal loopback/private/metadata IP, `localhost`). */
export function assertWebhookEgress(url: string, adminAllow: readonly string[]): void {
  const reason = urlEgressProblem(url, adminAllow);
  if (reason) throw AsyncErrors.EGRESS_DENIED({ url, reason });
}

const Destination = z.unknown().transform((v, ctx) => {
  const d = parseDestination(v);
  if (!d) {
    ctx.addIssue({
      code: 'custom',
      message: 'a destination is a function name (name[:qualifier]), a Lambda function ARN or an http(s) URL',
    });
    return z.NEVER;
  }
  // Thrown, not an issue: the caller answers with the coded 400 (NIMBUS_ERR_ASYNC_EGRESS_DENIED).
  if (d.type === 'webhook') assertWebhookEgress(d.url, destinationEgressAllow);
  return d;
});

export const AsyncConfigSchema = z
  .object({
    maximumRetryAttempts: z
      .number()
      .int()
      .min(RETRY_LIMITS.maximumRetryAttempts.min)
      .max(RETRY_LIMITS.maximumRetryAttempts.max)
      .optional(),
    maximumEventAgeSec: z
      .number()
      .int()
      .min(RETRY_LIMITS.maximumEventAgeSec.min)
      .max(RETRY_LIMITS.maximumEventAgeSec.max)
      .optional(),
    retryBaseDelayMs: z
      .number()
      .int()
      .min(RETRY_LIMITS.baseDelayMs.min)
      .max(RETRY_LIMITS.baseDelayMs.max)
      .optional(),
    onSuccess: Destination.optional(),
    onFailure: Destination.optional(),
    maxQueueDepth: z.number().int().min(1).optional(),
  })
  .strict();

/** Problems in an async config, as lines for DEPLOY_INVALID_CONFIG (empty when valid). */
export function asyncConfigProblems(c: AsyncInvokeConfig | undefined): string[] {
  if (c === undefined) return [];
  const r = AsyncConfigSchema.safeParse(c);
  if (r.success) return [];
  return r.error.issues.map((i) => `async.${i.path.join('.')}: ${i.message}`);
}

export function retryPolicyOf(c: AsyncInvokeConfig | undefined): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    maximumRetryAttempts: c?.maximumRetryAttempts ?? DEFAULT_RETRY_POLICY.maximumRetryAttempts,
    maximumEventAgeSec: c?.maximumEventAgeSec ?? DEFAULT_RETRY_POLICY.maximumEventAgeSec,
    baseDelayMs: c?.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
  };
}
