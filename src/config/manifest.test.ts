import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture } from '../../test/helpers.ts';
import { ACCOUNT_REF, queueUrlRef, REGION_REF } from './cloudformation.ts';
import {
  deployedFunctionName,
  loadProjectManifest,
  manifestFile,
  SUPPORTED_EVENT_TYPES,
} from './manifest.ts';

describe('project manifest', () => {
  it('reads a Serverless v3 serverless.yml with provider defaults and variables', async () => {
    const dir = await fixture({
      'serverless.yml': `service: shop
provider:
  name: aws
  runtime: nodejs20.x
  memorySize: 512
  timeout: 10
  environment:
    STAGE: \${env:STAGE, 'dev'}
    SERVICE: \${self:service}
functions:
  list:
    handler: src/list.handler
  create:
    handler: src/create.handler
    runtime: python3.12
    memorySize: 1024
    environment:
      TABLE: orders
`,
    });
    const m = await loadProjectManifest(dir, {});
    assert.equal(m.source, 'serverless.yml');
    assert.equal(m.service, 'shop');
    const [list, create] = m.functions;
    assert.deepEqual(list, {
      name: 'shop-dev-list',
      key: 'list',
      handler: 'src/list.handler',
      runtime: 'nodejs20.x',
      memoryMb: 512,
      timeoutSec: 10,
      environment: { STAGE: 'dev', SERVICE: 'shop' },
      description: undefined,
      events: [],
    });
    assert.equal(create?.runtime, 'python3.12');
    assert.equal(create?.memoryMb, 1024);
    assert.deepEqual(create?.environment, { STAGE: 'dev', SERVICE: 'shop', TABLE: 'orders' });
    assert.equal((await loadProjectManifest(dir, { STAGE: 'prod' })).functions[0]?.environment.STAGE, 'prod');
  });

  it('names serverless.yml functions <service>-<stage>-<key>; --stage wins over provider.stage, then dev', async () => {
    const sls = (provider: string) => `service: svc
provider:
  runtime: nodejs24.x
${provider}
  environment:
    SLS_STAGE: \${sls:stage}
    OPT_STAGE: \${opt:stage, 'none'}
    SELF_STAGE: \${self:provider.stage, 'unset'}
  iamRoleStatements:
    - { Effect: Allow, Action: sqs:SendMessage, Resource: '*' }
functions:
  hello:
    handler: index.handler
    destinations:
      onFailure: alerts
    events:
      - schedule: rate(1 hour)
  alerts:
    handler: index.alerts
    destinations:
      onFailure: some-other-function
  custom:
    name: my-custom-name
    handler: index.custom
`;
    const plain = await fixture({ 'serverless.yml': sls('') });
    const m = await loadProjectManifest(plain, {});
    assert.equal(m.stage, 'dev');
    assert.equal(m.naming, 'service');
    assert.deepEqual(
      m.functions.map((f) => [f.key, f.name]),
      [
        ['hello', 'svc-dev-hello'],
        ['alerts', 'svc-dev-alerts'],
        ['custom', 'my-custom-name'],
      ],
    );
    const [hello, alerts] = m.functions;
    assert.deepEqual(hello?.environment, { SLS_STAGE: 'dev', OPT_STAGE: 'none', SELF_STAGE: 'unset' });
    // A destination naming a function of the service by its key is that function as deployed.
    assert.equal(hello?.async?.onFailure, 'svc-dev-alerts');
    assert.equal(alerts?.async?.onFailure, 'some-other-function');
    assert.deepEqual(
      hello?.events.flatMap((e) => e.schedules ?? []).map((x) => x.name),
      ['svc-dev-hello-schedule-1'],
    );
    assert.equal(m.roles?.[0]?.name, 'svc-dev-lambdaRole');
    assert.equal(hello?.role, 'svc-dev-lambdaRole');

    const prod = await fixture({ 'serverless.yml': sls('  stage: prod') });
    const p = await loadProjectManifest(prod, {});
    assert.equal(p.stage, 'prod');
    assert.equal(p.functions[0]?.name, 'svc-prod-hello');
    assert.deepEqual(p.functions[0]?.environment, {
      SLS_STAGE: 'prod',
      OPT_STAGE: 'none',
      SELF_STAGE: 'prod',
    });
    // --stage wins over provider.stage: names, roles, ${sls:stage} and ${opt:stage}.
    const cli = await loadProjectManifest(prod, {}, { stage: 'qa' });
    assert.equal(cli.stage, 'qa');
    assert.equal(cli.functions[0]?.name, 'svc-qa-hello');
    assert.equal(cli.roles?.[0]?.name, 'svc-qa-lambdaRole');
    assert.deepEqual(cli.functions[0]?.environment, {
      SLS_STAGE: 'qa',
      OPT_STAGE: 'qa',
      SELF_STAGE: 'prod',
    });
    // provider.stage written as Serverless projects often do.
    const opt = await fixture({ 'serverless.yml': sls(`  stage: ${'$'}{opt:stage, 'staging'}`) });
    assert.equal((await loadProjectManifest(opt, {})).functions[0]?.name, 'svc-staging-hello');
    assert.equal(
      (await loadProjectManifest(opt, {})).functions[0]?.environment.SELF_STAGE,
      'staging',
      'self:provider.stage resolves the variables it holds',
    );
    assert.equal((await loadProjectManifest(opt, {}, { stage: 'x' })).functions[0]?.name, 'svc-x-hello');
    const envStage = await fixture({ 'serverless.yml': sls(`  stage: ${'$'}{env:STAGE, 'dev'}`) });
    assert.equal((await loadProjectManifest(envStage, { STAGE: 'ci' })).stage, 'ci');

    // The CLI maps a key of the service to its deployed name; other names stay as given.
    assert.equal(await deployedFunctionName(prod, 'hello', {}), 'svc-prod-hello');
    assert.equal(await deployedFunctionName(prod, 'hello', {}, { stage: 'qa' }), 'svc-qa-hello');
    assert.equal(await deployedFunctionName(join(prod, 'serverless.yml'), 'custom', {}), 'my-custom-name');
    assert.equal(await deployedFunctionName(prod, 'svc-prod-hello', {}), undefined);
    assert.equal(await deployedFunctionName(await fixture({ 'a.txt': '' }), 'hello', {}), undefined);
    assert.equal(manifestFile(prod), join(prod, 'serverless.yml'));
    // A manifest file can be loaded by its path, whatever its name.
    const alt = await fixture({ 'serverless.prod.yml': sls('  stage: prod') });
    const altM = await loadProjectManifest(join(alt, 'serverless.prod.yml'), {});
    assert.equal(altM.source, 'serverless.yml');
    assert.equal(altM.dir, alt);
    assert.equal(altM.functions[0]?.name, 'svc-prod-hello');
  });

  it('keeps short names for nimbus.yml (unless naming: service) and inferred projects; refuses bad names and stages', async () => {
    const body = 'provider:\n  runtime: nodejs24.x\nfunctions:\n  hello:\n    handler: index.handler\n';
    const short = await fixture({ 'nimbus.yml': `service: svc\n${body}` });
    const s = await loadProjectManifest(short, {}, { stage: 'prod' });
    assert.deepEqual(
      [s.naming, s.stage, s.functions[0]?.name, s.functions[0]?.key],
      ['short', 'prod', 'hello', 'hello'],
    );
    assert.equal(await deployedFunctionName(short, 'hello', {}), 'hello');
    const optIn = await fixture({ 'nimbus.yml': `service: svc\nnaming: service\n${body}` });
    assert.equal(
      (await loadProjectManifest(optIn, {}, { stage: 'prod' })).functions[0]?.name,
      'svc-prod-hello',
    );
    const optOut = await fixture({ 'serverless.yml': `service: svc\nnaming: short\n${body}` });
    assert.equal((await loadProjectManifest(optOut, {})).functions[0]?.name, 'hello');
    const inferred = await loadProjectManifest(await fixture({ 'index.mjs': '' }), {}, { stage: 'prod' });
    assert.equal(inferred.functions[0]?.name, inferred.functions[0]?.key);
    assert.equal(inferred.naming, 'short');

    const long = await fixture({ 'serverless.yml': `service: ${'s'.repeat(60)}\n${body}` });
    await assert.rejects(
      loadProjectManifest(long, {}),
      /line \d+: functions\.hello: the deployed name "s+-dev-hello" is not a valid function name .*set functions\.hello\.name/,
    );
    const clash = await fixture({
      'serverless.yml': `service: svc\n${body}  other:\n    name: svc-dev-hello\n    handler: index.other\n`,
    });
    await assert.rejects(
      loadProjectManifest(clash, {}),
      /functions\.other and functions\.hello both deploy as "svc-dev-hello"/,
    );
    await assert.rejects(loadProjectManifest(short, {}, { stage: 'no spaces' }), /stage "no spaces"/);
    // Default schedule names stay within 64 characters, distinct.
    const sched = await fixture({
      'serverless.yml': `service: ${'a'.repeat(40)}\n${body}    events:\n      - schedule: rate(1 hour)\n      - schedule: rate(2 hours)\n`,
    });
    const names = (await loadProjectManifest(sched, {})).functions[0]!.events.flatMap(
      (e) => e.schedules ?? [],
    );
    assert.equal(names.length, 2);
    assert.ok(names.every((x) => x.name.length <= 64 && x.name.startsWith('a'.repeat(40))));
    assert.notEqual(names[0]?.name, names[1]?.name);
  });

  it('reads execution roles: iam.role.statements, iamRoleStatements, managed policies, a named role, secrets', async () => {
    const v3 = await fixture({
      'serverless.yml': `service: shop
provider:
  name: aws
  runtime: nodejs20.x
  stage: prod
  secrets: [api-token]
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [s3:GetObject]
          Resource: arn:aws:s3:::shop-images/*
      managedPolicies:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
functions:
  list:
    handler: src/list.handler
    secrets: [db-password]
  admin:
    handler: src/admin.handler
    role: arn:aws:iam::123456789012:role/shop-admin
`,
    });
    const m = await loadProjectManifest(v3, {});
    assert.deepEqual(m.roles, [
      {
        name: 'shop-prod-lambdaRole',
        policies: [
          {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::shop-images/*' },
            ],
          },
          'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ],
      },
    ]);
    assert.equal(m.functions[0]?.role, 'shop-prod-lambdaRole');
    assert.deepEqual(m.functions[0]?.secrets, ['api-token', 'db-password']);
    assert.equal(m.functions[1]?.role, 'shop-admin', 'a function role (ARN) names the role');
    const v2 = await fixture({
      'serverless.yml': `service: legacy
provider:
  name: aws
  runtime: nodejs16.x
  iamRoleStatements:
    - Effect: Allow
      Action: sqs:SendMessage
      Resource: '*'
functions:
  f:
    handler: f.handler
`,
    });
    const m2 = await loadProjectManifest(v2, {});
    assert.equal(m2.roles?.[0]?.name, 'legacy-dev-lambdaRole');
    assert.equal(m2.functions[0]?.role, 'legacy-dev-lambdaRole');
    const named = await fixture({
      'serverless.yml': `service: x
provider: { name: aws, runtime: nodejs20.x, iam: { role: existing-role } }
functions: { f: { handler: f.handler } }
`,
    });
    const m3 = await loadProjectManifest(named, {});
    assert.equal(m3.roles, undefined);
    assert.equal(m3.functions[0]?.role, 'existing-role');
  });

  it('reads schedule events (Serverless syntax) and async settings', async () => {
    const dir = await fixture({
      'serverless.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  report:
    handler: index.handler
    maximumRetryAttempts: 1
    maximumEventAge: 3600
    destinations:
      onSuccess: audit
      onFailure:
        type: function
        arn: arn:aws:lambda:local-1:000000000000:function:alerts
    events:
      - schedule: rate(5 minutes)
      - schedule:
          rate:
            - cron(0 12 * * ? *)
            - cron(0 18 ? * MON-FRI *)
          enabled: false
          timezone: Europe/Paris
          misfire: skip
          input:
            kind: digest
`,
    });
    const f = (await loadProjectManifest(dir)).functions[0]!;
    assert.deepEqual(f.async, {
      maximumRetryAttempts: 1,
      maximumEventAgeSec: 3600,
      onSuccess: 'audit',
      onFailure: 'arn:aws:lambda:local-1:000000000000:function:alerts',
    });
    const schedules = f.events.flatMap((e) => e.schedules ?? []);
    assert.deepEqual(
      schedules.map((s) => [s.name, s.expression, s.enabled, s.timezone, s.misfire]),
      [
        ['s-dev-report-schedule-1', 'rate(5 minutes)', undefined, undefined, undefined],
        ['s-dev-report-schedule-2-1', 'cron(0 12 * * ? *)', false, 'Europe/Paris', 'skip'],
        ['s-dev-report-schedule-2-2', 'cron(0 18 ? * MON-FRI *)', false, 'Europe/Paris', 'skip'],
      ],
    );
    assert.deepEqual(schedules[1]?.input, { kind: 'digest' });
    const bad = await fixture({
      'nimbus.yml':
        'service: s\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  a:\n    handler: index.handler\n    events:\n      - schedule:\n          rate: 5\n',
    });
    await assert.rejects(loadProjectManifest(bad), /line 8: functions\.a\.events\[0\]: schedule\.rate/);
  });

  it('reads eventBridge and sns events as topic subscriptions', async () => {
    const dir = await fixture({
      'serverless.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  router:
    handler: index.handler
    events:
      - eventBridge:
          eventBus: arn:aws:events:local-1:000000000000:event-bus/orders
          pattern:
            type: [order.placed]
          retryPolicy:
            maximumRetryAttempts: 0
          inputTransformer:
            inputPathsMap:
              id: $.id
            inputTemplate: '{"id": <id>}'
      - eventBridge:
          pattern:
            source: [app]
      - sns: alerts
      - sns:
          arn: arn:aws:sns:local-1:000000000000:billing
`,
    });
    const f = (await loadProjectManifest(dir)).functions[0]!;
    assert.deepEqual(
      f.events.flatMap((e) => e.subscriptions ?? []),
      [
        {
          topic: 'orders',
          pattern: { type: ['order.placed'] },
          inputTransformer: { inputTemplate: '{"id": <id>}', inputPathsMap: { id: '$.id' } },
          retry: { maximumRetryAttempts: 0 },
          view: 'cloudevent',
        },
        { topic: 'default', pattern: { source: ['app'] }, view: 'eventbridge' },
        { topic: 'alerts', view: 'sns' },
        { topic: 'billing', view: 'sns' },
      ],
    );
  });

  it('reads broker events as event sources', async () => {
    const dir = await fixture({
      'nimbus.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  consume:
    handler: index.handler
    events:
      - rabbitmq:
          url: amqp://guest:guest@127.0.0.1:5672
          queue: orders
          batchSize: 20
          maximumBatchingWindow: 2
          maximumRetryAttempts: 1
      - redis: events-stream
      - mqtt:
          topic: sensors/+/temp
          parallelizationFactor: 2
`,
    });
    const f = (await loadProjectManifest(dir)).functions[0]!;
    assert.deepEqual(
      f.events.flatMap((e) => e.sources ?? []),
      [
        {
          kind: 'rabbitmq',
          config: { url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'orders' },
          batchSize: 20,
          batchWindowMs: 2000,
          maximumRetryAttempts: 1,
          concurrency: undefined,
          enabled: undefined,
        },
        {
          kind: 'redis',
          config: { stream: 'events-stream' },
          batchSize: undefined,
          batchWindowMs: undefined,
          maximumRetryAttempts: undefined,
          concurrency: undefined,
          enabled: undefined,
        },
        {
          kind: 'mqtt',
          config: { topic: 'sensors/+/temp' },
          batchSize: undefined,
          batchWindowMs: undefined,
          maximumRetryAttempts: undefined,
          concurrency: 2,
          enabled: undefined,
        },
      ],
    );
  });

  it('reads AWS::SQS::Queue resources, resolves !Ref / !GetAtt / !Sub to them, and sqs events', async () => {
    const dir = await fixture({
      'serverless.yml': `service: jobs
provider:
  name: aws
  runtime: nodejs20.x
  stage: prod
  iam:
    role:
      statements:
        - Effect: Allow
          Action: sqs:SendMessage
          Resource: !GetAtt Jobs.Arn
functions:
  producer:
    handler: p.handler
    environment:
      URL: !Ref Jobs
      NAME: !GetAtt Jobs.QueueName
      REGION: \${aws:region}
      SUBBED: !Sub 'queue \${Jobs.QueueName} in \${AWS::Region}'
      JOINED: !Join ['/', [a, !Ref AWS::AccountId]]
  worker:
    handler: w.handler
    events:
      - sqs:
          arn: !GetAtt Jobs.Arn
          batchSize: 3
          maximumBatchingWindow: 2
          functionResponseType: ReportBatchItemFailures
          filterPatterns:
            - body: { kind: [a] }
      - sqs: arn:aws:sqs:local-1:000000000000:other
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 60
        RedrivePolicy: { deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 3 }
    Dead:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: dead-\${sls:stage}.fifo
        FifoQueue: true
    Table:
      Type: AWS::DynamoDB::Table
      Properties: { StreamArn: !GetAtt Other.StreamArn }
`,
    });
    const m = await loadProjectManifest(dir, {});
    assert.deepEqual(
      m.queues?.map((q) => [q.name, q.attributes]),
      [
        ['dead-prod.fifo', { FifoQueue: 'true' }],
        [
          'jobs-prod-Jobs',
          {
            VisibilityTimeout: '60',
            RedrivePolicy: `{"deadLetterTargetArn":"arn:aws:sqs:${REGION_REF}:${ACCOUNT_REF}:dead-prod.fifo","maxReceiveCount":3}`,
          },
        ],
      ],
    );
    const [producer, worker] = m.functions;
    assert.deepEqual(producer?.environment, {
      URL: queueUrlRef('jobs-prod-Jobs'),
      NAME: 'jobs-prod-Jobs',
      REGION: REGION_REF,
      SUBBED: `queue jobs-prod-Jobs in ${REGION_REF}`,
      JOINED: `a/${ACCOUNT_REF}`,
    });
    assert.deepEqual(
      worker?.events.flatMap((e) => e.sources ?? []),
      [
        {
          kind: 'sqs',
          config: {
            queue: 'jobs-prod-Jobs',
            functionResponseTypes: ['ReportBatchItemFailures'],
            filterPatterns: [{ body: { kind: ['a'] } }],
          },
          batchSize: 3,
          batchWindowMs: 2000,
          concurrency: 2,
          enabled: undefined,
        },
        {
          kind: 'sqs',
          config: { queue: 'other' },
          batchSize: 10,
          batchWindowMs: undefined,
          concurrency: 2,
          enabled: undefined,
        },
      ],
    );
    assert.match(
      JSON.stringify(m.roles),
      /arn:aws:sqs:\$\{nimbus:region\}:\$\{nimbus:account\}:jobs-prod-Jobs/,
    );
    assert.match(m.warnings?.join('\n') ?? '', /Fn::GetAtt: \["Other","StreamArn"\]/);
  });

  it('serves serverless-lift queue and storage constructs, and lists what it does not act on', async () => {
    const dir = await fixture({
      'serverless.yml': `service: app
plugins: [serverless-lift, serverless-esbuild, serverless-prune-plugin]
provider:
  name: aws
  runtime: nodejs20.x
  region: eu-west-1
  timeout: 10
  environment:
    QUEUE_URL: \${construct:jobs.queueUrl}
    BUCKET: \${construct:avatars.bucketName}
custom:
  esbuild: { bundle: true }
  tableName: t-\${sls:stage}
  other: x
constructs:
  jobs:
    type: queue
    maxRetries: 5
    batchSize: 4
    worker:
      handler: src/worker.handler
      memorySize: 512
  avatars:
    type: storage
  site:
    type: static-website
functions:
  api:
    handler: src/api.handler
    layers: [arn:aws:lambda:x]
    environment:
      TABLE: \${self:custom.tableName}
resources:
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
  Outputs:
    X: { Value: 1 }
`,
    });
    const m = await loadProjectManifest(dir, {});
    assert.deepEqual(
      m.queues?.map((q) => [q.name, q.attributes.VisibilityTimeout, q.attributes.RedrivePolicy]),
      [
        ['app-dev-jobs-dlq', undefined, undefined],
        [
          'app-dev-jobs',
          '60',
          `{"deadLetterTargetArn":"arn:aws:sqs:${REGION_REF}:${ACCOUNT_REF}:app-dev-jobs-dlq","maxReceiveCount":5}`,
        ],
      ],
    );
    assert.deepEqual(m.buckets, ['app-dev-avatars']);
    const worker = m.functions.find((f) => f.key === 'jobsWorker');
    assert.equal(worker?.name, 'app-dev-jobsWorker');
    assert.equal(worker?.memoryMb, 512);
    assert.deepEqual(worker?.events[0]?.sources?.[0]?.config, {
      queue: 'app-dev-jobs',
      functionResponseTypes: ['ReportBatchItemFailures'],
    });
    assert.equal(worker?.events[0]?.sources?.[0]?.batchSize, 4);
    const api = m.functions.find((f) => f.key === 'api');
    assert.equal(api?.environment.QUEUE_URL, queueUrlRef('app-dev-jobs'));
    assert.equal(api?.environment.BUCKET, 'app-dev-avatars');
    assert.match(JSON.stringify(m.roles), /sqs:SendMessage.*app-dev-jobs/);
    assert.match(JSON.stringify(m.roles), /arn:aws:s3:::app-dev-avatars\/\*/);
    const w = m.warnings?.join('\n') ?? '';
    assert.match(w, /site: Lift type static-website is not deployed/);
    assert.match(
      w,
      /not acted on by Nimbus: provider\.region, plugins: serverless-prune-plugin, custom\.esbuild, custom\.other, resources\.Table \(AWS::DynamoDB::Table\), resources\.Outputs, functions\.api\.layers/,
    );
    assert.deepEqual(
      m.served?.map((s) => s.split(' ')[0]),
      ['serverless-lift', 'serverless-esbuild'],
    );
  });

  it('refuses a runtime id it cannot run with the file, the line and the supported ids', async () => {
    const dir = await fixture({
      'serverless.yml': `service: s
provider:
  name: aws
  runtime: nodejs20.x
functions:
  ok:
    handler: a.handler
  dotnet:
    handler: b.handler
    runtime: dotnet8
`,
    });
    await assert.rejects(loadProjectManifest(dir, {}), (e: Error) => {
      assert.match(e.message, /serverless\.yml/);
      assert.match(e.message, /line 10: functions\.dotnet\.runtime: runtime dotnet8/);
      assert.match(e.message, /nodejs20\.x/);
      return true;
    });
  });

  it('reads s3 events (Serverless syntax)', async () => {
    const dir = await fixture({
      'serverless.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  thumb:
    handler: index.handler
    events:
      - s3: uploads
      - s3:
          bucket: photos
          event: s3:ObjectRemoved:*
          rules:
            - prefix: images/
            - suffix: .jpg
`,
    });
    assert.deepEqual(
      (await loadProjectManifest(dir)).functions[0]!.events.flatMap((e) => e.bucketEvents ?? []),
      [
        { bucket: 'uploads', events: ['s3:ObjectCreated:*'], prefix: undefined, suffix: undefined },
        { bucket: 'photos', events: ['s3:ObjectRemoved:*'], prefix: 'images/', suffix: '.jpg' },
      ],
    );
  });

  it('names the file, line and function of an unknown event type', async () => {
    assert.equal(SUPPORTED_EVENT_TYPES.has('kafkaX'), false);
    const dir = await fixture({
      'nimbus.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  a:
    handler: index.handler
    events:
      - kafkaX:
          topic: t
`,
    });
    await assert.rejects(loadProjectManifest(dir), (e: Error & { code: string }) => {
      assert.equal(e.code, 'NIMBUS_ERR_MANIFEST_UNKNOWN_EVENT');
      assert.match(e.message, /nimbus\.yml:8: function a has an event of type "kafkaX"/);
      return true;
    });
  });

  it('lists every schema problem with its line, and YAML syntax errors with line:col', async () => {
    const dir = await fixture({
      'nimbus.yml': `service: s
functions:
  a:
    handler: index.handler
    memorySize: lots
  b:
    timeout: 3
`,
    });
    await assert.rejects(loadProjectManifest(dir), (e: Error) => {
      assert.match(e.message, /line 5: functions\.a\.memorySize/);
      assert.match(e.message, /functions\.b\.handler/);
      return true;
    });
    const bad = await fixture({ 'nimbus.yml': 'service: [unclosed\n' });
    await assert.rejects(loadProjectManifest(bad), /line \d+:\d+/);
    const unsupported = await fixture({ 'nimbus.yml': `service: ${'$'}{ssm:/x}\nfunctions: {}\n` });
    await assert.rejects(loadProjectManifest(unsupported), /unsupported variable/);
  });

  it('infers one function when there is no manifest', async () => {
    const dir = await fixture({ 'app.py': 'def handler(e, c):\n  return 1\n' });
    const m = await loadProjectManifest(dir);
    assert.equal(m.source, 'inferred');
    assert.equal(m.functions[0]?.handler, 'app.handler');
    assert.equal(m.functions[0]?.runtime, 'python3.12');
    const empty = await fixture({ 'README.md': 'x' });
    await assert.rejects(loadProjectManifest(empty), /no manifest/);
  });

  it('reads the shipped examples', async () => {
    assert.equal((await loadProjectManifest('examples/hello')).functions[0]?.name, 'hello');
    assert.equal((await loadProjectManifest('examples/hello-ts')).functions[0]?.handler, 'handler.hello');
    assert.equal(
      (await loadProjectManifest('examples/hello-ts')).functions[0]?.name,
      'hello-ts-dev-hello-ts',
    );
    assert.equal((await loadProjectManifest('examples/hello-python')).functions[0]?.runtime, 'python3.12');
  });

  it('reads concurrency settings: Serverless reservedConcurrency / provisionedConcurrency and Nimbus scaling', async () => {
    const dir = await fixture({
      'serverless.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  api:
    handler: index.handler
    reservedConcurrency: 20
    provisionedConcurrency: 2
    scaling:
      perInstanceConcurrency: 8
      maxInstances: 4
      provisionedSchedule:
        - schedule: cron(0 8 ? * MON-FRI *)
          provisionedConcurrency: 10
  plain:
    handler: index.other
`,
    });
    const m = await loadProjectManifest(dir);
    const api = m.functions.find((f) => f.key === 'api');
    assert.equal(api?.reservedConcurrency, 20);
    assert.deepEqual(api?.scaling, {
      provisionedConcurrency: 2,
      perInstanceConcurrency: 8,
      maxInstances: 4,
      provisionedSchedule: [{ schedule: 'cron(0 8 ? * MON-FRI *)', provisionedConcurrency: 10 }],
    });
    const plain = m.functions.find((f) => f.key === 'plain');
    assert.equal(plain?.scaling, undefined);
    assert.equal(plain?.reservedConcurrency, undefined);
  });

  it('reads the per-function isolation (process | isolate) and rejects other values', async () => {
    const dir = await fixture({
      'nimbus.yml': `service: s
provider:
  runtime: nodejs24.x
functions:
  fast:
    handler: index.handler
    isolation: isolate
  plain:
    handler: index.other
`,
    });
    const m = await loadProjectManifest(dir);
    assert.equal(m.functions.find((f) => f.name === 'fast')?.isolation, 'isolate');
    assert.equal(m.functions.find((f) => f.name === 'plain')?.isolation, undefined);
    const bad = await fixture({
      'nimbus.yml':
        'service: s\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  f:\n    handler: index.handler\n    isolation: vm\n',
    });
    await assert.rejects(loadProjectManifest(bad), /isolation/);
  });

  it('reads egress policies: none, internet, allowlists with ports, the provider default, and refuses bad entries', async () => {
    const dir = await fixture({
      'serverless.yml': `service: s
provider:
  runtime: nodejs24.x
  egress: none
functions:
  closed:
    handler: index.handler
  open:
    handler: index.handler
    egress: internet
  picky:
    handler: index.handler
    egress:
      allow:
        - 203.0.113.0/24:443
        - api.example.com:80,443
        - fd12::/64
        - host: db.internal
          ports: [5432]
`,
    });
    const m = await loadProjectManifest(dir);
    const of = (n: string) => m.functions.find((f) => f.key === n)?.egress;
    assert.deepEqual(of('closed'), { mode: 'none' });
    assert.deepEqual(of('open'), { mode: 'internet' });
    assert.deepEqual(of('picky'), {
      mode: 'allowlist',
      allow: [
        { host: '203.0.113.0/24', ports: [443] },
        { host: 'api.example.com', ports: [80, 443] },
        { host: 'fd12::/64' },
        { host: 'db.internal', ports: [5432] },
      ],
    });
    for (const bad of [
      'egress: everywhere',
      'egress:\n      allow: []',
      'egress:\n      allow: ["not a host!"]',
      'egress:\n      allow: ["10.0.0.0/8:99999"]',
    ]) {
      const d = await fixture({
        'nimbus.yml': `service: s\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  f:\n    handler: index.handler\n    ${bad}\n`,
      });
      await assert.rejects(loadProjectManifest(d), /egress/, bad);
    }
  });
});
