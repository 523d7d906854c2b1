/**
 * The registry service: functions ($LATEST), immutable published versions and weighted aliases.
 * Code is built into a content-addressed artifact (BlobStore) at deploy time; the runtime only
 * ever sees artifacts. Reads used on the invoke hot path are cached in memory and invalidated by
 * this service's own writes (single node; the cluster issue adds cross-node invalidation).
 */
import { randomUUID } from 'node:crypto';
import { CoreErrors, defineErrors } from '../core/errors.ts';
import type { BlobStore, Clock, Store } from '../core/ports.ts';
import {
  type AliasRecord,
  type CodeRef,
  type FunctionConfig,
  type FunctionRecord,
  LATEST,
  type SourceRef,
  type TenantId,
  type VersionRecord,
} from '../core/types.ts';
import { buildArtifact as defaultBuild } from './build/index.ts';
import { DeployErrors } from './errors.ts';
import { validateFunctionConfig, validateFunctionName } from './runtimes.ts';
import type {
  BuiltArtifact,
  CodeInput,
  DeployResult,
  FunctionConfigInput,
  PrebuiltCode,
  RegistryService,
  ResolvedTarget,
} from './types.ts';

export interface RegistryDeps {
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly build?: (code: CodeInput, opts: { runtime: string; handler: string }) => Promise<BuiltArtifact>;
  /** Called after any change to a function (code, config, delete) so warm instances can be retired. */
  readonly onFunctionChanged?: (tenant: TenantId, name: string) => void;
  /** Called after a function was deleted (with its routes and schedules): the gateway reloads. */
  readonly onFunctionDeleted?: (tenant: TenantId, name: string) => void;
}

/** Optimistic-concurrency errors of the registry service (Lambda's PreconditionFailedException). */
export const RegistryServiceErrors = defineErrors('REGISTRY', {
  REVISION_MISMATCH: {
    status: 412,
    kind: 'user',
    message: '{name} was changed by someone else (RevisionId does not match)',
    hint: 'get the function again and retry with its current RevisionId',
  },
  NO_SOURCE: {
    status: 404,
    kind: 'user',
    message: 'the platform did not keep the source of {name} ({why})',
    hint: 'deploy it again from a zip or tar of at most 1 MiB (the CLI and the console do) to keep its source',
  },
  CODE_SHA_MISMATCH: {
    status: 412,
    kind: 'user',
    message: 'the code of {name} does not match the expected CodeSha256',
    hint: 'publish with the CodeSha256 of the current $LATEST code',
  },
});

const DEFAULTS = { memoryMb: 128, timeoutSec: 3, environment: {}, description: '' } as const;

/**
 * Artifacts a build made, kept (in memory) so a deploy naming one by sha256 needs no build: the
 * first phase of `nimbus deploy` builds every function (prebuild), the second switches them.
 * Forgotten after an hour, or by a restart (the deploy then fails before switching, or its
 * rollback finds the function's own code by sha256).
 */
const PREBUILT_TTL_MS = 60 * 60_000;
/** Uploaded archives up to this size are kept as the function's source (CodeRef.source). */
export const SOURCE_KEEP_MAX_BYTES = 1024 * 1024;
const PREBUILT_MAX = 5_000;
interface Prebuilt {
  readonly ref: CodeRef;
  readonly warnings: readonly string[];
  /** Node bundles: the imports left outside the bundle; `unknown` when not built here for it. */
  readonly externalImports: readonly string[] | 'unknown';
  at: number;
}

