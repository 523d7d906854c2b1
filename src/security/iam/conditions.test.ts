// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}; these strings are policies, not templates.
/** The condition operators, table by table (request-level evaluation is in evaluate.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContextValue, evaluate } from './evaluate.ts';
import { type PolicyDocument, parsePolicy } from './policy.ts';

type Ctx = Record<string, ContextValue>;

const doc = (...Statement: Record<string, unknown>[]): PolicyDocument =>
  parsePolicy({ Version: '2012-10-17', Statement });

/** Allow everything, when the condition holds. */
const allowIf = (Condition: Record<string, unknown>): PolicyDocument =>
  doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition });

const conditionHolds = (Condition: Record<string, unknown>, context: Ctx): boolean =>
  evaluate([allowIf(Condition)], { action: 'nimbus:Anything', resource: 'arn:nimbus:x', context }).effect ===
  'Allow';

const T = 'aws:CurrentTime';

// [what, condition block, request context, whether the condition holds]
const conditionRows: [string, Record<string, unknown>, Ctx, boolean][] = [
  // StringEquals / StringNotEquals
  ['StringEquals: equal', { StringEquals: { 'nimbus:Tenant': 'acme' } }, { 'nimbus:Tenant': 'acme' }, true],
  [
    'StringEquals: values are case-sensitive',
    { StringEquals: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'ACME' },
    false,
  ],
  [
    'StringEquals: values for one key are ORed',
    { StringEquals: { 'nimbus:Tenant': ['a', 'acme'] } },
    { 'nimbus:Tenant': 'acme' },
    true,
  ],
  ['StringEquals: missing key is false', { StringEquals: { 'nimbus:Tenant': 'acme' } }, {}, false],
  [
    'StringEquals: key names are case-insensitive',
    { StringEquals: { 'NIMBUS:tenant': 'acme' } },
    { 'nimbus:Tenant': 'acme' },
    true,
  ],
  [
    'StringEquals: no wildcards',
    { StringEquals: { 'nimbus:Tenant': 'ac*' } },
    { 'nimbus:Tenant': 'acme' },
    false,
  ],
  [
    'StringNotEquals: different',
    { StringNotEquals: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'other' },
    true,
  ],
  [
    'StringNotEquals: equal',
    { StringNotEquals: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'acme' },
    false,
  ],
  [
    'StringNotEquals: must match none of the values',
    { StringNotEquals: { 'nimbus:Tenant': ['a', 'b'] } },
    { 'nimbus:Tenant': 'b' },
    false,
  ],
  ['StringNotEquals: missing key is true', { StringNotEquals: { 'nimbus:Tenant': 'acme' } }, {}, true],
  // IgnoreCase
  [
    'StringEqualsIgnoreCase: equal ignoring case',
    { StringEqualsIgnoreCase: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'AcMe' },
    true,
  ],
  [
    'StringEqualsIgnoreCase: different',
    { StringEqualsIgnoreCase: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'acm' },
    false,
  ],
  [
    'StringNotEqualsIgnoreCase: equal ignoring case',
    { StringNotEqualsIgnoreCase: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'ACME' },
    false,
  ],
  [
    'StringNotEqualsIgnoreCase: different',
    { StringNotEqualsIgnoreCase: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'other' },
    true,
  ],
  [
    'StringNotEqualsIgnoreCase: missing key is true',
    { StringNotEqualsIgnoreCase: { 'nimbus:Tenant': 'acme' } },
    {},
    true,
  ],
  // StringLike / StringNotLike
  [
    'StringLike: * spans /',
    { StringLike: { 's3:prefix': 'home/*' } },
    { 's3:prefix': 'home/alice/docs' },
    true,
  ],
  [
    'StringLike: case-sensitive',
    { StringLike: { 's3:prefix': 'home/*' } },
    { 's3:prefix': 'Home/alice' },
    false,
  ],
  [
    'StringLike: ? is one character',
    { StringLike: { 'nimbus:Stage': 'v?' } },
    { 'nimbus:Stage': 'v1' },
    true,
  ],
  [
    'StringLike: ? is exactly one character',
    { StringLike: { 'nimbus:Stage': 'v?' } },
    { 'nimbus:Stage': 'v10' },
    false,
  ],
  [
    'StringLike: ? is one code point',
    { StringLike: { 'nimbus:Stage': 'v?' } },
    { 'nimbus:Stage': 'v😀' },
    true,
  ],
  [
    'StringLike: empty string matches ""',
    { StringLike: { 's3:prefix': ['', 'home/'] } },
    { 's3:prefix': '' },
    true,
  ],
  ['StringNotLike: no match', { StringNotLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'tmp/x' }, true],
  ['StringNotLike: match', { StringNotLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'home/x' }, false],
  ['StringNotLike: missing key is true', { StringNotLike: { 's3:prefix': 'home/*' } }, {}, true],
  // Numeric
  ['NumericEquals: equal', { NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' }, true],
  [
    'NumericEquals: compares numbers, not text',
    { NumericEquals: { 's3:max-keys': 10 } },
    { 's3:max-keys': '10.0' },
    true,
  ],
  ['NumericEquals: different', { NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '11' }, false],
  [
    'NumericEquals: context value not a number',
    { NumericEquals: { 's3:max-keys': '10' } },
    { 's3:max-keys': 'ten' },
    false,
  ],
  [
    'NumericNotEquals: different',
    { NumericNotEquals: { 's3:max-keys': '10' } },
    { 's3:max-keys': '11' },
    true,
  ],
  ['NumericNotEquals: equal', { NumericNotEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' }, false],
  ['NumericNotEquals: missing key is true', { NumericNotEquals: { 's3:max-keys': '10' } }, {}, true],
  ['NumericLessThan: less', { NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '9' }, true],
  ['NumericLessThan: equal', { NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' }, false],
  [
    'NumericLessThanEquals: equal',
    { NumericLessThanEquals: { 's3:max-keys': '10' } },
    { 's3:max-keys': '10' },
    true,
  ],
  [
    'NumericLessThanEquals: greater',
    { NumericLessThanEquals: { 's3:max-keys': '10' } },
    { 's3:max-keys': '11' },
    false,
  ],
  [
    'NumericGreaterThan: greater',
    { NumericGreaterThan: { 's3:max-keys': '10' } },
    { 's3:max-keys': '10.5' },
    true,
  ],
  [
    'NumericGreaterThan: equal',
    { NumericGreaterThan: { 's3:max-keys': '10' } },
    { 's3:max-keys': '10' },
    false,
  ],
  [
    'NumericGreaterThanEquals: equal',
    { NumericGreaterThanEquals: { 's3:max-keys': '-1' } },
    { 's3:max-keys': '-1' },
    true,
  ],
  [
    'NumericGreaterThanEquals: less',
    { NumericGreaterThanEquals: { 's3:max-keys': '10' } },
    { 's3:max-keys': '9' },
    false,
  ],
  ['NumericLessThan: missing key is false', { NumericLessThan: { 's3:max-keys': '10' } }, {}, false],
  // Date (ISO 8601 and epoch seconds)
  [
    'DateEquals: same instant, other offset',
    { DateEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-01T01:00:00+01:00' },
    true,
  ],
  [
    'DateEquals: epoch seconds policy value',
    { DateEquals: { [T]: '1704067200' } },
    { [T]: '2024-01-01T00:00:00Z' },
    true,
  ],
  [
    'DateEquals: date only is midnight UTC',
    { DateEquals: { [T]: '2024-01-01' } },
    { [T]: '1704067200' },
    true,
  ],
  [
    'DateEquals: different',
    { DateEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-01T00:00:01Z' },
    false,
  ],
  [
    'DateNotEquals: different',
    { DateNotEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-02T00:00:00Z' },
    true,
  ],
  [
    'DateNotEquals: equal',
    { DateNotEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-01T00:00:00.000Z' },
    false,
  ],
  [
    'DateLessThan: before',
    { DateLessThan: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2023-12-31T23:59:59Z' },
    true,
  ],
  [
    'DateLessThan: equal',
    { DateLessThan: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-01T00:00:00Z' },
    false,
  ],
  [
    'DateLessThan: epoch context value',
    { DateLessThan: { 'aws:EpochTime': '2024-01-01T00:00:00Z' } },
    { 'aws:EpochTime': '1704067199' },
    true,
  ],
  [
    'DateLessThan: milliseconds count',
    { DateLessThan: { [T]: '2024-01-01T00:00:00.500Z' } },
    { [T]: '2024-01-01T00:00:00.499Z' },
    true,
  ],
  [
    'DateLessThanEquals: equal',
    { DateLessThanEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-01T00:00:00Z' },
    true,
  ],
  [
    'DateLessThanEquals: after',
    { DateLessThanEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-01-01T00:00:01Z' },
    false,
  ],
  [
    'DateGreaterThan: after',
    { DateGreaterThan: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2024-06-01T00:00:00-07:00' },
    true,
  ],
  [
    'DateGreaterThan: before',
    { DateGreaterThan: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2023-06-01T00:00:00Z' },
    false,
  ],
  [
    'DateGreaterThanEquals: equal (epoch both)',
    { DateGreaterThanEquals: { [T]: 1704067200 } },
    { [T]: '1704067200' },
    true,
  ],
  [
    'DateGreaterThanEquals: before',
    { DateGreaterThanEquals: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: '2023-12-31T23:59:59Z' },
    false,
  ],
  [
    'DateLessThan: context value not a date',
    { DateLessThan: { [T]: '2024-01-01T00:00:00Z' } },
    { [T]: 'yesterday' },
    false,
  ],
  // Bool
  ['Bool: true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, true],
  [
    'Bool: JSON boolean, any case in the context',
    { Bool: { 'aws:SecureTransport': true } },
    { 'aws:SecureTransport': 'TRUE' },
    true,
  ],
  [
    'Bool: false vs true',
    { Bool: { 'aws:SecureTransport': 'true' } },
    { 'aws:SecureTransport': 'false' },
    false,
  ],
  ['Bool: missing key is false', { Bool: { 'aws:SecureTransport': 'false' } }, {}, false],
  // Binary
  [
    'BinaryEquals: same bytes',
    { BinaryEquals: { 'nimbus:Blob': 'aGVsbG8=' } },
    { 'nimbus:Blob': 'aGVsbG8=' },
    true,
  ],
  [
    'BinaryEquals: other bytes',
    { BinaryEquals: { 'nimbus:Blob': 'aGVsbG8=' } },
    { 'nimbus:Blob': 'd29ybGQ=' },
    false,
  ],
  [
    'BinaryEquals: context not base64',
    { BinaryEquals: { 'nimbus:Blob': 'aGVsbG8=' } },
    { 'nimbus:Blob': 'hello!' },
    false,
  ],
  // IP addresses
  [
    'IpAddress: IPv4 CIDR, inside',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'IpAddress: IPv4 CIDR, outside',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    { 'aws:SourceIp': '203.0.114.1' },
    false,
  ],
  [
    'IpAddress: plain address is /32',
    { IpAddress: { 'aws:SourceIp': '203.0.113.7' } },
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'IpAddress: plain address is /32, neighbour',
    { IpAddress: { 'aws:SourceIp': '203.0.113.7' } },
    { 'aws:SourceIp': '203.0.113.8' },
    false,
  ],
  [
    'IpAddress: several blocks are ORed',
    { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } },
    { 'aws:SourceIp': '192.168.4.4' },
    true,
  ],
  [
    'IpAddress: IPv6 CIDR, inside',
    { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
    { 'aws:SourceIp': '2001:db8:ffff::1' },
    true,
  ],
  [
    'IpAddress: IPv6 CIDR, outside',
    { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
    { 'aws:SourceIp': '2001:db9::1' },
    false,
  ],
  [
    'IpAddress: IPv6 plain is /128, any spelling',
    { IpAddress: { 'aws:SourceIp': '2001:db8::1' } },
    { 'aws:SourceIp': '2001:0DB8:0:0:0:0:0:1' },
    true,
  ],
  [
    'IpAddress: IPv6 /64 with host bits set',
    { IpAddress: { 'aws:SourceIp': '2001:db8:0:1::5/64' } },
    { 'aws:SourceIp': '2001:db8:0:1:ffff::' },
    true,
  ],
  [
    'IpAddress: IPv4 block does not hold IPv6',
    { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
    { 'aws:SourceIp': '2001:db8::1' },
    false,
  ],
  [
    'IpAddress: IPv4-mapped IPv6 is its IPv4',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    { 'aws:SourceIp': '::ffff:203.0.113.9' },
    true,
  ],
  [
    'IpAddress: IPv6 block with dotted tail',
    { IpAddress: { 'aws:SourceIp': '::ffff:10.0.0.0/104' } },
    { 'aws:SourceIp': '::ffff:10.1.2.3' },
    true,
  ],
  [
    'IpAddress: context not an address',
    { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
    { 'aws:SourceIp': 'localhost' },
    false,
  ],
  [
    'NotIpAddress: outside',
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { 'aws:SourceIp': '8.8.8.8' },
    true,
  ],
  [
    'NotIpAddress: inside',
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { 'aws:SourceIp': '10.9.9.9' },
    false,
  ],
  [
    'NotIpAddress: IPv6 inside',
    { NotIpAddress: { 'aws:SourceIp': 'fd00::/8' } },
    { 'aws:SourceIp': 'fd12::1' },
    false,
  ],
  ['NotIpAddress: missing key is true', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, true],
  // ARNs: six parts matched one by one
  [
    'ArnLike: wildcards within parts',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:123456789012:function:*' } },
    { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:123456789012:function:f' },
    true,
  ],
  [
    'ArnLike: * does not span parts',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:123456789012:function:x' } },
    { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:999:123456789012:function:x' },
    false,
  ],
  [
    'ArnLike: * in the resource part spans colons',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:123:*' } },
    { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:123:function:f:live' },
    true,
  ],
  [
    'ArnLike: empty region part',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::bucket-?' } },
    { 'aws:SourceArn': 'arn:aws:s3:::bucket-1' },
    true,
  ],
  [
    'ArnLike: context not an ARN',
    { ArnLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } },
    { 'aws:SourceArn': 'bucket' },
    false,
  ],
  [
    'ArnEquals: same as ArnLike (wildcards per part)',
    { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:123:topic' } },
    { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:topic' },
    true,
  ],
  [
    'ArnEquals: case-sensitive',
    { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:Topic' } },
    { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:topic' },
    false,
  ],
  [
    'ArnNotLike: match',
    { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:123:*' } },
    { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:t' },
    false,
  ],
  [
    'ArnNotLike: no match',
    { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:123:*' } },
    { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:456:t' },
    true,
  ],
  ['ArnNotLike: missing key is true', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:123:*' } }, {}, true],
  [
    'ArnNotEquals: different',
    { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:t' } },
    { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:u' },
    true,
  ],
  [
    'ArnNotEquals: equal',
    { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:t' } },
    { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123:t' },
    false,
  ],
  // Null
  ['Null "true": key absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
  [
    'Null "true": key present',
    { Null: { 'aws:TokenIssueTime': 'true' } },
    { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
    false,
  ],
  [
    'Null "false": key present',
    { Null: { 'aws:TokenIssueTime': false } },
    { 'aws:TokenIssueTime': 'x' },
    true,
  ],
  ['Null "false": key absent', { Null: { 'aws:TokenIssueTime': 'false' } }, {}, false],
  ['Null: an empty array is absent', { Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] }, true],
  ['Null: undefined is absent', { Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': undefined }, true],
  // IfExists
  [
    'StringEqualsIfExists: missing key is true',
    { StringEqualsIfExists: { 'nimbus:Tenant': 'acme' } },
    {},
    true,
  ],
  [
    'StringEqualsIfExists: present and different',
    { StringEqualsIfExists: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'x' },
    false,
  ],
  [
    'StringEqualsIfExists: present and equal',
    { StringEqualsIfExists: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': 'acme' },
    true,
  ],
  [
    'NumericLessThanIfExists: missing key is true',
    { NumericLessThanIfExists: { 's3:max-keys': '10' } },
    {},
    true,
  ],
  [
    'IpAddressIfExists: present and outside',
    { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } },
    { 'aws:SourceIp': '8.8.8.8' },
    false,
  ],
  [
    'DateGreaterThanIfExists: present and after',
    { DateGreaterThanIfExists: { [T]: '2024-01-01' } },
    { [T]: '2024-01-02' },
    true,
  ],
  [
    'StringNotLikeIfExists: present and matching',
    { StringNotLikeIfExists: { 's3:prefix': 'tmp/*' } },
    { 's3:prefix': 'tmp/a' },
    false,
  ],
  // Multi-valued keys and set operators
  [
    'plain StringEquals on a multi-valued key: any value',
    { StringEquals: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': ['x', 'acme'] },
    true,
  ],
  [
    'plain StringNotEquals on a multi-valued key: none may match',
    { StringNotEquals: { 'nimbus:Tenant': 'acme' } },
    { 'nimbus:Tenant': ['x', 'acme'] },
    false,
  ],
  [
    'ForAnyValue:StringEquals: one in common',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    { 'aws:TagKeys': ['b', 'c'] },
    true,
  ],
  [
    'ForAnyValue:StringEquals: none in common',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    { 'aws:TagKeys': ['c', 'd'] },
    false,
  ],
  [
    'ForAnyValue:StringEquals: missing key is false',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } },
    {},
    false,
  ],
  [
    'ForAnyValue:StringEqualsIfExists: missing key is true',
    { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['a'] } },
    {},
    true,
  ],
  [
    'ForAnyValue:StringNotEquals: one value outside',
    { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'ForAnyValue:StringNotEquals: all values inside',
    { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } },
    { 'aws:TagKeys': ['a'] },
    false,
  ],
  [
    'ForAllValues:StringEquals: subset',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b', 'c'] } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'ForAllValues:StringEquals: one outside',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    { 'aws:TagKeys': ['a', 'z'] },
    false,
  ],
  [
    'ForAllValues:StringEquals: missing key is true',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
    {},
    true,
  ],
  [
    'ForAllValues:StringEquals: empty set is true',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
    { 'aws:TagKeys': [] },
    true,
  ],
  [
    'ForAllValues:StringLike: every value matches a pattern',
    { 'ForAllValues:StringLike': { 'aws:TagKeys': 'Created*' } },
    { 'aws:TagKeys': ['CreatedBy', 'CreatedAt'] },
    true,
  ],
  [
    'ForAllValues:StringNotEquals: none inside',
    { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'secret' } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'ForAllValues:StringNotEquals: one inside',
    { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'secret' } },
    { 'aws:TagKeys': ['a', 'secret'] },
    false,
  ],
  [
    'ForAnyValue:IpAddress over several addresses',
    { 'ForAnyValue:IpAddress': { 'nimbus:Hops': '10.0.0.0/8' } },
    { 'nimbus:Hops': ['8.8.8.8', '10.1.1.1'] },
    true,
  ],
  // AND / OR structure
  [
    'two keys under one operator are ANDed: both hold',
    { StringEquals: { 'nimbus:Tenant': 'acme', 'nimbus:Stage': 'prod' } },
    { 'nimbus:Tenant': 'acme', 'nimbus:Stage': 'prod' },
    true,
  ],
  [
    'two keys under one operator are ANDed: one fails',
    { StringEquals: { 'nimbus:Tenant': 'acme', 'nimbus:Stage': 'prod' } },
    { 'nimbus:Tenant': 'acme', 'nimbus:Stage': 'dev' },
    false,
  ],
  [
    'two operators are ANDed: both hold',
    { StringEquals: { 'nimbus:Tenant': 'acme' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { 'nimbus:Tenant': 'acme', 'aws:SourceIp': '10.0.0.1' },
    true,
  ],
  [
    'two operators are ANDed: one fails',
    { StringEquals: { 'nimbus:Tenant': 'acme' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { 'nimbus:Tenant': 'acme', 'aws:SourceIp': '11.0.0.1' },
    false,
  ],
  // Policy variables in condition values
  [
    'variable in StringEquals',
    { StringEquals: { 's3:prefix': 'home/${aws:username}' } },
    { 's3:prefix': 'home/alice', 'aws:username': 'alice' },
    true,
  ],
  [
    'variable in StringEquals, other user',
    { StringEquals: { 's3:prefix': 'home/${aws:username}' } },
    { 's3:prefix': 'home/alice', 'aws:username': 'bob' },
    false,
  ],
  [
    'variable names are case-insensitive',
    { StringEquals: { 's3:prefix': 'home/${AWS:UserName}' } },
    { 's3:prefix': 'home/alice', 'aws:username': 'alice' },
    true,
  ],
  [
    'variable in StringLike',
    { StringLike: { 's3:prefix': 'home/${aws:username}/*' } },
    { 's3:prefix': 'home/alice/a/b', 'aws:username': 'alice' },
    true,
  ],
  [
    'a variable value is literal, not a wildcard',
    { StringLike: { 's3:prefix': 'home/${aws:username}' } },
    { 's3:prefix': 'home/abc', 'aws:username': 'a*' },
    false,
  ],
  [
    'unresolved variable: no match even for StringNotEquals',
    { StringNotEquals: { 'nimbus:Tenant': '${aws:username}' } },
    { 'nimbus:Tenant': 'acme' },
    false,
  ],
  [
    'multi-valued key does not resolve as a variable',
    { StringEquals: { 'nimbus:Tenant': '${nimbus:Groups}' } },
    { 'nimbus:Tenant': 'a', 'nimbus:Groups': ['a', 'b'] },
    false,
  ],
  [
    "variable default: ${key, 'default'}",
    { StringEquals: { 'nimbus:Tenant': "${nimbus:Team, 'company-wide'}" } },
    { 'nimbus:Tenant': 'company-wide' },
    true,
  ],
  [
    'variable default is not used when the key resolves',
    { StringEquals: { 'nimbus:Tenant': "${nimbus:Team, 'company-wide'}" } },
    { 'nimbus:Tenant': 'company-wide', 'nimbus:Team': 'red' },
    false,
  ],
  ['escape ${*} is a literal *', { StringLike: { 'nimbus:Name': 'a${*}b' } }, { 'nimbus:Name': 'a*b' }, true],
  [
    'escape ${*} does not match other characters',
    { StringLike: { 'nimbus:Name': 'a${*}b' } },
    { 'nimbus:Name': 'axb' },
    false,
  ],
  [
    'escape ${?} is a literal ?',
    { StringLike: { 'nimbus:Name': 'why${?}' } },
    { 'nimbus:Name': 'why?' },
    true,
  ],
  [
    'escape ${$} is a literal $',
    { StringEquals: { 'nimbus:Name': 'cost${$}' } },
    { 'nimbus:Name': 'cost$' },
    true,
  ],
  [
    'variable in Bool',
    { Bool: { 'nimbus:Flag': '${nimbus:Expected}' } },
    { 'nimbus:Flag': 'true', 'nimbus:Expected': 'TRUE' },
    true,
  ],
  [
    'variable in ArnLike',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:${aws:PrincipalAccount}:*' } },
    { 'aws:SourceArn': 'arn:aws:sns:x:123:t', 'aws:PrincipalAccount': '123' },
    true,
  ],
];

describe('iam evaluate: condition operators', () => {
  for (const [what, condition, context, holds] of conditionRows) {
    it(`${what} → ${holds}`, () => {
      assert.equal(conditionHolds(condition, context), holds);
    });
  }
});
