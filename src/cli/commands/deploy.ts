/** `nimbus deploy [dir]` (= `nimbus functions deploy`): manifest → zip → upload → publish. */
import type { Command } from 'commander';
import { loadProjectManifest } from '../../config/manifest.ts';
import { ensureExampleDeps, zipDirectory } from '../../registry/build/index.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
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
  for (const f of fns) {
    const t0 = performance.now();
    const stop = progress(`deploying ${f.name}`);
    const r = await client
      .call<{
        function: { name: string; codeSha256: string; codeSize: number };
        version?: { version: string };
        timings: { buildMs: number; storeMs: number; totalMs: number };
        warnings: string[];
      }>('PUT', `/v1/functions/${encodeURIComponent(f.name)}`, {
        runtime: f.runtime,
        handler: f.handler,
        memoryMb: f.memoryMb,
        timeoutSec: f.timeoutSec,
        environment: f.environment,
        description: f.description,
        code: { zipBase64: zip },
        publish: o.publish,
      })
      .finally(stop);
    // A manifest declares the function's HTTP routes: replace them (declarative, like sls deploy).
    let routes: { routeKey: string }[] = [];
    if (manifest.source !== 'inferred') {
      const specs = f.events.flatMap((e) => (e.route ? [e.route] : []));
      const rr = await client.call<{ routes: { routeKey: string }[] }>(
        'PUT',
        `/v1/functions/${encodeURIComponent(f.name)}/routes`,
        { routes: specs },
      );
      routes = rr.routes;
    }
    const wallMs = performance.now() - t0;
    results.push({ ...r, routes, wallMs });
    if (!o.json) {
      const v = r.version ? `version ${r.version.version}` : '$LATEST';
      process.stdout.write(
        `${f.name.padEnd(20)} ${v.padEnd(12)} ${dim(`(build ${r.timings.buildMs.toFixed(0)} ms, store ${r.timings.storeMs.toFixed(0)} ms, total ${wallMs.toFixed(0)} ms, ${(r.function.codeSize / 1024).toFixed(1)} KiB)`)}\n`,
      );
      for (const w of r.warnings) process.stdout.write(`  warning: ${w}\n`);
      for (const rt of routes) process.stdout.write(dim(`  route ${rt.routeKey}\n`));
    }
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
