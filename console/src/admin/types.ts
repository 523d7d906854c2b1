/**
 * The shapes the admin pages read. Request bodies and the function views come from the OpenAPI
 * types (schema.d.ts); the answers the document leaves loose (usage, budgets, alerts, audit,
 * keys, tenants) are written here after src/api/*-routes.ts.
 */
import type { components } from '../api/schema.d.ts';

type S = components['schemas'];
export type FunctionDetail = S['FunctionDetail'];
export type FunctionConfigView = S['FunctionView'];
export type VersionView = S['VersionView'];
export type AliasView = S['AliasView'];
export type UpdateFunctionRequest = S['UpdateFunctionRequest'];
export type DeployRequest = S['DeployRequest'];
export type AliasRequest = S['AliasRequest'];
export type BudgetRequest = S['BudgetRequest'];
export type AlertRuleRequest = S['AlertRuleRequest'];
export type CreateKeyRequest = S['CreateKeyRequest'];
export type CreateTenantRequest = S['CreateTenantRequest'];

export interface UsageGroup {
  key: string;
  invocations: number;
  errors: number;
  coldStarts: number;
  billedDurationMs: number;
  gbSeconds: number;
  costUsd: number;
}
export interface UsageAnswer {
  by: 'function' | 'day' | 'month' | 'tenant';
  groups: UsageGroup[];
  total: Omit<UsageGroup, 'key'>;
  currency: string;
}

export interface BudgetView {
  name: string;
  functionName?: string;
  period: { kind: 'monthly' } | { kind: 'days'; days: number };
  limitUsd: number;
  thresholds: number[];
  action: 'block' | 'notify';
  topic?: string;
  periodStart: number;
  periodEnd: number;
  spentUsd: number;
  percent: number;
  blocking: boolean;
}

export type AlertMetric = AlertRuleRequest['metric'];
export interface AlertView {
  name: string;
  metric: AlertMetric;
  function?: string;
  budget?: string;
  op: '>' | '>=' | '<' | '<=' | '==';
  threshold: number;
  windowSec: number;
  forSec: number;
  notify: ({ topic: string } | { function: string } | { webhook: string })[];
  description?: string;
  state: 'ok' | 'pending' | 'firing';
  since: number;
  value: number | null;
  evaluatedAt: number;
}

export interface AuditRecordView {
  seq: number;
  time: string;
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  sourceIp: string;
  result: 'ok' | 'denied' | 'unauthenticated' | 'error';
  status: number;
  detail: string;
}

export interface KeyView {
  keyId: string;
  tenant: string;
  kind: 'user' | 'service';
  description: string;
  policies: (string | Record<string, unknown>)[];
  status: 'active' | 'revoked' | 'expired';
  createdAt: string | null;
  expiresAt: string | null;
}

export interface TenantView {
  id: string;
  accountId: string;
  description: string;
  createdAt: string | null;
}
