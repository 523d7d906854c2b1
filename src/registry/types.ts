/**
 * Contracts of the registry service (functions, versions, aliases, deploy). Implemented by
 * service.ts; used by the REST API, the Lambda-compatible API and the CLI (through REST).
 */
import type {
  AliasRecord,
  CodeRef,
  FunctionConfig,
  FunctionRecord,
  RuntimeFamily,
  TenantId,
  VersionId,
  VersionRecord,
} from '../core/types.ts';

/** Where deploy code comes from. */
export type CodeInput =
  | { readonly kind: 'zip'; readonly data: Uint8Array }
  | { readonly kind: 'tar'; readonly data: Uint8Array }
  | { readonly kind: 'dir'; readonly path: string };

/**
 * Code named by the sha256 of an artifact the platform built before: by a `prebuild` (PUT
 * `/v1/functions/{name}` with `dryRun`) for the same runtime and handler, or the function's own
 * `$LATEST` or a version of it. Deploying it builds nothing, so it cannot fail to build.
 */
export interface PrebuiltCode {
  readonly kind: 'prebuilt';
  readonly sha256: string;
}

/** Result of building an artifact from user code (bundling Node/TS with esbuild). */
export interface BuiltArtifact {
  /** The artifact (a zip of the code root the runtime mounts at /var/task). */
  readonly zip: Uint8Array;
  readonly family: RuntimeFamily;
  /** Module path inside the artifact. */
  readonly entry: string;
  readonly exportName: string;
  readonly buildMs: number;
  readonly warnings: readonly string[];
  /**
   * Node bundles: modules left outside the bundle (Node builtins, except the `node:module` the
   * bundle banner uses). An isolate function may have none.
   */
  readonly externalImports?: readonly string[] | undefined;
}

export type FunctionConfigInput = Partial<FunctionConfig> & Pick<FunctionConfig, 'runtime' | 'handler'>;

export interface DeployTimings {
  readonly buildMs: number;
  readonly storeMs: number;
  readonly totalMs: number;
}

export interface DeployResult {
  readonly function: FunctionRecord;
  /** Present when `publish` was requested. */
  readonly version?: VersionRecord | undefined;
  readonly timings: DeployTimings;
  readonly warnings: readonly string[];
  /** True when this deploy created the function (false when it updated $LATEST). */
  readonly created: boolean;
  /** True when code and configuration were identical: nothing was changed. */
  readonly unchanged?: boolean | undefined;
}

/** What a prebuild (a deploy that only builds) made: the artifact, kept for a later deploy. */
export interface PrebuildResult {
  readonly code: CodeRef;
  readonly timings: DeployTimings;
  readonly warnings: readonly string[];
  /** Whether the function exists now. */
  readonly exists: boolean;
  /** Whether deploying this code and configuration would change nothing. */
  readonly unchanged: boolean;
}

export interface ResolvedTarget {
  readonly version: VersionId;
  readonly config: FunctionConfig;
  readonly code: CodeRef;
  /** Alias name when the qualifier was an alias. */
  readonly alias?: string | undefined;
}

export interface RegistryService {
  /** Drops what is cached of a function (another cluster node changed it); no change hooks run. */
  forget(tenant: TenantId, name: string): void;
  /**
   * Creates or updates $LATEST from code + config.
   * mode: `create` fails with CONFLICT if it exists, `update` fails with NOT_FOUND if absent,
   * `upsert` does either.
   */
  deploy(
    tenant: TenantId,
    input: { name: string; config: FunctionConfigInput; code: CodeInput | PrebuiltCode },
    opts?: { mode?: 'create' | 'update' | 'upsert'; publish?: boolean; description?: string },
  ): Promise<DeployResult>;
  /**
   * What deploy does up to the switch, and nothing after it: validates the name and the
   * configuration, builds the code and stores the artifact, which a deploy with
   * `{kind: 'prebuilt', sha256}` then uses (for the same runtime and handler) without building.
   * The function, its versions and everything else stay as they are. Given prebuilt code it
   * checks that the artifact can be deployed and keeps it for a later deploy (a rollback pins a
   * function's current code this way before changing it).
   */
  prebuild(
    tenant: TenantId,
    input: { name: string; config: FunctionConfigInput; code: CodeInput | PrebuiltCode },
  ): Promise<PrebuildResult>;
  updateCode(
    tenant: TenantId,
    name: string,
    code: CodeInput,
    opts?: { publish?: boolean; expectedRevisionId?: string },
  ): Promise<DeployResult>;
  updateConfig(
    tenant: TenantId,
    name: string,
    patch: Partial<FunctionConfig>,
    opts?: { expectedRevisionId?: string },
  ): Promise<FunctionRecord>;
  getFunction(tenant: TenantId, name: string): Promise<FunctionRecord>;
  listFunctions(tenant: TenantId): Promise<FunctionRecord[]>;
  deleteFunction(tenant: TenantId, name: string): Promise<void>;

  publishVersion(
    tenant: TenantId,
    name: string,
    opts?: { description?: string; expectedCodeSha256?: string; expectedRevisionId?: string },
  ): Promise<VersionRecord>;
  getVersion(tenant: TenantId, name: string, version: VersionId): Promise<VersionRecord>;
  listVersions(tenant: TenantId, name: string): Promise<VersionRecord[]>;

  createAlias(
    tenant: TenantId,
    name: string,
    alias: {
      name: string;
      functionVersion: VersionId;
      additionalWeights?: Record<string, number>;
      description?: string;
    },
  ): Promise<AliasRecord>;
  updateAlias(
    tenant: TenantId,
    name: string,
    aliasName: string,
    patch: { functionVersion?: VersionId; additionalWeights?: Record<string, number>; description?: string },
    opts?: { expectedRevisionId?: string },
  ): Promise<AliasRecord>;
  getAlias(tenant: TenantId, name: string, aliasName: string): Promise<AliasRecord>;
  listAliases(tenant: TenantId, name: string): Promise<AliasRecord[]>;
  deleteAlias(tenant: TenantId, name: string, aliasName: string): Promise<void>;

  /**
   * Resolves what to run for (name, qualifier): `$LATEST` (default), a version number, or an
   * alias (weighted routing picks one version per call using `random()` in [0,1)).
   */
  resolve(tenant: TenantId, name: string, qualifier?: string, random?: number): Promise<ResolvedTarget>;
  /** Artifact bytes (zip) by sha256, for GetFunction's Code.Location download. */
  getArtifact(sha256: string): Promise<Uint8Array>;
  /**
   * The archive `$LATEST`, a version or an alias's primary version was deployed from
   * (CodeRef.source); REGISTRY_NO_SOURCE when none was kept.
   */
  getSource(
    tenant: TenantId,
    name: string,
    qualifier?: string,
  ): Promise<{ data: Uint8Array; format: 'zip' | 'tar' }>;
}
