// Nimbus Node harness — runs INSIDE the sandbox. Imports only node: builtins, never host code.
// Protocol: ../../PROTOCOL.md (length-prefixed JSON frames over fd 3).
import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { Socket } from 'node:net';
import { relative } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const chan = new Socket({ fd: 3, readable: true, writable: true });
const frame = (msg) => {
  const json = JSON.stringify(msg);
  const len = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(4 + len);
  out.writeUInt32BE(len, 0);
  out.write(json, 4, 'utf8');
  return out;
};
// A frame whose `payload` (JSON text) follows its JSON header as raw bytes (PROTOCOL.md): the
// length's top bit set, then the header's length, the header, the payload.
const PAYLOAD_FLAG = 0x80000000;
const payloadFrame = (msg, payload) => {
  const json = JSON.stringify(msg);
  const hlen = Buffer.byteLength(json, 'utf8');
  const plen = Buffer.byteLength(payload, 'utf8');
  const out = Buffer.allocUnsafe(8 + hlen + plen);
  out.writeUInt32BE(((4 + hlen + plen) | PAYLOAD_FLAG) >>> 0, 0);
  out.writeUInt32BE(hlen, 4);
  out.write(json, 8, 'utf8');
  out.write(payload, 8 + hlen, 'utf8');
  return out;
};
// Frames sent in one event-loop turn leave in one write after it (setImmediate): answers of
// concurrent invocations share a syscall and one wake-up of the host.
let outq = [];
const flush = () => {
  const q = outq;
  outq = [];
  if (q.length > 0) chan.write(q.length === 1 ? q[0] : Buffer.concat(q));
};
const send = (msg) => {
  if (msg.t === 'result' && typeof msg.payload === 'string') {
    const { payload, ...head } = msg;
    outq.push(payloadFrame(head, payload));
  } else outq.push(frame(msg));
  if (outq.length === 1) setImmediate(flush);
};

// Invocations in flight: one, or up to `concurrency` when the function opted in. Each runs in an
// AsyncLocalStorage context so its console lines carry its request id.
const inflight = new Map(); // requestId → { requestId, done(frame) }
const als = new AsyncLocalStorage();
const currentOf = () => als.getStore() ?? (inflight.size === 1 ? inflight.values().next().value : null);
/** Sends an invocation's final frame once. */
const finish = (me, frame) => {
  if (inflight.get(me.requestId) !== me) return false;
  inflight.delete(me.requestId);
  me.done(frame);
  return true;
};

// Context client (`context.nimbus`): calls go to the host over fd 3 and come back as `reply`.
let callSeq = 0;
const calls = new Map();
class NimbusCallError extends Error {
  constructor(e) {
    super(e?.message ?? 'context call failed');
    this.name = 'NimbusCallError';
    this.code = e?.code;
    this.status = e?.status;
  }
}
function call(requestId, op, args) {
  return new Promise((resolve, reject) => {
    const callId = ++callSeq;
    calls.set(callId, { resolve, reject });
    send({ t: 'call', requestId, callId, op, args });
  });
}
function onReply(m) {
  const c = calls.get(m.callId);
  if (!c) return;
  calls.delete(m.callId);
  if (m.ok) c.resolve(m.value);
  else c.reject(new NimbusCallError(m.error));
}
const timeArg = (o) => ({
  ...o,
  at: o?.at instanceof Date ? o.at.getTime() : o?.at,
});
function contextClient(requestId) {
  return Object.freeze({
    /** Queues an async invocation of another function of the same tenant; resolves { id }. */
    invoke: (functionName, payload, opts = {}) =>
      call(requestId, 'invoke', { functionName, payload, ...opts }),
    /** Publishes an event to a topic. */
    publish: (topic, event) => call(requestId, 'publish', { topic, event }),
    objects: Object.freeze({
      /** Reads an object of a bucket of this tenant → { body: Buffer, contentType, metadata, size, etag } */
      get: async (bucket, key) => {
        const r = await call(requestId, 'objects.get', { bucket, key });
        return { ...r, body: Buffer.from(r.body, 'base64') };
      },
      /** Writes an object (Buffer | Uint8Array | string) → { etag, size } (fires the bucket's object events). */
      put: (bucket, key, body, opts = {}) =>
        call(requestId, 'objects.put', {
          bucket,
          key,
          body: Buffer.from(typeof body === 'string' ? Buffer.from(body) : body).toString('base64'),
          contentType: opts.contentType,
        }),
    }),
    timers: Object.freeze({
      /** { at | delaySeconds, target: 'fn' | { function, qualifier }, payload } → { id, fireAt } */
      schedule: (opts) => call(requestId, 'timer.schedule', timeArg(opts)),
      cancel: (id) => call(requestId, 'timer.cancel', { id }),
    }),
    workflows: Object.freeze({
      /** Starts an execution of a state machine of this tenant → { executionArn, startDate } */
      start: (stateMachine, input, opts = {}) =>
        call(requestId, 'workflow.start', { stateMachine, input, name: opts.name }),
      /** Completes a `.waitForTaskToken` Task with `output` (any JSON value). */
      sendTaskSuccess: (taskToken, output) => call(requestId, 'workflow.taskSuccess', { taskToken, output }),
      /** Fails it with an error name and a cause. */
      sendTaskFailure: (taskToken, error, cause) =>
        call(requestId, 'workflow.taskFailure', { taskToken, error, cause }),
      sendTaskHeartbeat: (taskToken) => call(requestId, 'workflow.taskHeartbeat', { taskToken }),
    }),
  });
}

