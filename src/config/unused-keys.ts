/**
 * What a serverless.yml says that Nimbus does not act on, so the deploy can list it in one
 * warning instead of dropping it silently: unknown top-level, provider and function keys,
 * plugins other than the ones Nimbus serves itself, `custom` entries no variable reads, and
 * `resources` other than the SQS queues it creates.
 */

/** Plugins whose job Nimbus does itself (listed as served, not as ignored). */
export const SERVED_PLUGINS: Readonly<Record<string, string>> = {
  'serverless-esbuild': 'bundled by Nimbus (esbuild)',
  'serverless-webpack': 'bundled by Nimbus (esbuild)',
  'serverless-plugin-typescript': 'bundled by Nimbus (esbuild)',
  'serverless-lift': 'queue and storage constructs served by Nimbus',
  'serverless-offline': 'not needed: `nimbus dev` runs the service locally',
  'serverless-dotenv-plugin': 'environment from .env is not read: use provider.environment',
  'serverless-step-functions': 'state machines served by Nimbus workflows',
};

const TOP = new Set([
  'service',
  'provider',
  'functions',
  'resources',
  'constructs',
  'plugins',
  'custom',
  'package',
  'frameworkVersion',
  'configValidationMode',
  'naming',
  'variablesResolutionMode',
  'stepFunctions',
]);
const PROVIDER = new Set([
  'name',
  'runtime',
  'stage',
  'memorySize',
  'timeout',
  'environment',
  'iam',
  'iamRoleStatements',
  'iamManagedPolicies',
  'httpApi',
  'egress',
  'secrets',
]);

export function unusedKeys(
  doc: Readonly<Record<string, unknown>>,
  text: string,
  o: { readonly functionKeys: ReadonlySet<string>; readonly actedResourceTypes: ReadonlySet<string> },
): { ignored: string[]; served: string[] } {
  const ignored: string[] = [];
  const served: string[] = [];
  for (const k of Object.keys(doc)) if (!TOP.has(k)) ignored.push(k);
  const provider = (doc.provider ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(provider)) if (!PROVIDER.has(k)) ignored.push(`provider.${k}`);
  const plugins = Array.isArray(doc.plugins)
    ? doc.plugins
    : ((doc.plugins as { modules?: unknown[] } | undefined)?.modules ?? []);
  for (const p of plugins) {
    const name = String(p);
    if (Object.hasOwn(SERVED_PLUGINS, name)) served.push(`${name} (${SERVED_PLUGINS[name]})`);
    else ignored.push(`plugins: ${name}`);
  }
  for (const k of Object.keys((doc.custom ?? {}) as Record<string, unknown>))
    if (!text.includes(`self:custom.${k}`)) ignored.push(`custom.${k}`);
  const res = (doc.resources ?? {}) as Record<string, unknown>;
  for (const section of Object.keys(res)) {
    if (section !== 'Resources') {
      ignored.push(`resources.${section}`);
      continue;
    }
    for (const [id, r] of Object.entries((res.Resources ?? {}) as Record<string, { Type?: unknown }>))
      if (!o.actedResourceTypes.has(String(r?.Type))) ignored.push(`resources.${id} (${String(r?.Type)})`);
  }
  for (const [fn, def] of Object.entries((doc.functions ?? {}) as Record<string, unknown>))
    for (const k of Object.keys((def ?? {}) as Record<string, unknown>))
      if (!o.functionKeys.has(k)) ignored.push(`functions.${fn}.${k}`);
  return { ignored, served };
}
