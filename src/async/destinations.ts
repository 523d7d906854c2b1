/**
 * On-success / on-failure destination records in Lambda's shape (version, timestamp,
 * requestContext, requestPayload, responseContext, responsePayload), wrapped for delivery: a
 * webhook envelope, or an async invocation one hop further (the dispatcher stops loops).
 */
import type { DestinationRef, LeasedMessage } from '../core/types.ts';
import { safeJson } from './outcome.ts';
import type { InvokeEnvelope, WebhookEnvelope } from './types.ts';

export interface DestinationOutcome {
  readonly condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
  readonly version: string;
  readonly functionError?: string | undefined;
  readonly responsePayload: unknown;
  readonly reason?: string;
}

export function destinationEnvelope(
  dest: DestinationRef | undefined,
  m: LeasedMessage,
  env: InvokeEnvelope,
  outcome: DestinationOutcome,
  /** `traceparent`: the trace the destination's delivery continues. */
  ctx: { arn: { region: string; accountId: string }; now: number; traceparent?: string | undefined },
): WebhookEnvelope | InvokeEnvelope | undefined {
  if (!dest) return undefined;
  const record = {
    version: '1.0',
    timestamp: new Date(ctx.now).toISOString(),
    requestContext: {
      requestId: m.id,
      functionArn: `arn:aws:lambda:${ctx.arn.region}:${ctx.arn.accountId}:function:${env.function}:${outcome.version}`,
      condition: outcome.condition,
      approximateInvokeCount: m.attempts,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    },
    requestPayload: safeJson(env.payload),
    responseContext: {
      statusCode: 200,
      executedVersion: outcome.version,
      ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
    },
    responsePayload: outcome.responsePayload,
  };
  const body = JSON.stringify(record);
  if (dest.type === 'webhook')
    return { v: 1, kind: 'webhook', url: dest.url, body, traceparent: ctx.traceparent };
  return {
    v: 1,
    kind: 'invoke',
    function: dest.name,
    qualifier: dest.qualifier,
    payload: body,
    hop: env.hop + 1,
    traceparent: ctx.traceparent,
  };
}
