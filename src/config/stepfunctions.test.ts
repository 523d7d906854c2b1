import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture } from '../../test/helpers.ts';
import { ACCOUNT_REF, REGION_REF } from './cloudformation.ts';
import { loadProjectManifest, ManifestErrors } from './manifest.ts';
import { functionLogicalIds } from './stepfunctions.ts';

const arn = (fn: string) => `arn:aws:lambda:${REGION_REF}:${ACCOUNT_REF}:function:${fn}`;

/** A serverless.yml with two functions (`hello`, `add-tax`) and the given `stepFunctions` block. */
const project = (stepFunctions: string, extra = '') =>
  fixture({
    'serverless.yml': `service: shop
plugins:
  - serverless-step-functions
provider:
  name: aws
  runtime: nodejs24.x
functions:
  hello:
    handler: h.hello
  add-tax:
    handler: h.tax
${extra}stepFunctions:
${stepFunctions}`,
  });

/** The INVALID error's text, or fails. */
async function problems(dir: string): Promise<string> {
  try {
    await loadProjectManifest(dir, {});
  } catch (e) {
    assert.equal((e as { code?: string }).code, ManifestErrors.codes.INVALID, String(e));
    return (e as Error).message;
  }
  throw new Error('expected the manifest to be refused');
}

describe('serverless-step-functions stateMachines', () => {
  it('names machines <service>-<stage>-<key> (or name:), reads type, role and tags, and serves the plugin', async () => {
    const dir = await project(`  validate: true
  stateMachines:
    checkout:
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
    refunds:
      name: refunds-machine
      type: EXPRESS
      role: arn:aws:iam::\${aws:accountId}:role/refunds
      tags:
        team: payments
        tier: 1
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
`);
    const m = await loadProjectManifest(dir, {});
    assert.deepEqual(
      m.stateMachines?.map((s) => [s.key, s.name, s.type, s.roleArn, s.tags]),
      [
        ['checkout', 'shop-dev-checkout', 'STANDARD', undefined, undefined],
        [
          'refunds',
          'refunds-machine',
          'EXPRESS',
          `arn:aws:iam::${ACCOUNT_REF}:role/refunds`,
          { team: 'payments', tier: '1' },
        ],
      ],
    );
    assert.equal(m.stateMachines?.[0]?.line, 16, 'the line its mapping starts on');
    assert.deepEqual(m.served, ['serverless-step-functions (state machines served by Nimbus workflows)']);
    assert.equal(m.warnings, undefined, 'validate: and the plugin are not warned about');
    const prod = await loadProjectManifest(dir, {}, { stage: 'prod' });
    assert.equal(prod.stateMachines?.[0]?.name, 'shop-prod-checkout');
  });

  it('resolves every form of function reference to the deployed function', async () => {
    const dir = await project(`  stateMachines:
    refs:
      definition:
        StartAt: GetAttKey
        States:
          GetAttKey:
            Type: Task
            Resource:
              Fn::GetAtt: [hello, Arn]
            Next: GetAttLogicalId
          GetAttLogicalId:
            Type: Task
            Resource: !GetAtt AddDashtaxLambdaFunction.Arn
            Next: Short
          Short:
            Type: Task
            Resource: !GetAtt HelloLambdaFunction.Arn
            Next: Pseudo
          Pseudo:
            Type: Task
            Resource: arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:\${self:service}-\${opt:stage}-hello
            Next: Invoke
          Invoke:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName:
                Ref: add-tax
              Payload.$: $
            Next: InvokeArn
          InvokeArn:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:\${self:service}-\${sls:stage}-add-tax
            Next: Sub
          Sub:
            Type: Task
            Resource:
              Fn::Sub: arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${HelloLambdaFunction}
            Next: Join
          Join:
            Type: Task
            Resource: !Join [':', [arn, aws, lambda, !Ref AWS::Region, !Ref AWS::AccountId, function, !Ref hello]]
            Next: Pound
          Pound:
            Type: Task
            Resource: '#{HelloLambdaFunction.Arn}'
            End: true
`);
    const [sm] = (await loadProjectManifest(dir, {})).stateMachines ?? [];
    assert.ok(sm);
    const s = (
      sm.definition as { States: Record<string, { Resource: string; Parameters?: Record<string, unknown> }> }
    ).States;
    assert.equal(s.GetAttKey?.Resource, arn('shop-dev-hello'));
    assert.equal(s.GetAttLogicalId?.Resource, arn('shop-dev-add-tax'));
    assert.equal(s.Short?.Resource, arn('shop-dev-hello'));
    assert.equal(s.Pseudo?.Resource, arn('shop-dev-hello'));
    // Ref is a function's name (CloudFormation's value of Ref on AWS::Lambda::Function).
    assert.deepEqual(s.Invoke?.Parameters, { FunctionName: 'shop-dev-add-tax', 'Payload.$': '$' });
    assert.equal(s.InvokeArn?.Parameters?.FunctionName, arn('shop-dev-add-tax'));
    assert.equal(s.Sub?.Resource, `arn:aws:lambda:${REGION_REF}:${ACCOUNT_REF}:function:shop-dev-hello`);
    assert.equal(s.Join?.Resource, arn('shop-dev-hello'));
    assert.equal(s.Pound?.Resource, arn('shop-dev-hello'));
  });

  it('takes a definition as a JSON or YAML string, and from file variables', async () => {
    const dir = await project(`  stateMachines:
    json:
      definition: '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":{"Fn::GetAtt":["hello","Arn"]},"End":true}}}'
    yaml:
      definition: |
        StartAt: A
        States:
          A: { Type: Pass, End: true }
    file:
      definition: \${file(./machines/def.yml)}
    part: \${file(./machines/part.yml):machine}
`);
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(`${dir}/machines`);
    await writeFile(
      `${dir}/machines/def.yml`,
      'StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: !GetAtt hello.Arn\n    Comment: $' +
        '{self:service}\n    End: true\n',
    );
    await writeFile(
      `${dir}/machines/part.yml`,
      JSON.stringify({
        machine: { type: 'EXPRESS', definition: { StartAt: 'B', States: { B: { Type: 'Succeed' } } } },
      }),
    );
    const m = await loadProjectManifest(dir, {});
    const byKey = new Map(m.stateMachines?.map((s) => [s.key, s]));
    const json = byKey.get('json');
    assert.ok(json);
    assert.equal(
      (json.definition as { States: { A: { Resource: string } } }).States.A.Resource,
      arn('shop-dev-hello'),
    );
    assert.deepEqual(byKey.get('yaml')?.definition, {
      StartAt: 'A',
      States: { A: { Type: 'Pass', End: true } },
    });
    assert.deepEqual(byKey.get('file')?.definition, {
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: arn('shop-dev-hello'), Comment: 'shop', End: true } },
    });
    assert.equal(byKey.get('part')?.type, 'EXPRESS');
    await writeFile(
      `${dir}/serverless.yml`,
      (await import('node:fs'))
        .readFileSync(`${dir}/serverless.yml`, 'utf8')
        .replace('./machines/def.yml', './machines/nope.yml'),
    );
    assert.match(await problems(dir), /\$\{file\(\.\/machines\/nope\.yml\)\}: .*nope\.yml does not exist/);
  });

  it('parses http, httpApi, schedule and eventBridge events into routes, schedules and subscriptions', async () => {
    const dir = await project(`  stateMachines:
    flow:
      events:
        - http:
            path: orders/{id}
            method: post
            cors: true
            private: true
            request:
              template:
                application/json: '{}'
        - httpApi: 'GET /flow'
        - schedule: rate(1 minute)
        - schedule:
            rate: cron(0 12 * * ? *)
            enabled: false
            input: '{"kind":"noon"}'
        - schedule:
            rate: rate(1 hour)
            input:
              kind: hourly
        - eventBridge:
            eventBusName: arn:aws:events:us-east-1:123456789012:event-bus/orders
            event:
              source: [shop.orders]
              detail-type: [OrderPlaced]
            inputPath: $.detail
        - cloudwatchEvent:
            event:
              source: [shop.audit]
            input:
              fixed: true
        - eventBridge:
            enabled: false
            event:
              source: [off]
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
`);
    const m = await loadProjectManifest(dir, {});
    const [sm] = m.stateMachines ?? [];
    assert.deepEqual(sm?.routes, [
      {
        routeKey: 'POST /orders/{id}',
        payloadFormat: '1.0',
        stage: 'dev',
        cors: sm?.routes[0]?.cors,
      },
      { routeKey: 'GET /flow', payloadFormat: '2.0' },
    ]);
    assert.deepEqual(sm?.routes[0]?.cors?.allowMethods, ['POST', 'OPTIONS']);
    assert.deepEqual(
      sm?.schedules.map((s) => [s.name, s.expression, s.enabled, s.input]),
      [
        ['shop-dev-flow-schedule-1', 'rate(1 minute)', undefined, undefined],
        ['shop-dev-flow-schedule-2', 'cron(0 12 * * ? *)', false, { kind: 'noon' }],
        ['shop-dev-flow-schedule-3', 'rate(1 hour)', undefined, { kind: 'hourly' }],
      ],
    );
    assert.deepEqual(sm?.subscriptions, [
      {
        topic: 'orders',
        pattern: { source: ['shop.orders'], 'detail-type': ['OrderPlaced'] },
        view: 'eventbridge',
        inputTransformer: { inputPathsMap: { v: '$.detail' }, inputTemplate: '<v>' },
      },
      {
        topic: 'default',
        pattern: { source: ['shop.audit'] },
        view: 'eventbridge',
        inputTransformer: { inputTemplate: '{"fixed":true}' },
      },
    ]);
    // What the plugin does on AWS that Nimbus does not: said in one warning.
    assert.equal(m.warnings?.length, 1);
    assert.match(
      m.warnings![0]!,
      /stepFunctions\.stateMachines\.flow\.events\[0\]\.http\.private \(the endpoint is public\)/,
    );
    assert.match(
      m.warnings![0]!,
      /stepFunctions\.stateMachines\.flow\.events\[0\]\.http\.request \(the request body is the execution input\)/,
    );
  });

  it('warns about plugin keys it does not act on', async () => {
    const dir = await project(`  activities:
    - myTask
  stateMachines:
    flow:
      loggingConfig:
        level: ERROR
      tracingConfig:
        enabled: true
      role:
        Fn::GetAtt: [FlowRole, Arn]
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
`);
    const m = await loadProjectManifest(dir, {});
    assert.equal(m.stateMachines?.[0]?.roleArn, undefined);
    const w = m.warnings?.join('\n') ?? '';
    for (const k of ['stepFunctions.activities', 'flow.loggingConfig', 'flow.tracingConfig', 'flow.role ('])
      assert.ok(w.includes(k), `${k} in ${w}`);
  });

  it('names the line and key of every problem', async () => {
    const dir = await project(`  stateMachines:
    noDefinition:
      type: STANDARD
    badType:
      type: SLOW
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
    badRef:
      definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource:
              Fn::GetAtt: [nope, Arn]
            Next: B
          B:
            Type: Task
            Resource: '#{AWS::Nowhere}'
            Next: C
          C:
            Type: Task
            Resource: !GetAtt hello.Name
            End: true
    badEvent:
      events:
        - sns: topic
        - schedule:
            enabled: true
        - eventBridge:
            eventBusName: default
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
    badName:
      name: has spaces
      definition: {}
    unknownKey:
      definitions: {}
      definition:
        StartAt: A
        States:
          A: { Type: Pass, End: true }
`);
    const text = await problems(dir);
    const expect = [
      /line 15: stepFunctions\.stateMachines\.noDefinition: has no definition/,
      /line 17: stepFunctions\.stateMachines\.badType\.type: must be STANDARD or EXPRESS/,
      /line 29: stepFunctions\.stateMachines\.badRef\.definition\.States\.A\.Resource: Fn::GetAtt: \["nope","Arn"\] .*functions of this service: hello, add-tax/,
      /line 33: stepFunctions\.stateMachines\.badRef\.definition\.States\.B\.Resource: #\{AWS::Nowhere\}/,
      /line 37: stepFunctions\.stateMachines\.badRef\.definition\.States\.C\.Resource: Fn::GetAtt \["hello","Name"\]: a function's only attribute here is Arn/,
      /line 41: stepFunctions\.stateMachines\.badEvent\.events\[0\]: a state machine event of type "sns" is not supported \(supported: http, httpApi, schedule, eventBridge, cloudwatchEvent\)/,
      /stepFunctions\.stateMachines\.badEvent\.events\[1\]: schedule\.rate must be an expression/,
      /stepFunctions\.stateMachines\.badEvent\.events\[2\]: eventBridge\.event must be an event pattern object/,
      /stepFunctions\.stateMachines\.badName\.name: the state machine name "has spaces" is not valid/,
      /stepFunctions\.stateMachines\.unknownKey\.definitions: unknown key/,
    ];
    for (const re of expect) assert.match(text, re);
    assert.equal(text.split('\n').length, 1 + expect.length, 'one line per problem');
  });

  it('refuses two machines that deploy under one name', async () => {
    const dir = await project(`  stateMachines:
    one:
      name: same
      definition: { StartAt: A, States: { A: { Type: Pass, End: true } } }
    two:
      name: same
      definition: { StartAt: A, States: { A: { Type: Pass, End: true } } }
`);
    assert.match(
      await problems(dir),
      /stepFunctions\.stateMachines\.two: deploys as same, as stepFunctions\.stateMachines\.one does/,
    );
  });

  it('gives functions the logical ids Serverless does', () => {
    const ids = functionLogicalIds(['hello', 'hello-world', 'send_mail', 'helloworld']);
    assert.equal(ids.get('HelloLambdaFunction'), 'hello');
    assert.equal(ids.get('HelloDashworldLambdaFunction'), 'hello-world');
    assert.equal(ids.get('SendUnderscoremailLambdaFunction'), 'send_mail');
    assert.equal(ids.get('SendmailLambdaFunction'), 'send_mail');
    // The stripped form of hello-world would be helloworld's own id: that one wins.
    assert.equal(ids.get('HelloworldLambdaFunction'), 'helloworld');
  });
});
