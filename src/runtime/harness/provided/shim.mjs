// Nimbus Lambda Runtime API shim — runs INSIDE the sandbox with the platform's Node. It serves the
// Runtime API (2018-06-01) on 127.0.0.1 to the function's own `bootstrap` (any language) and
// translates it to the fd 3 frame protocol (../../PROTOCOL.md).
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { Socket } from 'node:net';
import { join, relative } from 'node:path';

const chan = new Socket({ fd: 3, readable: true, writable: true });
const send = (msg) => {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  chan.write(Buffer.concat([head, body]));
};
const rss = () => process.memoryUsage().rss;

let init = null;
let ready = false;
let waiting = null; // the bootstrap's pending GET /next
let queued = null; // an invoke that arrived before the bootstrap asked for it
let current = null; // invoke in progress
let child = null;

const MAX_BODY = 6 * 1024 * 1024 + 1024;
function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > MAX_BODY) reject(new Error('body too large'));
      else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
function errorOf(text, fallbackType) {
  try {
    const e = JSON.parse(text);
    return {
      errorType: String(e.errorType ?? fallbackType),
      errorMessage: String(e.errorMessage ?? ''),
      trace: Array.isArray(e.stackTrace) ? e.stackTrace.map(String) : [],
    };
  } catch {
    return { errorType: fallbackType, errorMessage: text.slice(0, 4096), trace: [] };
  }
}
/** `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0|1` from a W3C traceparent, else undefined. */
function xRayOf(traceparent) {
  const t =
    typeof traceparent === 'string' && /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
  if (!t) return undefined;
  return `Root=1-${t[1].slice(0, 8)}-${t[1].slice(8)};Parent=${t[2]};Sampled=${Number.parseInt(t[3], 16) & 1}`;
}

function deliver(res, m) {
  current = m;
  const headers = {
    'content-type': 'application/json',
    'lambda-runtime-aws-request-id': m.requestId,
    'lambda-runtime-deadline-ms': String(m.deadline),
    'lambda-runtime-invoked-function-arn': m.invokedFunctionArn ?? '',
  };
  // Lambda's runtime API sends the X-Ray form (`Root=1-…;Parent=…;Sampled=…`), from which custom
  // runtimes set _X_AMZN_TRACE_ID; the W3C form goes along as `traceparent`.
  const xray = xRayOf(m.traceparent);
  if (xray) {
    headers['lambda-runtime-trace-id'] = xray;
    headers.traceparent = m.traceparent;
  }
  if (m.clientContext)
    headers['lambda-runtime-client-context'] = Buffer.from(m.clientContext, 'base64').toString('utf8');
  res.writeHead(200, headers);
  res.end(m.payload);
}

const server = createServer(async (req, res) => {
  const url = req.url ?? '';
  const ok = (code = 202) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end('{"status":"OK"}');
  };
  try {
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      if (!ready) {
        ready = true;
        send({ t: 'ready', initMs: performance.now() - init.t0 });
      }
      if (queued) {
        const m = queued;
        queued = null;
        deliver(res, m);
      } else waiting = res;
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const body = await readBody(req);
      const id = decodeURIComponent(m[1]);
      if (!current || current.requestId !== id) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"errorType":"InvalidRequestID","errorMessage":"unknown request id"}');
        return;
      }
      current = null;
      if (m[2] === 'response') {
        let payload = body;
        try {
          JSON.parse(body || 'null');
        } catch {
          payload = JSON.stringify(body); // Lambda passes non-JSON responses through as text
        }
        send({ t: 'result', requestId: id, payload: payload || 'null', rss: rss() });
      } else {
        send({
          t: 'error',
          requestId: id,
          error: errorOf(body, req.headers['lambda-runtime-function-error-type'] ?? 'Runtime.Unknown'),
          rss: rss(),
        });
      }
      ok();
      return;
    }
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      const body = await readBody(req);
      send({
        t: 'init-error',
        error: errorOf(body, req.headers['lambda-runtime-function-error-type'] ?? 'Runtime.InitError'),
      });
      ok();
      setTimeout(() => process.exit(1), 50);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"errorType":"NotFound","errorMessage":"unknown Runtime API path"}');
  } catch (e) {
    res.writeHead(413, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errorType: 'RequestTooLarge', errorMessage: String(e?.message ?? e) }));
  }
});

