// Does this build support the isolate runtime? Starts a throw-away platform (ephemeral ports, temp
// data dir), creates one function with `isolation: 'isolate'` and checks that the deploy answer
// says `function.isolation === 'isolate'` and that it answers an invoke. Prints one JSON line
// {supported, reason?} and exits 0 either way (non-zero only if the probe itself broke).
//   node bench/support/probe-isolate.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { startPlatform } from '../../src/server/index.ts';
import { zipOne } from './zip.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-probe-'));
let out: { supported: boolean; reason?: string };
const p = await startPlatform(
  loadConfig({ port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'error', poolSize: 0 }, process.env),
);
try {
  const auth = { authorization: `Bearer ${p.admin.secret}`, 'content-type': 'application/json' };
  const code = 'exports.handler = async () => ({ statusCode: 200, body: "ok" });\n';
  const put = await fetch(`${p.apiUrl}/v1/functions/probe`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      isolation: 'isolate',
      code: { zipBase64: zipOne('index.js', code).toString('base64') },
    }),
  });
  const text = await put.text();
  const got = put.ok
    ? (JSON.parse(text) as { function?: { isolation?: string } }).function?.isolation
    : undefined;
  if (!put.ok) out = { supported: false, reason: `deploy answered ${put.status}: ${text.slice(0, 200)}` };
  else if (got !== 'isolate')
    out = {
      supported: false,
      reason: `create with isolation:'isolate' answered function.isolation=${got ?? 'absent'}`,
    };
  else {
    const inv = await fetch(`${p.apiUrl}/v1/functions/probe/invoke`, {
      method: 'POST',
      headers: auth,
      body: '{}',
    });
    const j = (await inv.json()) as { ok?: boolean; error?: { errorMessage?: string } };
    out = j.ok
      ? { supported: true }
      : { supported: false, reason: `isolate invoke failed: ${j.error?.errorMessage ?? inv.status}` };
  }
} finally {
  await p.close();
  await rm(dataDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
