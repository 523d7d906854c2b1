/**
 * The answers the Workflows and Buckets pages read (src/api/workflow-routes.ts and
 * src/api/object-routes.ts render them; the OpenAPI document leaves them as plain objects).
 * Request bodies come from the generated schema types.
 */
export type { StartExecutionRequest } from '../api/schema.d.ts';
export type { HistoryEvent } from './graph.ts';

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
];

export interface MachineView {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  status: string;
  definition: unknown;
  roleArn: string | null;
  description: string | null;
  revisionId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface ExecutionView {
  arn: string;
  name: string;
  workflow: string;
  workflowArn: string;
  status: ExecutionStatus;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  redriveCount: number;
  redrivenAt: string | null;
  redriveStatus: string | null;
}

export interface BucketView {
  name: string;
  createdAt: string;
}

export interface ObjectView {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  lastModified: string;
}

export interface ObjectPage {
  objects: ObjectView[];
  prefixes: string[];
  nextAfter: string | null;
}
