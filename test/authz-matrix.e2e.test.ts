/**
 * The authorization matrix: every route of the API port (taken from the live route table, so a
 * route added without an entry here fails this test) × {admin, developer, read-only, invoker of
 * tenant alpha; no key; an expired key; the admin of tenant bravo}, plus the S3 operations.
 *
 * - alpha's principals: 401/403 exactly when their managed policy denies the route's action (or
 *   the route is the operators' and they are not of the default tenant);
 * - no key and the expired key: always 401/403;
 * - bravo's admin acts in bravo's namespace only: no response carries alpha's data (canary
 *   values planted in alpha's resources), and alpha's state — functions, topics, schedules,
 *   secrets, keys, roles, routes, buckets and objects, usage — is identical before and after.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { zipDirectory } from '../src/registry/build/index.ts';
import { evaluate, MANAGED_POLICIES } from '../src/security/iam/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

/** Route → the IAM action it authorizes (`op` = operators only: principals of the default tenant). */
const ACTIONS: Record<string, string | { action: string; op: true }> = {
  'POST /': 'secretsmanager:GetSecretValue',
  'GET /2015-03-31/functions': 'lambda:ListFunctions',
  'GET /2015-03-31/functions/': 'lambda:ListFunctions',
  'POST /2015-03-31/functions': 'lambda:CreateFunction',
  'DELETE /2015-03-31/functions/:fn': 'lambda:DeleteFunction',
  'GET /2015-03-31/functions/:fn': 'lambda:GetFunction',
  'GET /2015-03-31/functions/:fn/aliases': 'lambda:ListAliases',
  'POST /2015-03-31/functions/:fn/aliases': 'lambda:CreateAlias',
  'DELETE /2015-03-31/functions/:fn/aliases/:alias': 'lambda:DeleteAlias',
  'GET /2015-03-31/functions/:fn/aliases/:alias': 'lambda:GetAlias',
  'PUT /2015-03-31/functions/:fn/aliases/:alias': 'lambda:UpdateAlias',
  'PUT /2015-03-31/functions/:fn/code': 'lambda:UpdateFunctionCode',
  'PUT /2015-03-31/functions/:fn/configuration': 'lambda:UpdateFunctionConfiguration',
  'POST /2015-03-31/functions/:fn/invocations': 'lambda:InvokeFunction',
  'GET /2015-03-31/functions/:fn/versions': 'lambda:ListVersionsByFunction',
  'POST /2015-03-31/functions/:fn/versions': 'lambda:PublishVersion',
  'DELETE /2017-10-31/functions/:fn/concurrency': 'lambda:DeleteFunctionConcurrency',
  'PUT /2017-10-31/functions/:fn/concurrency': 'lambda:PutFunctionConcurrency',
  'GET /2019-09-30/functions/:fn/concurrency': 'lambda:GetFunctionConcurrency',
  'DELETE /2019-09-25/functions/:fn/event-invoke-config': 'lambda:DeleteFunctionEventInvokeConfig',
  'GET /2019-09-25/functions/:fn/event-invoke-config': 'lambda:GetFunctionEventInvokeConfig',
  'POST /2019-09-25/functions/:fn/event-invoke-config': 'lambda:PutFunctionEventInvokeConfig',
  'PUT /2019-09-25/functions/:fn/event-invoke-config': 'lambda:PutFunctionEventInvokeConfig',
  'GET /v1/artifacts/:sha': 'lambda:GetFunction',
  'GET /v1/functions/:name/source': 'lambda:GetFunction',
  'GET /v1/audit': 'nimbus:QueryAudit',
  'POST /v1/audit/verify': { action: 'nimbus:VerifyAudit', op: true },
  'GET /v1/buckets': 's3:ListAllMyBuckets',
  'PUT /v1/buckets/:bucket': 's3:CreateBucket',
  'GET /v1/buckets/:bucket/notifications': 's3:GetBucketNotification',
  'PUT /v1/buckets/:bucket/notifications': 's3:PutBucketNotification',
  'DELETE /v1/buckets/:bucket': 's3:DeleteBucket',
  'GET /v1/buckets/:bucket/objects': 's3:ListBucket',
  'PUT /v1/buckets/:bucket/object': 's3:PutObject',
  'GET /v1/buckets/:bucket/object': 's3:GetObject',
  'DELETE /v1/buckets/:bucket/object': 's3:DeleteObject',
  'GET /v1/doctor': 'nimbus:GetDoctor',
  'GET /v1/openapi.json': 'nimbus:GetApiDocument',
  'GET /v1/functions': 'lambda:ListFunctions',
  'DELETE /v1/functions/:name': 'lambda:DeleteFunction',
  'GET /v1/functions/:name': 'lambda:GetFunction',
  'PATCH /v1/functions/:name': 'lambda:UpdateFunctionConfiguration',
  'PUT /v1/functions/:name': 'lambda:CreateFunction',
  'GET /v1/functions/:name/aliases': 'lambda:ListAliases',
  'DELETE /v1/functions/:name/aliases/:alias': 'lambda:DeleteAlias',
  'PUT /v1/functions/:name/aliases/:alias': 'lambda:CreateAlias',
  'PUT /v1/functions/:name/bucket-events': 's3:PutBucketNotification',
  'POST /v1/functions/:name/invoke': 'lambda:InvokeFunction',
  'POST /v1/functions/:name/invoke-async': 'lambda:InvokeFunction',
  'GET /v1/functions/:name/logs': 'logs:FilterLogEvents',
  'PUT /v1/functions/:name/routes': 'nimbus:CreateRoute',
  'PUT /v1/functions/:name/schedules': 'nimbus:PutSchedule',
  'PUT /v1/functions/:name/sources': 'nimbus:CreateSource',
  'PUT /v1/functions/:name/subscriptions': 'nimbus:CreateSubscription',
  'GET /v1/functions/:name/versions': 'lambda:ListVersionsByFunction',
  'POST /v1/functions/:name/versions': 'lambda:PublishVersion',
  'DELETE /v1/gateway/cors': 'nimbus:DeleteGatewayCors',
  'GET /v1/gateway/cors': 'nimbus:GetGatewayCors',
  'PUT /v1/gateway/cors': 'nimbus:PutGatewayCors',
  'GET /v1/invocations/:id': 'nimbus:GetInvocation',
  'GET /v1/identity': 'sts:GetCallerIdentity',
  'POST /v1/identity/permissions': 'sts:GetCallerIdentity',
  'GET /v1/keys': 'nimbus:ListKeys',
  'POST /v1/keys': 'nimbus:CreateKey',
  'DELETE /v1/keys/:id': 'nimbus:DeleteKey',
  'GET /v1/keys/:id': 'nimbus:GetKey',
  'PUT /v1/keys/:id/policies': 'nimbus:PutKeyPolicy',
  'POST /v1/keys/:id/revoke': 'nimbus:RevokeKey',
  'POST /v1/keys/:id/rotate': 'nimbus:RotateKey',
  'GET /v1/queues': 'nimbus:ListQueues',
  'GET /v1/queues/dlq': 'nimbus:ListDeadLetters',
  'GET /v1/queues/dlq/:id': 'nimbus:GetDeadLetter',
  'POST /v1/queues/dlq/purge': 'nimbus:PurgeDeadLetters',
  'POST /v1/queues/dlq/replay': 'nimbus:ReplayDeadLetters',
  'GET /v1/roles': 'iam:ListRoles',
  'DELETE /v1/roles/:name': 'iam:DeleteRole',
  'GET /v1/roles/:name': 'iam:GetRole',
  'PUT /v1/roles/:name': 'iam:PutRolePolicy',
  'GET /v1/routes': 'nimbus:ListRoutes',
  'POST /v1/routes': 'nimbus:CreateRoute',
  'DELETE /v1/routes/:id': 'nimbus:DeleteRoute',
  'GET /v1/schedules': 'nimbus:ListSchedules',
  'DELETE /v1/schedules/:name': 'nimbus:DeleteSchedule',
  'GET /v1/schedules/:name': 'nimbus:GetSchedule',
  'PUT /v1/schedules/:name': 'nimbus:PutSchedule',
  'GET /v1/secrets': 'secretsmanager:ListSecrets',
  'DELETE /v1/secrets/:name': 'secretsmanager:DeleteSecret',
  'GET /v1/secrets/:name': 'secretsmanager:DescribeSecret',
  'PUT /v1/secrets/:name': 'secretsmanager:PutSecretValue',
  'POST /v1/secrets/:name/rotate': 'secretsmanager:PutSecretValue',
  'GET /v1/secrets/:name/value': 'secretsmanager:GetSecretValue',
  'POST /v1/secrets/rotate-master-key': { action: 'nimbus:RotateMasterKey', op: true },
  'GET /v1/sqs/queues': 'sqs:ListQueues',
  'POST /v1/sqs/queues/:name/purge': 'sqs:PurgeQueue',
  'POST /v1/sqs/queues/:name/redrive': 'sqs:StartMessageMoveTask',
  'GET /v1/sqs/queues/:name/redrives': 'sqs:ListMessageMoveTasks',
  'POST /v1/sqs/queues/:name/redrives/:id/cancel': 'sqs:CancelMessageMoveTask',
  'GET /v1/sources': 'nimbus:ListSources',
  'POST /v1/sources': 'nimbus:CreateSource',
  'DELETE /v1/sources/:id': 'nimbus:DeleteSource',
  'GET /v1/sources/:id': 'nimbus:GetSource',
  'GET /v1/status': 'nimbus:GetStatus',
  'GET /metrics': 'nimbus:GetMetrics',
  'GET /v1/metrics': 'nimbus:GetMetrics',
  'GET /v1/metrics/live': 'nimbus:GetMetrics',
  'GET /v1/subscriptions': 'nimbus:ListSubscriptions',
  'DELETE /v1/subscriptions/:id': 'nimbus:DeleteSubscription',
  'GET /v1/tenants': { action: 'nimbus:ListTenants', op: true },
  'POST /v1/tenants': { action: 'nimbus:CreateTenant', op: true },
  'DELETE /v1/tenants/:id': { action: 'nimbus:DeleteTenant', op: true },
  'GET /v1/tenants/:id': { action: 'nimbus:GetTenant', op: true },
  'GET /v1/timers': 'nimbus:ListTimers',
  'POST /v1/timers': 'nimbus:CreateTimer',
  'DELETE /v1/timers/:id': 'nimbus:DeleteTimer',
  'GET /v1/timers/:id': 'nimbus:GetTimer',
  'GET /v1/topics': 'nimbus:ListTopics',
  'DELETE /v1/topics/:topic': 'nimbus:DeleteTopic',
  'GET /v1/topics/:topic': 'nimbus:GetTopic',
  'PUT /v1/topics/:topic': 'nimbus:PutTopic',
  'POST /v1/topics/:topic/events': 'nimbus:PublishEvents',
  'GET /v1/topics/:topic/subscriptions': 'nimbus:ListSubscriptions',
  'POST /v1/topics/:topic/subscriptions': 'nimbus:CreateSubscription',
  'GET /v1/usage': 'nimbus:GetUsage',
  'GET /v1/settings/logs': 'nimbus:GetLogSettings',
  'PUT /v1/settings/logs': 'nimbus:PutLogSettings',
  'GET /v1/prices': 'nimbus:GetPrices',
  'PUT /v1/prices': { action: 'nimbus:PutPrices', op: true },
  'DELETE /v1/prices': { action: 'nimbus:PutPrices', op: true },
  'GET /v1/alerts': 'nimbus:ListAlerts',
  'GET /v1/alerts/:name': 'nimbus:GetAlert',
  'PUT /v1/alerts/:name': 'nimbus:PutAlert',
  'DELETE /v1/alerts/:name': 'nimbus:DeleteAlert',
  'GET /v1/budgets': 'nimbus:ListBudgets',
  'GET /v1/budgets/:name': 'nimbus:GetBudget',
  'PUT /v1/budgets/:name': 'nimbus:PutBudget',
  'DELETE /v1/budgets/:name': 'nimbus:DeleteBudget',
  'GET /v1/webhooks': 'nimbus:ListWebhooks',
  'POST /v1/webhooks': 'nimbus:CreateWebhook',
  'DELETE /v1/webhooks/:id': 'nimbus:DeleteWebhook',
  'GET /v1/workflows': 'states:ListStateMachines',
  'GET /v1/workflows/:name': 'states:DescribeStateMachine',
  'PUT /v1/workflows/:name': 'states:CreateStateMachine',
  'DELETE /v1/workflows/:name': 'states:DeleteStateMachine',
  'POST /v1/workflows/:name/executions': 'states:StartExecution',
  'GET /v1/workflows/:name/executions': 'states:ListExecutions',
  'PUT /v1/workflows/:name/routes': 'nimbus:CreateRoute',
  'PUT /v1/workflows/:name/schedules': 'nimbus:PutSchedule',
  'PUT /v1/workflows/:name/subscriptions': 'nimbus:CreateSubscription',
  'GET /v1/executions/:arn': 'states:DescribeExecution',
  'POST /v1/executions/:arn/stop': 'states:StopExecution',
  'POST /v1/executions/:arn/redrive': 'states:RedriveExecution',
  'GET /v1/executions/:arn/history': 'states:GetExecutionHistory',
  'POST /v1/tasks/success': 'states:SendTaskSuccess',
  'POST /v1/tasks/failure': 'states:SendTaskFailure',
  'POST /v1/tasks/heartbeat': 'states:SendTaskHeartbeat',
};
/** Routes without credentials by design (the web console's static files: the app logs in itself). */
const OPEN = new Set(['GET /healthz', 'GET /console', 'GET /console/*']);

