// Reference peer (not Nimbus): the floor of any design that keeps user code out of the server's
// process. A bare node:http server hands each request to a child process over a socketpair-like
// pipe (length-prefixed frames, one child per core, requests multiplexed by id) and writes the
// child's answer back. No routing, no events, no records, no sandbox: only the cross-process
// hop. Nimbus's cost above this peer is Nimbus's own; this peer's cost above node-bare is the
// price of the isolation rule. Used to show what is reachable, in docs/PERFORMANCE.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { bodyModule } from '../lib/functions.mjs';

export default {
  name: 'nimbus-floor',
  title: 'Reference: node:http + one child process hop per request (the isolation floor)',
  isolation: 'process (no sandbox)',
  multi: true,
  version: () => `node ${process.version}, ${availableParallelism()} children`,
  prepare(_ctx, { dir, fns }) {
    mkdirSync(join(dir, 'fns'), { recursive: true });
    const manifest = {};
    for (const fn of fns) {
      writeFileSync(join(dir, 'fns', `${fn.name}.mjs`), bodyModule(fn));
      manifest[fn.name] = `${fn.name}.mjs`;
    }
    writeFileSync(join(dir, 'fns', 'manifest.json'), JSON.stringify(manifest));
  },
  command(_ctx, { dir, port }) {
    const server = join(process.env.NIMBUS_ROOT, 'bench', 'peers', 'support', 'floor-server.mjs');
    return {
      cmd: process.env.NIMBUS_NODE ?? process.execPath,
      args: [server, '--port', String(port), '--dir', join(dir, 'fns')],
      cwd: dir,
    };
  },
  url: (_ctx, { port, fn }) => `http://127.0.0.1:${port}/${fn.name}`,
};
