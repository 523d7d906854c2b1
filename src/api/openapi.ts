/**
 * The REST API's OpenAPI 3.1 document, `GET /v1/openapi.json` (issue 19). Generated from the zod
 * schemas the routes validate their bodies with (exported by the route files) through
 * `z.toJSONSchema`, plus a table of what zod does not say: each route's summary, tag, IAM
 * action, query parameters, success status and answer. The Lambda-compatible, AWS JSON/query and
 * S3 APIs are not described here (their AWS references are): `x-nimbus-compatible-apis` lists
 * them. console/src/api/schema.d.ts is generated from this document (`npm run openapi:types`).
 *
 * openapi.e2e.test walks the live route table: a `/v1` route missing from ROUTES fails it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorize } from './auth.ts';
import { COMPATIBLE_APIS, ROUTES, type RouteDoc, SCHEMAS, type SchemaName } from './openapi-routes.ts';

/** True for a route of the API port that COMPATIBLE_APIS covers (the `/2015-03-31/...` family, `POST /`). */
export function isCompatibleApiRoute(method: string, url: string): boolean {
  return (method === 'POST' && url === '/') || /^\/20\d\d-\d\d-\d\d\//.test(url);
}

/** `/v1/functions/:name` → `/v1/functions/{name}` and its parameter names. */
export function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_, p: string) => {
    params.push(p);
    return `{${p}}`;
  });
  return { path, params };
}

const PARAM_DOC: Record<string, string> = {
  name: 'the name (percent-encoded)',
  arn: 'the execution ARN, percent-encoded into one segment',
  sha: 'a lowercase hex sha256',
};

/** `PUT /v1/functions/{name}/aliases/{alias}` → `putFunctionsNameAliasesAlias`. */
function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/v1\//, '/')
    .split(/[/{}.\-_]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

type Json = Record<string, unknown>;
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** Drops `$schema`/`$id`, zod's safe-integer bounds (every integer has them) and format `includes`. */
function strip(s: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = s;
  const noise = (k: string, v: unknown) =>
    (k === 'minimum' && v === Number.MIN_SAFE_INTEGER) ||
    (k === 'maximum' && v === Number.MAX_SAFE_INTEGER) ||
    // zod's `.includes()` check: its pattern says it all; "includes" is no format validators know.
    (k === 'format' && v === 'includes');
  return JSON.parse(JSON.stringify(rest), (k, v) => (noise(k, v) ? undefined : v)) as Json;
}

function componentSchemas(): Record<string, Json> {
  const reg = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) reg.add(schema, { id });
  const out = z.toJSONSchema(reg, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(out.schemas).map(([k, v]) => [k, strip(v)]));
}

function queryParameters(schema: z.ZodObject): Json[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: 'query',
      required: (js.required ?? []).includes(name) && rest.default === undefined,
      ...(description ? { description } : {}),
      schema: strip(rest),
      ...(rest.type === 'array' ? { style: 'form', explode: true } : {}),
    };
  });
}

function operation(method: string, r: RouteDoc, params: string[], path: string): Json {
  const parameters: Json[] = [
    ...params.map((p) => ({
      name: p,
      in: 'path',
      required: true,
      ...(PARAM_DOC[p] ? { description: PARAM_DOC[p] } : {}),
      schema: { type: 'string' },
    })),
    ...(r.query ? queryParameters(r.query) : []),
    ...(r.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: false,
      description: h.description,
      schema: { type: 'string' },
    })),
  ];
  const body = r.body;
  const requestBody =
    body === undefined
      ? undefined
      : typeof body === 'string'
        ? { required: !r.bodyOptional, content: { 'application/json': { schema: ref(body) } } }
        : body;
  const responses: Json = {};
  for (const status of r.status ?? [200]) {
    if (status === 204) {
      responses['204'] = { description: 'done (no content)' };
      continue;
    }
    const content: Json = {
      'application/json': { schema: r.response ? ref(r.response) : { type: 'object' } },
    };
    for (const [type, description] of Object.entries(r.produces ?? {}))
      content[type] = { schema: { ...(type.startsWith('text/') ? { type: 'string' } : {}), description } };
    if (r.notJson) delete content['application/json'];
    responses[String(status)] = {
      description: status === 201 ? 'created' : status === 202 ? 'accepted' : 'ok',
      content,
    };
  }
  if (r.unavailable)
    responses['503'] = {
      description: 'unavailable (not a coded error: the same shape as the answer)',
      content: { 'application/json': { schema: ref(r.unavailable) } },
    };
  responses['4XX'] = { $ref: '#/components/responses/Error' };
  responses['5XX'] = { $ref: '#/components/responses/Error' };
  return {
    operationId: r.operationId ?? operationId(method, path),
    summary: r.summary,
    tags: [r.tag],
    ...(r.open ? { security: [] } : {}),
    'x-nimbus-action': r.action || undefined,
    ...(r.operatorOnly ? { 'x-nimbus-operator-only': true } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: Json;
  readonly paths: Record<string, Record<string, Json>>;
  readonly components: { schemas: Record<string, Json>; [k: string]: unknown };
  readonly [k: string]: unknown;
}

let memo: OpenApiDocument | undefined;

/** The document (built once: it depends on code only, not on configuration or data). */
export function openApiDocument(): OpenApiDocument {
  if (memo) return memo;
  const paths: Record<string, Record<string, Json>> = {};
  for (const [key, r] of Object.entries(ROUTES)) {
    const [method, url] = key.split(' ') as [string, string];
    const { path, params } = openApiPath(url);
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = JSON.parse(
      JSON.stringify(operation(method, r, params, path)),
    ) as Json;
  }
  memo = {
    openapi: '3.1.0',
    info: {
      title: 'Nimbus REST API',
      version: '0.1.0',
      description:
        'The control plane of Nimbus, a self-hosted serverless platform. Every route but GET /healthz needs credentials: `Authorization: Bearer <secret>` (or AWS SigV4 with a Nimbus key). Each operation evaluates the caller\'s IAM policies for its `x-nimbus-action`; the tenant is always the caller\'s. Errors are coded: `{"error": {code, message, status, kind, retryable, hint?}}`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    security: [{ bearerAuth: [] }],
    tags: [...new Set(Object.values(ROUTES).map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            "A Nimbus API key's secret (nimbus keys create). AWS SigV4 with the key id and secret works too.",
        },
      },
      responses: {
        Error: {
          description: "a coded error (the HTTP status is the error's; 429 and 503 may add Retry-After)",
          content: { 'application/json': { schema: ref('Error') } },
        },
      },
    },
    'x-nimbus-compatible-apis': COMPATIBLE_APIS,
  };
  return memo;
}

/** `GET /v1/openapi.json`: any authenticated principal whose policy allows nimbus:GetApiDocument. */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get('/v1/openapi.json', async (req, reply) => {
    authorize(req, 'nimbus:GetApiDocument');
    return reply.header('cache-control', 'no-cache').send(openApiDocument());
  });
}