const CANARY = 'ALPHA-CANARY';
const PARAMS: Record<string, string> = {
  arn: 'arn:aws:states:local-1:000000000000:execution:canary-wf:x',
  fn: 'canary-fn',
  name: 'canary-fn',
  alias: 'live',
  topic: 'canary-topic',
  bucket: 'canary-bkt-alpha',
  id: 'no-such-id-0000',
  sha: 'a'.repeat(64),
};
/** Param values per route family where the generic ones do not fit. */
const paramFor = (url: string, key: string) =>
  key === 'name' && url.startsWith('/v1/schedules')
    ? 'canary-sched'
    : key === 'name' && url.startsWith('/v1/secrets')
      ? 'canary-secret'
      : key === 'name' && url.startsWith('/v1/roles')
        ? 'canary-role'
        : key === 'id' && url.startsWith('/v1/tenants')
          ? 'alpha'
          : PARAMS[key]!;
const fill = (url: string) =>
  url.replace(/:([a-z]+)/g, (_, k: string) => encodeURIComponent(paramFor(url, k)));

/** Refusals in AWS JSON shape (those services answer auth errors with 400 and a type). */
const AWS_AUTH =
  /"__type":"(AccessDeniedException|ExpiredTokenException|UnrecognizedClientException|InvalidSignatureException|MissingAuthenticationTokenException|IncompleteSignatureException)"/;
