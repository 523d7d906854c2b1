// Baseline for async accept: bare node:http that commits each event to SQLite (WAL, same
// synchronous setting) and answers 202 with its id — a durable accept with nothing else around it.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const db = new DatabaseSync(join(process.argv[2], 'bare-queue.db'));
db.exec('PRAGMA journal_mode = WAL');
db.exec(`PRAGMA synchronous = ${process.argv[3] === 'FULL' ? 'FULL' : 'NORMAL'}`);
db.exec(
  'CREATE TABLE IF NOT EXISTS q (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)',
);
const insert = db.prepare('INSERT INTO q (id, body) VALUES (?, ?)');
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    JSON.parse(body || '{}');
    const id = randomUUID();
    insert.run(id, body);
    const out = JSON.stringify({ id });
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`),
);
process.on('SIGTERM', () => process.exit(0));
