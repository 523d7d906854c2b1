/**
 * What the OpenAPI route tables (openapi-routes-*.ts) are written with: the shape of a route's
 * entry (`RouteDoc`) and the zod shorthands for query parameters. A module of its own so that the
 * tables do not import openapi-routes.ts, which imports them (a cycle would read a `const` before
 * it is initialised).
 */
import { z } from 'zod';
import type { SchemaName } from './openapi-schemas.ts';

export type Tag =
  | 'Functions'
  | 'Invocations'
  | 'Logs'
  | 'Async'
  | 'SQS'
  | 'Schedules'
  | 'Events'
  | 'Sources'
  | 'Routes'
  | 'Buckets'
  | 'Workflows'
  | 'Identity'
  | 'Secrets'
  | 'Audit'
  | 'Billing'
  | 'Alerts'
  | 'Metrics'
  | 'Platform';

/** A request body that is not one of SCHEMAS: its media types and what they hold. */
export interface RawBody {
  readonly content: Record<string, { schema: Record<string, unknown> }>;
  readonly required: boolean;
  readonly description: string;
}

export interface RouteDoc {
  readonly summary: string;
  readonly tag: Tag;
  /** The IAM action the route authorizes (`x-nimbus-action`). */
  readonly action: string;
  /** Only principals of the default tenant (operators), whatever their policy allows. */
  readonly operatorOnly?: true;
  readonly body?: SchemaName | RawBody;
  /** The body may be left out (the route takes `{}`). */
  readonly bodyOptional?: true;
  readonly query?: z.ZodObject;
  readonly headers?: readonly { name: string; description: string }[];
  /** Success statuses (default [200]); 204 has no content. */
  readonly status?: readonly (200 | 201 | 202 | 204)[];
  /**
   * The answer's schema, for every success status but 204. Every route that answers JSON has one
   * (openapi.test checks it).
   */
  readonly response?: SchemaName;
  /** A 503 answer that is not a coded error but this schema (`GET /healthz` while unhealthy). */
  readonly unavailable?: SchemaName;
  /** Other media types of the answer: media type → description. */
  readonly produces?: Readonly<Record<string, string>>;
  /** The answer is only what `produces` lists. */
  readonly notJson?: true;
  /** Overrides the one derived from the path (`getFunctionsName`). */
  readonly operationId?: string;
  /** No credentials (GET /healthz). */
  readonly open?: true;
}

// The shorthands the tables write bodies and query parameters with.
export const anyJson: RawBody = {
  content: { 'application/json': { schema: {} } },
  required: false,
  description: 'the event: any JSON value (empty = `{}`)',
};
export const q = z.object;
export const str = z.string;
export const num = z.coerce.number;
export const flag = (d: string) => z.enum(['1', 'true']).optional().describe(d);
export const tenantQuery = q({
  tenant: str().optional().describe("operators only: act on another tenant's key"),
});
export const pageQuery = {
  limit: num().int().min(1).max(1000).optional(),
  nextToken: str().optional().describe('the `nextToken` of the previous page'),
};
