/**
 * `nimbus start` on a port something else holds: a coded error naming the port and the setting
 * that moves it (not an internal error with the socket's message), and nothing left running.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliRunner } from './helpers.ts';

describe('nimbus start on a port in use', () => {
  let busy: Server;
  let port: number;
  let dir: string;
  const cli = cliRunner(() => ({ ...process.env }));
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-ports-'));
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    port = (busy.address() as { port: number }).port;
  });
  after(async () => {
    busy.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [what, flag] of [
    ['API', '--api-port'],
    ['gateway', '--port'],
    ['S3', '--s3-port'],
  ] as const) {
    it(`names the ${what} port and ${flag}`, async () => {
      const others = ['--api-port', '--port', '--s3-port'].filter((f) => f !== flag).flatMap((f) => [f, '0']);
      const r = await cli('start', '--json', '--data-dir', join(dir, what), flag, String(port), ...others);
      assert.notEqual(r.code, 0);
      const e = JSON.parse(r.stdout).error;
      assert.equal(e.code, 'NIMBUS_ERR_SERVER_PORT_IN_USE', r.stdout);
      assert.match(e.message, new RegExp(`the ${what} port 127\\.0\\.0\\.1:${port} is already in use`));
      assert.match(e.hint, new RegExp(flag));
    });
  }
});