function pipeLogs(stream, name) {
  let pending = '';
  stream.on('data', (c) => {
    pending += c.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines)
      send({ t: 'log', requestId: current?.requestId ?? null, stream: name, ts: Date.now(), message: line });
  });
}

function startBootstrap() {
  const port = server.address().port;
  const env = {
    ...init.env,
    AWS_LAMBDA_FUNCTION_NAME: init.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: init.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(init.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: init.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: init.logStreamName,
    AWS_REGION: init.region,
    AWS_DEFAULT_REGION: init.region,
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
    LAMBDA_TASK_ROOT: init.codeRoot,
    LAMBDA_RUNTIME_DIR: init.codeRoot,
    _HANDLER: init.exportName,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TZ: ':UTC',
  };
  const bootstrap = join(init.codeRoot, init.entry);
  // The entry must be a file of the code (defence in depth; the registry stores `bootstrap`).
  let rel = '';
  try {
    rel = relative(realpathSync(init.codeRoot), realpathSync(bootstrap));
  } catch {}
  if (rel === '..' || rel.startsWith('../') || rel.startsWith('/')) {
    send({
      t: 'init-error',
      error: {
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: `${init.entry} is outside the code root`,
        trace: [],
      },
    });
    setTimeout(() => process.exit(1), 50);
    return;
  }
  // Archives often lose the executable bit: run a script through sh, a binary directly.
  const run = (cmd, args) => spawn(cmd, args, { cwd: init.codeRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = run(bootstrap, []);
  child.on('error', (e) => {
    if (e.code === 'EACCES') {
      // Follow the script's own interpreter line (#!/usr/bin/env python3, #!/bin/bash, …), else sh.
      let first = '';
      try {
        first = readFileSync(bootstrap, 'utf8').split('\n', 1)[0] ?? '';
      } catch {}
      const shebang = first.startsWith('#!') ? first.slice(2).trim().split(/\s+/) : ['/bin/sh'];
      child = run(shebang[0], [...shebang.slice(1), bootstrap]);
      wire();
    } else {
      send({
        t: 'init-error',
        error: { errorType: 'Runtime.InvalidEntrypoint', errorMessage: String(e.message), trace: [] },
      });
      setTimeout(() => process.exit(1), 50);
    }
  });
  const wire = () => {
    pipeLogs(child.stdout, 'stdout');
    pipeLogs(child.stderr, 'stderr');
    child.on('exit', (code, signal) => {
      if (!ready)
        send({
          t: 'init-error',
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `bootstrap exited (${signal ?? code}) before asking for an invocation`,
            trace: [],
          },
        });
      setTimeout(() => process.exit(1), 50);
    });
  };
  wire();
}

let buf = Buffer.alloc(0);
chan.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  while (buf.length >= 4) {
    const len = buf.readUInt32BE(0);
    if (buf.length < 4 + len) break;
    const msg = JSON.parse(buf.subarray(4, 4 + len).toString('utf8'));
    buf = buf.subarray(4 + len);
    if (msg.t === 'init') {
      init = { ...msg, t0: performance.now() };
      server.listen(0, '127.0.0.1', startBootstrap);
    } else if (msg.t === 'invoke') {
      if (waiting) {
        const res = waiting;
        waiting = null;
        deliver(res, msg);
      } else queued = msg;
    }
  }
});
chan.on('close', () => {
  child?.kill('SIGKILL');
  process.exit(0);
});
send({ t: 'booted', pid: process.pid });