function normalizeConfig(input: FunctionConfigInput, base?: FunctionConfig): FunctionConfig {
  const merged: FunctionConfig = {
    runtime: input.runtime ?? base?.runtime,
    handler: input.handler ?? base?.handler,
    memoryMb: input.memoryMb ?? base?.memoryMb ?? DEFAULTS.memoryMb,
    timeoutSec: input.timeoutSec ?? base?.timeoutSec ?? DEFAULTS.timeoutSec,
    environment: { ...(input.environment ?? base?.environment ?? DEFAULTS.environment) },
    description: input.description ?? base?.description ?? DEFAULTS.description,
    // `reservedConcurrency: undefined` in a patch clears it (DeleteFunctionConcurrency).
    reservedConcurrency:
      'reservedConcurrency' in input ? input.reservedConcurrency : base?.reservedConcurrency,
    // `async: undefined` in a patch clears it (DeleteFunctionEventInvokeConfig).
    async: 'async' in input ? input.async : base?.async,
    scaling: 'scaling' in input ? input.scaling : base?.scaling,
    // Omitted = the default (process); `undefined` in a patch resets it.
    isolation: 'isolation' in input ? input.isolation : base?.isolation,
    // Omitted = unchanged; `null`/`undefined` in a patch resets it to the default (internet).
    egress: 'egress' in input ? (input.egress ?? undefined) : base?.egress,
    // Omitted = unchanged; `undefined` in a patch resets it to the default execution role.
    role: 'role' in input ? input.role : base?.role,
    secrets: 'secrets' in input ? input.secrets : base?.secrets,
  };
  if (merged.role === undefined) delete (merged as { role?: unknown }).role;
  if (merged.secrets === undefined || merged.secrets.length === 0)
    delete (merged as { secrets?: unknown }).secrets;
  if (merged.egress === undefined || merged.egress.mode === 'internet')
    delete (merged as { egress?: unknown }).egress;
  if (merged.isolation === undefined || merged.isolation === 'process')
    delete (merged as { isolation?: unknown }).isolation;
  validateFunctionConfig(merged);
  return merged;
}

const sameConfig = (a: FunctionConfig, b: FunctionConfig): boolean => JSON.stringify(a) === JSON.stringify(b);

function validateWeights(weights: Record<string, number>, primary: string): Record<string, number> {
  const entries = Object.entries(weights);
  if (entries.length > 1)
    throw CoreErrors.VALIDATION({ reason: 'an alias can route to at most one additional version' });
  let sum = 0;
  for (const [v, w] of entries) {
    if (!/^\d+$/.test(v))
      throw CoreErrors.VALIDATION({ reason: `additional version ${v} must be a published version number` });
    if (v === primary)
      throw CoreErrors.VALIDATION({ reason: 'the additional version must differ from the primary version' });
    if (typeof w !== 'number' || !(w >= 0 && w <= 1))
      throw CoreErrors.VALIDATION({ reason: `weight for version ${v} must be between 0 and 1` });
    sum += w;
  }
  if (sum > 1) throw CoreErrors.VALIDATION({ reason: 'weights must add up to at most 1' });
  return { ...weights };
}