// Lambda response streaming API: `awslambda.streamifyResponse(handler)` and
// `awslambda.HttpResponseStream.from(stream, { statusCode, headers, cookies })`.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const PRELUDE = Symbol('nimbus.prelude');
/** Marks a result whose body already went out as chunks. */
const STREAMED = Symbol('nimbus.streamed');
// Lambda's per-invocation store (`@aws/lambda-invoke-store`, read by Powertools and the X-Ray
// SDK when invocations run concurrently): the current invocation's request id and trace id.
const invokeStore = Object.freeze({
  getRequestId: () => currentOf()?.requestId ?? '-',
  getXRayTraceId: () => currentOf()?.xray,
  hasContext: () => als.getStore() !== undefined,
});

/**
 * Lambda's `_X_AMZN_TRACE_ID` value from the invocation's W3C `traceparent` (the host sends only
 * valid ones; anything else gives undefined): `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0|1`.
 */
function xRayOf(traceparent) {
  const m =
    typeof traceparent === 'string' && /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
  if (!m) return undefined;
  const sampled = Number.parseInt(m[3], 16) & 1;
  return `Root=1-${m[1].slice(0, 8)}-${m[1].slice(8)};Parent=${m[2]};Sampled=${sampled}`;
}

globalThis.awslambda = {
  InvokeStore: invokeStore,
  streamifyResponse(fn) {
    fn[STREAMING] = 'response';
    return fn;
  },
  HttpResponseStream: {
    from(stream, metadata) {
      stream[PRELUDE](metadata ?? {});
      return stream;
    },
  },
};

/** Sends a body chunk, resolving when the channel accepts more (backpressure from the host). */
function sendChunk(requestId, buf, cb) {
  flush(); // frames queued before this chunk go first
  if (chan.write(frame({ t: 'chunk', requestId, data: Buffer.from(buf).toString('base64') }))) cb();
  else chan.once('drain', cb);
}

/**
 * The handler's response stream. Streaming invocations forward head + chunks to the host as they
 * come; buffered ones (the Invoke API) collect them into an API Gateway-shaped result.
 */
function makeResponseStream(requestId, live) {
  let head = null;
  let contentType;
  const parts = [];
  const ensureHead = () => {
    if (head) return;
    head = {
      statusCode: 200,
      headers: contentType ? { 'content-type': contentType } : { 'content-type': 'application/octet-stream' },
      cookies: [],
    };
    if (live) send({ t: 'head', requestId, ...head });
  };
  const w = new Writable({
    write(chunk, _enc, cb) {
      ensureHead();
      if (live) sendChunk(requestId, chunk, cb);
      else {
        parts.push(Buffer.from(chunk));
        cb();
      }
    },
    final(cb) {
      ensureHead();
      cb();
    },
  });
  w.setContentType = (t) => {
    contentType = t;
  };
  w[PRELUDE] = (meta) => {
    if (head) return;
    head = { statusCode: meta.statusCode ?? 200, headers: meta.headers ?? {}, cookies: meta.cookies ?? [] };
    if (live) send({ t: 'head', requestId, ...head });
  };
  w.buffered = () => ({
    statusCode: head?.statusCode ?? 200,
    headers: head?.headers ?? {},
    cookies: head?.cookies ?? [],
    body: Buffer.concat(parts).toString('base64'),
    isBase64Encoded: true,
  });
  return w;
}
let init = null;
let handlerFn = null;
let fetchTarget = null;

