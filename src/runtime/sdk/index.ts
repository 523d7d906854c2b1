/**
 * The AWS SDK the Node runtime provides, as Lambda's Node runtimes do: a pinned set of AWS SDK v3
 * packages (the platform's own dependencies, so one `npm install` brings them) staged once per
 * install into `node_modules/.nimbus-runtime-sdk/node_modules` — the packages and everything they
 * depend on, hard-linked — and mounted read-only at `/node_modules` in every Node instance. Node
 * resolves a bare `@aws-sdk/client-s3` from `/var/task/…` by walking up to `/node_modules`, for
 * ES modules and CommonJS alike, so functions import the SDK without bundling it; their own
 * copy (in their bundle or their `node_modules`) still wins.
 *
 * The v2 SDK (`aws-sdk`, which Lambda's nodejs16.x and older runtimes provided) is staged too, for
 * every Node function. v2 does not read AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 (only v3 does), so
 * the staged copy's Node loader gets a few lines appended (V2_ENDPOINT_SHIM): they point its global
 * configuration at those endpoints, S3 with path-style addressing, so an unmodified `new AWS.S3()`
 * reaches Nimbus like `new S3Client({})` does. The staged file is a new file, not the hard link:
 * the platform's own node_modules/aws-sdk stays untouched.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** What functions may import without bundling (the deploy bundler leaves these external). */
export const PROVIDED_SDK: readonly string[] = Object.freeze([
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-sts',
  '@aws-sdk/lib-storage',
  '@aws-sdk/s3-presigned-post',
  '@aws-sdk/s3-request-presigner',
  // v2, as Lambda's nodejs16.x and older provided it (with the endpoint shim below).
  'aws-sdk',
]);

/** Whether an import specifier names a provided package (or a subpath of one). */
export function isProvidedSdk(spec: string): boolean {
  return PROVIDED_SDK.some((p) => spec === p || spec.startsWith(`${p}/`));
}

const ROOT = resolve(import.meta.dirname, '../../..');

/** The file of the v2 SDK every entry point (`aws-sdk`, `aws-sdk/clients/*`, `aws-sdk/global`) loads. */
const V2_LOADER = join('aws-sdk', 'lib', 'node_loader.js');

/**
 * Appended to the staged v2 loader (CommonJS; `AWS` is the loader's own module variable). The
 * endpoints become service-level defaults: a client's own `endpoint` option still wins. Lambda's
 * end-of-support notice is not printed (Lambda suppresses it in its environments too).
 */
export const V2_ENDPOINT_SHIM = `
// --- Nimbus: the platform's endpoints, as the v3 SDK reads them from the environment ---
(function nimbusEndpoints() {
  var env = process.env;
  var api = env.AWS_ENDPOINT_URL;
  var s3 = env.AWS_ENDPOINT_URL_S3 || api;
  if (api) AWS.config.update({ endpoint: api });
  if (s3) AWS.config.s3 = Object.assign({ endpoint: s3, s3ForcePathStyle: true }, AWS.config.s3);
  try {
    require('./maintenance_mode_message').suppress = true;
  } catch (e) {}
})();
`;

/** The package directory `name` resolves to from `fromDir` (node_modules lookup up to `root`). */
function findPackage(name: string, fromDir: string, root: string): string | undefined {
  for (let d = fromDir; ; d = dirname(d)) {
    const c = join(d, 'node_modules', name);
    if (existsSync(join(c, 'package.json'))) return c;
    if (d === root || d === dirname(d)) return undefined;
  }
}

/** The provided packages and their whole dependency closure: top-level package dirs. */
export function sdkClosure(root = ROOT): string[] {
  const top = join(root, 'node_modules');
  const seen = new Set<string>();
  const queue: [string, string][] = PROVIDED_SDK.map((n) => [n, root]);
  while (queue.length > 0) {
    const [name, from] = queue.shift()!;
    const dir = findPackage(name, from, root);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({
      ...pkg.dependencies,
      ...pkg.optionalDependencies,
      ...pkg.peerDependencies,
    }))
      queue.push([dep, dir]);
  }
  // Nested copies travel with the package that holds them.
  return [...seen].filter((d) => !relative(top, d).includes(`${sep}node_modules${sep}`)).sort();
}

/**
 * Stages the SDK once per install (a marker names the versions; a changed lockfile stages again)
 * and returns the directory to mount at `/node_modules`. Concurrent starts stage into their own
 * temporary directory and the first rename wins.
 */
export function stageRuntimeSdk(root = ROOT): string {
  const base = join(root, 'node_modules', '.nimbus-runtime-sdk');
  const lock = join(root, 'package-lock.json');
  const stamp = `${existsSync(lock) ? createHash('sha256').update(readFileSync(lock)).digest('hex') : 'nolock'}:${PROVIDED_SDK.join(',')}:${createHash('sha256').update(V2_ENDPOINT_SHIM).digest('hex').slice(0, 16)}`;
  const marker = join(base, 'stamp');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return join(base, 'node_modules');
  const tmp = `${base}.${process.pid}.${Date.now()}`;
  const out = join(tmp, 'node_modules');
  mkdirSync(out, { recursive: true });
  const top = join(root, 'node_modules');
  for (const dir of sdkClosure(root)) {
    const dst = join(out, relative(top, dir));
    mkdirSync(dirname(dst), { recursive: true });
    try {
      execFileSync('cp', ['-al', dir, dst], { stdio: 'ignore' }); // hard links: no extra space
    } catch {
      execFileSync('cp', ['-a', dir, dst], { stdio: 'ignore' }); // another filesystem
    }
  }
  const loader = join(out, V2_LOADER);
  if (existsSync(loader)) {
    // Replace the hard link by a new file: the original stays as installed.
    const text = readFileSync(loader, 'utf8');
    rmSync(loader);
    writeFileSync(loader, text + V2_ENDPOINT_SHIM);
  }
  writeFileSync(join(tmp, 'stamp'), stamp);
  const current = () => existsSync(marker) && readFileSync(marker, 'utf8') === stamp;
  if (!current() && existsSync(base)) {
    // A stale set (another lockfile) moves aside first; a running instance keeps its mount.
    const old = `${base}.old.${process.pid}.${Date.now()}`;
    try {
      renameSync(base, old);
      rmSync(old, { recursive: true, force: true });
    } catch {
      // another start moved it
    }
  }
  try {
    if (current()) throw new Error('staged by another start');
    renameSync(tmp, base);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another start won the race: use its set
  }
  return join(base, 'node_modules');
}
