import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionConfig, RuntimeFamily } from '../core/types.ts';
import { resolveRuntime, resolveRuntimeId, SUPPORTED_RUNTIMES, validateFunctionConfig } from './runtimes.ts';

/** id → family, and a pattern the warning must match (undefined: no warning). */
const ACCEPTED: readonly [string, RuntimeFamily, RegExp | undefined][] = [
  ['nodejs12.x', 'node', /^nodejs12\.x runs on Node\.js 24 here .*Node\.js 12.*require\('aws-sdk'\)/],
  ['nodejs14.x', 'node', /^nodejs14\.x runs on Node\.js 24 here .*Node\.js 14/],
  ['nodejs16.x', 'node', /^nodejs16\.x runs on Node\.js 24 here .*Node\.js 16/],
  ['nodejs18.x', 'node', undefined],
  ['nodejs20.x', 'node', undefined],
  ['nodejs22.x', 'node', undefined],
  ['nodejs24.x', 'node', undefined],
  ['nodejs', 'node', undefined],
  ['node', 'node', undefined],
  ['python3.7', 'python', /^python3\.7 runs on this machine's python3 here \(Python 3\.7 is not installed\)/],
  ['python3.8', 'python', undefined],
  ['python3.9', 'python', undefined],
  ['python3.10', 'python', undefined],
  ['python3.11', 'python', undefined],
  ['python3.12', 'python', undefined],
  ['python3.13', 'python', undefined],
  ['python3.14', 'python', undefined],
  ['python3', 'python', undefined],
  ['python', 'python', undefined],
  [
    'java8',
    'java',
    /^java8 runs on Java 17 here \(the installed JDK\); sources are compiled with --release 17/,
  ],
  ['java8.al2', 'java', /^java8\.al2 runs on Java 17 here .*since Java 8/],
  ['java11', 'java', /^java11 runs on Java 17 here .*since Java 11/],
  ['java17', 'java', undefined],
  [
    'java21',
    'java',
    /^java21 runs on Java 17 here \(the installed JDK\); code compiled for a newer class version will not load$/,
  ],
  ['java25', 'java', /^java25 runs on Java 17 here .*newer class version/],
  ['provided', 'provided', undefined],
  ['provided.al2', 'provided', undefined],
  ['provided.al2023', 'provided', undefined],
];

/** Valid Lambda ids of languages not installed here: refused, naming the language. */
const NOT_INSTALLED: readonly [string, RegExp][] = [
  ['dotnet6', /\.NET is not installed/],
  ['dotnet8', /\.NET is not installed/],
  ['dotnetcore3.1', /\.NET is not installed/],
  ['ruby2.7', /Ruby is not installed/],
  ['ruby3.2', /Ruby is not installed/],
  ['ruby3.3', /Ruby is not installed/],
  ['go1.x', /Go .*provided\.al2023/],
];

const UNKNOWN = [
  'nodejs10.x',
  'nodejs8.10',
  'python2.7',
  'python3.6',
  'java7',
  'java17.x',
  'Node',
  '',
  'cobol',
];

interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly details?: { readonly supported?: readonly string[] };
}

const refusal = (id: string): CodedError => {
  try {
    resolveRuntimeId(id);
  } catch (e) {
    return e as CodedError;
  }
  assert.fail(`${id} was accepted`);
};

describe('runtime ids', () => {
  for (const [id, family, warning] of ACCEPTED) {
    it(`${id} → ${family}${warning ? ' (with a warning)' : ''}`, () => {
      const r = resolveRuntimeId(id);
      assert.equal(r.family, family);
      assert.equal(resolveRuntime(id), family, 'resolveRuntime keeps working');
      if (warning) assert.match(r.warning ?? '', warning);
      else assert.equal(r.warning, undefined);
      assert.ok(SUPPORTED_RUNTIMES.includes(id), `${id} is in the supported list`);
    });
  }

  it('lists exactly the accepted ids as supported', () => {
    assert.deepEqual([...SUPPORTED_RUNTIMES].sort(), ACCEPTED.map(([id]) => id).sort());
  });

  for (const [id, lang] of NOT_INSTALLED) {
    it(`refuses ${id} with a coded error naming the language and the supported ids`, () => {
      const e = refusal(id);
      assert.equal(e.code, 'NIMBUS_ERR_RUNTIME_UNSUPPORTED_RUNTIME');
      assert.match(e.message, new RegExp(`runtime ${id.replace(/\./g, '\\.')} is not supported here`));
      assert.match(e.hint ?? '', lang);
      assert.match(e.hint ?? '', /is a valid Lambda runtime/);
      assert.match(e.hint ?? '', /supported runtimes: nodejs24\.x, .*java17.*provided\.al2023/);
      assert.deepEqual(e.details?.supported, SUPPORTED_RUNTIMES);
    });
  }

  for (const id of UNKNOWN) {
    it(`refuses unknown id ${JSON.stringify(id)} with the supported list`, () => {
      const e = refusal(id);
      assert.equal(e.code, 'NIMBUS_ERR_RUNTIME_UNSUPPORTED_RUNTIME');
      assert.equal(e.hint, `supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')}`);
    });
  }
});

describe('function configuration with legacy and refused ids', () => {
  const base = {
    handler: 'index.handler',
    memoryMb: 128,
    timeoutSec: 3,
    environment: {},
    description: '',
  } satisfies Partial<FunctionConfig>;

  it('accepts legacy ids, and Java handlers for every Java id', () => {
    validateFunctionConfig({ ...base, runtime: 'nodejs16.x' });
    validateFunctionConfig({ ...base, runtime: 'python3.7' });
    for (const runtime of ['java8', 'java8.al2', 'java11', 'java21'])
      validateFunctionConfig({ ...base, runtime, handler: 'com.example.Hello::handleRequest' });
  });

  it('checks Java handlers for every Java id', () => {
    assert.throws(
      () => validateFunctionConfig({ ...base, runtime: 'java11', handler: 'not a class' }),
      /must look like <package\.Class>::<method>/,
    );
  });

  it('lists the supported ids in DEPLOY_INVALID_CONFIG for a refused id', () => {
    assert.throws(
      () => validateFunctionConfig({ ...base, runtime: 'ruby3.3' }),
      (e: CodedError) =>
        e.code === 'NIMBUS_ERR_DEPLOY_INVALID_CONFIG' &&
        /runtime: runtime ruby3\.3 is not supported here \(ruby3\.3 is a valid Lambda runtime but Ruby is not installed in Nimbus; supported runtimes: .*nodejs16\.x.*\)/.test(
          e.message,
        ),
    );
  });
});
