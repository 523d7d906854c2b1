/**
 * Picks the runtime per function: `isolation: 'isolate'` goes to the isolate factory, everything
 * else (the default) to the process factory. The scheduler sees one SandboxFactory.
 */
import type { InstanceSpec, IsolationReport, Sandbox, SandboxFactory } from '../../core/ports.ts';

export function createRoutingSandboxFactory(f: {
  readonly process: SandboxFactory;
  readonly isolate: SandboxFactory;
}): SandboxFactory {
  return {
    kind: `${f.process.kind}+${f.isolate.kind}`,
    create(spec: InstanceSpec): Promise<Sandbox> {
      return spec.config.isolation === 'isolate' ? f.isolate.create(spec) : f.process.create(spec);
    },
    isolation(): IsolationReport {
      const p = f.process.isolation();
      const i = f.isolate.isolation();
      return {
        sandbox: `${p.sandbox}; opt-in isolates: ${i.sandbox}`,
        features: { ...p.features, ...i.features },
      };
    },
    async warmup() {
      await Promise.all([f.process.warmup(), f.isolate.warmup()]);
    },
    async close() {
      await Promise.allSettled([f.process.close(), f.isolate.close()]);
    },
  };
}