const refusal = (status: number, body: string) =>
  status === 401 || status === 403 || (status === 400 && AWS_AUTH.test(body));

type Who = 'admin' | 'developer' | 'readonly' | 'invoker' | 'nokey' | 'expired' | 'bravo';
const POLICY: Partial<Record<Who, keyof typeof MANAGED_POLICIES>> = {
  admin: 'AdministratorAccess',
  developer: 'Developer',
  readonly: 'ReadOnly',
  invoker: 'Invoker',
};

describe('authorization matrix (e2e)', () => {
  let p: TestPlatform;
  const secrets: Partial<Record<Who, { keyId: string; secret: string }>> = {};
  const call = (who: Who, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    fetch(`${p.apiUrl}${path}`, {
      method,
      headers: {
        ...(secrets[who] ? { authorization: `Bearer ${secrets[who]!.secret}` } : {}),
        'content-type': 'application/json',
        ...extra,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const as = async <T>(who: Who, method: string, path: string, body?: unknown) => {
    const r = await call(who, method, path, body);
    const t = await r.text();
    assert.ok(r.status < 300, `${who} ${method} ${path}: ${r.status} ${t}`);
    return (t ? JSON.parse(t) : {}) as T;
  };
  const s3 = (who: Who) =>
    new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: secrets[who]!.keyId, secretAccessKey: secrets[who]!.secret },
    });

  /** What alpha owns, as alpha's admin sees it (the cross-tenant oracle). */
  const snapshot = async () => {
    const parts: Record<string, unknown> = {};
    for (const path of [
      '/v1/functions',
      '/v1/functions/canary-fn',
      '/v1/topics',
      '/v1/schedules',
      '/v1/secrets',
      '/v1/secrets/canary-secret/value',
      '/v1/keys',
      '/v1/roles',
      '/v1/routes',
      '/v1/webhooks',
      '/v1/sources',
      '/v1/subscriptions',
      '/v1/timers',
      '/v1/buckets',
      '/v1/gateway/cors',
      '/v1/sqs/queues',
    ])
      parts[path] = await as('admin', 'GET', path);
    const usage = await as<{ summary?: { invocations: number } }>('admin', 'GET', '/v1/usage');
    parts.usage = usage.summary?.invocations ?? usage;
    const obj = await s3('admin').send(
      new GetObjectCommand({ Bucket: 'canary-bkt-alpha', Key: 'canary.txt' }),
    );
    parts.object = await obj.Body!.transformToString();
    // Volatile fields (timestamps of "now", derived counters) are not the tenant's data.
    return JSON.parse(
      JSON.stringify(parts, (k, v) => (k === 'status' && typeof v === 'object' ? undefined : v)),
    );
  };

  before(async () => {
    p = await startTestPlatform();
    const op = { keyId: p.admin.keyId, secret: p.secret };
    const opCall = async <T>(method: string, path: string, body?: unknown) => {
      const r = await p.api(method, path, body);
      const t = await r.text();
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${t}`);
      return JSON.parse(t) as T;
    };
    void op;
    await opCall('POST', '/v1/tenants', { id: 'alpha' });
    await opCall('POST', '/v1/tenants', { id: 'bravo' });
    for (const who of ['admin', 'developer', 'readonly', 'invoker'] as const) {
      const k = await opCall<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
        tenant: 'alpha',
        policies: [POLICY[who]],
      });
      secrets[who] = { keyId: k.key.keyId, secret: k.secret };
    }
    const exp = await opCall<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      tenant: 'alpha',
      policies: ['AdministratorAccess'],
      expiresIn: '1s',
    });
    secrets.expired = { keyId: exp.key.keyId, secret: exp.secret };
    const b = await opCall<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      tenant: 'bravo',
      policies: ['AdministratorAccess'],
    });
    secrets.bravo = { keyId: b.key.keyId, secret: b.secret };

    // alpha's resources, each holding a canary value.
    const dir = await fixture({ 'index.mjs': 'export const handler = async (e) => ({ echo: e });' });
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    await as('admin', 'PUT', '/v1/functions/canary-fn', {
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      description: `${CANARY}-description`,
      environment: { CANARY: `${CANARY}-env` },
      code: { zipBase64: zip },
    });
    await as('admin', 'PUT', '/v1/functions/canary-fn/aliases/live', { functionVersion: '$LATEST' });
    await as('admin', 'PUT', '/v1/topics/canary-topic', { description: `${CANARY}-topic` });
    await as('admin', 'PUT', '/v1/schedules/canary-sched', {
      function: 'canary-fn',
      expression: 'rate(1 day)',
      input: { canary: `${CANARY}-schedule` },
    });
    await as('admin', 'PUT', '/v1/secrets/canary-secret', { value: `${CANARY}-secret-value` });
    await as('admin', 'PUT', '/v1/roles/canary-role', {
      policies: ['ReadOnly'],
      description: `${CANARY}-role`,
    });
    await as('admin', 'POST', '/v1/routes', { routeKey: 'GET /canary', function: 'canary-fn' });
    await as('admin', 'POST', '/v1/functions/canary-fn/invoke', { canary: `${CANARY}-invoke` });
    await s3('admin').send(new CreateBucketCommand({ Bucket: 'canary-bkt-alpha' }));
    await s3('admin').send(
      new PutObjectCommand({ Bucket: 'canary-bkt-alpha', Key: 'canary.txt', Body: `${CANARY}-object` }),
    );
    // An SQS queue named as the routes' `:name` parameter, holding a message, and the queue whose
    // dead-letter queue it is: bravo's purge and redrive must not reach them.
    const sqs = async (target: string, body: unknown) => {
      const r = await call('admin', 'POST', '/', body, {
        'x-amz-target': `AmazonSQS.${target}`,
        'content-type': 'application/x-amz-json-1.0',
      });
      const text = await r.text();
      assert.ok(r.ok, `${target}: ${r.status} ${text}`);
      return JSON.parse(text) as { QueueUrl?: string };
    };
    const dlq = await sqs('CreateQueue', { QueueName: 'canary-fn' });
    await sqs('CreateQueue', {
      QueueName: 'canary-src',
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:local-1:${dlq.QueueUrl!.split('/').at(-2)}:canary-fn`,
          maxReceiveCount: 1,
        }),
      },
    });
    await sqs('SendMessage', { QueueUrl: dlq.QueueUrl, MessageBody: `${CANARY}-sqs` });
    await new Promise((r) => setTimeout(r, 1100)); // the expiring key has expired
  });
  after(() => p?.stop());

  it('has an entry for every route of the API (a new route must be added here)', () => {
    const live = p.apiRoutes.map((r) => `${r.method} ${r.url}`).filter((k) => !OPEN.has(k));
    const missing = live.filter((k) => !(k in ACTIONS));
    assert.deepEqual(missing, [], 'routes without an expected action');
    const stale = Object.keys(ACTIONS).filter((k) => !live.includes(k));
    assert.deepEqual(stale, [], 'entries for routes that no longer exist');
  });

  const counts = { requests: 0, routes: 0, principals: 7, s3: 0 };

  it('refuses no key and an expired key on every route', async () => {
    for (const r of p.apiRoutes) {
      const key = `${r.method} ${r.url}`;
      if (OPEN.has(key)) continue;
      for (const who of ['nokey', 'expired'] as const) {
        const res = await call(
          who,
          r.method,
          fill(r.url),
          r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
        );
        const body = await res.text();
        counts.requests++;
        assert.ok(refusal(res.status, body), `${who} ${key}: ${res.status} ${body.slice(0, 200)}`);
        assert.ok(!body.includes(CANARY), `${who} ${key} leaked alpha data`);
      }
    }
  });

  it("another tenant's admin reads, writes, invokes and lists nothing of alpha", async () => {
    const before = await snapshot();
    let routes = 0;
    for (const r of p.apiRoutes) {
      const key = `${r.method} ${r.url}`;
      if (OPEN.has(key)) continue;
      routes++;
      const extra: Record<string, string> =
        key === 'POST /'
          ? { 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' }
          : {};
      const body =
        key === 'POST /'
          ? { SecretId: 'canary-secret' }
          : r.method === 'GET' || r.method === 'DELETE'
            ? undefined
            : {};
      const res = await call('bravo', r.method, fill(r.url), body, extra);
      const text = await res.text();
      counts.requests++;
      assert.ok(
        !text.includes(CANARY),
        `bravo ${key} (${res.status}) leaked alpha data: ${text.slice(0, 300)}`,
      );
      assert.ok(res.status !== 500, `bravo ${key}: 500 ${text.slice(0, 300)}`);
    }
    counts.routes = routes;
    // S3: alpha's bucket is not there for bravo, whatever the operation.
    const b = s3('bravo');
    // PUT /v1/buckets/:bucket made bravo a bucket of alpha's name in bravo's own namespace (and
    // DELETE /v1/buckets/:bucket may have removed it again, depending on the routes' order).
    await b.send(new DeleteBucketCommand({ Bucket: 'canary-bkt-alpha' })).catch((e: Error) => {
      if (e.name !== 'NoSuchBucket') throw e;
    });
    const list = await b.send(new ListBucketsCommand({}));
    assert.ok(!(list.Buckets ?? []).some((x) => x.Name === 'canary-bkt-alpha'));
    for (const cmd of [
      new GetObjectCommand({ Bucket: 'canary-bkt-alpha', Key: 'canary.txt' }),
      new ListObjectsV2Command({ Bucket: 'canary-bkt-alpha' }),
      new PutObjectCommand({ Bucket: 'canary-bkt-alpha', Key: 'canary.txt', Body: 'overwritten' }),
      new DeleteObjectCommand({ Bucket: 'canary-bkt-alpha', Key: 'canary.txt' }),
    ]) {
      counts.s3++;
      await assert.rejects(b.send(cmd as never), (e: Error) => /NoSuchBucket|AccessDenied/.test(e.name));
    }
    const afterSnap = await snapshot();
    assert.deepEqual(afterSnap, before, "alpha's state changed through bravo's requests");
  });

  it("alpha's principals are allowed exactly what their policy allows", async () => {
    const wrong: string[] = [];
    for (const who of ['invoker', 'readonly', 'developer', 'admin'] as const) {
      const doc = MANAGED_POLICIES[POLICY[who]!];
      for (const r of p.apiRoutes) {
        const key = `${r.method} ${r.url}`;
        if (OPEN.has(key)) continue;
        const e = ACTIONS[key]!;
        const action = typeof e === 'string' ? e : e.action;
        const allowed =
          evaluate([doc], { action, resource: '*' }).effect === 'Allow' && typeof e === 'string';
        const extra: Record<string, string> =
          key === 'POST /'
            ? {
                'x-amz-target': 'secretsmanager.GetSecretValue',
                'content-type': 'application/x-amz-json-1.1',
              }
            : {};
        const body =
          key === 'POST /'
            ? { SecretId: 'canary-secret' }
            : r.method === 'GET' || r.method === 'DELETE'
              ? undefined
              : {};
        const res = await call(who, r.method, fill(r.url), body, extra);
        const text = await res.text();
        counts.requests++;
        const refused = refusal(res.status, text);
        if (refused === allowed || res.status >= 500)
          wrong.push(
            `${who} ${key}: ${res.status} (expected ${allowed ? 'allowed' : 'refused'}) ${text.slice(0, 160)}`,
          );
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('reports the matrix size', () => {
    // Printed for the closing note: routes × principals, and the S3 cross-tenant operations.
    console.log(
      `authorization matrix: ${counts.routes} routes × ${counts.principals} principals, ${counts.requests} API requests, ${counts.s3} S3 cross-tenant operations`,
    );
    assert.ok(counts.requests > 0);
  });
});
