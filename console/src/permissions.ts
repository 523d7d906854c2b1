/**
 * What the signed-in key may do decides what the console shows. Once after sign-in it asks
 * `POST /v1/identity/permissions` about every action below (each evaluated as its list or
 * collection route evaluates it: resource `*`, the caller's context). The navigation leaves out
 * the pages the key cannot list and the pages leave out the buttons of changes it cannot make.
 * The platform still decides: a page opened by its address shows the coded 403 it answers.
 *
 * While the answer is on its way nothing optional shows (a limited key never sees an entry flash
 * by); if it cannot be had (a key without sts:GetCallerIdentity, an older platform), everything
 * shows and the platform's 403s say what is refused, as before.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { type ApiClient, ok } from './api/client.ts';
import { useSession } from './session.tsx';

/** The actions the console asks about: the routes' `x-nimbus-action`s (src/api/openapi-routes.ts). */
const ACTIONS = [
  // Each page's list action (the navigation).
  'nimbus:GetMetrics', // Dashboard (GET /v1/metrics)
  'lambda:ListFunctions', // Functions
  'logs:FilterLogEvents', // Logs (GET /v1/functions/{name}/logs)
  'states:ListStateMachines', // Workflows
  's3:ListAllMyBuckets', // Buckets
  'nimbus:ListRoutes', // Triggers: any of its tabs
  'nimbus:ListSchedules',
  'nimbus:ListTopics',
  'nimbus:ListSources',
  'nimbus:ListQueues', // Queues
  'sqs:ListQueues', // Queues: its SQS section (GET /v1/sqs/queues)
  'sqs:ListMessageMoveTasks', // a dead-letter queue's redrive progress
  'nimbus:GetUsage', // Usage
  'nimbus:ListAlerts', // Alerts
  'nimbus:QueryAudit', // Audit
  'nimbus:ListKeys', // Admin (GET /v1/keys)
  // The changes whose buttons and forms are left out when denied.
  'lambda:CreateFunction', // create, and deploy (PUT /v1/functions/{name})
  'lambda:DeleteFunction',
  'lambda:InvokeFunction',
  'lambda:UpdateFunctionConfiguration',
  'lambda:PublishVersion',
  'lambda:CreateAlias',
  'lambda:DeleteAlias',
  'states:StartExecution',
  'states:StopExecution',
  'states:RedriveExecution',
  'states:DeleteStateMachine',
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:PutObject',
  's3:DeleteObject',
  'nimbus:CreateRoute',
  'nimbus:DeleteRoute',
  'nimbus:PutSchedule',
  'nimbus:DeleteSchedule',
  'nimbus:PutTopic',
  'nimbus:DeleteTopic',
  'nimbus:CreateSubscription',
  'nimbus:DeleteSubscription',
  'nimbus:DeleteSource',
  'nimbus:ReplayDeadLetters',
  'nimbus:PurgeDeadLetters',
  'sqs:PurgeQueue',
  'sqs:StartMessageMoveTask', // Redrive (the platform also checks receive/delete/send on the queues)
  'nimbus:PutBudget',
  'nimbus:DeleteBudget',
  'nimbus:PutAlert',
  'nimbus:DeleteAlert',
  'nimbus:CreateKey',
  'nimbus:RevokeKey',
  'nimbus:CreateTenant',
] as const;
export type Action = (typeof ACTIONS)[number];

export const PERMISSIONS = ['permissions'] as const;

/** The query (Login fetches it before it keeps the key, so the first page shows complete). */
export const permissionsQuery = (client: ApiClient) => ({
  queryKey: PERMISSIONS,
  queryFn: () => ok(client.POST('/v1/identity/permissions', { body: { actions: [...ACTIONS] } })),
  staleTime: Number.POSITIVE_INFINITY,
});

function useAllowed(): Readonly<Record<string, boolean>> | 'unknown' | 'all' {
  const { client } = useSession();
  const q = useQuery(permissionsQuery(client));
  return q.isError ? 'all' : (q.data?.allowed ?? 'unknown');
}

/** `can(action)`: false while the answer is awaited, true for every action if it failed. */
export function useCan(): (action: Action) => boolean {
  const allowed = useAllowed();
  return (action) => allowed === 'all' || (allowed !== 'unknown' && allowed[action] === true);
}

/** `denied(action)`: true only once the answer says so (to say why a button is missing). */
export function useDenied(): (action: Action) => boolean {
  const allowed = useAllowed();
  return (action) => allowed !== 'all' && allowed !== 'unknown' && allowed[action] !== true;
}

/** Its children when the key may perform `action`. */
export function Can({ action, children }: { action: Action; children: ReactNode }) {
  return useCan()(action) ? children : null;
}
