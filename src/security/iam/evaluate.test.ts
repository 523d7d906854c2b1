// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}; these strings are policies, not templates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ContextValue, compilePolicies, type Decision, evaluate } from './evaluate.ts';
import { compileGlob, type StepCounter } from './glob.ts';
import {
  ADMINISTRATOR_ACCESS,
  DEFAULT_EXECUTION_POLICY,
  DEVELOPER,
  INVOKER,
  MANAGED_POLICIES,
  READ_ONLY,
  resolvePolicyRef,
} from './managed.ts';
import { type PolicyDocument, parsePolicy } from './policy.ts';

type Ctx = Record<string, ContextValue>;

const doc = (...Statement: Record<string, unknown>[]): PolicyDocument =>
  parsePolicy({ Version: '2012-10-17', Statement });

type Want = 'Allow' | 'Deny' | 'implicit';
const outcome = (d: Decision): Want => (d.effect === 'Allow' ? 'Allow' : d.explicit ? 'Deny' : 'implicit');

const ALLOW_ALL = doc({ Effect: 'Allow', Action: '*', Resource: '*' });

// [what, policies, action, resource, context, outcome]
const requestRows: [string, PolicyDocument[], string, string, Ctx, Want][] = [
  ['no policies: implicit deny', [], 's3:GetObject', 'arn:aws:s3:::b/k', {}, 'implicit'],
  [
    'nothing matches: implicit deny',
    [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })],
    's3:PutObject',
    'arn:aws:s3:::b/k',
    {},
    'implicit',
  ],
  [
    'action names are case-insensitive',
    [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })],
    'S3:getobject',
    'arn:aws:s3:::b/k',
    {},
    'Allow',
  ],
  [
    'action wildcard *',
    [doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })],
    's3:GetObjectAcl',
    'x',
    {},
    'Allow',
  ],
  [
    'action wildcard * is case-insensitive',
    [doc({ Effect: 'Allow', Action: 's3:get*', Resource: '*' })],
    's3:GETOBJECT',
    'x',
    {},
    'Allow',
  ],
  [
    'action wildcard does not match another action',
    [doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })],
    's3:PutObject',
    'x',
    {},
    'implicit',
  ],
  [
    'action wildcard ?',
    [doc({ Effect: 'Allow', Action: 'lambda:?nvoke*', Resource: '*' })],
    'lambda:InvokeFunction',
    'x',
    {},
    'Allow',
  ],
  [
    'service:* stays within the service',
    [doc({ Effect: 'Allow', Action: 'nimbus:*', Resource: '*' })],
    'lambda:InvokeFunction',
    'x',
    {},
    'implicit',
  ],
  [
    'action list is ORed',
    [doc({ Effect: 'Allow', Action: ['s3:GetObject', 'sqs:*'], Resource: '*' })],
    'sqs:SendMessage',
    'x',
    {},
    'Allow',
  ],
  [
    'resources are case-sensitive',
    [doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::Bucket/*' })],
    's3:GetObject',
    'arn:aws:s3:::bucket/k',
    {},
    'implicit',
  ],
  [
    'resource * spans /',
    [doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' })],
    's3:GetObject',
    'arn:aws:s3:::bucket/a/b/c',
    {},
    'Allow',
  ],
  [
    'resource * spans :',
    [doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:lambda:*:function:f' })],
    'lambda:InvokeFunction',
    'arn:aws:lambda:us-east-1:123456789012:function:f',
    {},
    'Allow',
  ],
  [
    'resource ? is one character',
    [doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::log-?' })],
    's3:GetObject',
    'arn:aws:s3:::log-12',
    {},
    'implicit',
  ],
  [
    'resource without wildcard must be equal',
    [doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket' })],
    's3:ListBucket',
    'arn:aws:s3:::bucket/k',
    {},
    'implicit',
  ],
  [
    'NotAction: other actions allowed',
    [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
    's3:GetObject',
    'x',
    {},
    'Allow',
  ],
  [
    'NotAction: listed actions not allowed',
    [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
    'IAM:CreateUser',
    'x',
    {},
    'implicit',
  ],
  [
    'NotResource: other resources allowed',
    [doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:nimbus:secrets:*' })],
    'nimbus:Get',
    'arn:nimbus:fn:a',
    {},
    'Allow',
  ],
  [
    'NotResource: listed resources not allowed',
    [doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:nimbus:secrets:*' })],
    'nimbus:Get',
    'arn:nimbus:secrets:db',
    {},
    'implicit',
  ],
  [
    'Deny with NotAction denies everything else',
    [ALLOW_ALL, doc({ Effect: 'Deny', NotAction: 's3:*', Resource: '*' })],
    'lambda:InvokeFunction',
    'x',
    {},
    'Deny',
  ],
  [
    'Deny with NotAction leaves the listed actions',
    [ALLOW_ALL, doc({ Effect: 'Deny', NotAction: 's3:*', Resource: '*' })],
    's3:GetObject',
    'x',
    {},
    'Allow',
  ],
  [
    'explicit Deny in a later policy beats Allow',
    [ALLOW_ALL, doc({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' })],
    's3:DeleteObject',
    'x',
    {},
    'Deny',
  ],
  [
    'explicit Deny in an earlier policy beats Allow',
    [doc({ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::prod/*' }), ALLOW_ALL],
    's3:GetObject',
    'arn:aws:s3:::prod/k',
    {},
    'Deny',
  ],
  [
    'a Deny that does not match leaves the Allow',
    [doc({ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::prod/*' }), ALLOW_ALL],
    's3:GetObject',
    'arn:aws:s3:::dev/k',
    {},
    'Allow',
  ],
  [
    'a Deny alone is still a deny',
    [doc({ Effect: 'Deny', Action: '*', Resource: '*' })],
    's3:GetObject',
    'x',
    {},
    'Deny',
  ],
  [
    'Deny with a condition: outside the network',
    [
      ALLOW_ALL,
      doc({
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      }),
    ],
    's3:GetObject',
    'x',
    { 'aws:SourceIp': '8.8.8.8' },
    'Deny',
  ],
  [
    'Deny with a condition: inside the network',
    [
      ALLOW_ALL,
      doc({
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      }),
    ],
    's3:GetObject',
    'x',
    { 'aws:SourceIp': '10.1.1.1' },
    'Allow',
  ],
  [
    'resource variable: own home',
    [doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' })],
    's3:GetObject',
    'arn:aws:s3:::home/alice/k',
    { 'aws:username': 'alice' },
    'Allow',
  ],
  [
    'resource variable: another home',
    [doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' })],
    's3:GetObject',
    'arn:aws:s3:::home/bob/k',
    { 'aws:username': 'alice' },
    'implicit',
  ],
  [
    'resource variable unresolved: no match',
    [doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' })],
    's3:GetObject',
    'arn:aws:s3:::home//k',
    {},
    'implicit',
  ],
  [
    'resource variable with a default',
    [doc({ Effect: 'Allow', Action: 's3:*', Resource: "arn:aws:s3:::home/${aws:username, 'guest'}/*" })],
    's3:GetObject',
    'arn:aws:s3:::home/guest/k',
    {},
    'Allow',
  ],
  [
    'resource variable with a wildcard value is literal',
    [doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}' })],
    's3:GetObject',
    'arn:aws:s3:::home/alice',
    { 'aws:username': '*' },
    'implicit',
  ],
  [
    'NotResource with an unresolved variable does not match (it would allow everything)',
    [doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::home/${aws:username}/*' })],
    's3:GetObject',
    'arn:aws:s3:::other',
    {},
    'implicit',
  ],
  [
    'Version 2008-10-17: ${...} is literal text',
    [
      parsePolicy({
        Version: '2008-10-17',
        Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:x:${aws:username}' },
      }),
    ],
    's3:GetObject',
    'arn:x:${aws:username}',
    { 'aws:username': 'alice' },
    'Allow',
  ],
  [
    'Version 2008-10-17: ${...} is not substituted',
    [
      parsePolicy({
        Version: '2008-10-17',
        Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:x:${aws:username}' },
      }),
    ],
    's3:GetObject',
    'arn:x:alice',
    { 'aws:username': 'alice' },
    'implicit',
  ],
  [
    'context keys given in any case',
    [
      doc({
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': '123' } },
      }),
    ],
    's3:GetObject',
    'x',
    { 'AWS:PRINCIPALACCOUNT': '123' },
    'Allow',
  ],
];

describe('iam evaluate: requests', () => {
  for (const [what, policies, action, resource, context, want] of requestRows) {
    it(what, () => {
      assert.equal(outcome(evaluate(policies, { action, resource, context })), want);
      // The compiled set gives the same answer on repeated use.
      const set = compilePolicies(policies);
      assert.equal(outcome(set.evaluate({ action, resource, context })), want);
      assert.equal(outcome(set.evaluate({ action, resource, context })), want);
    });
  }

  it('names the deciding statement: policy index, statement index, Sid', () => {
    const p0 = doc(
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' },
    );
    const p1 = doc(
      { Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
      { Sid: 'NoDelete', Effect: 'Deny', Action: 'sqs:Delete*', Resource: '*' },
    );
    const set = compilePolicies([p0, p1]);
    assert.deepEqual(set.evaluate({ action: 'lambda:Invoke', resource: 'x' }), {
      effect: 'Allow',
      statement: { policy: 0, index: 1, sid: 'All' },
    });
    assert.deepEqual(set.evaluate({ action: 's3:GetObject', resource: 'x' }), {
      effect: 'Allow',
      statement: { policy: 0, index: 0 },
    });
    assert.deepEqual(set.evaluate({ action: 'sqs:DeleteQueue', resource: 'x' }), {
      effect: 'Deny',
      explicit: true,
      statement: { policy: 1, index: 1, sid: 'NoDelete' },
    });
    assert.deepEqual(compilePolicies([]).evaluate({ action: 'a:b', resource: 'x' }), {
      effect: 'Deny',
      explicit: false,
    });
    assert.equal(set.size, 4);
  });

  it('compilePolicies validates, naming the policy when several are given', () => {
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] };
    assert.throws(
      () => compilePolicies([ALLOW_ALL, bad as unknown as PolicyDocument]),
      (e: Error & { code?: string }) =>
        e.code === 'NIMBUS_ERR_IAM_POLICY_INVALID' &&
        /statement 0, field Effect: \(policy 1\)/.test(e.message),
    );
  });
});

describe('iam managed policies', () => {
  const rows: [string, PolicyDocument, string, Want][] = [
    ['AdministratorAccess allows anything', ADMINISTRATOR_ACCESS, 'iam:CreateUser', 'Allow'],
    ['AdministratorAccess allows nimbus keys', ADMINISTRATOR_ACCESS, 'nimbus:CreateApiKey', 'Allow'],
    ['Developer may create functions', DEVELOPER, 'lambda:CreateFunction', 'Allow'],
    ['Developer may invoke routes', DEVELOPER, 'nimbus:InvokeRoute', 'Allow'],
    ['Developer may not create keys', DEVELOPER, 'nimbus:CreateApiKey', 'Deny'],
    ['Developer may not delete tenants', DEVELOPER, 'nimbus:DeleteTenant', 'Deny'],
    ['Developer may not read the audit log', DEVELOPER, 'nimbus:ListAuditEvents', 'Deny'],
    ['Developer may manage execution roles', DEVELOPER, 'iam:PutRolePolicy', 'Allow'],
    ['Developer may not administer users', DEVELOPER, 'iam:CreateUser', 'Deny'],
    ['Developer may not administer access keys', DEVELOPER, 'iam:CreateAccessKey', 'Deny'],
    ['Developer may not rotate the master key', DEVELOPER, 'nimbus:RotateMasterKey', 'Deny'],
    ['ReadOnly may get functions', READ_ONLY, 'lambda:GetFunction', 'Allow'],
    ['ReadOnly may list queues', READ_ONLY, 'sqs:ListQueues', 'Allow'],
    ['ReadOnly may filter logs', READ_ONLY, 'logs:FilterLogEvents', 'Allow'],
    ['ReadOnly may describe secrets', READ_ONLY, 'secretsmanager:DescribeSecret', 'Allow'],
    ['ReadOnly may not read secret values', READ_ONLY, 'secretsmanager:GetSecretValue', 'implicit'],
    ['ReadOnly may not create functions', READ_ONLY, 'lambda:CreateFunction', 'implicit'],
    ['ReadOnly may not put objects', READ_ONLY, 's3:PutObject', 'implicit'],
    ['Invoker may invoke', INVOKER, 'lambda:InvokeFunction', 'Allow'],
    ['Invoker may invoke routes', INVOKER, 'nimbus:InvokeRoute', 'Allow'],
    ['Invoker may not delete', INVOKER, 'lambda:DeleteFunction', 'implicit'],
    // GET /v1/openapi.json: every managed policy may read the API's document.
    ['Invoker may read the API document', INVOKER, 'nimbus:GetApiDocument', 'Allow'],
    ['ReadOnly may read the API document', READ_ONLY, 'nimbus:GetApiDocument', 'Allow'],
    ['Developer may read the API document', DEVELOPER, 'nimbus:GetApiDocument', 'Allow'],
    ['execution role may write logs', DEFAULT_EXECUTION_POLICY, 'logs:PutLogEvents', 'Allow'],
    ['execution role may not read objects', DEFAULT_EXECUTION_POLICY, 's3:GetObject', 'implicit'],
  ];
  for (const [what, policy, action, want] of rows) {
    it(what, () => {
      assert.equal(outcome(evaluate([policy], { action, resource: 'arn:nimbus:anything' })), want);
    });
  }

  it('are valid, normalized and frozen', () => {
    for (const policy of [...Object.values(MANAGED_POLICIES), DEFAULT_EXECUTION_POLICY]) {
      assert.deepEqual(parsePolicy(policy), policy);
      assert.deepEqual(parsePolicy(JSON.stringify(policy)), policy);
      assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.Statement[0]!.Action));
    }
  });

  it('resolve by name and by ARN', () => {
    for (const [name, policy] of Object.entries(MANAGED_POLICIES)) {
      assert.equal(resolvePolicyRef(name), policy);
      assert.equal(resolvePolicyRef(`arn:aws:iam::aws:policy/${name}`), policy);
    }
    assert.equal(resolvePolicyRef('arn:aws:iam::aws:policy/ReadOnlyAccess'), READ_ONLY);
    assert.equal(resolvePolicyRef('ReadOnlyAccess'), READ_ONLY);
    for (const unknown of [
      'administratoraccess',
      'PowerUserAccess',
      'toString',
      '__proto__',
      '',
      'arn:aws:iam::aws:policy/',
    ]) {
      assert.equal(resolvePolicyRef(unknown), undefined, unknown);
    }
  });
});

/** Reference: the pattern as a regular expression (fine for the short strings tested here). */
function referenceGlob(pattern: string, text: string, flags = ''): boolean {
  const source = [...pattern]
    .map((c) =>
      c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, `u${flags}`).test(text);
}

describe('iam glob matching', () => {
  const alphabet = fc.constantFrom('a', 'b', 'A', '*', '?', ':', '/');
  const str = (maxLength: number) => fc.array(alphabet, { maxLength }).map((cs) => cs.join(''));

  it('agrees with a regular-expression reference (fast-check)', () => {
    fc.assert(
      fc.property(str(8), str(12), (pattern, text) => {
        assert.equal(compileGlob(pattern)(text), referenceGlob(pattern, text), `${pattern} ~ ${text}`);
        assert.equal(
          compileGlob(pattern, { caseInsensitive: true })(text),
          referenceGlob(pattern, text, 'i'),
          `${pattern} ~i ${text}`,
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the reference on texts with surrogate pairs', () => {
    const chars = fc.constantFrom('a', '😀', '*', '?');
    const s = (n: number) => fc.array(chars, { maxLength: n }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(s(6), s(8), (pattern, text) => {
        assert.equal(compileGlob(pattern)(text), referenceGlob(pattern, text), `${pattern} ~ ${text}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('has no catastrophic backtracking: a*a*…*b against 10,000 "a"s is linear', () => {
    const text = 'a'.repeat(10_000);
    for (const pattern of ['a*a*a*a*a*a*a*a*a*b', '*a*a*a*a*a*a*a*a*a*b', '*?*?*?*?*?*?*?*?*b']) {
      const counter: StepCounter = { steps: 0 };
      assert.equal(compileGlob(pattern)(text, counter), false);
      // A backtracking regex would take ~10,000^9 steps; this is a small multiple of the text length.
      assert.ok(counter.steps <= 3 * text.length, `${pattern}: ${counter.steps} steps`);
    }
    const counter: StepCounter = { steps: 0 };
    assert.equal(compileGlob('a*a*a*a*a*a*a*a*a*')(text, counter), true);
    assert.ok(counter.steps <= text.length + 20);
  });

  it('a pathological resource pattern evaluates quickly through the policy evaluator', () => {
    const set = compilePolicies([doc({ Effect: 'Allow', Action: '*', Resource: 'a*a*a*a*a*a*a*a*a*b' })]);
    assert.equal(set.evaluate({ action: 's3:GetObject', resource: 'a'.repeat(10_000) }).effect, 'Deny');
    assert.equal(
      set.evaluate({ action: 's3:GetObject', resource: `${'a'.repeat(10_000)}b` }).effect,
      'Allow',
    );
  });
});