// Console → log frames tagged with the request in flight and the method's level; a JSON line
// with its own `level` / `levelname` / `severity` takes that one (Lambda's JSON log format).
// Deciding it here spends the function's CPU, not the platform's (the host only validates it).
const JSON_LEVEL_MAX = 16 * 1024;
const LEVEL_KEY = /"(level|levelname|severity)"/;
const jsonLevel = (line) => {
  if (line.charCodeAt(0) !== 123 || line.length > JSON_LEVEL_MAX || !LEVEL_KEY.test(line)) return undefined;
  try {
    const o = JSON.parse(line);
    if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
    const v = o.level ?? o.levelname ?? o.severity;
    return typeof v === 'string' || typeof v === 'number' ? String(v).toUpperCase() : undefined;
  } catch {
    return undefined;
  }
};
const emit =
  (stream, level) =>
  (...args) => {
    const text = format(...args);
    for (const line of text.split('\n')) {
      send({
        t: 'log',
        requestId: currentOf()?.requestId ?? null,
        stream,
        level: jsonLevel(line) ?? level,
        ts: Date.now(),
        message: line,
      });
    }
  };
// Stack frames of this harness show Lambda's runtime directory, not where the platform is
// installed on the host (the harness is mounted at its host path inside the sandbox).
const HARNESS_URL = new URL('.', import.meta.url).href;
const HARNESS_DIR = decodeURIComponent(new URL('.', import.meta.url).pathname);
const runtimePaths = (line) =>
  line.replaceAll(HARNESS_URL, 'file:///var/runtime/').replaceAll(HARNESS_DIR, '/var/runtime/');
console.log = console.info = emit('stdout', 'INFO');
console.debug = emit('stdout', 'DEBUG');
console.trace = emit('stdout', 'TRACE');
console.warn = emit('stderr', 'WARN');
console.error = emit('stderr', 'ERROR');

const errorPayload = (e, fallbackType = 'Error') => {
  if (e instanceof Error) {
    return {
      errorType:
        e.name && e.name !== 'Error'
          ? e.name
          : e.constructor?.name && e.constructor.name !== 'Object'
            ? e.constructor.name
            : fallbackType,
      errorMessage: e.message,
      trace: String(e.stack ?? '')
        .split('\n')
        .map(runtimePaths),
      // Nimbus SDK RetryAfterError: the async dispatcher retries after this many ms.
      ...(Number.isFinite(e.retryAfterMs) ? { retryAfterMs: Number(e.retryAfterMs) } : {}),
    };
  }
  return {
    errorType: fallbackType,
    errorMessage: typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e)),
    trace: [],
  };
};

