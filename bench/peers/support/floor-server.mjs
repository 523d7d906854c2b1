// The isolation floor (see ../nimbus-floor.mjs). Parent: node:http, picks the child with the
// fewest requests in flight, frames `[u32 len][u32 id][name]` out and `[u32 len][u32 id][body]`
// back over the child's stdio pipe. Child (--child): imports the function modules and answers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (k) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dir = resolve(arg('dir') || '.');

function frame(id, payload) {
  const b = Buffer.allocUnsafe(8 + payload.length);
  b.writeUInt32LE(4 + payload.length, 0);
  b.writeUInt32LE(id, 4);
  payload.copy(b, 8);
  return b;
}
function reader(onFrame) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 4) {
      const len = buf.readUInt32LE(0);
      if (buf.length < 4 + len) break;
      onFrame(buf.readUInt32LE(4), buf.subarray(8, 4 + len));
      buf = buf.subarray(4 + len);
    }
  };
}

if (process.argv.includes('--child')) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const loaded = new Map();
  const out = process.stdout;
  process.stdin.on(
    'data',
    reader(async (id, name) => {
      const n = name.toString();
      let fn = loaded.get(n);
      if (!fn) {
        fn = (await import(pathToFileURL(join(dir, manifest[n])).href)).default;
        loaded.set(n, fn);
      }
      out.write(frame(id, Buffer.from(fn())));
    }),
  );
} else {
  const children = Array.from({ length: availableParallelism() }, () => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--dir', dir], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const c = { p, inflight: 0 };
    p.stdout.on(
      'data',
      reader((id, body) => {
        c.inflight--;
        const res = waiting.get(id);
        waiting.delete(id);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      }),
    );
    return c;
  });
  const waiting = new Map();
  let next = 1;
  http
    .createServer((req, res) => {
      const q = req.url.indexOf('?');
      const name = (q < 0 ? req.url : req.url.slice(0, q)).slice(1);
      let c = children[0];
      for (const x of children) if (x.inflight < c.inflight) c = x;
      const id = next++ >>> 0;
      waiting.set(id, res);
      c.inflight++;
      c.p.stdin.write(frame(id, Buffer.from(name)));
    })
    .listen(Number(arg('port') || 8080), '127.0.0.1');
}
