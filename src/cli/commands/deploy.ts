/** `nimbus deploy [dir]` (= `nimbus functions deploy`): manifest → zip → upload → publish. */
import type { Command } from 'commander';
import { loadProjectManifest } from '../../config/manifest.ts';
import { ensureExampleDeps, zipDirectory } from '../../registry/build/index.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { deployFunction } from '../deploy-function.ts';
import { CliErrors } from '../errors.ts';
import { dim, printJson, progress } from '../output.ts';

interface DeployOpts extends GlobalOpts {
  function?: string;
  publish: boolean;
}

export async function deploy(dir: string, o: DeployOpts): Promise<void> {
  const client = clientFor(o);
  const manifest = await loadProjectManifest(dir);
  const fns = o.function ? manifest.functions.filter((f) => f.name === o.function) : manifest.functions;
  if (fns.length === 0) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `no function named ${o.function} in ${manifest.file ?? dir}`,
      command: 'deploy',
    });
  }
  await ensureExampleDeps(manifest.dir);
  const done = progress(`packaging ${manifest.dir}`);
  const zip = Buffer.from(await zipDirectory(manifest.dir)).toString('base64');
  done();
  const results = [];
  if (!o.json) process.stdout.write(dim(`${manifest.service} (${manifest.source})\n`));
  // Roles first: the functions name them.
  for (const r of manifest.roles ?? []) {
    await client.call('PUT', `/v1/roles/${encodeURIComponent(r.name)}`, {
      policies: r.policies,
      description: `execution role of ${manifest.service} (${manifest.source})`,
    });
    if (!o.json) process.stdout.write(dim(`role ${r.name}\n`));
  }
  for (const f of fns) {
    const stop = progress(`deploying ${f.name}`);
    const r = await deployFunction(client, manifest, f, zip, o.publish).finally(stop);
    const { routes, wallMs } = r;
    results.push(r);
    if (!o.json) {
      const v = r.version ? `version ${r.version.version}` : '$LATEST';
      process.stdout.write(
        `${f.name.padEnd(20)} ${v.padEnd(12)} ${dim(`(build ${r.timings.buildMs.toFixed(0)} ms, store ${r.timings.storeMs.toFixed(0)} ms, total ${wallMs.toFixed(0)} ms, ${(r.function.codeSize / 1024).toFixed(1)} KiB)`)}\n`,
      );
      for (const w of r.warnings) process.stdout.write(`  warning: ${w}\n`);
      for (const rt of routes) process.stdout.write(dim(`  route ${rt.routeKey}\n`));
      for (const sc of r.schedules)
        process.stdout.write(
          dim(`  schedule ${sc.name} ${sc.expression} (next ${sc.nextFireAt ?? 'never'})\n`),
        );
      for (const sb of r.subscriptions) process.stdout.write(dim(`  subscription ${sb.topic} (${sb.id})\n`));
      for (const so of r.sources) process.stdout.write(dim(`  source ${so.kind} (${so.id})\n`));
      for (const be of r.bucketEvents)
        process.stdout.write(dim(`  bucket ${be.bucket} ${be.events.join(',')}\n`));
    }
  }
  if (manifest.cors) {
    await client.call('PUT', '/v1/gateway/cors', manifest.cors);
    if (!o.json) process.stdout.write(dim('CORS settings applied from provider.httpApi.cors\n'));
  }
  if (o.json) printJson({ service: manifest.service, source: manifest.source, functions: results });
}

export function register(program: Command, functions: Command): void {
  for (const [parent, name] of [
    [program, 'deploy'],
    [functions, 'deploy'],
  ] as const) {
    withGlobals(
      parent
        .command(`${name} [dir]`)
        .description('bundle and upload the functions of a project (nimbus.yml, serverless.yml, or inferred)')
        .option('--function <name>', 'deploy only this function')
        .option('--no-publish', 'update $LATEST without publishing a version'),
    ).action((dir: string | undefined, o: DeployOpts) => deploy(dir ?? '.', o));
  }
}
