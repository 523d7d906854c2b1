/**
 * The IAM actions the console asks `POST /v1/identity/permissions` about (permissions.ts): each
 * page's list action and the changes whose buttons it hides when denied. test/console-actions.test.ts checks
 * each against the actions the REST routes authorize (src/api/openapi-routes.ts).
 */
export const ACTIONS = [
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
  'sqs:CancelMessageMoveTask', // Cancel redrive
  'nimbus:PutBudget',
  'nimbus:DeleteBudget',
  'nimbus:PutAlert',
  'nimbus:DeleteAlert',
  'nimbus:CreateKey',
  'nimbus:RevokeKey',
  'nimbus:CreateTenant',
] as const;
export type Action = (typeof ACTIONS)[number];
