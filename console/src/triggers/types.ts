/** The trigger and queue shapes the console reads: the OpenAPI types where they are precise. */
import type { components } from '../api/schema.d.ts';

type S = components['schemas'];
export type RouteView = S['RouteView'];
export type CreateRouteRequest = S['CreateRouteRequest'];
export type ScheduleView = S['ScheduleView'];
export type ScheduleRequest = S['ScheduleRequest'];
export type TopicView = S['TopicView'];
export type SubscriptionView = S['SubscriptionView'];
export type SubscriptionRequest = S['SubscriptionRequest'];

// The document declares these answers as free-form objects; their shapes (docs/API.md):

export interface SourceView {
  id: string;
  function: string;
  qualifier: string | null;
  kind: string;
  config: Record<string, unknown>;
  batchSize: number;
  batchWindowMs: number;
  maximumRetryAttempts: number;
  concurrency: number;
  enabled: boolean;
  origin: string;
  createdAt: string;
  status: {
    connected?: boolean;
    received?: number;
    succeeded?: number;
    retried?: number;
    deadLettered?: number;
    lastError?: string;
  } | null;
}

export interface BucketNotificationView {
  id: string;
  bucket: string;
  function: string;
  events: string[];
  prefix: string | null;
  suffix: string | null;
  origin: string;
}

/** `GET /v1/queues`: one async queue per function. */
export interface QueueView {
  functionName: string;
  queue?: string;
  ready: number;
  delayed: number;
  inflight: number;
  dead: number;
  oldestAgeMs: number;
}

/** `InvocationView` of a dead letter (status `failed`). */
export interface DeadLetterView {
  id: string;
  functionName: string;
  qualifier: string | null;
  status: string;
  source: string;
  attempts: number;
  failures: number;
  submittedAt: string;
  updatedAt: string;
  nextAttemptAt: string | null;
  error?: {
    reason?: string;
    failure?: string;
    errorType?: string;
    errorMessage?: string;
    errorCode?: string;
  };
  payload?: unknown;
}
