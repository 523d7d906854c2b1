/**
 * Java 17 functions through the real platform: sources compiled at deploy (examples/hello-java),
 * a jar uploaded as the code zip itself, cold then warm invocations, logs by request id,
 * exceptions, compile errors as coded deploy errors, timeouts. Skipped without a JDK outside CI.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findJdk, runtimeJar } from '../src/runtime/java/toolchain.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const jdk = findJdk();
const skip =
  !jdk && process.env.CI !== 'true' ? 'no JDK 17 installed (apt-get install openjdk-17-jdk-headless)' : false;

interface InvokeBody {
  ok: boolean;
  cold?: boolean;
  requestId?: string;
  initDurationMs?: number;
  result?: Record<string, unknown> | string;
  error?: { errorType: string; errorMessage: string; trace: string[]; code?: string };
}

describe('Java functions (java17) end to end', { skip }, () => {
  let p: TestPlatform;
  const invoke = (fn: string, body: unknown = {}) =>
    p.json<InvokeBody>('POST', `/v1/functions/${fn}/invoke`, body);

  before(async () => {
    assert.ok(jdk, 'CI=true but no JDK 17 is installed');
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  it('deploys Java sources (examples/hello-java), invokes cold then warm, with logs', async () => {
    const t0 = performance.now();
    const d = await p.deployDir('hello-java', 'examples/hello-java', {
      runtime: 'java17',
      handler: 'example.Hello::handleRequest',
      memoryMb: 256,
    });
    const deployed = performance.now();
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const first = await invoke('hello-java', { name: 'Ada' });
    const firstDone = performance.now();
    assert.equal(first.body.ok, true, JSON.stringify(first.body));
    assert.deepEqual(first.body.result, { message: 'Hello, Ada!', function: 'hello-java' });
    assert.equal(first.body.cold, true);
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await invoke('hello-java', { name: `n${i}` });
      warm.push(performance.now() - t);
      assert.equal(r.body.cold, false);
    }
    warm.sort((a, b) => a - b);
    console.log(
      `java17: deploy (javac) ${(deployed - t0).toFixed(0)} ms, first invoke (cold) ${(firstDone - deployed).toFixed(0)} ms (init ${first.body.initDurationMs?.toFixed(1)} ms), warm p50 ${warm[10]?.toFixed(1)} ms`,
    );
    const logs = await p.json<{ lines: { message: string }[] }>(
      'GET',
      `/v1/functions/hello-java/logs?requestId=${first.body.requestId}`,
    );
    const msgs = logs.body.lines.map((l) => l.message);
    assert.ok(msgs.includes('greeting Ada'), msgs.join('\n'));
    assert.ok(!msgs.includes('greeting n1'));
  });

  it('runs a jar uploaded as the code zip, and reports exceptions Lambda-style', async () => {
    const src = await fixture({
      'j/Calc.java': `package j;
import com.amazonaws.services.lambda.runtime.*;
import java.util.*;
public class Calc implements RequestHandler<List<Integer>, Integer> {
  public Integer handleRequest(List<Integer> xs, Context c) {
    if (xs.isEmpty()) throw new IllegalArgumentException("empty list");
    return xs.stream().mapToInt(Integer::intValue).sum();
  }
}`,
    });
    const out = await mkdtemp(join(tmpdir(), 'nimbus-jar-'));
    execFileSync(
      jdk!.javac,
      ['--release', '17', '-cp', await runtimeJar(jdk!), '-d', join(out, 'classes'), 'j/Calc.java'],
      { cwd: src },
    );
    execFileSync(join(jdk!.home, 'bin', 'jar'), [
      'cf',
      join(out, 'calc.jar'),
      '-C',
      join(out, 'classes'),
      '.',
    ]);
    const jar = await readFile(join(out, 'calc.jar'));
    const d = await p.json('PUT', '/v1/functions/calc-java', {
      runtime: 'java17',
      handler: 'j.Calc',
      code: { zipBase64: jar.toString('base64') },
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.equal((await invoke('calc-java', [1, 2, 39])).body.result, 42);
    const e = await invoke('calc-java', []);
    assert.equal(e.body.ok, false);
    assert.equal(e.body.error?.errorType, 'IllegalArgumentException');
    assert.equal(e.body.error?.errorMessage, 'empty list');
    assert.match(e.body.error?.trace[0] ?? '', /^j\.Calc\.handleRequest\(Calc\.java:\d+\)$/);
  });

  it('rejects a compile error at deploy with javac`s message and a coded error', async () => {
    const dir = await fixture({ 'x/Broken.java': 'package x;\npublic class Broken {\n  String s = 1;\n}\n' });
    const d = await p.deployDir('broken-java', dir, { runtime: 'java17', handler: 'x.Broken::run' });
    assert.equal(d.status, 400);
    const err = (d.body as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_COMPILE_FAILED');
    assert.match(err.message, /x\/Broken\.java:3: error: incompatible types/);
    assert.equal((await p.json('GET', '/v1/functions/broken-java')).status, 404);
    const bad = await p.deployDir('bad-handler', dir, { runtime: 'java17', handler: 'x.Broken.run' });
    assert.equal(bad.status, 400);
  });

  it('times out a Java function and serves the next call', async () => {
    const dir = await fixture({
      's/Slow.java': `package s;
public class Slow {
  public String run(Object in) throws InterruptedException {
    if (in != null) Thread.sleep(60_000);
    return "quick";
  }
}`,
    });
    const d = await p.deployDir('slow-java', dir, {
      runtime: 'java17',
      handler: 's.Slow::run',
      timeoutSec: 1,
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const t0 = performance.now();
    const r = await invoke('slow-java', { sleep: true });
    assert.ok(performance.now() - t0 < 4000);
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error?.code, 'NIMBUS_ERR_RUNTIME_TIMEOUT');
    const next = await p.json<InvokeBody>('POST', '/v1/functions/slow-java/invoke', null);
    assert.equal(next.body.result, 'quick', JSON.stringify(next.body));
  });
});
