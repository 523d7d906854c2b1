/** Shapes of REST answers the deploy reads back (schedules and subscriptions of a service). */

export interface ScheduleView {
  name: string;
  /** null when the schedule starts a state machine. */
  function: string | null;
  stateMachine?: string;
  qualifier?: string | null;
  expression: string;
  timezone: string;
  input: unknown;
  enabled: boolean;
  misfire: string;
  origin: string;
  description: string;
  nextFireAt?: string | null;
}

export interface SubscriptionView {
  id: string;
  topic: string;
  pattern: Record<string, unknown> | null;
  view: string;
  inputTransformer: Record<string, unknown> | null;
  partitionKey: string | null;
  retry: Record<string, unknown> | null;
  origin: string;
  owner: string | null;
  description: string;
}
