/**
 * `nimbus deploy [dir] [--stage s]` (= `nimbus functions deploy`): manifest → zip → upload →
 * publish. A serverless.yml's functions deploy as `<service>-<stage>-<key>`, so each stage of a
 * service is its own set of functions.
 */
import type { Command } from 'commander';
import { ACCOUNT_REF, REGION_REF } from '../../config/cloudformation.ts';
import type { ManifestFunction, ProjectManifest } from '../../config/manifest.ts';
import type { NimbusError } from '../../core/errors.ts';
import { ensureExampleDeps, zipDirectory } from '../../registry/build/index.ts';
import { SqsErrors } from '../../sqs/errors.ts';
import type { ApiClient } from '../client.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { deployFunction } from '../deploy-function.ts';
import { CliErrors } from '../errors.ts';
import { type ServiceOpts, serviceManifest, withService } from '../names.ts';
import { dim, printJson, progress } from '../output.ts';

interface DeployOpts extends GlobalOpts, ServiceOpts {
  function?: string;
  publish: boolean;
}

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
  await routesFree(client, manifest, fns);
  await ensureExampleDeps(manifest.dir);
  const done = progress(`packaging ${manifest.dir}`);
  const zip = Buffer.from(await zipDirectory(manifest.dir)).toString('base64');
  done();
  const results = [];
  if (!o.json)
    process.stdout.write(dim(`${manifest.service} · stage ${manifest.stage} (${manifest.source})\n`));
  const width = Math.max(20, ...fns.map((f) => f.name.length + 1));
  for (const w of manifest.warnings ?? []) if (!o.json) process.stdout.write(`warning: ${w}\n`);
  // ARNs the manifest built from resource references name the caller's account and region.
  const me = await client.call<{ accountId: string; region: string }>('GET', '/v1/identity');
  const fill = <T>(v: T): T =>
    JSON.parse(
      JSON.stringify(v).replaceAll(ACCOUNT_REF, me.accountId).replaceAll(REGION_REF, me.region),
    ) as T;
  // Queues first (dead-letter queues before the queues that name them), then roles: the
  // functions' event sources and policies name them.
  for (const q of manifest.queues ?? []) {
    await applyQueue(client, q.name, fill(q.attributes), q.tags);
    if (!o.json) process.stdout.write(dim(`queue ${q.name}\n`));
  }
  for (const r of manifest.roles ?? []) {
    await client.call('PUT', `/v1/roles/${encodeURIComponent(r.name)}`, {
      policies: fill(r.policies),
      description: `execution role of ${manifest.service} (${manifest.source})`,
    });
    if (!o.json) process.stdout.write(dim(`role ${r.name}\n`));
  }
  for (const f of fns) {
    const stop = progress(`deploying ${f.name}`);
    const r = await deployFunction(client, manifest, f, zip, o.publish).finally(stop);
    const { routes, wallMs } = r;
    results.push({ key: f.key, ...r });
    if (!o.json) {
      const v = r.version ? `version ${r.version.version}` : '$LATEST';
      process.stdout.write(
        `${f.name.padEnd(width)} ${v.padEnd(12)} ${dim(`(build ${r.timings.buildMs.toFixed(0)} ms, store ${r.timings.storeMs.toFixed(0)} ms, total ${wallMs.toFixed(0)} ms, ${(r.function.codeSize / 1024).toFixed(1)} KiB)`)}\n`,
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
  if (o.json)
    printJson({
      service: manifest.service,
      stage: manifest.stage,
      source: manifest.source,
      functions: results,
    });
}

/**
 * Routes are the tenant's (one gateway), not a stage's: a route another service or stage serves
 * would fail this deploy half-way, so it is refused before anything changes.
 */
async function routesFree(
  client: ApiClient,
  manifest: ProjectManifest,
  fns: ManifestFunction[],
): Promise<void> {
  if (manifest.source === 'inferred') return;
  const wanted = fns.flatMap((f) => f.events.flatMap((e) => (e.route ? [[e.route.routeKey, f.name]] : [])));
  if (wanted.length === 0) return;
  const ours = new Set(manifest.functions.map((f) => f.name));
  const { routes } = await client.call<{ routes: { routeKey: string; function: string }[] }>(
    'GET',
    '/v1/routes',
  );
  const owner = new Map(routes.map((r) => [r.routeKey, r.function]));
  const taken = wanted.filter(([key]) => owner.has(key!) && !ours.has(owner.get(key!)!));
  if (taken.length > 0) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `${taken.map(([key, fn]) => `route ${key} (of ${fn}) is already served by ${owner.get(key!)}`).join('; ')}: routes are the tenant's, shared by every service and stage; give this stage its own paths (e.g. /\${sls:stage}/…), or deploy it as another tenant (--profile)`,
      command: 'deploy',
    });
  }
}

/** Creates the queue, or brings an existing one's attributes to what the manifest says. */
async function applyQueue(
  client: ApiClient,
  name: string,
  attributes: Record<string, string>,
  tags: Record<string, string>,
): Promise<void> {
  let url: string | undefined;
  try {
    url = (await client.aws<{ QueueUrl: string }>('AmazonSQS.GetQueueUrl', { QueueName: name })).QueueUrl;
  } catch (e) {
    if ((e as NimbusError).code !== SqsErrors.codes.QUEUE_NOT_FOUND) throw e;
  }
  if (!url) {
    await client.aws('AmazonSQS.CreateQueue', { QueueName: name, Attributes: attributes, tags });
    return;
  }
  const { FifoQueue: _fifo, ...settable } = attributes;
  if (Object.keys(settable).length > 0)
    await client.aws('AmazonSQS.SetQueueAttributes', { QueueUrl: url, Attributes: settable });
  if (Object.keys(tags).length > 0) await client.aws('AmazonSQS.TagQueue', { QueueUrl: url, Tags: tags });
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
            'bundle and upload the functions of a project (nimbus.yml, serverless.yml, or inferred; DIR may also be the manifest file); serverless.yml functions deploy as <service>-<stage>-<function>',
          )
          .option('-f, --function <name>', 'deploy only this function (its key or deployed name)')
          .option('--no-publish', 'update $LATEST without publishing a version'),
      ),
    ).action((dir: string | undefined, o: DeployOpts) => deploy(dir, o));
  }
}
