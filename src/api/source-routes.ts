/** REST for event sources (brokers → functions): `/v1/sources`. docs/API.md. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SourceRecord } from '../core/types.ts';
import type { SourceManager } from '../events/sources/manager.ts';
import { redactSourceConfig, type SourceStatus } from '../events/sources/types.ts';
import { authorize } from './auth.ts';
import { params, parseBody } from './http.ts';

export interface SourceRouteDeps {
  readonly sources: SourceManager;
}

const Common = {
  kind: z.enum(['nats', 'jetstream', 'rabbitmq', 'mqtt', 'redis', 'postgres', 'sqs']),
  config: z.record(z.string(), z.unknown()),
  batchSize: z.number().int().optional(),
  batchWindowMs: z.number().int().optional(),
  maximumRetryAttempts: z.number().int().optional(),
  concurrency: z.number().int().optional(),
  enabled: z.boolean().optional(),
};
export const CreateBody = z
  .object({ function: z.string().min(1), qualifier: z.string().min(1).optional(), ...Common })
  .strict();
export const OwnedBody = z.object({ sources: z.array(z.object(Common).strict()).max(50) }).strict();

export const sourceView = (s: SourceRecord & { status?: SourceStatus | undefined }) => ({
  id: s.id,
  function: s.functionName,
  qualifier: s.qualifier ?? null,
  kind: s.kind,
  config: redactSourceConfig(s.config),
  batchSize: s.batchSize,
  batchWindowMs: s.batchWindowMs,
  maximumRetryAttempts: s.maximumRetryAttempts,
  concurrency: s.concurrency,
  enabled: s.enabled,
  origin: s.origin,
  createdAt: new Date(s.createdAt).toISOString(),
  status: s.status ?? null,
});

export function registerSourceRoutes(app: FastifyInstance, d: SourceRouteDeps): void {
  app.get('/v1/sources', async (req) => {
    const p = authorize(req, 'nimbus:ListSources');
    return { sources: (await d.sources.list(p.tenant)).map(sourceView) };
  });
  app.get('/v1/sources/:id', async (req) => {
    const p = authorize(req, 'nimbus:GetSource', (a) => a.nimbus('source', params(req).id!));
    return sourceView(await d.sources.get(p.tenant, params(req).id!));
  });
  app.post('/v1/sources', async (req, reply) => {
    const p = authorize(req, 'nimbus:CreateSource', (a) => a.nimbus('source'));
    const { function: functionName, ...b } = parseBody(CreateBody, req.body);
    return reply.code(201).send(sourceView(await d.sources.create(p.tenant, { ...b, functionName })));
  });
  app.delete('/v1/sources/:id', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteSource', (a) => a.nimbus('source', params(req).id!));
    await d.sources.delete(p.tenant, params(req).id!);
    return reply.code(204).send();
  });
  /** Replaces the event sources a function's manifest declares (what `nimbus deploy` does). */
  app.put('/v1/functions/:name/sources', async (req) => {
    const p = authorize(req, 'nimbus:CreateSource', (a) => [a.fn(params(req).name!), a.nimbus('source')]);
    const b = parseBody(OwnedBody, req.body);
    const fn = params(req).name!;
    const out = await d.sources.replaceForFunction(
      p.tenant,
      fn,
      b.sources.map((s) => ({ ...s, functionName: fn })),
    );
    return { sources: out.map(sourceView) };
  });
}
