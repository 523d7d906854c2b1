// Shared code of the Nimbus peer descriptors (nimbus.mjs: process runtime, nimbus-isolate.mjs:
// isolate runtime) for the shared peer harness (../shared/bench). bench/peers.sh copies these three
// files into the harness's peers/ folder (a scratch copy) and sets NIMBUS_ROOT to this checkout;
// the platform always runs on the project's Node 24 (node_modules/node/bin/node), whatever Node
// runs the harness.
//
// Nimbus is started by bench/support/target.ts (gateway on the harness's port); it deploys every
// function through the REST API and serves it through an HTTP route `GET /<name>` on its gateway,
// as a user's function would be served. Functions are the harness's Lambda (API Gateway proxy)
// handlers — Nimbus's native shape, and the one both of its runtimes take (isolates refuse
// fetch-style modules).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lambdaModule, tenant } from '../lib/functions.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** This checkout: $NIMBUS_ROOT, else the project the descriptor sits in (bench/peers/ → ../..). */
export function nimbusRoot() {
  const candidates = [process.env.NIMBUS_ROOT, resolve(HERE, '..', '..')].filter(Boolean);
  for (const c of candidates) {
    try {
      if (JSON.parse(readFileSync(join(c, 'package.json'), 'utf8')).name === 'nimbus') return c;
    } catch {
      /* not it */
    }
  }
  return null;
}

export const nimbusNode = (root) =>
  process.env.NIMBUS_NODE || join(root, 'node_modules', 'node', 'bin', 'node');

function gitRev(root) {
  const r = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** A one-file .zip (the REST API takes code as zipBase64), with the checkout's fflate. */
export async function zipOne(fileName, text) {
  const root = nimbusRoot();
  const { zipSync, strToU8 } = await import(
    pathToFileURL(join(root, 'node_modules', 'fflate', 'esm', 'index.mjs')).href
  );
  return Buffer.from(zipSync({ [fileName]: strToU8(text) }));
}

const probeCache = new Map();
/**
 * Does this build run functions in the isolate runtime? bench/support/probe-isolate.ts starts a
 * throw-away platform, creates one function with `isolation: 'isolate'` and checks that the
 * deploy answer says `function.isolation === 'isolate'`. Returns true or the reason it is not.
 */
export function probeIsolate(root) {
  if (probeCache.has(root)) return probeCache.get(root);
  const r = spawnSync(nimbusNode(root), [join(root, 'bench', 'support', 'probe-isolate.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60000,
  });
  let out;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    out = {
      supported: false,
      reason: `probe failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').pop()}`,
    };
  }
  const v = out.supported ? true : `isolate runtime unsupported: ${out.reason}`;
  probeCache.set(root, v);
  return v;
}

/** A descriptor for one Nimbus runtime. */
export function nimbusPeer({ name, title, isolation, runtime }) {
  const root = nimbusRoot();
  const call = async (info, method, path, body) => {
    const r = await fetch(`${info.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${info.secret}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  };
  return {
    name,
    title,
    isolation,
    multi: true,
    startTimeoutMs: 120000,
    enabled() {
      if (!root) return 'NIMBUS_ROOT is not set to a Nimbus checkout (run bench/peers.sh)';
      if (!existsSync(nimbusNode(root)))
        return `no Node 24 at ${nimbusNode(root)} (npm install in the checkout)`;
      return runtime === 'isolate' ? probeIsolate(root) : true;
    },
    version() {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      const node = spawnSync(nimbusNode(root), ['-v'], { encoding: 'utf8' }).stdout.trim();
      return `nimbus ${pkg.version} (${gitRev(root)}), ${runtime} runtime, node ${node}`;
    },
    prepare(_ctx, { dir, fns }) {
      const manifest = [];
      for (const fn of fns) {
        mkdirSync(join(dir, 'functions', fn.name), { recursive: true });
        writeFileSync(join(dir, 'functions', fn.name, 'index.js'), lambdaModule(fn));
        manifest.push({ name: fn.name, entry: `functions/${fn.name}/index.js`, handler: 'index.handler' });
      }
      writeFileSync(join(dir, 'functions.json'), JSON.stringify(manifest, null, 2));
    },
    command(_ctx, { dir, port }) {
      return {
        cmd: nimbusNode(root),
        args: [
          join(root, 'bench', 'support', 'target.ts'),
          '--port',
          String(port),
          '--dir',
          dir,
          '--isolation',
          runtime,
        ],
        cwd: dir,
      };
    },
    url: (_ctx, { port, fn }) => `http://127.0.0.1:${port}/${fn.name}`,

    /** Add a function (create + route through the REST API) to a running platform → its first 200. */
    async extraColdStarts(ctx, api) {
      const dir = api.workDir('hotadd');
      const port = await api.allocPorts(1);
      const base = [{ name: 'hello', kind: 'hello' }];
      this.prepare(ctx, { dir, fns: base, port });
      const h = api.startServer(this.command(ctx, { dir, fns: base, port }), join(dir, 'server.log'));
      const samples = [];
      const deployMs = [];
      const second = [];
      try {
        await api.waitFor200(`http://127.0.0.1:${port}/hello`, { handle: h, timeoutMs: 120000 });
        const info = JSON.parse(readFileSync(join(dir, 'nimbus.json'), 'utf8'));
        for (let k = 1; k <= api.coldRuns; k++) {
          const fn = tenant(900 + k);
          const zip = (await zipOne('index.js', lambdaModule(fn))).toString('base64');
          const t0 = performance.now();
          await call(info, 'PUT', `/v1/functions/${fn.name}`, {
            runtime: 'nodejs24.x',
            handler: 'index.handler',
            code: { zipBase64: zip },
            ...(runtime === 'isolate' ? { isolation: 'isolate' } : {}),
          });
          await call(info, 'PUT', `/v1/functions/${fn.name}/routes`, {
            routes: [{ routeKey: `GET /${fn.name}` }],
          });
          deployMs.push(performance.now() - t0);
          const url = `http://127.0.0.1:${port}/${fn.name}`;
          samples.push(
            await api.waitFor200(url, {
              t0,
              timeoutMs: 30000,
              handle: h,
              check: (b) => api.checkBody(fn, b),
            }),
          );
          second.push((await api.httpGet(url, 10000)).ms);
          await api.sleep(300); // let the pre-booted pool refill, as in steady state
        }
      } finally {
        await api.stopServer(h);
      }
      return {
        [`nimbus (${runtime}): create function + route via REST -> first 200 through the gateway`]: {
          samples_ms: samples,
          median_ms: api.median(samples),
          deploy_median_ms: api.median(deployMs),
          warm_same_worker_median_ms: api.median(second),
        },
      };
    },
  };
}
