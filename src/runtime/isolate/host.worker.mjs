// Sandbox-side code: the isolate host. Runs inside the bubblewrap sandbox (clean env, uid 65534,
// read-only root, own cgroup) as a plain Node 24 process and never imports platform modules.
// It holds one V8 isolate (isolated-vm) per function instance and speaks length-prefixed JSON
// frames on fd 3 with the platform (src/runtime/isolate/host.ts):
//   platform → host: create, invoke, dispose
//   host → platform: booted, created, create-error, result, error, failed, log
// The isolate's memoryLimit bounds each function's heap; a per-invocation timeout (CPU) plus a
// wall-clock watchdog end runaway code; a timed-out or OOM isolate is disposed, never reused.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';

const ivmPath = process.argv[2];
if (!ivmPath) throw new Error('usage: host.worker.mjs <path to isolated-vm>');
const ivm = createRequire(import.meta.url)(ivmPath);

// ---------------------------------------------------------------- frames on fd 3

const chan = new net.Socket({ fd: 3, readable: true, writable: true });
chan.on('error', () => process.exit(1));
chan.on('close', () => process.exit(0));
// Frames sent in one event-loop turn leave in one write after it (setImmediate): answers of
// invocations that finish together share a syscall and one wake-up of the platform.
let outq = [];
function flushOut() {
  const q = outq;
  outq = [];
  if (q.length > 0) chan.write(q.length === 1 ? q[0] : Buffer.concat(q));
}
function send(msg) {
  const json = JSON.stringify(msg);
  const len = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(4 + len);
  out.writeUInt32BE(len, 0);
  out.write(json, 4, 'utf8');
  outq.push(out);
  if (outq.length === 1) setImmediate(flushOut);
}
let inbuf = Buffer.alloc(0);
chan.on('data', (chunk) => {
  inbuf = inbuf.length === 0 ? chunk : Buffer.concat([inbuf, chunk]);
  while (inbuf.length >= 4) {
    const len = inbuf.readUInt32BE(0);
    if (inbuf.length < 4 + len) return;
    const msg = JSON.parse(inbuf.subarray(4, 4 + len).toString('utf8'));
    inbuf = inbuf.subarray(4 + len);
    onFrame(msg);
  }
});

// ---------------------------------------------------------------- code run inside each isolate

/**
 * Serialized with toString() and run as the first script of every isolate: it must not close
 * over anything of this file. It takes the host references off the global object (user code
 * never sees them), installs console/TextEncoder/TextDecoder/crypto/timers and returns the
 * functions the host drives.
 */
