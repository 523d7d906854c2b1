/**
 * What the OpenAPI document (openapi.ts) says about each REST route that its zod schemas do not:
 * summary, tag, IAM action, query parameters, success statuses and the answer's schema; the
 * named schemas (`components.schemas`, the console's type names); the AWS-shaped APIs that are
 * described by AWS's references instead. A data table: openapi.e2e.test fails for a `/v1`
 * route missing from ROUTES.
 *
 * Its parts: the named schemas in openapi-schemas.ts, the entry type and query shorthands in
 * openapi-route-kit.ts, the routes in openapi-routes-functions.ts and openapi-routes-platform.ts;
 * ROUTES puts them together in the document's order (its paths and tags are listed in it).
 */
import { q, type RouteDoc, str } from './openapi-route-kit.ts';
import { FUNCTION_ROUTES } from './openapi-routes-functions.ts';
import { PLATFORM_ROUTES } from './openapi-routes-platform.ts';

export type { RawBody, RouteDoc, Tag } from './openapi-route-kit.ts';
export { SCHEMAS, type SchemaName } from './openapi-schemas.ts';

/** Every route of the REST API (`METHOD /fastify/url`). */
export const ROUTES: Readonly<Record<string, RouteDoc>> = {
  'GET /healthz': {
    summary: 'Health: 200 when the platform and its store (and NATS in cluster mode) answer, else 503',
    tag: 'Platform',
    action: '',
    open: true,
    query: q({ live: str().optional().describe('liveness only: 200 while the process serves') }),
    response: 'Health',
    unavailable: 'Health',
  },
  'GET /metrics': {
    summary: "Prometheus metrics (the caller's tenant; everything for the operator)",
    tag: 'Metrics',
    action: 'nimbus:GetMetrics',
    operationId: 'getPrometheusMetrics',
    produces: { 'text/plain': 'Prometheus text exposition format' },
    notJson: true,
  },
  'GET /v1/openapi.json': {
    summary: 'This document',
    tag: 'Platform',
    action: 'nimbus:GetApiDocument',
    response: 'OpenApiDocument',
  },
  ...FUNCTION_ROUTES,
  ...PLATFORM_ROUTES,
};

const AWS = 'https://docs.aws.amazon.com';
/** The APIs served in AWS's own shape, described by AWS's references, not by this document. */
export const COMPATIBLE_APIS = [
  {
    name: 'AWS Lambda',
    port: 'api',
    routes: ['/2015-03-31/*', '/2017-10-31/*', '/2019-09-25/*', '/2019-09-30/*'],
    docs: `${AWS}/lambda/latest/api/welcome.html`,
  },
  {
    name: 'AWS Secrets Manager',
    port: 'api',
    routes: ['POST / (X-Amz-Target: secretsmanager.*)'],
    docs: `${AWS}/secretsmanager/latest/apireference/Welcome.html`,
  },
  {
    name: 'Amazon SQS',
    port: 'api',
    routes: ['POST / (X-Amz-Target: AmazonSQS.*, or the query protocol)'],
    docs: `${AWS}/AWSSimpleQueueService/latest/APIReference/Welcome.html`,
  },
  {
    name: 'Amazon SNS',
    port: 'api',
    routes: ['POST / (query protocol)'],
    docs: `${AWS}/sns/latest/api/welcome.html`,
  },
  {
    name: 'Amazon EventBridge',
    port: 'api',
    routes: ['POST / (X-Amz-Target: AWSEvents.*)'],
    docs: `${AWS}/eventbridge/latest/APIReference/Welcome.html`,
  },
  {
    name: 'AWS Step Functions',
    port: 'api',
    routes: ['POST / (X-Amz-Target: AWSStepFunctions.*)'],
    docs: `${AWS}/step-functions/latest/apireference/Welcome.html`,
  },
  {
    name: 'Amazon CloudWatch Logs',
    port: 'api',
    routes: ['POST / (X-Amz-Target: Logs_20140328.*)'],
    docs: `${AWS}/AmazonCloudWatchLogs/latest/APIReference/Welcome.html`,
  },
  {
    name: 'Amazon S3',
    port: 's3',
    routes: ['the S3 port (path-style)'],
    docs: `${AWS}/AmazonS3/latest/API/Welcome.html`,
  },
] as const;
