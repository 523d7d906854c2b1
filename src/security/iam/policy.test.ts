// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}; these strings are policies, not templates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNimbusError } from '../../core/errors.ts';
import { IamErrors } from './errors.ts';
import { CONDITION_OPERATORS, POLICY_LIMITS, parseConditionOperator, parsePolicy } from './policy.ts';

const V = '2012-10-17';
const ok = { Effect: 'Allow', Action: '*', Resource: '*' };
/** A document with these statements. */
const docOf = (...Statement: unknown[]) => ({ Version: V, Statement });
/** A document with one statement: `ok` plus/overridden by `fields`. */
const withStatement = (fields: Record<string, unknown>) => docOf({ ...ok, ...fields });
const withCondition = (Condition: unknown) => withStatement({ Condition });

describe('iam parsePolicy: accepts and normalizes', () => {
  it('a JSON string and the same object give the same document', () => {
    const src = {
      Version: V,
      Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }],
    };
    assert.deepEqual(parsePolicy(JSON.stringify(src, null, 2)), src);
    assert.deepEqual(parsePolicy(src), src);
  });

  it('a single statement object becomes an array; strings become arrays', () => {
    assert.deepEqual(
      parsePolicy({ Version: V, Statement: { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:x' } }),
      {
        Version: V,
        Statement: [{ Effect: 'Deny', NotAction: ['iam:*'], NotResource: ['arn:x'] }],
      },
    );
  });

  it('condition values become string arrays (numbers, booleans, arrays of them)', () => {
    const doc = parsePolicy(
      withCondition({
        NumericLessThan: { 's3:max-keys': 10 },
        Bool: { 'aws:SecureTransport': true },
        StringEquals: { 'nimbus:Tenant': ['a', 'b'], 'nimbus:Stage': 'prod' },
        'ForAnyValue:NumericEquals': { 'nimbus:Ports': [80, 443] },
      }),
    );
    assert.deepEqual(doc.Statement[0]!.Condition, {
      NumericLessThan: { 's3:max-keys': ['10'] },
      Bool: { 'aws:SecureTransport': ['true'] },
      StringEquals: { 'nimbus:Tenant': ['a', 'b'], 'nimbus:Stage': ['prod'] },
      'ForAnyValue:NumericEquals': { 'nimbus:Ports': ['80', '443'] },
    });
  });

  it('keeps Id, accepts the legacy version, and does not alias or modify its input', () => {
    const input = { Version: '2008-10-17', Id: 'p1', Statement: [{ ...ok, Action: ['s3:Get*'] }] };
    const before = structuredClone(input);
    const doc = parsePolicy(input);
    assert.deepEqual(doc, {
      Version: '2008-10-17',
      Id: 'p1',
      Statement: [{ ...ok, Action: ['s3:Get*'], Resource: ['*'] }],
    });
    doc.Statement[0]!.Action!.push('x:y');
    assert.deepEqual(input, before);
  });

  it('accepts every operator with IfExists and set qualifiers (but Null alone)', () => {
    const values: Record<string, string> = {
      Numeric: '1',
      Date: '2024-01-01T00:00:00Z',
      Bool: 'true',
      BinaryEquals: 'aGk=',
      IpAddress: '10.0.0.0/8',
      NotIpAddress: '::1',
      Arn: 'arn:aws:s3:::b',
      Null: 'true',
    };
    for (const base of CONDITION_OPERATORS) {
      const value = Object.entries(values).find(([k]) => base.startsWith(k))?.[1] ?? 'text';
      const names =
        base === 'Null'
          ? [base]
          : [base, `${base}IfExists`, `ForAnyValue:${base}`, `ForAllValues:${base}IfExists`];
      for (const name of names) {
        assert.doesNotThrow(() => parsePolicy(withCondition({ [name]: { 'k:k': value } })), name);
      }
    }
    assert.equal(CONDITION_OPERATORS.length, 27);
  });

  it('takes operator names apart', () => {
    const op = parseConditionOperator('ForAllValues:StringNotLikeIfExists');
    assert.ok(typeof op !== 'string');
    assert.deepEqual(
      [op.base, op.family, op.negated, op.ifExists, op.set],
      ['StringNotLike', 'stringLike', true, true, 'ForAllValues'],
    );
  });

  it('a condition key named __proto__ stays a plain key', () => {
    const doc = parsePolicy(
      `{"Version":"${V}","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"__proto__":"x"}}}}`,
    );
    const block = doc.Statement[0]!.Condition!['StringEquals']!;
    assert.deepEqual(Object.keys(block), ['__proto__']);
    assert.equal(Object.getPrototypeOf(block), Object.prototype);
  });

  it('accepts 100 statements and a document of exactly the size limit', () => {
    assert.equal(parsePolicy(docOf(...Array.from({ length: 100 }, () => ok))).Statement.length, 100);
    const base = JSON.stringify(withStatement({ Sid: '' }));
    const exact = withStatement({ Sid: 'x'.repeat(POLICY_LIMITS.maxDocumentChars - base.length) });
    assert.equal(JSON.stringify(exact).length, POLICY_LIMITS.maxDocumentChars);
    assert.doesNotThrow(() => parsePolicy(exact));
  });
});

const long = 'x'.repeat(POLICY_LIMITS.maxPatternChars);

// [what, input, statement, field, reason pattern]
const errorRows: [string, unknown, number | '-', string, RegExp][] = [
  ['malformed JSON', '{"Version": "2012-10-17", ', '-', '(document)', /not valid JSON/],
  ['JSON that is not an object', '[1, 2]', '-', '(document)', /must be a JSON object/],
  ['a number', 42, '-', '(document)', /must be a JSON object/],
  [
    'a JSON source far over the limit',
    ' '.repeat(POLICY_LIMITS.maxSourceChars + 1),
    '-',
    '(document)',
    /limit is 102400/,
  ],
  [
    'a document over 10,240 characters',
    withStatement({ Sid: 'x'.repeat(POLICY_LIMITS.maxDocumentChars) }),
    '-',
    '(document)',
    /limit is 10240/,
  ],
  ['unknown top-level key', { Version: V, Statement: [ok], Extra: 1 }, '-', 'Extra', /unknown top-level key/],
  ['missing Version', { Statement: [ok] }, '-', 'Version', /required/],
  ['unknown Version', { Version: '2024-01-01', Statement: [ok] }, '-', 'Version', /must be "2012-10-17"/],
  ['Id not a string', { Version: V, Id: 7, Statement: [ok] }, '-', 'Id', /must be a string/],
  ['missing Statement', { Version: V }, '-', 'Statement', /required/],
  ['Statement a string', { Version: V, Statement: 'Allow' }, '-', 'Statement', /object or an array/],
  ['no statements', docOf(), '-', 'Statement', /at least one/],
  ['101 statements', docOf(...Array.from({ length: 101 }, () => ok)), '-', 'Statement', /limit is 100/],
  ['a statement that is not an object', docOf(ok, 'Allow'), 1, '(statement)', /must be an object/],
  ['missing Effect', docOf({ Action: '*', Resource: '*' }), 0, 'Effect', /required/],
  ['Effect in the wrong case', withStatement({ Effect: 'allow' }), 0, 'Effect', /"Allow" or "Deny"/],
  ['Action and NotAction', withStatement({ NotAction: 's3:*' }), 0, 'Action', /not both/],
  ['neither Action nor NotAction', docOf({ Effect: 'Allow', Resource: '*' }), 0, 'Action', /is required/],
  ['Action an empty array', withStatement({ Action: [] }), 0, 'Action', /empty array/],
  ['Action not a string', withStatement({ Action: 5 }), 0, 'Action', /string or an array/],
  [
    'Action entry not a string',
    withStatement({ Action: ['s3:GetObject', null] }),
    0,
    'Action',
    /entry 1 must be a string/,
  ],
  ['Action without a service', withStatement({ Action: 'GetObject' }), 0, 'Action', /not an action/],
  ['Action with an upper-case service', withStatement({ Action: 'S3:GetObject' }), 0, 'Action', /lower-case/],
  ['Action with a wildcard service', withStatement({ Action: '*:GetObject' }), 0, 'Action', /not an action/],
  ['Action with spaces', withStatement({ Action: 's3:Get Object' }), 0, 'Action', /not an action/],
  [
    'NotAction malformed',
    docOf({ Effect: 'Deny', NotAction: ['iam:*', 'iam'], Resource: '*' }),
    0,
    'NotAction',
    /entry 1/,
  ],
  ['Action over 1,024 characters', withStatement({ Action: `s3:${long}` }), 0, 'Action', /limit is 1024/],
  ['Resource missing', docOf({ Effect: 'Allow', Action: '*' }), 0, 'Resource', /is required/],
  ['Resource and NotResource', withStatement({ NotResource: 'arn:x' }), 0, 'Resource', /not both/],
  [
    'Resource an empty string',
    withStatement({ Resource: ['arn:x', ''] }),
    0,
    'Resource',
    /entry 1 is an empty string/,
  ],
  [
    'Resource over 1,024 characters',
    withStatement({ Resource: `arn:${long}` }),
    0,
    'Resource',
    /limit is 1024/,
  ],
  [
    'Resource with an unterminated variable',
    withStatement({ Resource: 'arn:x:${aws:username' }),
    0,
    'Resource',
    /unterminated policy variable/,
  ],
  [
    'NotResource with an empty variable',
    docOf({ Effect: 'Allow', Action: '*', NotResource: 'arn:${}' }),
    0,
    'NotResource',
    /empty policy variable/,
  ],
  [
    'Resource variable with an unquoted default',
    withStatement({ Resource: 'arn:${aws:username, guest}' }),
    0,
    'Resource',
    /single quotes/,
  ],
  ['Principal', withStatement({ Principal: { AWS: '*' } }), 0, 'Principal', /identity policy/],
  ['NotPrincipal', withStatement({ NotPrincipal: '*' }), 0, 'NotPrincipal', /identity policy/],
  ['unknown statement key', withStatement({ Effects: 'Allow' }), 0, 'Effects', /unknown statement key/],
  ['Sid not a string', withStatement({ Sid: 1 }), 0, 'Sid', /must be a string/],
  [
    'duplicate Sid',
    docOf({ ...ok, Sid: 'A' }, { ...ok, Sid: 'B' }, { ...ok, Sid: 'A' }),
    2,
    'Sid',
    /duplicate Sid "A" \(also statement 0\)/,
  ],
  [
    'a problem in a later statement names its index',
    docOf(ok, ok, ok, { ...ok, Effect: 'Maybe' }),
    3,
    'Effect',
    /"Maybe"/,
  ],
  ['Condition not an object', withCondition(['StringEquals']), 0, 'Condition', /object of operators/],
  [
    'unknown operator',
    withCondition({ StringEqual: { k: 'v' } }),
    0,
    'Condition.StringEqual',
    /unknown condition operator/,
  ],
  [
    'operator in the wrong case',
    withCondition({ stringequals: { k: 'v' } }),
    0,
    'Condition.stringequals',
    /did you mean "StringEquals"/,
  ],
  [
    'set qualifier in the wrong case',
    withCondition({ 'forallvalues:StringLike': { k: 'v' } }),
    0,
    'Condition.forallvalues:StringLike',
    /did you mean "ForAllValues:StringLike"/,
  ],
  [
    'unknown set qualifier',
    withCondition({ 'ForSomeValues:StringEquals': { k: 'v' } }),
    0,
    'Condition.ForSomeValues:StringEquals',
    /unknown condition operator/,
  ],
  [
    'NullIfExists',
    withCondition({ NullIfExists: { k: 'true' } }),
    0,
    'Condition.NullIfExists',
    /neither IfExists/,
  ],
  [
    'ForAnyValue:Null',
    withCondition({ 'ForAnyValue:Null': { k: 'true' } }),
    0,
    'Condition.ForAnyValue:Null',
    /neither IfExists/,
  ],
  [
    'operator block not an object',
    withCondition({ StringEquals: 'v' }),
    0,
    'Condition.StringEquals',
    /object of condition keys/,
  ],
  [
    'operator block empty',
    withCondition({ StringEquals: {} }),
    0,
    'Condition.StringEquals',
    /at least one condition key/,
  ],
  [
    'empty condition key',
    withCondition({ StringEquals: { '': 'v' } }),
    0,
    'Condition.StringEquals',
    /non-empty/,
  ],
  [
    'condition value null',
    withCondition({ StringEquals: { 'aws:username': null } }),
    0,
    'Condition.StringEquals.aws:username',
    /strings, numbers or booleans/,
  ],
  [
    'condition value an object',
    withCondition({ StringEquals: { 'aws:username': [{ a: 1 }] } }),
    0,
    'Condition.StringEquals.aws:username',
    /not an object/,
  ],
  [
    'condition values empty',
    withCondition({ StringEquals: { 'aws:username': [] } }),
    0,
    'Condition.StringEquals.aws:username',
    /at least one value/,
  ],
  [
    'NumericEquals with text',
    withCondition({ NumericEquals: { 's3:max-keys': 'ten' } }),
    0,
    'Condition.NumericEquals.s3:max-keys',
    /not a number/,
  ],
  [
    'NumericLessThan with hex',
    withCondition({ NumericLessThan: { 's3:max-keys': '0x10' } }),
    0,
    'Condition.NumericLessThan.s3:max-keys',
    /not a number/,
  ],
  [
    'DateLessThan with words',
    withCondition({ DateLessThan: { 'aws:CurrentTime': 'yesterday' } }),
    0,
    'Condition.DateLessThan.aws:CurrentTime',
    /not a date/,
  ],
  [
    'DateEquals with 30 February',
    withCondition({ DateEquals: { 'aws:CurrentTime': '2024-02-30' } }),
    0,
    'Condition.DateEquals.aws:CurrentTime',
    /not a date/,
  ],
  [
    'DateEquals with hour 25',
    withCondition({ DateEquals: { 'aws:CurrentTime': '2024-02-01T25:00:00Z' } }),
    0,
    'Condition.DateEquals.aws:CurrentTime',
    /not a date/,
  ],
  [
    'IpAddress prefix over 32',
    withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }),
    0,
    'Condition.IpAddress.aws:SourceIp',
    /not an IPv4 or IPv6/,
  ],
  [
    'IpAddress octet over 255',
    withCondition({ IpAddress: { 'aws:SourceIp': '300.1.1.1' } }),
    0,
    'Condition.IpAddress.aws:SourceIp',
    /not an IPv4 or IPv6/,
  ],
  [
    'NotIpAddress IPv6 with two ::',
    withCondition({ NotIpAddress: { 'aws:SourceIp': '2001::db8::1' } }),
    0,
    'Condition.NotIpAddress.aws:SourceIp',
    /not an IPv4 or IPv6/,
  ],
  [
    'IpAddress IPv6 prefix over 128',
    withCondition({ IpAddress: { 'aws:SourceIp': '2001:db8::/129' } }),
    0,
    'Condition.IpAddress.aws:SourceIp',
    /not an IPv4 or IPv6/,
  ],
  [
    'BinaryEquals not base64',
    withCondition({ BinaryEquals: { 'nimbus:Blob': 'not base64!' } }),
    0,
    'Condition.BinaryEquals.nimbus:Blob',
    /not base64/,
  ],
  [
    'Bool neither true nor false',
    withCondition({ Bool: { 'aws:SecureTransport': 'yes' } }),
    0,
    'Condition.Bool.aws:SecureTransport',
    /"true" or "false"/,
  ],
  [
    'Null neither true nor false',
    withCondition({ Null: { 'aws:TokenIssueTime': 'maybe' } }),
    0,
    'Condition.Null.aws:TokenIssueTime',
    /"true" or "false"/,
  ],
  [
    'ArnLike with fewer than six parts',
    withCondition({ ArnLike: { 'aws:SourceArn': '*' } }),
    0,
    'Condition.ArnLike.aws:SourceArn',
    /six colon-separated parts/,
  ],
  [
    'ArnEquals whose colons are inside a variable',
    withCondition({ ArnEquals: { 'aws:SourceArn': 'arn:${a:b:c:d:e}' } }),
    0,
    'Condition.ArnEquals.aws:SourceArn',
    /six colon-separated parts/,
  ],
  [
    'variable in a Numeric operator',
    withCondition({ NumericEquals: { 's3:max-keys': '${nimbus:Max}' } }),
    0,
    'Condition.NumericEquals.s3:max-keys',
    /policy variables are supported only/,
  ],
  [
    'variable in a Date operator',
    withCondition({ DateLessThan: { 'aws:CurrentTime': '${aws:TokenIssueTime}' } }),
    0,
    'Condition.DateLessThan.aws:CurrentTime',
    /policy variables are supported only/,
  ],
  [
    'unterminated variable in StringLike',
    withCondition({ StringLike: { 's3:prefix': 'home/${aws:username/*' } }),
    0,
    'Condition.StringLike.s3:prefix',
    /malformed policy variable|unterminated/,
  ],
  [
    'unterminated default in StringEquals',
    withCondition({ StringEquals: { 'nimbus:Team': "${nimbus:Team, 'red}" } }),
    0,
    'Condition.StringEquals.nimbus:Team',
    /unterminated default/,
  ],
];

describe('iam parsePolicy: refuses with the statement index and field', () => {
  for (const [what, input, statement, field, reason] of errorRows) {
    it(what, () => {
      assert.throws(
        () => parsePolicy(input),
        (e: unknown) => {
          assert.ok(isNimbusError(e), 'a NimbusError');
          assert.equal(e.code, 'NIMBUS_ERR_IAM_POLICY_INVALID');
          assert.equal(e.code, IamErrors.codes.POLICY_INVALID);
          assert.equal(e.status, 400);
          assert.equal(e.kind, 'user');
          assert.ok(
            e.message.startsWith(`policy is invalid: statement ${statement}, field ${field}: `),
            `message: ${e.message}`,
          );
          assert.match(e.message, reason);
          assert.deepEqual({ ...e.details, reason: undefined }, { statement, field, reason: undefined });
          assert.ok(e.hint?.includes('2012-10-17'));
          return true;
        },
      );
    });
  }

  it('in 2008-10-17 documents ${...} is text, so a malformed variable is not an error', () => {
    assert.doesNotThrow(() =>
      parsePolicy({ Version: '2008-10-17', Statement: { ...ok, Resource: 'arn:x:${aws:username' } }),
    );
  });
});
