#!/usr/bin/env node
// Entry for `npx nimbus`. The CLI is TypeScript run directly by Node 24 (type stripping).
// When invoked by a Node older than 24 (e.g. a system Node 20), re-exec with the Node 24
// binary the project installs as a devDependency (npm package `node@24`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(
      'nimbus needs Node.js 24 or newer.\nHow to fix: run `npm install` in the nimbus folder (it installs Node 24 locally) or install Node 24.\n',
    );
    process.exit(1);
  }
  const r = spawnSync(local, [join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
