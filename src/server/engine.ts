/**
 * Where invocations run: the instances' network, the process and isolate sandboxes, the jail that
 * deploy-time builds run in, the code cache and the scheduler that places invocations on instances
 * (and keeps each function's scaling settings in step with the registry).
 * All of it follows from the config plus a few late-bound views of the rest of the platform (tenant
 * accounts, the cluster's share, what instances are told), so it is wired apart from the root.
 */
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/index.ts';
import { isNimbusError } from '../core/errors.ts';
import type { BlobStore, Clock } from '../core/ports.ts';
import { unpackArtifact } from '../registry/build/index.ts';
import type { ResolvedTarget } from '../registry/types.ts';
import {
  createEgressNetwork,
  createIsolateSandboxFactory,
  createProcessSandboxFactory,
  createRoutingSandboxFactory,
  createStepJail,
  type ProcessSandboxOptions,
} from '../runtime/index.ts';
import { stageRuntimeSdk } from '../runtime/sdk/index.ts';
import { Scheduler } from '../scheduler/index.ts';
import { createInstanceEnv, MAX_SESSION_MS } from '../security/index.ts';
import { createCodeCache } from './code-cache.ts';

type InstanceEnvDeps = Parameters<typeof createInstanceEnv>[0];

/**
 * Builds the engine. `defer` receives what must be closed (the sandboxes, then the scheduler), in
 * the order it was built.
 */
export function createEngine(o: {
  readonly config: PlatformConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where artifacts are read from (code cache misses). */
  readonly blobs: BlobStore;
  /** A function's default target (the registry's `resolve` without a qualifier). */
  readonly resolve: (tenant: string, name: string) => Promise<ResolvedTarget>;
  readonly logRate: NonNullable<ProcessSandboxOptions['logRate']>;
  readonly accountOf: (tenant: string) => string;
  /** This node's share of every concurrency limit (cluster mode; undefined: all of it). */
  readonly share: (() => number) | undefined;
  /** What an instance is told: credentials, secrets, where the platform's APIs are. */
  readonly instanceEnv: Pick<
    InstanceEnvDeps,
    'sessions' | 'roles' | 'secretValue' | 'onSecrets' | 'endpoints'
  >;
  readonly defer: (cleanup: () => Promise<void>) => void;
}) {
  const { config, clock, logger } = o;
  // Instances' network namespaces; also how they reach the platform's own APIs (endpoints).
  const network = createEgressNetwork();
  // Functions opt in to isolates per function (`isolation: 'isolate'`); the rest run as processes.
  const processes = createProcessSandboxFactory({
    egress: network,
    logRate: o.logRate,
    // The AWS SDK v3 that functions import without bundling, as on Lambda (an install that
    // cannot be written to runs without it, and says so).
    providedModules: (() => {
      try {
        return stageRuntimeSdk();
      } catch (e) {
        logger.warn({ err: e }, 'the provided AWS SDK could not be staged: functions must bundle their own');
        return undefined;
      }
    })(),
    kind: config.sandbox,
    poolSize: config.poolSize,
    hiddenPaths: [config.dataDir],
    clock,
  });
  const sandbox = createRoutingSandboxFactory({
    process: processes,
    isolate: createIsolateSandboxFactory({
      kind: config.sandbox,
      hiddenPaths: [config.dataDir],
      clock,
      logRate: o.logRate,
    }),
  });
  o.defer(() => sandbox.close());
  // Deploy-time builds (esbuild, javac) are untrusted work too: they run in the same sandbox.
  const buildJail = createStepJail({ kind: config.sandbox, hiddenPaths: [config.dataDir] });
  const codeCache = createCodeCache({
    dir: join(config.dataDir, 'cache', 'code'),
    blobs: o.blobs,
    unpack: unpackArtifact,
  });
  const scheduler = new Scheduler({
    factory: sandbox,
    clock,
    idleTtlMs: config.idleTtlSec * 1000,
    keepAlive: config.keepAlivePolicy,
    defaultConcurrency: config.functionConcurrency,
    httpSharing: config.httpInstanceSharing,
    throttleWaitMs: config.throttleWaitMs,
    queueWaitFactor: config.queueWaitFactor,
    tenantConcurrency: config.tenantConcurrency,
    share: o.share,
    nodeMemoryMb: config.nodeMemoryMb || Math.floor((totalmem() / 1024 / 1024) * 0.8),
    materialize: codeCache.materialize,
    region: config.region,
    accountId: config.accountId,
    accountOf: o.accountOf,
    instanceEnv: createInstanceEnv({
      ...o.instanceEnv,
      region: config.region,
      accountOf: o.accountOf,
      ttlMs: MAX_SESSION_MS,
    }),
    // Replaced 10 minutes before their credentials expire.
    instanceMaxAgeMs: MAX_SESSION_MS - 10 * 60_000,
  });
  o.defer(() => scheduler.close());
  // The scheduler learns each function's default target: reservations count for the tenant
  // and provisioned instances start (at start-up for every function, then after each change).
  // Only functions with a reservation or scaling settings (or that had them: the scheduler
  // tracks them) need it; 10,000 plain deploys must not each allocate scheduler state.
  const syncScaling = (tenant: string, name: string) => {
    o.resolve(tenant, name)
      .then((t) => {
        if (t.config.reservedConcurrency || t.config.scaling || scheduler.tracks(tenant, name))
          scheduler.sync({ tenant, functionName: name, ...t });
      })
      .catch((e: unknown) => {
        if (!isNimbusError(e) || e.status !== 404) logger.error({ err: e }, 'scaling sync failed');
      });
  };
  return { network, processes, sandbox, buildJail, scheduler, syncScaling };
}