function isolateBootstrap() {
  const g = globalThis;
  const $log = g.$log;
  const $rand = g.$rand;
  const $timer = g.$timer;
  const $ready = g.$ready;
  delete g.$log;
  delete g.$rand;
  delete g.$timer;
  delete g.$ready;
  let current = null;

  const show = (a) => {
    if (typeof a === 'string') return a;
    if (a instanceof Error) return a.stack || String(a);
    if (a === undefined) return 'undefined';
    if (typeof a === 'function') return `[Function: ${a.name || 'anonymous'}]`;
    if (typeof a === 'bigint') return `${a}n`;
    if (typeof a === 'symbol') return a.toString();
    try {
      const s = JSON.stringify(a);
      return s === undefined ? String(a) : s;
    } catch {
      return String(a);
    }
  };
  const format = (args) => {
    if (typeof args[0] === 'string' && args.length > 1 && /%[sdifjoO%]/.test(args[0])) {
      let i = 1;
      const first = args[0].replace(/%([sdifjoO%])/g, (m, c) => {
        if (c === '%') return '%';
        if (i >= args.length) return m;
        const v = args[i++];
        if (c === 's') return typeof v === 'string' ? v : show(v);
        if (c === 'd' || c === 'i') return String(c === 'i' ? Number.parseInt(v, 10) : Number(v));
        if (c === 'f') return String(Number.parseFloat(v));
        return show(v);
      });
      return [first, ...args.slice(i).map(show)].join(' ');
    }
    return args.map(show).join(' ');
  };
  const out =
    (stream) =>
    (...args) => {
      $log.applyIgnored(undefined, [stream, format(args), current]);
    };
  const console = {
    log: out('stdout'),
    info: out('stdout'),
    debug: out('stdout'),
    trace: out('stdout'),
    dir: out('stdout'),
    warn: out('stderr'),
    error: out('stderr'),
  };
  Object.defineProperty(g, 'console', { value: console, writable: true, configurable: true });

  class TextEncoder {
    get encoding() {
      return 'utf-8';
    }
    encode(input = '') {
      const s = String(input).toWellFormed();
      const bytes = [];
      for (const ch of s) {
        const c = ch.codePointAt(0);
        if (c < 0x80) bytes.push(c);
        else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(bytes);
    }
  }
  class TextDecoder {
    get encoding() {
      return 'utf-8';
    }
    decode(input) {
      if (input === undefined) return '';
      const b = ArrayBuffer.isView(input)
        ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
        : new Uint8Array(input);
      let s = '';
      for (let i = 0; i < b.length; ) {
        const c = b[i];
        let cp = 0xfffd;
        let n = 1;
        if (c < 0x80) cp = c;
        else if (c >= 0xc2 && c < 0xe0 && (b[i + 1] & 0xc0) === 0x80) {
          cp = ((c & 31) << 6) | (b[i + 1] & 63);
          n = 2;
        } else if (c >= 0xe0 && c < 0xf0 && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
          cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63);
          n = 3;
          if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd;
        } else if (
          c >= 0xf0 &&
          c < 0xf5 &&
          (b[i + 1] & 0xc0) === 0x80 &&
          (b[i + 2] & 0xc0) === 0x80 &&
          (b[i + 3] & 0xc0) === 0x80
        ) {
          cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63);
          n = 4;
          if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd;
        }
        s += String.fromCodePoint(cp);
        i += n;
      }
      return s;
    }
  }
  g.TextEncoder = TextEncoder;
  g.TextDecoder = TextDecoder;

  const getRandomValues = (arr) => {
    if (!ArrayBuffer.isView(arr) || arr instanceof Float32Array || arr instanceof Float64Array)
      throw new TypeError('getRandomValues: an integer typed array is required');
    if (arr.byteLength > 65536) throw new RangeError('getRandomValues: at most 65536 bytes');
    const hex = $rand.applySync(undefined, [arr.byteLength]);
    const u = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    for (let i = 0; i < u.length; i++) u[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return arr;
  };
  const randomUUID = () => {
    const b = getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  g.crypto = { getRandomValues, randomUUID };

  const timers = new Map();
  let nextTimer = 1;
  g.setTimeout = (fn, ms = 0, ...args) => {
    if (typeof fn !== 'function') throw new TypeError('setTimeout: callback must be a function');
    if (timers.size >= 1000) throw new RangeError('setTimeout: more than 1000 pending timers');
    const id = nextTimer++;
    timers.set(id, { fn, args, owner: current });
    $timer.applyIgnored(undefined, [id, Math.max(0, Math.min(Number(ms) || 0, 2 ** 31 - 1))]);
    return id;
  };
  g.clearTimeout = (id) => {
    timers.delete(id);
  };
  g.queueMicrotask = (fn) => {
    Promise.resolve().then(fn);
  };
  const fire = (id) => {
    const t = timers.get(id);
    if (!t) return;
    timers.delete(id);
    const prev = current;
    current = t.owner;
    try {
      t.fn(...t.args);
    } catch (e) {
      console.error('Uncaught exception in timer:', e);
    } finally {
      current = prev;
    }
  };

  const errorPayload = (e, fallbackType = 'Error') => {
    if (e instanceof Error) {
      return {
        errorType:
          e.name && e.name !== 'Error'
            ? e.name
            : e.constructor?.name && e.constructor.name !== 'Object'
              ? e.constructor.name
              : fallbackType,
        errorMessage: String(e.message),
        trace: String(e.stack ?? '').split('\n'),
        ...(Number.isFinite(e.retryAfterMs) ? { retryAfterMs: Number(e.retryAfterMs) } : {}),
      };
    }
    let msg;
    try {
      msg = typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
    } catch {
      msg = String(e);
    }
    return { errorType: fallbackType, errorMessage: msg, trace: [] };
  };

  let handler;
  let meta;
  let env;
  // Called by the entry module once the function's module (and its top-level await) finished;
  // the function's settings come in the same call (no extra round trip into the isolate).
  g.__nimbusSetModule = (mod, m) => {
    delete g.__nimbusSetModule;
    meta = m;
    env = Object.freeze({ ...m.env });
    const ns = mod.__nimbus ?? mod;
    const name = meta.exportName;
    let fn = ns[name];
    const def = ns.default;
    if (fn === undefined && def && typeof def === 'object') fn = def[name];
    if (typeof fn !== 'function') {
      const fetchStyle = def && typeof def.fetch === 'function';
      $ready.applyIgnored(undefined, [
        JSON.stringify({
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: fetchStyle
            ? `${meta.entry}: fetch-style default exports are not supported by the isolate runtime; export a Lambda-style handler`
            : `${meta.entry}.${name} is undefined or not exported`,
          trace: [],
        }),
      ]);
      return;
    }
    handler = fn;
    $ready.applyIgnored(undefined, [null]);
  };

  const invoke = async (requestId, payload, ctxJson) => {
    current = requestId;
    const c = JSON.parse(ctxJson);
    const started = Date.now();
    // The invocation's trace (no process.env here): X-Ray form as Lambda's _X_AMZN_TRACE_ID.
    const t =
      typeof c.traceparent === 'string' &&
      /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(c.traceparent);
    const context = {
      awsRequestId: requestId,
      functionName: meta.functionName,
      functionVersion: meta.functionVersion,
      invokedFunctionArn: c.invokedFunctionArn,
      memoryLimitInMB: String(meta.memoryMb),
      logGroupName: meta.logGroupName,
      logStreamName: meta.logStreamName,
      callbackWaitsForEmptyEventLoop: true,
      clientContext: c.clientContext,
      identity: undefined,
      xRayTraceId: t
        ? `Root=1-${t[1].slice(0, 8)}-${t[1].slice(8)};Parent=${t[2]};Sampled=${Number.parseInt(t[3], 16) & 1}`
        : undefined,
      traceparent: t ? c.traceparent : undefined,
      env,
      getRemainingTimeInMillis: () => Math.max(0, c.remainingMs - (Date.now() - started)),
    };
    try {
      const event = JSON.parse(payload);
      let result;
      if (handler.length >= 3) {
        result = await new Promise((resolve, reject) => {
          const r = handler(event, context, (err, v) => (err ? reject(err) : resolve(v)));
          if (r && typeof r.then === 'function') r.then(resolve, reject);
        });
      } else {
        result = await handler(event, context);
      }
      let text;
      try {
        text = JSON.stringify(result === undefined ? null : result) ?? 'null';
      } catch (e) {
        return JSON.stringify({
          ok: false,
          error: { ...errorPayload(e), errorType: 'Runtime.SerializationError' },
        });
      }
      return JSON.stringify({ ok: true, payload: text });
    } catch (e) {
      return JSON.stringify({ ok: false, error: errorPayload(e) });
    } finally {
      if (current === requestId) current = null;
    }
  };
  return { invoke, fire };
}

const BOOTSTRAP = `(${isolateBootstrap.toString()})`;

/** What bundled code may import: esbuild's banner asks for createRequire, which then throws. */
const NODE_MODULE_SHIM = `export function createRequire() {
  return function require(id) {
    throw new Error('require(' + JSON.stringify(id) + ') is not available in the isolate runtime (no Node.js APIs); use the process runtime (isolation: process)');
  };
}
export default { createRequire };`;

// ---------------------------------------------------------------- instances

/** @type {Map<string, any>} */
const instances = new Map();
/** codeKey → { path: source }; the platform sends each once and says when to forget it. */
const codeByKey = new Map();

function normalize(path) {
  const out = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function errorOf(e, fallbackType) {
  return {
    errorType: e?.name && e.name !== 'Error' ? e.name : fallbackType,
    errorMessage: String(e?.message ?? e),
    trace: String(e?.stack ?? '')
      .split('\n')
      .filter(Boolean),
  };
}

// ---------------------------------------------------------------- spare isolates
// Creating an isolate and its context is most of a cold start (≈3 of 5 ms measured), so the host
// keeps a few blank ones ready per memory limit in use: bootstrap done, no user code ever run.
// A cold start then only compiles and evaluates the function's module.

const SPARES_PER_LIMIT = 2;
const MAX_LIMITS = 4;
/** memoryLimitMb → prepared blank isolates; Map order = most recently wanted last. */
const spares = new Map([[128, []]]);
let refillQueued = false;

function prepare(limitMb) {
  const iso = new ivm.Isolate({
    memoryLimit: limitMb,
    onCatastrophicError: (message) => {
      process.stderr.write(`isolate catastrophic error: ${message}\n`);
      process.abort();
    },
  });
  // The host references reach the instance through this holder once the isolate is taken.
  const holder = { inst: undefined, onReady: undefined };
  // Synchronous calls: each async isolated-vm call is a thread hop; these steps are short and
  // bounded (no user code runs here).
  const ctx = iso.createContextSync();
  const jail = ctx.global;
  jail.setSync(
    '$log',
    new ivm.Reference((stream, message, requestId) => {
      const inst = holder.inst;
      if (!inst || inst.gone) return;
      send({
        t: 'log',
        id: inst.id,
        requestId: typeof requestId === 'string' ? requestId : undefined,
        stream: stream === 'stderr' ? 'stderr' : 'stdout',
        message: String(message).slice(0, 256 * 1024),
        ts: Date.now(),
      });
    }),
  );
  jail.setSync(
    '$rand',
    new ivm.Reference((n) => randomBytes(Math.max(0, Math.min(65536, Number(n) || 0))).toString('hex')),
  );
  jail.setSync(
    '$timer',
    new ivm.Reference((id, ms) => {
      const inst = holder.inst;
      if (!inst || inst.gone) return;
      const h = setTimeout(() => {
        inst.timers.delete(h);
        if (inst.gone) return;
        // Between invocations the instance is frozen (as a process instance's cgroup is): a timer
        // that comes due then waits for the next invocation instead of running unbilled.
        if (inst.frozen) inst.deferred.push(id);
        else inst.fireRef.apply(undefined, [id], { timeout: inst.timeoutMs }).catch(() => {});
      }, Number(ms));
      inst.timers.add(h);
    }),
  );
  jail.setSync('$ready', new ivm.Reference((err) => holder.onReady?.(err)));
  const bootFn = iso.compileScriptSync(BOOTSTRAP).runSync(ctx, { reference: true, timeout: 1000 });
  const api = bootFn.applySync(undefined, [], { result: { reference: true }, timeout: 1000 });
  return {
    iso,
    ctx,
    holder,
    invokeRef: api.getSync('invoke', { reference: true }),
    fireRef: api.getSync('fire', { reference: true }),
  };
}

function takeSpare(limitMb) {
  const list = spares.get(limitMb) ?? [];
  spares.delete(limitMb);
  spares.set(limitMb, list);
  while (spares.size > MAX_LIMITS) {
    const [oldest, gone] = spares.entries().next().value;
    spares.delete(oldest);
    for (const p of gone) p.iso.dispose();
  }
  queueRefill();
  return list.pop() ?? prepare(limitMb);
}

/**
 * Tops the spares up one isolate per turn, and only when the host has been quiet for a moment:
 * preparing blocks this thread for a few ms, which must not land inside a cold start or its
 * first invocation.
 */
const REFILL_QUIET_MS = 30;
let lastBusy = 0;
function queueRefill() {
  if (refillQueued) return;
  refillQueued = true;
  setTimeout(refillOne, REFILL_QUIET_MS);
}
function refillOne() {
  refillQueued = false;
  const quietFor = performance.now() - lastBusy;
  if (creating > 0 || quietFor < REFILL_QUIET_MS) {
    queueRefill();
    return;
  }
  for (const [limit, list] of spares) {
    if (list.length < SPARES_PER_LIMIT) {
      try {
        list.push(prepare(limit));
      } catch (e) {
        process.stderr.write(`could not prepare an isolate: ${e?.message}\n`);
        return;
      }
      queueRefill();
      return;
    }
  }
}
let creating = 0;

async function create(m) {
  creating++;
  try {
    await specializeInstance(m);
  } finally {
    creating--;
    lastBusy = performance.now();
  }
}

async function specializeInstance(m) {
  const t0 = performance.now();
  let prepared;
  try {
    prepared = takeSpare(m.memoryLimitMb);
  } catch (e) {
    send({ t: 'create-error', id: m.id, error: errorOf(e, 'Runtime.InitError') });
    return;
  }
  const { iso, ctx, holder } = prepared;
  const inst = {
    id: m.id,
    iso,
    timers: new Set(),
    pending: new Map(),
    invokeRef: prepared.invokeRef,
    fireRef: prepared.fireRef,
    timeoutMs: m.timeoutMs,
    gone: false,
    /** No invocation in flight since the last one answered: due timers are deferred. */
    frozen: false,
    deferred: [],
  };
  holder.inst = inst;
  instances.set(m.id, inst);
  let initTimer;
  try {
    const ready = new Promise((r) => {
      holder.onReady = r;
    });
    // The function's files: relative imports resolve inside them; `node:module` gets a shim
    // (esbuild bundles ask for createRequire); anything else is refused with a clear message.
    const meta = {
      exportName: m.exportName,
      entry: m.entry,
      env: m.env ?? {},
      functionName: m.functionName,
      functionVersion: m.functionVersion,
      memoryMb: m.memoryMb,
      logGroupName: m.logGroupName,
      logStreamName: m.logStreamName,
    };
    const files = codeByKey.get(m.codeKey) ?? {};
    const cache = new Map();
    const compile = (path) => {
      let mod = cache.get(path);
      if (!mod) {
        const src = path === 'node:module' ? NODE_MODULE_SHIM : files[path];
        mod = iso.compileModuleSync(src, {
          filename: path === 'node:module' ? path : `file:///var/task/${path}`,
        });
        cache.set(path, mod);
      }
      return mod;
    };
    const paths = new Map();
    const resolve = (specifier, referrer) => {
      if (specifier === 'node:module' || specifier === 'module') return compile('node:module');
      const from = paths.get(referrer) ?? '';
      if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) {
        const base = specifier.startsWith('/') ? '' : from.slice(0, from.lastIndexOf('/') + 1);
        const p = normalize(base + specifier.replace(/^\/var\/task\//, ''));
        const found = [p, `${p}.mjs`, `${p}.js`, `${p}/index.mjs`, `${p}/index.js`].find(
          (c) => typeof files[c] === 'string',
        );
        if (found) {
          const mod = compile(found);
          paths.set(mod, found);
          return mod;
        }
        throw new Error(`cannot resolve ${JSON.stringify(specifier)} from ${from || 'the entry'}`);
      }
      throw new Error(
        `cannot import ${JSON.stringify(specifier)}: isolate functions have no Node.js modules (fs, net, process, require); bundle dependencies into the function or use isolation: process`,
      );
    };
    if (typeof files[m.entry] !== 'string') throw new Error(`entry module ${m.entry} is not in the code`);
    const entry = iso.compileModuleSync(
      `import * as m from ${JSON.stringify(`./${m.entry}`)};\nglobalThis.__nimbusSetModule(m, ${JSON.stringify(meta)});\n`,
      { filename: 'file:///var/task/__nimbus_entry.mjs' },
    );
    paths.set(entry, '__nimbus_entry.mjs');
    entry.instantiateSync(ctx, resolve);
    const deadline = new Promise((r) => {
      initTimer = setTimeout(() => r('timeout'), m.initTimeoutMs);
    });
    await Promise.race([entry.evaluate({ timeout: m.initTimeoutMs }), deadline]);
    const err = await Promise.race([ready, deadline]);
    if (err === 'timeout')
      throw Object.assign(new Error(`init did not finish within ${m.initTimeoutMs} ms`), {
        name: 'Runtime.InitTimeout',
      });
    if (err) {
      destroy(inst);
      send({ t: 'create-error', id: m.id, error: JSON.parse(err) });
      return;
    }
    send({ t: 'created', id: m.id, initMs: performance.now() - t0, heap: heapOf(inst) });
  } catch (e) {
    const oom = iso.isDisposed && /memory limit/.test(String(e?.message));
    destroy(inst);
    const error = errorOf(e, e instanceof SyntaxError ? 'SyntaxError' : 'Runtime.ImportModuleError');
    if (oom) error.errorType = 'Runtime.OutOfMemory';
    send({ t: 'create-error', id: m.id, error });
  } finally {
    clearTimeout(initTimer);
  }
}

/**
 * The isolate's heap in use, for REPORT's memory figure: read at most every 100 ms per instance
 * after invocations shorter than a millisecond (a synchronous heap-statistics call on every
 * answer showed in hot-path profiles; anything that allocates much runs longer).
 */
function heapOf(inst, fresh = true) {
  const now = performance.now();
  if (!fresh && inst.heapAt !== undefined && now - inst.heapAt < 100) return inst.heap;
  try {
    const h = inst.iso.getHeapStatisticsSync();
    inst.heap = h.used_heap_size + h.externally_allocated_size;
  } catch {
    inst.heap = 0;
  }
  inst.heapAt = now;
  return inst.heap;
}

function destroy(inst) {
  if (inst.gone) return;
  inst.gone = true;
  instances.delete(inst.id);
  for (const h of inst.timers) clearTimeout(h);
  inst.timers.clear();
  for (const p of inst.pending.values()) clearTimeout(p.watchdog);
  try {
    if (!inst.iso.isDisposed) inst.iso.dispose();
  } catch {
    // already gone
  }
}

/** Ends an instance after a timeout/OOM/crash: every invocation in flight fails with a reason. */
function fail(inst, requestId, failure, message) {
  const others = [...inst.pending.keys()].filter((r) => r !== requestId);
  destroy(inst);
  send({ t: 'failed', id: inst.id, requestId, failure, message });
  for (const r of others) {
    send({
      t: 'failed',
      id: inst.id,
      requestId: r,
      failure: 'crash',
      message: `an invocation in the same instance ended it (${failure})`,
    });
  }
}

function invoke(m) {
  const inst = instances.get(m.id);
  // A cold start's first invocation is part of it; warm traffic does not hold refills back.
  if (inst && !inst.invoked) {
    inst.invoked = true;
    lastBusy = performance.now();
  }
  if (!inst || inst.gone) {
    send({ t: 'failed', id: m.id, requestId: m.requestId, failure: 'crash', message: 'instance is gone' });
    return;
  }
  const timeoutMs = Math.max(1, Number(m.timeoutMs) || 1);
  const p = { watchdog: undefined, timedOut: false };
  inst.pending.set(m.requestId, p);
  // Thawed: timers that came due while frozen run now, with this invocation's CPU limit.
  inst.frozen = false;
  for (const id of inst.deferred.splice(0)) {
    inst.fireRef.apply(undefined, [id], { timeout: timeoutMs }).catch(() => {});
  }
  // CPU: isolated-vm's timeout covers the handler's own execution (also across awaits); the
  // watchdog ends handlers that wait (timers, never-settling promises) past the deadline.
  p.watchdog = setTimeout(() => {
    p.timedOut = true;
    if (inst.pending.has(m.requestId)) fail(inst, m.requestId, 'timeout', 'deadline passed');
  }, timeoutMs + 20);
  const started = performance.now();
  const ctxJson = JSON.stringify({
    invokedFunctionArn: m.invokedFunctionArn,
    clientContext: m.clientContext,
    remainingMs: timeoutMs,
    traceparent: m.traceparent,
  });
  inst.invokeRef
    .apply(undefined, [m.requestId, m.payload, ctxJson], {
      result: { promise: true, copy: true },
      timeout: timeoutMs,
    })
    .then(
      (text) => {
        if (!inst.pending.delete(m.requestId)) return;
        clearTimeout(p.watchdog);
        if (inst.pending.size === 0) inst.frozen = true;
        const r = JSON.parse(text);
        const heap = heapOf(inst, performance.now() - started >= 1);
        if (r.ok) send({ t: 'result', id: m.id, requestId: m.requestId, payload: r.payload, heap });
        else send({ t: 'error', id: m.id, requestId: m.requestId, error: r.error, heap });
      },
      (e) => {
        if (!inst.pending.has(m.requestId)) return;
        const msg = String(e?.message ?? e);
        const failure = /memory limit/.test(msg)
          ? 'oom'
          : p.timedOut || /timed out/.test(msg)
            ? 'timeout'
            : 'crash';
        fail(inst, m.requestId, failure, msg);
      },
    );
}

function onFrame(m) {
  switch (m.t) {
    case 'create':
      if (m.files) codeByKey.set(m.codeKey, m.files);
      void create(m);
      return;
    case 'invoke':
      invoke(m);
      return;
    case 'forget':
      codeByKey.delete(m.codeKey);
      return;
    case 'dispose': {
      const inst = instances.get(m.id);
      if (inst) destroy(inst);
      return;
    }
  }
}

send({ t: 'booted', pid: process.pid });
queueRefill();
