/**
 * `nimbus deploy [dir] [--stage s]` (= `nimbus functions deploy`): manifest → package → build
 * every function → switch them all, or roll back (../deploy-plan.ts). A serverless.yml's
 * functions deploy as `<service>-<stage>-<key>`, so each stage of a service is its own set of
 * functions. Packaging follows `serverless deploy` (../package-service.ts).
 */
import type { Command } from 'commander';
import { ensureExampleDeps } from '../../registry/build/index.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { deployService } from '../deploy-plan.ts';
import type { DeployedMachine } from '../deploy-workflows.ts';
import { CliErrors } from '../errors.ts';
import { type ServiceOpts, serviceManifest, withService } from '../names.ts';
import { dim, printJson, progress } from '../output.ts';
import { packageService } from '../package-service.ts';

interface DeployOpts extends GlobalOpts, ServiceOpts {
  function?: string;
  publish: boolean;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function deploy(dir: string | undefined, o: DeployOpts): Promise<void> {
  const client = clientFor(o);
  const manifest = await serviceManifest(dir, o, 'deploy');
  // --function takes the key (`hello`) or the deployed name (`svc-dev-hello`).
  const fns = o.function
    ? manifest.functions.filter((f) => f.key === o.function || f.name === o.function)
    : manifest.functions;
  if (fns.length === 0) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `no function named ${o.function} in ${manifest.file ?? manifest.dir}`,
      command: 'deploy',
    });
  }
  const say = (line: string) => {
    if (!o.json) process.stdout.write(`${line}\n`);
  };
  say(dim(`${manifest.service} · stage ${manifest.stage} (${manifest.source})`));
  for (const w of manifest.warnings ?? []) say(`warning: ${w}`);
  for (const sp of manifest.served ?? []) say(dim(`plugin ${sp}`));
  await ensureExampleDeps(manifest.dir);
  const done = progress(`packaging ${manifest.dir}`);
  const pkg = await packageService(manifest, fns).finally(done);
  try {
    for (const w of pkg.warnings) say(`warning: ${w}`);
    for (const u of pkg.uploads)
      say(
        dim(
          u.files === undefined
            ? `package ${u.label} (prebuilt, ${kib(u.bytes)})`
            : `package ${u.label}: ${u.files} files, ${kib(u.bytes)} (${pkg.ms.toFixed(0)} ms)`,
        ),
      );
    let machines: DeployedMachine[] = [];
    const results = await deployService(client, manifest, fns, pkg.byFunction, {
      publish: o.publish,
      say: (line) => say(dim(line)),
      progress,
      onStateMachines: (m) => {
        machines = m;
      },
    });
    const width = Math.max(20, ...fns.map((f) => f.name.length + 1));
    for (const r of o.json ? [] : results) {
      const v = r.version ? `version ${r.version.version}` : '$LATEST';
      say(
        `${r.function.name.padEnd(width)} ${v.padEnd(12)} ${dim(`(build ${r.timings.buildMs.toFixed(0)} ms, store ${r.timings.storeMs.toFixed(0)} ms, total ${r.wallMs.toFixed(0)} ms, ${kib(r.function.codeSize)})`)}`,
      );
      for (const w of r.warnings) say(`  warning: ${w}`);
      for (const rt of r.routes) say(dim(`  route ${rt.routeKey}`));
      for (const sc of r.schedules)
        say(dim(`  schedule ${sc.name} ${sc.expression} (next ${sc.nextFireAt ?? 'never'})`));
      for (const sb of r.subscriptions) say(dim(`  subscription ${sb.topic} (${sb.id})`));
      for (const so of r.sources) say(dim(`  source ${so.kind} (${so.id})`));
      for (const be of r.bucketEvents) say(dim(`  bucket ${be.bucket} ${be.events.join(',')}`));
    }
    for (const m of o.json ? [] : machines) {
      say(`${m.name.padEnd(width)} ${m.type.padEnd(12)} ${dim(m.arn)}`);
      for (const rt of m.routes)
        say(dim(`  route ${rt.stage ? rt.routeKey.replace(' /', ` /${rt.stage}/`) : rt.routeKey}`));
      for (const sc of m.schedules)
        say(dim(`  schedule ${sc.name} ${sc.expression} (next ${sc.nextFireAt ?? 'never'})`));
      for (const sb of m.subscriptions) say(dim(`  subscription ${sb.topic} (${sb.id})`));
    }
    if (o.json)
      printJson({
        service: manifest.service,
        stage: manifest.stage,
        source: manifest.source,
        functions: results,
        ...(manifest.stateMachines?.length ? { stateMachines: machines } : {}),
      });
  } finally {
    await pkg.cleanup();
  }
}

export function register(program: Command, functions: Command): void {
  for (const [parent, name] of [
    [program, 'deploy'],
    [functions, 'deploy'],
  ] as const) {
    withGlobals(
      withService(
        parent
          .command(`${name} [dir]`)
          .description(
            'package, build and switch the functions of a project together (nimbus.yml, serverless.yml, or inferred; DIR may also be the manifest file): a failure leaves every function as it was; serverless.yml functions deploy as <service>-<stage>-<function>',
          )
          .option('-f, --function <name>', 'deploy only this function (its key or deployed name)')
          .option('--no-publish', 'update $LATEST without publishing a version'),
      ),
    ).action((dir: string | undefined, o: DeployOpts) => deploy(dir, o));
  }
}
