// Baseline: bare node:http serving the same handler in-process (no isolation, no platform).
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const mod = await import(pathToFileURL(process.argv[2]).href);
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const event = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    const out = await mod.handler(event, {});
    const body = JSON.stringify(out);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`),
);
process.on('SIGTERM', () => process.exit(0));
