/**
 * `nimbus dev [dir]`: the platform for one project, in the foreground. Deploys the project through
 * the same REST API as `nimbus deploy`, watches its files and redeploys on change (debounced);
 * routes stay up (the gateway swaps its table atomically), unchanged functions keep their warm
 * instances.
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { loadProjectManifest } from '../../config/manifest.ts';
import { isNimbusError, toNimbusError } from '../../core/errors.ts';
import { zipDirectory } from '../../registry/build/index.ts';
import { startPlatform } from '../../server/index.ts';
import { ApiClient } from '../client.ts';
import { deployFunction } from '../deploy-function.ts';
import { bold, dim, printError, red } from '../output.ts';

const IGNORED = /(^|\/)(\.git|\.nimbus|node_modules|__pycache__)(\/|$)/;

async function deployProject(
  client: ApiClient,
  dir: string,
  stage: string | undefined,
): Promise<{ name: string; version: string; ms: number; unchanged: boolean }[]> {
  const manifest = await loadProjectManifest(dir, process.env, { stage });
  const zip = Buffer.from(await zipDirectory(manifest.dir)).toString('base64');
  const out = [];
  for (const f of manifest.functions) {
    const r = await deployFunction(client, manifest, f, zip, false);
    out.push({ name: f.name, version: '$LATEST', ms: r.wallMs, unchanged: r.unchanged });
  }
  if (manifest.cors) await client.call('PUT', '/v1/gateway/cors', manifest.cors);
  return out;
}

export function register(program: Command): void {
  program
    .command('dev [dir]')
    .description('run the platform for a project, deploy it, and redeploy on every file change')
    .option('--port <n>', 'gateway port (default 3000)')
    .option('--api-port <n>', 'API port (default 8080)')
    .option('--s3-port <n>', 'S3 API port (default 9000)')
    .option('--data-dir <dir>', 'data directory (default <dir>/.nimbus)')
    .option('-s, --stage <stage>', 'stage of a serverless.yml service (default: provider.stage, else dev)')
    .option('--json', 'print events as NDJSON')
    .action(
      async (
        dirArg: string | undefined,
        o: {
          port?: string;
          apiPort?: string;
          s3Port?: string;
          dataDir?: string;
          stage?: string;
          json?: boolean;
        },
      ) => {
        const dir = resolve(dirArg ?? '.');
        const config = loadConfig(
          {
            port: o.port,
            apiPort: o.apiPort,
            s3Port: o.s3Port,
            dataDir: o.dataDir ?? join(dir, '.nimbus'),
            logLevel: 'warn',
          },
          process.env,
        );
        const p = await startPlatform(config);
        // The admin secret: configured, just generated, or saved by an earlier start of this data dir.
        const secret =
          config.adminSecret ??
          p.admin.secret ??
          (JSON.parse(await readFile(p.admin.file, 'utf8')) as { secret: string }).secret;
        const client = new ApiClient({ endpoint: p.apiUrl, secret, source: 'dev' });
        const emit = (event: Record<string, unknown>, human: string) =>
          process.stdout.write(o.json ? `${JSON.stringify(event)}\n` : `${human}\n`);
        const run = async (reason: string) => {
          const t0 = performance.now();
          try {
            const fns = await deployProject(client, dir, o.stage);
            const ms = performance.now() - t0;
            emit(
              { event: 'deployed', reason, ms, functions: fns },
              `${bold('deployed')} ${fns.map((f) => `${f.name}${f.unchanged ? dim(' (unchanged)') : ''}`).join(', ')} ${dim(`in ${ms.toFixed(0)} ms (${reason})`)}`,
            );
          } catch (e) {
            const err = isNimbusError(e) ? e : toNimbusError(e);
            if (o.json) emit({ event: 'error', reason, error: err.toJSON() }, '');
            else {
              process.stdout.write(red('deploy failed; fix the code and save again\n'));
              printError(err, false);
            }
          }
        };
        emit(
          { event: 'started', apiUrl: p.apiUrl, gatewayUrl: p.gatewayUrl },
          `${bold('nimbus dev')} ${dir}\n  gateway ${p.gatewayUrl}\n  API     ${p.apiUrl}`,
        );
        await run('start');
        // Debounced: an editor save often touches several files; one redeploy follows the burst.
        let timer: NodeJS.Timeout | undefined;
        let running: Promise<void> = Promise.resolve();
        const watcher = watch(dir, { recursive: true }, (_type, file) => {
          if (file && IGNORED.test(String(file))) return;
          clearTimeout(timer);
          timer = setTimeout(() => {
            running = running.then(() => run(`changed ${file ?? ''}`));
          }, 60);
        });
        await new Promise<void>((r) => {
          process.once('SIGINT', r);
          process.once('SIGTERM', r);
        });
        watcher.close();
        await running;
        await p.close();
        process.exit(0);
      },
    );
}
