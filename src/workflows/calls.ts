/**
 * The function context client's workflow calls (`context.nimbus.workflows` in Node,
 * `context.nimbus.workflows` in Python): start an execution and complete `.waitForTaskToken`
 * Tasks, in the caller's tenant (its role authorizes each call first: src/security/context-authz).
 */
import type { TenantId } from '../core/types.ts';
import type { WorkflowService } from './types.ts';

const json = (v: unknown) => (v === undefined ? '{}' : JSON.stringify(v));

export function workflowCalls(
  w: WorkflowService,
  caller: { tenant: TenantId; traceparent?: string | undefined },
) {
  return (op: string, args: unknown): Promise<unknown> | undefined => {
    const a = (args ?? {}) as Record<string, unknown>;
    const token = String(a.taskToken ?? '');
    switch (op) {
      case 'workflow.start':
        return w
          .startExecution(caller.tenant, {
            machine: String(a.stateMachine ?? ''),
            input: json(a.input),
            name: typeof a.name === 'string' ? a.name : undefined,
            traceparent: caller.traceparent,
          })
          .then((e) => ({ executionArn: e.arn, startDate: new Date(e.startedAt).toISOString() }));
      case 'workflow.taskSuccess':
        return w.sendTaskSuccess(caller.tenant, token, json(a.output)).then(() => ({ ok: true }));
      case 'workflow.taskFailure':
        return w
          .sendTaskFailure(caller.tenant, token, {
            error: typeof a.error === 'string' ? a.error : undefined,
            cause: typeof a.cause === 'string' ? a.cause : undefined,
          })
          .then(() => ({ ok: true }));
      case 'workflow.taskHeartbeat':
        return w.sendTaskHeartbeat(caller.tenant, token).then(() => ({ ok: true }));
      default:
        return undefined;
    }
  };
}
