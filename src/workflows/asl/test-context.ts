/** A context object for the ASL unit tests (`$$` / `$states.context`), with per-test overrides. */
import type { ContextObject, Json } from './types.ts';

export function testContext(o: { state?: string; retryCount?: number; input?: Json } = {}): ContextObject {
  return {
    Execution: {
      Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1',
      Input: o.input ?? {},
      Name: 'run-1',
      RoleArn: 'arn:aws:iam::123456789012:role/sfn',
      StartTime: '2026-01-01T00:00:00.000Z',
      RedriveCount: 0,
    },
    State: {
      EnteredTime: '2026-01-01T00:00:01.000Z',
      Name: o.state ?? 'Step',
      RetryCount: o.retryCount ?? 0,
    },
    StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', Name: 'sm' },
  };
}
