/** The real `nimbus` CLI (bin/nimbus.mjs, child processes) against a real platform. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cliRunner, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

/** The system npx (Debian's Node 20 here); outside CI a machine without one skips the case. */
function npxSkip(): string | false {
  if (existsSync('/usr/bin/npx')) return false;
  return process.env.CI === 'true' ? false : 'no system npx at /usr/bin/npx';
}

describe('nimbus CLI e2e', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  const cli = cliRunner(() => env);

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
  });
  after(() => p?.stop());

  it('deploys the README tour examples, invokes cold then warm, reads logs', async () => {
    const d = await cli('deploy', 'examples/hello', '--json');
    assert.equal(d.code, 0, d.stderr);
    const dj = JSON.parse(d.stdout);
    assert.equal(dj.functions[0].version.version, '1');
    assert.ok(dj.functions[0].timings.buildMs >= 0);

    const human = await cli('deploy', 'examples/hello-python');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /hello-python\s+version 1\s+\(build \d+ ms/);

    const i1 = JSON.parse((await cli('invoke', 'hello', '--data', '{"name":"Ada"}', '--json')).stdout);
    assert.deepEqual(i1.result, { message: 'Hello, Ada!' });
    assert.equal(i1.cold, true);
    const i2 = await cli('invoke', 'hello', '--data', '{"name":"Bob"}');
    assert.equal(i2.code, 0);
    assert.match(i2.stdout, /Hello, Bob!/);
    assert.match(i2.stderr, /warm/);

    const py = await cli('invoke', 'hello-python', '--data', '{"name":"Ada"}');
    assert.match(py.stdout, /Hello, Ada!/);

    const logs = await cli('logs', 'hello', '--request-id', i1.requestId);
    assert.match(logs.stdout, /^START RequestId: /m);
    assert.match(logs.stdout, /INFO\tgreeting Ada from hello/);
    assert.match(logs.stdout, /^REPORT RequestId: .*Init Duration/m);
  });

  it('follows logs as new invocations happen', async () => {
    // A call made before the follower starts: once it has printed that one, the follower has
    // read its first page and everything after is followed (no guessed start-up sleep).
    const primed = JSON.parse((await cli('invoke', 'hello', '--data', '{"name":"Prime"}', '--json')).stdout);
    const child = spawn(
      process.execPath,
      ['bin/nimbus.mjs', 'logs', 'hello', '--follow', '--json', '--since', '10m'],
      { env },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      await waitUntil('the follower to print the earlier call', () => out.includes(primed.requestId));
      const r = JSON.parse((await cli('invoke', 'hello', '--data', '{"name":"Follow"}', '--json')).stdout);
      await waitUntil('the followed call to be printed', () => out.includes('greeting Follow from hello'));
      assert.ok(out.includes(r.requestId), out);
    } finally {
      child.kill('SIGINT');
    }
  });

  it('manages versions, aliases and functions, and prints coded user errors without stacks', async () => {
    assert.equal((await cli('versions', 'publish', 'hello')).code, 0);
    const a = await cli('aliases', 'set', 'hello', 'live', '1', '--json');
    assert.equal(JSON.parse(a.stdout).alias.functionVersion, '1');
    const list = JSON.parse((await cli('functions', 'list', '--json')).stdout);
    assert.ok(list.functions.some((f: { name: string }) => f.name === 'hello'));
    const missing = await cli('invoke', 'does-not-exist');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /function does-not-exist not found/);
    assert.match(missing.stderr, /How to fix:/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
    const doctor = JSON.parse((await cli('doctor', '--json')).stdout);
    assert.equal(doctor.sandbox.features['namespace:pid'].active, true);
    const del = await cli('functions', 'delete', 'hello-python', '--yes');
    assert.equal(del.code, 0);
  });

  it('prints only its own output through npx from a system Node older than 24', {
    skip: npxSkip(),
  }, async () => {
    // The system Node (20 here) runs bin/nimbus.mjs, which re-execs the project's Node 24; npm
    // must not print engine warnings before the answer.
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('/usr/bin/npx', ['nimbus', '--version'], {
        env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      child.stderr.on('data', (c) => {
        err += c;
      });
      child.on('close', (code) => resolve({ code, out, err }));
    });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '0.1.0\n');
    assert.equal(r.err, '', 'nothing but the answer');
  });

  it('says how to fix it when the platform is not running', async () => {
    const r = await cliRunner(() => ({ ...env, NIMBUS_ENDPOINT: 'http://127.0.0.1:39999' }))(
      'functions',
      'list',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not running at http:\/\/127\.0\.0\.1:39999/);
  });
});