export function createRegistryService(deps: RegistryDeps): RegistryService {
  const { store, blobs, clock } = deps;
  const build = deps.build ?? defaultBuild;
  // Hot-path caches. Versions are immutable, so they never need invalidation except on delete.
  const fnCache = new Map<string, FunctionRecord>();
  const versionCache = new Map<string, VersionRecord>();
  const aliasCache = new Map<string, AliasRecord>();
  const key = (...parts: string[]) => parts.join('\u0000');

  function forget(tenant: TenantId, name: string): void {
    fnCache.delete(key(tenant, name));
    const prefix = key(tenant, name, '');
    for (const m of [versionCache, aliasCache] as Map<string, unknown>[]) {
      for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
    }
  }

  function changed(tenant: TenantId, name: string): void {
    forget(tenant, name);
    deps.onFunctionChanged?.(tenant, name);
  }

  async function getFn(tenant: TenantId, name: string): Promise<FunctionRecord> {
    const k = key(tenant, name);
    const hit = fnCache.get(k);
    if (hit) return hit;
    const rec = await store.functions.get(tenant, name);
    if (!rec) throw CoreErrors.NOT_FOUND({ what: `function ${name}` });
    fnCache.set(k, rec);
    return rec;
  }

  async function getVer(tenant: TenantId, name: string, version: string): Promise<VersionRecord> {
    const k = key(tenant, name, version);
    const hit = versionCache.get(k);
    if (hit) return hit;
    const rec = await store.versions.get(tenant, name, version);
    if (!rec) throw CoreErrors.NOT_FOUND({ what: `version ${version} of function ${name}` });
    versionCache.set(k, rec);
    return rec;
  }

  async function getAliasRec(tenant: TenantId, name: string, alias: string): Promise<AliasRecord> {
    const k = key(tenant, name, `@${alias}`);
    const hit = aliasCache.get(k);
    if (hit) return hit;
    const rec = await store.aliases.get(tenant, name, alias);
    if (!rec) throw CoreErrors.NOT_FOUND({ what: `alias ${alias} of function ${name}` });
    aliasCache.set(k, rec);
    return rec;
  }

  const prebuilt = new Map<string, Prebuilt>();
  const prebuiltKey = (tenant: TenantId, sha256: string, config: FunctionConfig) =>
    key(tenant, sha256, config.runtime, config.handler);

  function remember(tenant: TenantId, config: FunctionConfig, p: Omit<Prebuilt, 'at'>): void {
    const k = prebuiltKey(tenant, p.ref.sha256, config);
    prebuilt.delete(k); // re-inserted last: the Map's order is the eviction order
    prebuilt.set(k, { ...p, at: clock.now() });
    const now = clock.now();
    for (const [old, v] of prebuilt) {
      if (prebuilt.size <= PREBUILT_MAX && now - v.at <= PREBUILT_TTL_MS) break;
      prebuilt.delete(old);
    }
  }

  /** The artifact `sha256` for this runtime and handler: built here lately, or the function's own. */
  async function prebuiltArtifact(tenant: TenantId, name: string, sha256: string, config: FunctionConfig) {
    const hit = prebuilt.get(prebuiltKey(tenant, sha256, config));
    let found: Omit<Prebuilt, 'at'> | undefined =
      hit && clock.now() - hit.at <= PREBUILT_TTL_MS ? hit : undefined;
    if (!found) {
      // $LATEST or a version of this function that ran this code with this entry point.
      const fn = await store.functions.get(tenant, name);
      const owned = fn ? [fn, ...(await store.versions.list(tenant, name))] : [];
      const same = owned.find(
        (o) =>
          o.code.sha256 === sha256 &&
          o.config.runtime === config.runtime &&
          o.config.handler === config.handler,
      );
      if (same) {
        found = {
          ref: same.code,
          warnings: [],
          externalImports: same.config.isolation === 'isolate' ? [] : 'unknown',
        };
      }
    }
    if (!found || !(await blobs.has(sha256))) {
      throw CoreErrors.NOT_FOUND({
        what: `built code ${sha256} for ${config.runtime} ${config.handler} (build it first: PUT /v1/functions/${name} with dryRun)`,
      });
    }
    if (config.isolation === 'isolate' && found.externalImports !== 'unknown' && found.externalImports.length)
      throw DeployErrors.ISOLATE_INCOMPATIBLE({ imports: found.externalImports.join(', ') });
    if (config.isolation === 'isolate' && found.externalImports === 'unknown')
      throw CoreErrors.VALIDATION({
        reason: `code ${sha256} was not built for an isolate: deploy its source with isolation: isolate`,
      });
    remember(tenant, config, found);
    return found;
  }

  /** The uploaded archive, kept beside the artifact when it is small (the console edits it). */
  async function keepSource(code: CodeInput): Promise<SourceRef | undefined> {
    if (code.kind === 'dir' || code.data.length > SOURCE_KEEP_MAX_BYTES) return undefined;
    const { sha256, size } = await blobs.put(code.data);
    return { sha256, size, format: code.kind };
  }

  async function storeArtifact(
    tenant: TenantId,
    name: string,
    code: CodeInput | PrebuiltCode,
    config: FunctionConfig,
  ) {
    if (code.kind === 'prebuilt') {
      const p = await prebuiltArtifact(tenant, name, code.sha256, config);
      return { ref: p.ref, buildMs: 0, warnings: p.warnings, storeMs: 0 };
    }
    const built = await build(code, { runtime: config.runtime, handler: config.handler });
    if (config.isolation === 'isolate' && built.externalImports?.length) {
      throw DeployErrors.ISOLATE_INCOMPATIBLE({ imports: built.externalImports.join(', ') });
    }
    const t = clock.monotonic();
    const { sha256, size } = await blobs.put(built.zip);
    const source = await keepSource(code);
    const ref: CodeRef = {
      sha256,
      size,
      family: built.family,
      entry: built.entry,
      exportName: built.exportName,
      ...(source ? { source } : {}),
    };
    remember(tenant, config, { ref, warnings: built.warnings, externalImports: built.externalImports ?? [] });
    return { ref, buildMs: built.buildMs, warnings: built.warnings, storeMs: clock.monotonic() - t };
  }

  async function publishFrom(fn: FunctionRecord, description: string | undefined): Promise<VersionRecord> {
    // Like Lambda: publishing unchanged code + config returns the latest version instead of a new one.
    const last = await store.versions.latest(fn.tenant, fn.name);
    if (last && last.code.sha256 === fn.code.sha256 && sameConfig(last.config, fn.config)) return last;
    return store.versions.publish(fn.tenant, fn.name, {
      config: fn.config,
      code: fn.code,
      description: description ?? fn.config.description,
      createdAt: clock.now(),
    });
  }

  const svc: RegistryService = {
    async deploy(tenant, input, opts = {}) {
      const t0 = clock.monotonic();
      validateFunctionName(input.name);
      const mode = opts.mode ?? 'upsert';
      const existing = await store.functions.get(tenant, input.name);
      if (existing && mode === 'create') throw CoreErrors.CONFLICT({ what: `function ${input.name}` });
      if (!existing && mode === 'update') throw CoreErrors.NOT_FOUND({ what: `function ${input.name}` });
      const config = normalizeConfig(input.config);
      const built = await storeArtifact(tenant, input.name, input.code, config);
      const { ref, storeMs } = built;
      const timings = () => ({ buildMs: built.buildMs, storeMs, totalMs: clock.monotonic() - t0 });
      if (
        existing &&
        existing.code.sha256 === ref.sha256 &&
        // A new source that builds to the same artifact (a comment changed) is kept all the same.
        (ref.source === undefined || ref.source.sha256 === existing.code.source?.sha256) &&
        sameConfig(existing.config, config)
      ) {
        // Nothing changed: keep the revision and the warm instances (fast `nimbus dev` loops).
        const version = opts.publish ? await publishFrom(existing, opts.description) : undefined;
        return {
          function: existing,
          version,
          timings: timings(),
          warnings: built.warnings,
          created: false,
          unchanged: true,
        };
      }
      const now = clock.now();
      const rec: FunctionRecord = {
        tenant,
        name: input.name,
        config,
        code: ref,
        revisionId: randomUUID(),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      if (existing) await store.functions.update(rec);
      else await store.functions.create(rec);
      changed(tenant, input.name);
      const version = opts.publish ? await publishFrom(rec, opts.description) : undefined;
      return {
        function: rec,
        version,
        timings: timings(),
        warnings: built.warnings,
        created: !existing,
      } satisfies DeployResult;
    },

    async updateCode(tenant, name, code, opts = {}) {
      const t0 = clock.monotonic();
      const fn = await getFn(tenant, name);
      if (opts.expectedRevisionId && opts.expectedRevisionId !== fn.revisionId) {
        throw RegistryServiceErrors.REVISION_MISMATCH({ name });
      }
      const built = await storeArtifact(tenant, name, code, fn.config);
      const { ref, storeMs } = built;
      const rec: FunctionRecord = { ...fn, code: ref, revisionId: randomUUID(), updatedAt: clock.now() };
      await store.functions.update(rec, fn.revisionId);
      changed(tenant, name);
      const version = opts.publish ? await publishFrom(rec, undefined) : undefined;
      return {
        function: rec,
        version,
        timings: { buildMs: built.buildMs, storeMs, totalMs: clock.monotonic() - t0 },
        warnings: built.warnings,
        created: false,
      };
    },

    async updateConfig(tenant, name, patch, opts = {}) {
      const fn = await getFn(tenant, name);
      if (opts.expectedRevisionId && opts.expectedRevisionId !== fn.revisionId) {
        throw RegistryServiceErrors.REVISION_MISMATCH({ name });
      }
      const config = normalizeConfig({ ...fn.config, ...patch }, fn.config);
      let code = fn.code;
      if (config.handler !== fn.config.handler || config.runtime !== fn.config.runtime) {
        // The entry point is part of the artifact: rebuild from the stored artifact's code root.
        const zip = await blobs.get(fn.code.sha256);
        code = (await storeArtifact(tenant, name, { kind: 'zip', data: zip }, config)).ref;
      }
      const rec: FunctionRecord = { ...fn, config, code, revisionId: randomUUID(), updatedAt: clock.now() };
      await store.functions.update(rec, fn.revisionId);
      changed(tenant, name);
      return rec;
    },

    async prebuild(tenant, input) {
      const t0 = clock.monotonic();
      validateFunctionName(input.name);
      const config = normalizeConfig(input.config);
      const built = await storeArtifact(tenant, input.name, input.code, config);
      const existing = await store.functions.get(tenant, input.name);
      return {
        code: built.ref,
        timings: { buildMs: built.buildMs, storeMs: built.storeMs, totalMs: clock.monotonic() - t0 },
        warnings: built.warnings,
        exists: existing !== undefined,
        unchanged:
          existing !== undefined &&
          existing.code.sha256 === built.ref.sha256 &&
          sameConfig(existing.config, config),
      };
    },

    forget,
    getFunction: (tenant, name) => getFn(tenant, name),
    listFunctions: (tenant) => store.functions.list(tenant),

    async deleteFunction(tenant, name) {
      const ok = await store.functions.delete(tenant, name);
      changed(tenant, name);
      if (!ok) throw CoreErrors.NOT_FOUND({ what: `function ${name}` });
      deps.onFunctionDeleted?.(tenant, name);
    },

    async publishVersion(tenant, name, opts = {}) {
      const fn = await getFn(tenant, name);
      if (opts.expectedRevisionId && opts.expectedRevisionId !== fn.revisionId) {
        throw RegistryServiceErrors.REVISION_MISMATCH({ name });
      }
      if (opts.expectedCodeSha256 && opts.expectedCodeSha256 !== fn.code.sha256) {
        throw RegistryServiceErrors.CODE_SHA_MISMATCH({ name });
      }
      return publishFrom(fn, opts.description);
    },

    getVersion: (tenant, name, version) =>
      version === LATEST ? latestAsVersion(tenant, name) : getVer(tenant, name, version),

    async listVersions(tenant, name) {
      await getFn(tenant, name);
      return store.versions.list(tenant, name);
    },

    async createAlias(tenant, name, alias) {
      await getFn(tenant, name);
      validateAliasName(alias.name);
      await ensureVersion(tenant, name, alias.functionVersion);
      const weights = validateWeights(alias.additionalWeights ?? {}, alias.functionVersion);
      for (const v of Object.keys(weights)) await getVer(tenant, name, v);
      const now = clock.now();
      const rec: AliasRecord = {
        tenant,
        functionName: name,
        name: alias.name,
        functionVersion: alias.functionVersion,
        additionalWeights: weights,
        description: alias.description ?? '',
        revisionId: randomUUID(),
        createdAt: now,
        updatedAt: now,
      };
      await store.aliases.create(rec);
      changed(tenant, name);
      return rec;
    },

    async updateAlias(tenant, name, aliasName, patch, opts = {}) {
      const cur = await getAliasRec(tenant, name, aliasName);
      if (opts.expectedRevisionId && opts.expectedRevisionId !== cur.revisionId) {
        throw RegistryServiceErrors.REVISION_MISMATCH({ name: `${name}:${aliasName}` });
      }
      const functionVersion = patch.functionVersion ?? cur.functionVersion;
      await ensureVersion(tenant, name, functionVersion);
      const weights = validateWeights(patch.additionalWeights ?? cur.additionalWeights, functionVersion);
      for (const v of Object.keys(weights)) await getVer(tenant, name, v);
      const rec: AliasRecord = {
        ...cur,
        functionVersion,
        additionalWeights: weights,
        description: patch.description ?? cur.description,
        revisionId: randomUUID(),
        updatedAt: clock.now(),
      };
      await store.aliases.update(rec);
      changed(tenant, name);
      return rec;
    },

    getAlias: (tenant, name, alias) => getAliasRec(tenant, name, alias),
    async listAliases(tenant, name) {
      await getFn(tenant, name);
      return store.aliases.list(tenant, name);
    },
    async deleteAlias(tenant, name, alias) {
      const ok = await store.aliases.delete(tenant, name, alias);
      changed(tenant, name);
      if (!ok) throw CoreErrors.NOT_FOUND({ what: `alias ${alias} of function ${name}` });
    },

    async resolve(tenant, name, qualifier, random = Math.random()): Promise<ResolvedTarget> {
      if (qualifier === undefined || qualifier === '' || qualifier === LATEST) {
        const fn = await getFn(tenant, name);
        return { version: LATEST, config: fn.config, code: fn.code };
      }
      if (/^\d+$/.test(qualifier)) {
        const v = await getVer(tenant, name, qualifier);
        return { version: v.version, config: v.config, code: v.code };
      }
      const alias = await getAliasRec(tenant, name, qualifier);
      let chosen = alias.functionVersion;
      let acc = 0;
      for (const [v, w] of Object.entries(alias.additionalWeights)) {
        acc += w;
        if (random < acc) {
          chosen = v;
          break;
        }
      }
      if (chosen === LATEST) {
        const fn = await getFn(tenant, name);
        return { version: LATEST, config: fn.config, code: fn.code, alias: alias.name };
      }
      const v = await getVer(tenant, name, chosen);
      return { version: v.version, config: v.config, code: v.code, alias: alias.name };
    },

    getArtifact: (sha256) => blobs.get(sha256),

    async getSource(tenant, name, qualifier) {
      let version = qualifier;
      if (version !== undefined && version !== LATEST && !/^\d+$/.test(version))
        version = (await getAliasRec(tenant, name, version)).functionVersion;
      const code =
        version === undefined || version === LATEST
          ? (await getFn(tenant, name)).code
          : (await getVer(tenant, name, version)).code;
      if (!code.source)
        throw RegistryServiceErrors.NO_SOURCE({
          name,
          why: 'it was deployed from a directory, from an archive above 1 MiB, or before sources were kept',
        });
      return { data: await blobs.get(code.source.sha256), format: code.source.format };
    },
  };

  async function latestAsVersion(tenant: TenantId, name: string): Promise<VersionRecord> {
    const fn = await getFn(tenant, name);
    return {
      tenant,
      functionName: name,
      version: LATEST,
      config: fn.config,
      code: fn.code,
      description: fn.config.description,
      createdAt: fn.updatedAt,
    };
  }

  async function ensureVersion(tenant: TenantId, name: string, version: string): Promise<void> {
    if (version === LATEST) return;
    if (!/^\d+$/.test(version))
      throw CoreErrors.VALIDATION({ reason: `version ${version} must be $LATEST or a number` });
    await getVer(tenant, name, version);
  }

  return svc;
}

function validateAliasName(name: string): void {
  // Lambda: 1-128 chars, (?!^[0-9]+$)([a-zA-Z0-9-_]+)
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(name) || /^\d+$/.test(name)) {
    throw CoreErrors.VALIDATION({
      reason: `alias name ${JSON.stringify(name)} must be 1–128 letters, digits, - or _ and not all digits`,
    });
  }
}