// An uncaught error belongs to the invocation whose context raised it; outside any context (a
// bare timer callback) every invocation in flight fails, since the process state is suspect.
const fail = (e, type) => {
  const c = als.getStore();
  const victims = c ? [c] : [...inflight.values()];
  for (const v of victims)
    finish(v, { t: 'error', requestId: v.requestId, error: errorPayload(e, type), rss: rss() });
};
process.on('uncaughtException', (e) => fail(e, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (e) => {
  const p = errorPayload(e, 'Runtime.UnhandledPromiseRejection');
  fail(
    Object.assign(new Error(p.errorMessage), {
      name: 'Runtime.UnhandledPromiseRejection',
      stack: p.trace.join('\n'),
    }),
  );
});

// The process's peak RSS, read at most once a millisecond: getrusage() was 13 % of a warm
// invocation's CPU here. Within a millisecond the peak cannot have grown by much, and the host
// also reads the cgroup's own peak (PROTOCOL.md).
let rssAt = Number.NEGATIVE_INFINITY;
let rssBytes = 0;
const rss = () => {
  const now = performance.now();
  if (now - rssAt >= 1) {
    rssAt = now;
    rssBytes = process.resourceUsage().maxRSS * 1024;
  }
  return rssBytes;
};

const PRODUCED_CACHE = '/tmp/.nimbus-v8cache';
const MAX_CACHE_BYTES = 8 * 1024 * 1024;
/** The compile cache files written so far, as [relative path, base64] (none if too large). */
function producedCache() {
  try {
    flushCompileCache();
    const files = [];
    let total = 0;
    for (const e of readdirSync(PRODUCED_CACHE, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const full = `${e.parentPath}/${e.name}`;
      const data = readFileSync(full);
      total += data.length;
      if (total > MAX_CACHE_BYTES) return undefined;
      files.push([full.slice(PRODUCED_CACHE.length + 1), data.toString('base64')]);
    }
    return files;
  } catch {
    return undefined;
  }
}

async function doInit(m) {
  const t0 = performance.now();
  init = m;
  Object.assign(process.env, m.env, {
    AWS_LAMBDA_FUNCTION_NAME: m.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: m.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(m.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: m.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: m.logStreamName,
    AWS_REGION: m.region,
    AWS_DEFAULT_REGION: m.region,
    LAMBDA_TASK_ROOT: m.codeRoot,
    TZ: ':UTC',
  });
  process.chdir(m.codeRoot);
  // V8 compile cache (large bundles only, decided by the host): the first instance of a code
  // version compiles into its private /tmp and hands the cache back with `ready`; later instances
  // find it copied read-only next to the code.
  const cache = m.compileCache;
  if (cache) enableCompileCache(cache.produce ? PRODUCED_CACHE : `${m.codeRoot}/${cache.dir}`);
  let mod;
  try {
    // The handler module must be a file of the code (a version stored before the deploy-time
    // check could name `../…`); a missing one is left to the import to report.
    let rel = '';
    try {
      rel = relative(realpathSync(m.codeRoot), realpathSync(`${m.codeRoot}/${m.entry}`));
    } catch {}
    if (rel === '..' || rel.startsWith('../') || rel.startsWith('/'))
      throw new Error(`handler module ${m.entry} is outside the code root`);
    mod = await import(pathToFileURL(`${m.codeRoot}/${m.entry}`).href);
  } catch (e) {
    const p = errorPayload(e, 'Runtime.ImportModuleError');
    if (!(e instanceof SyntaxError)) p.errorType = 'Runtime.ImportModuleError';
    send({ t: 'init-error', error: p });
    return;
  }
  const ns = mod.__nimbus ?? mod;
  const name = m.exportName;
  let fn = ns[name];
  const def = ns.default;
  if ((name === 'default' || name === 'fetch') && def && typeof def.fetch === 'function') {
    fetchTarget = def;
  } else if (name === 'fetch' && typeof fn === 'function' && typeof ns.default?.fetch !== 'function') {
    fetchTarget = { fetch: fn };
  } else {
    if (fn === undefined && def && typeof def === 'object') fn = def[name];
    if (typeof fn !== 'function') {
      send({
        t: 'init-error',
        error: {
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: `${m.entry}.${name} is undefined or not exported`,
          trace: [],
        },
      });
      return;
    }
    handlerFn = fn;
  }
  send({
    t: 'ready',
    initMs: performance.now() - t0,
    compileCache: cache?.produce ? producedCache() : undefined,
  });
}

function decodeClientContext(b64) {
  if (!b64) return undefined;
  try {
    return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function toRequest(event) {
  if (event && event.version === '2.0' && event.requestContext?.http) {
    const h = new Headers();
    for (const [k, v] of Object.entries(event.headers ?? {})) h.set(k, String(v));
    if (event.cookies?.length) h.set('cookie', event.cookies.join('; '));
    const host = h.get('host') ?? 'localhost';
    const url = `http://${host}${event.rawPath ?? '/'}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    const method = event.requestContext.http.method ?? 'GET';
    const body =
      event.body == null || method === 'GET' || method === 'HEAD'
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64')
          : event.body;
    return new Request(url, { method, headers: h, body });
  }
  return new Request('http://localhost/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
}

/** Resolves after the current turn: the cut-off for a stream read to count as "already there". */
const tick = () => new Promise((r) => setImmediate(r, undefined));

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|image\/svg)/;
async function fromResponse(res) {
  return responseResult(res, Buffer.from(await res.arrayBuffer()));
}

/** A fetch Response's headers as a plain object; Set-Cookie values travel as `cookies`. */
function headersOf(res) {
  const headers = {};
  res.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  return headers;
}

/** A fetch Response with its whole body in hand as an API Gateway v2 result. */
function responseResult(res, buf) {
  const type = res.headers.get('content-type') ?? 'text/plain';
  const text = TEXTUAL.test(type);
  return {
    statusCode: res.status,
    headers: headersOf(res),
    cookies: res.headers.getSetCookie(),
    body: text ? buf.toString('utf8') : buf.toString('base64'),
    isBase64Encoded: !text,
  };
}

function doInvoke(m) {
  // As Lambda's runtime does: the variable holds the invocation that started last (concurrent
  // ones read theirs from `context.xRayTraceId` or `awslambda.InvokeStore.getXRayTraceId()`).
  const xray = m.traceparent === undefined ? undefined : xRayOf(m.traceparent);
  if (xray !== undefined) process.env._X_AMZN_TRACE_ID = xray;
  else if (process.env._X_AMZN_TRACE_ID !== undefined) delete process.env._X_AMZN_TRACE_ID;
  const me = { requestId: m.requestId, xray, done: (frame) => send(frame) };
  inflight.set(m.requestId, me);
  return als.run(me, () => runInvoke(m, me));
}

async function runInvoke(m, me) {
  const done = (frame) => finish(me, frame);
  const context = {
    awsRequestId: m.requestId,
    functionName: init.functionName,
    functionVersion: init.functionVersion,
    invokedFunctionArn: m.invokedFunctionArn,
    memoryLimitInMB: String(init.memoryMb),
    logGroupName: init.logGroupName,
    logStreamName: init.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, m.deadline - Date.now()),
    identity: undefined,
    clientContext: decodeClientContext(m.clientContext),
    // The invocation's trace: X-Ray form (as `_X_AMZN_TRACE_ID`) and W3C (for OpenTelemetry).
    xRayTraceId: me.xray,
    traceparent: me.xray === undefined ? undefined : m.traceparent,
    // Built on first use (a dozen closures per invocation most handlers never touch). An accessor
    // in the literal: Object.defineProperty per invocation was 5 % of a warm invocation's CPU.
    get nimbus() {
      nimbus ??= contextClient(m.requestId);
      return nimbus;
    },
  };
  let nimbus;
  let result;
  try {
    const event = JSON.parse(m.payload);
    if (fetchTarget) {
      const res = await fetchTarget.fetch(toRequest(event), process.env, context);
      if (m.stream && res.body) {
        // A body that is already complete (a string or buffer, the common case) goes back as one
        // result frame; only a body still being produced is streamed as head + chunks.
        const reader = res.body.getReader();
        const first = await reader.read();
        const second = first.done ? undefined : reader.read();
        const next = second ? await Promise.race([second, tick()]) : first;
        if (next?.done) {
          result = responseResult(res, first.done ? Buffer.alloc(0) : Buffer.from(first.value));
        } else {
          send({
            t: 'head',
            requestId: m.requestId,
            statusCode: res.status,
            headers: headersOf(res),
            cookies: res.headers.getSetCookie(),
          });
          await new Promise((r) => sendChunk(m.requestId, first.value, r));
          let pending = next ?? (await second);
          while (!pending.done) {
            await new Promise((r) => sendChunk(m.requestId, pending.value, r));
            pending = await reader.read();
          }
          result = STREAMED;
        }
      } else {
        result = await fromResponse(res);
      }
    } else if (handlerFn[STREAMING] === 'response') {
      const stream = makeResponseStream(m.requestId, Boolean(m.stream));
      await handlerFn(event, stream, context);
      if (!stream.writableFinished) await finished(stream);
      result = m.stream ? STREAMED : stream.buffered();
    } else if (handlerFn.length >= 3) {
      result = await new Promise((resolve, reject) => {
        const r = handlerFn(event, context, (err, value) => (err ? reject(err) : resolve(value)));
        if (r && typeof r.then === 'function') r.then(resolve, reject);
      });
    } else {
      result = await handlerFn(event, context);
    }
  } catch (e) {
    done({ t: 'error', requestId: m.requestId, error: errorPayload(e), rss: rss() });
    return;
  }
  if (inflight.get(me.requestId) !== me) return; // already failed by an uncaught error
  if (result === STREAMED) {
    done({ t: 'result', requestId: m.requestId, payload: 'null', streamed: true, rss: rss() });
    return;
  }
  let payload;
  try {
    payload = JSON.stringify(result === undefined ? null : result);
  } catch (e) {
    done({
      t: 'error',
      requestId: m.requestId,
      error: { ...errorPayload(e), errorType: 'Runtime.SerializationError' },
      rss: rss(),
    });
    return;
  }
  done({ t: 'result', requestId: m.requestId, payload, rss: rss() });
}

let buf = Buffer.alloc(0);
chan.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  while (buf.length >= 4) {
    const word = buf.readUInt32BE(0);
    const withPayload = word >= PAYLOAD_FLAG;
    const len = withPayload ? word - PAYLOAD_FLAG : word;
    if (buf.length < 4 + len) break;
    let msg;
    if (withPayload) {
      const hlen = buf.readUInt32BE(4);
      msg = JSON.parse(buf.toString('utf8', 8, 8 + hlen));
      msg.payload = buf.toString('utf8', 8 + hlen, 4 + len);
    } else msg = JSON.parse(buf.subarray(4, 4 + len).toString('utf8'));
    buf = buf.subarray(4 + len);
    if (msg.t === 'init')
      doInit(msg).catch((e) =>
        send({ t: 'init-error', error: errorPayload(e, 'Runtime.ImportModuleError') }),
      );
    else if (msg.t === 'invoke') doInvoke(msg);
    else if (msg.t === 'reply') onReply(msg);
  }
});
chan.on('close', () => process.exit(0));
send({ t: 'booted', pid: process.pid });
