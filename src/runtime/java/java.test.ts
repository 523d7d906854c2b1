/**
 * The Java runtime through the real pieces: sources compiled by the deploy build (javac), a jar
 * built here with javac + jar, pre-booted sandboxed JVMs specialized per function. Skipped when no
 * JDK is installed, except in CI (CI=true), where a missing JDK fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import type { InstanceSpec, Sandbox, SandboxFactory } from '../../core/ports.ts';
import type { Invocation } from '../../core/types.ts';
import { buildArtifact, unpackArtifact } from '../../registry/build/index.ts';
import { splitJavaHandler } from '../../registry/build/java.ts';
import { createProcessSandboxFactory } from '../index.ts';
import { findJdk, heapMb } from './toolchain.ts';

const jdk = findJdk();
const skip =
  !jdk && process.env.CI !== 'true' ? 'no JDK 17 installed (apt-get install openjdk-17-jdk-headless)' : false;

async function tree(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-java-src-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

const HELLO = `package com.example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.*;

public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  static int inits;
  int calls;
  static { inits++; System.out.println("static init"); }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context ctx) {
    calls++;
    System.out.println("hello " + event.get("name"));
    System.err.println("to stderr");
    ctx.getLogger().log("via logger");
    if (Boolean.TRUE.equals(event.get("fail"))) throw new IllegalStateException("asked to fail");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("greeting", "hello " + event.get("name"));
    out.put("n", event.get("n"));
    out.put("calls", calls);
    out.put("inits", inits);
    out.put("env", System.getenv("COLOR"));
    out.put("region", System.getenv("AWS_REGION"));
    out.put("ctx", Map.of(
        "id", ctx.getAwsRequestId(), "fn", ctx.getFunctionName(), "ver", ctx.getFunctionVersion(),
        "arn", ctx.getInvokedFunctionArn(), "mem", ctx.getMemoryLimitInMB(),
        "left", ctx.getRemainingTimeInMillis(), "group", ctx.getLogGroupName()));
    out.put("list", List.of(1, 2.5, "x", true));
    out.put("nothing", null);
    out.put("pojo", new Point(3, 4));
    out.put("cwd", new java.io.File(".").getAbsoluteFile().getParent());
    return out;
  }

  public static class Point {
    public final int x;
    private final int y;
    Point(int x, int y) { this.x = x; this.y = y; }
    public int getY() { return y; }
  }
}
`;

const TYPES = `package types;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.List;

public class Types {
  public static class Order {
    public String id;
    private int qty;
    public List<Item> items;
    public void setQty(int q) { qty = q; }
    public int getQty() { return qty; }
  }
  public static class Item { public String sku; public double price; }

  public String upper(String s) { return s.toUpperCase(); }
  public long twice(long n) { return n * 2; }
  public boolean not(Boolean b) { return !b; }
  public int size(List<Object> l) { return l.size(); }
  public Object echo(Object o, Context c) { return o; }
  public double total(Order o) { double t = 0; for (Item i : o.items) t += i.price * o.getQty(); return t; }
  public static String constant() { return "static"; }
  public String sleep(Object o) throws Exception { Thread.sleep(60_000); return "late"; }
}
`;

const STREAM = `package s;

import com.amazonaws.services.lambda.runtime.*;
import java.io.*;
import java.nio.charset.StandardCharsets;

public class Upper implements RequestStreamHandler {
  public void handleRequest(InputStream in, OutputStream out, Context ctx) throws IOException {
    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    out.write(("{\\"raw\\":" + body + ",\\"fn\\":\\"" + ctx.getFunctionName() + "\\"}").getBytes(StandardCharsets.UTF_8));
  }
}
`;

describe('Java runtime (java17)', { skip }, () => {
  let factory: SandboxFactory;
  const open: Sandbox[] = [];
  const builds = new Map<string, string>();
  let seq = 0;

  before(async () => {
    assert.ok(jdk, 'CI=true but no JDK 17 is installed');
    factory = createProcessSandboxFactory({
      kind: 'bwrap',
      poolSize: 1,
      hiddenPaths: [],
      clock: systemClock,
      initTimeoutMs: 10_000,
    });
  });
  after(async () => {
    await Promise.allSettled(open.map((s) => s.dispose()));
    await factory?.close();
  });

  async function deploy(
    codeDir: string,
    handler: string,
    o: { memoryMb?: number; timeoutSec?: number; env?: Record<string, string> } = {},
  ): Promise<Sandbox> {
    // One build (javac) per source tree: the handlers of one tree share it.
    let dir = builds.get(codeDir);
    if (!dir) {
      const built = await buildArtifact({ kind: 'dir', path: codeDir }, { runtime: 'java17', handler });
      assert.equal(built.family, 'java');
      dir = await mkdtemp(join(tmpdir(), 'nimbus-java-code-'));
      await unpackArtifact(built.zip, dir);
      builds.set(codeDir, dir);
    }
    const { className, method } = splitJavaHandler(handler);
    const fname = `jfn${++seq}`;
    const spec: InstanceSpec = {
      tenant: 'default',
      functionName: fname,
      version: '$LATEST',
      family: 'java',
      codeDir: dir,
      entry: className,
      exportName: method,
      config: {
        runtime: 'java17',
        handler,
        memoryMb: o.memoryMb ?? 256,
        timeoutSec: o.timeoutSec ?? 5,
        environment: o.env ?? {},
        description: '',
      },
      functionArn: `arn:aws:lambda:local-1:000000000000:function:${fname}`,
      region: 'local-1',
    };
    const sb = await factory.create(spec);
    open.push(sb);
    return sb;
  }

  const inv = (sb: Sandbox, payload: unknown, timeoutMs = sb.spec.config.timeoutSec * 1000): Invocation => ({
    id: `req-${++seq}`,
    tenant: 'default',
    functionName: sb.spec.functionName,
    version: '$LATEST',
    trigger: { type: 'api' },
    payload: JSON.stringify(payload),
    attempt: 1,
    deadline: Date.now() + timeoutMs,
  });

  async function ok(sb: Sandbox, payload: unknown): Promise<unknown> {
    const o = await sb.invoke(inv(sb, payload));
    assert.ok(o.ok, JSON.stringify(o));
    return JSON.parse(o.payload);
  }

  it('compiles sources at deploy and runs a RequestHandler<Map, Map> with context, env and logs', async () => {
    const src = await tree({ 'src/main/java/com/example/Hello.java': HELLO });
    const sb = await deploy(src, 'com.example.Hello', { env: { COLOR: 'green' } });
    const v = inv(sb, { name: 'Ada', n: 7 });
    const o = await sb.invoke(v);
    assert.ok(o.ok, JSON.stringify(o));
    const r = JSON.parse(o.payload);
    assert.equal(r.greeting, 'hello Ada');
    assert.equal(r.n, 7);
    assert.equal(r.calls, 1);
    assert.equal(r.env, 'green');
    assert.equal(r.region, 'local-1');
    assert.equal(r.ctx.id, v.id);
    assert.equal(r.ctx.fn, sb.spec.functionName);
    assert.equal(r.ctx.ver, '$LATEST');
    assert.equal(r.ctx.arn, sb.spec.functionArn);
    assert.equal(r.ctx.mem, 256);
    assert.ok(r.ctx.left > 0 && r.ctx.left <= 5000, String(r.ctx.left));
    assert.equal(r.ctx.group, `/aws/lambda/${sb.spec.functionName}`);
    assert.deepEqual(r.list, [1, 2.5, 'x', true]);
    assert.equal(r.nothing, null);
    assert.deepEqual(r.pojo, { x: 3, y: 4 });
    assert.equal(r.cwd, '/var/task');
    const msgs = o.logs.map((l) => `${l.requestId}:${l.stream}:${l.message}`);
    // Static-initializer output belongs to the first invocation, like the node/python init logs.
    assert.ok(msgs.includes(`${v.id}:stdout:static init`), msgs.join('|'));
    assert.ok(msgs.includes(`${v.id}:stdout:hello Ada`), msgs.join('|'));
    assert.ok(msgs.includes(`${v.id}:stderr:to stderr`), msgs.join('|'));
    assert.ok(msgs.includes(`${v.id}:stdout:via logger`), msgs.join('|'));
    // Warm: the same instance and class state.
    const v2 = inv(sb, { name: 'Bo' });
    const o2 = await sb.invoke(v2);
    assert.ok(o2.ok);
    const r2 = JSON.parse(o2.payload);
    assert.equal(r2.calls, 2);
    assert.equal(r2.inits, 1);
    assert.deepEqual(
      o2.logs.map((l) => l.requestId),
      o2.logs.map(() => v2.id),
    );
    assert.ok(!o2.logs.some((l) => l.message === 'hello Ada'));
  });

  it('returns Lambda error shapes for exceptions and keeps the instance', async () => {
    const sb = await deploy(await tree({ 'Hello.java': HELLO.replace('package com.example;', '') }), 'Hello');
    const o = await sb.invoke(inv(sb, { name: 'x', fail: true }));
    assert.equal(o.ok, false);
    if (!o.ok) {
      assert.equal(o.failure, 'function');
      assert.equal(o.error.errorType, 'IllegalStateException');
      assert.equal(o.error.errorMessage, 'asked to fail');
      assert.match(o.error.trace[0] ?? '', /^Hello\.handleRequest\(Hello\.java:\d+\)$/);
    }
    assert.equal(sb.alive, true);
    assert.equal(((await ok(sb, { name: 'y' })) as { greeting: string }).greeting, 'hello y');
  });

  it('converts inputs to the declared type: String, Number, Boolean, List, Object, POJO; static methods', async () => {
    const dir = await tree({ 'types/Types.java': TYPES });
    const cases: [string, unknown, unknown][] = [
      ['upper', 'abc', 'ABC'],
      ['twice', 21, 42],
      ['not', true, false],
      ['size', [1, 2, 3], 3],
      ['echo', { a: [1, { b: null }] }, { a: [1, { b: null }] }],
      [
        'total',
        {
          id: 'o1',
          qty: 2,
          items: [
            { sku: 'a', price: 1.5 },
            { sku: 'b', price: 2 },
          ],
        },
        7,
      ],
      ['constant', null, 'static'],
    ];
    for (const [method, input, want] of cases) {
      const sb = await deploy(dir, `types.Types::${method}`);
      assert.deepEqual(await ok(sb, input), want, method);
      await sb.dispose();
    }
    const bad = await deploy(dir, 'types.Types::upper');
    const o = await bad.invoke(inv(bad, { not: 'a string' }));
    assert.equal(!o.ok && o.error.errorType, 'Runtime.DeserializationError');
  });

  it('runs a RequestStreamHandler', async () => {
    const sb = await deploy(await tree({ 's/Upper.java': STREAM }), 's.Upper');
    assert.deepEqual(await ok(sb, { k: [1, 2] }), { raw: { k: [1, 2] }, fn: sb.spec.functionName });
  });

  it('runs a jar built with javac + jar (and jars under lib/)', async () => {
    const src = await tree({
      'lib/util/Util.java':
        'package util; public class Util { public static String shout(String s) { return s + "!"; } }',
      'app/App.java': `package app;
import com.amazonaws.services.lambda.runtime.*;
import java.util.Map;
public class App implements RequestHandler<Map<String, String>, String> {
  public String handleRequest(Map<String, String> in, Context c) { return util.Util.shout(in.get("say")); }
}`,
    });
    const build = await mkdtemp(join(tmpdir(), 'nimbus-java-jar-'));
    const { runtimeJar } = await import('./toolchain.ts');
    const rt = await runtimeJar(jdk!);
    const jarBin = join(jdk!.home, 'bin', 'jar');
    execFileSync(jdk!.javac, ['--release', '17', '-d', join(build, 'util'), 'lib/util/Util.java'], {
      cwd: src,
    });
    await mkdir(join(build, 'code', 'lib'), { recursive: true });
    execFileSync(jarBin, ['cf', join(build, 'code', 'lib', 'util.jar'), '-C', join(build, 'util'), '.']);
    execFileSync(
      jdk!.javac,
      [
        '--release',
        '17',
        '-cp',
        `${rt}:${join(build, 'code', 'lib', 'util.jar')}`,
        '-d',
        join(build, 'app'),
        'app/App.java',
      ],
      { cwd: src },
    );
    execFileSync(jarBin, ['cf', join(build, 'app.jar'), '-C', join(build, 'app'), '.']);
    // The upload is the jar itself (a zip of classes), like `aws lambda create-function --zip-file fileb://app.jar`.
    const fromJar = await mkdtemp(join(tmpdir(), 'nimbus-java-unjar-'));
    await unpackArtifact(new Uint8Array(await readFile(join(build, 'app.jar'))), fromJar);
    await mkdir(join(fromJar, 'lib'));
    await writeFile(join(fromJar, 'lib', 'util.jar'), await readFile(join(build, 'code', 'lib', 'util.jar')));
    const sb = await deploy(fromJar, 'app.App::handleRequest');
    assert.equal(await ok(sb, { say: 'hi' }), 'hi!');
    // The handler class may also live inside a jar in the tree.
    await writeFile(join(build, 'code', 'app.jar'), await readFile(join(build, 'app.jar')));
    const sb2 = await deploy(join(build, 'code'), 'app.App');
    assert.equal(await ok(sb2, { say: 'jar' }), 'jar!');
  });

  it('rejects compile errors and missing handler classes with coded deploy errors', async () => {
    // Uploaded file names are never javac options (-Xplugin:… would run user code on the host).
    const dashed = await tree({ '-Xlint:all.java': 'class Dash {}', 'Ok.java': 'public class Ok {}' });
    const b = await buildArtifact({ kind: 'dir', path: dashed }, { runtime: 'java17', handler: 'Ok' });
    assert.equal(b.entry, 'Ok');
    const broken = await tree({ 'a/Bad.java': 'package a;\npublic class Bad {\n  int x = ;\n}\n' });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: broken }, { runtime: 'java17', handler: 'a.Bad' }),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'NIMBUS_ERR_DEPLOY_COMPILE_FAILED');
        assert.match(e.message, /a\/Bad\.java:3: error: illegal start of expression/);
        return true;
      },
    );
    await assert.rejects(
      buildArtifact(
        { kind: 'dir', path: await tree({ 'X.java': 'public class X {}' }) },
        { runtime: 'java17', handler: 'com.Missing::run' },
      ),
      (e: Error & { code: string }) =>
        e.code === 'NIMBUS_ERR_DEPLOY_HANDLER_FILE_NOT_FOUND' && /com\/Missing\.class/.test(e.message),
    );
  });

  it('reports init failures: missing method, no interface, throwing static initializer', async () => {
    const dir = await tree({
      'p/Plain.java': 'package p; public class Plain { public String run(String s) { return s; } }',
      'p/Boom.java':
        'package p; public class Boom { static { if (true) throw new IllegalStateException("bad config"); } public String run(String s) { return s; } }',
    });
    const cases: [string, string, RegExp][] = [
      ['p.Plain::nope', 'NIMBUS_ERR_RUNTIME_HANDLER_NOT_FOUND', /No public method named nope/],
      ['p.Plain', 'NIMBUS_ERR_RUNTIME_HANDLER_NOT_FOUND', /does not implement RequestHandler/],
      ['p.Boom::run', 'NIMBUS_ERR_RUNTIME_INIT', /IllegalStateException: bad config/],
    ];
    for (const [handler, code, msg] of cases) {
      await assert.rejects(deploy(dir, handler), (e: Error & { code: string; details?: unknown }) => {
        assert.equal(e.code, code, e.message);
        assert.match(`${e.message} ${JSON.stringify(e.details)}`, msg);
        return true;
      });
    }
  });

  it('kills the JVM on timeout and the next instance works', async () => {
    const dir = await tree({ 'types/Types.java': TYPES });
    const sb = await deploy(dir, 'types.Types::sleep', { timeoutSec: 1 });
    const t0 = performance.now();
    const o = await sb.invoke(inv(sb, {}, 1000));
    const took = performance.now() - t0;
    assert.equal(!o.ok && o.failure, 'timeout');
    assert.equal(!o.ok && o.platformError?.code, 'NIMBUS_ERR_RUNTIME_TIMEOUT');
    assert.ok(took < 1500, `took ${took} ms`);
    assert.equal(sb.alive, false);
    const next = await deploy(dir, 'types.Types::upper');
    assert.equal(await ok(next, 'ok'), 'OK');
  });

  it('sizes the heap from the function memory and reports OutOfMemoryError as OOM', async () => {
    assert.equal(heapMb(128), 64);
    assert.equal(heapMb(1024), 820);
    const dir = await tree({
      'm/Hog.java': `package m;
public class Hog {
  public long max(Object o) { return Runtime.getRuntime().maxMemory() >> 20; }
  public int hog(Object o) { java.util.List<long[]> k = new java.util.ArrayList<>(); for (;;) k.add(new long[1 << 20]); }
}`,
    });
    const sb = await deploy(dir, 'm.Hog::max', { memoryMb: 128 });
    const max = (await ok(sb, null)) as number;
    assert.ok(max > 40 && max <= 64, `max heap ${max} MB`);
    const hog = await deploy(dir, 'm.Hog::hog', { memoryMb: 128, timeoutSec: 20 });
    const o = await hog.invoke(inv(hog, null, 20_000));
    assert.equal(!o.ok && o.failure, 'oom', JSON.stringify(o).slice(0, 400));
    assert.equal(!o.ok && o.platformError?.code, 'NIMBUS_ERR_RUNTIME_OOM');
  });

  it('runs under the util-linux unshare fallback too (root only)', async (t) => {
    // Outside CI a non-root run skips it; in CI (CI=true) it always runs, and fails loudly without root.
    if (process.getuid?.() !== 0 && process.env.CI !== 'true')
      return t.skip('the unshare sandbox needs root');
    const other = createProcessSandboxFactory({
      kind: 'unshare',
      poolSize: 1,
      hiddenPaths: [],
      clock: systemClock,
      initTimeoutMs: 10_000,
    });
    const saved = factory;
    factory = other;
    try {
      const sb = await deploy(await tree({ 'types/Types.java': TYPES }), 'types.Types::upper');
      assert.equal(await ok(sb, 'unshared'), 'UNSHARED');
      await sb.dispose();
    } finally {
      factory = saved;
      await other.close();
    }
  });

  it('keeps the JVM sandboxed: uid, hidden host env, read-only code, private /tmp', async () => {
    process.env.NIMBUS_JAVA_MARKER = 'host-only';
    const dir = await tree({
      'h/Probe.java': `package h;
import java.nio.file.*;
import java.util.*;
public class Probe {
  public Map<String, Object> run(Object o) throws Exception {
    Map<String, Object> r = new TreeMap<>();
    r.put("marker", System.getenv("NIMBUS_JAVA_MARKER"));
    r.put("uid", Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    try { Files.writeString(Path.of("/var/task/x"), "x"); r.put("writeCode", "ok"); } catch (Exception e) { r.put("writeCode", "denied"); }
    try { Files.readString(Path.of("/etc/shadow")); r.put("shadow", "read"); } catch (Exception e) { r.put("shadow", "denied"); }
    Files.writeString(Path.of("/tmp/mine"), "x");
    r.put("tmpWrite", "ok");
    return r;
  }
}`,
    });
    const sb = await deploy(dir, 'h.Probe::run');
    delete process.env.NIMBUS_JAVA_MARKER;
    const r = (await ok(sb, null)) as Record<string, unknown>;
    assert.equal(r.marker, null);
    assert.notEqual(r.uid, 0);
    assert.equal(r.writeCode, 'denied');
    assert.equal(r.shadow, 'denied');
    assert.equal(r.tmpWrite, 'ok');
  });
});
