import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isProvidedSdk, PROVIDED_SDK, sdkClosure, stageRuntimeSdk } from './index.ts';

describe('the provided AWS SDK', () => {
  it('names the packages and their subpaths, nothing else', () => {
    assert.ok(isProvidedSdk('@aws-sdk/client-s3'));
    assert.ok(isProvidedSdk('@aws-sdk/client-s3/dist-cjs/index.js'));
    assert.ok(!isProvidedSdk('@aws-sdk/client-s3x'));
    assert.ok(!isProvidedSdk('@aws-sdk/client-dynamodb'));
    assert.ok(!isProvidedSdk('fastify'));
  });

  it('stages every provided package with its whole dependency closure, and only that', () => {
    const closure = sdkClosure();
    for (const p of PROVIDED_SDK)
      assert.ok(
        closure.some((d) => d.endsWith(`/node_modules/${p}`)),
        p,
      );
    assert.ok(!closure.some((d) => /\/(fastify|pg|esbuild|kysely)$/.test(d)), 'no platform packages');
    const dir = stageRuntimeSdk();
    assert.equal(stageRuntimeSdk(), dir, 'staged once');
    for (const p of PROVIDED_SDK) assert.ok(existsSync(join(dir, p, 'package.json')), p);
    assert.ok(!readdirSync(dir).includes('fastify'));
  });
});
