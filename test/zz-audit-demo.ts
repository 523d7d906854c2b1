import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startTestPlatform } from '/work/main/test/helpers.ts';

const p = await startTestPlatform();
const env = {
  ...process.env,
  NIMBUS_ENDPOINT: p.apiUrl,
  NIMBUS_SECRET: p.secret,
  NIMBUS_KEY_ID: p.admin.keyId,
};
const run = (...a: string[]) => {
  try {
    return execFileSync(process.execPath, ['bin/nimbus.mjs', ...a], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return `[exit ${x.status}]\n${x.stdout}${x.stderr}`;
  }
};
await p.api('PUT', '/v1/topics/orders', {});
await fetch(`${p.apiUrl}/v1/topics/x`, { method: 'PUT', headers: { authorization: 'Bearer nope' } });
await p.api('DELETE', '/v1/topics/orders');
console.log(run('audit', 'list', '--tenant', '*'));
console.log(run('audit', 'verify'));
const db = new DatabaseSync(join(p.dataDir, 'nimbus.db'));
db.exec("UPDATE audit_log SET detail = 'x' WHERE seq = 2");
console.log(run('audit', 'verify'));
console.log(run('audit', 'verify', '--json'));
console.log(run('audit', '--help'));
console.log(run('--help'));
db.close();
await p.stop();
