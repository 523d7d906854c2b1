/**
 * REST for secrets: `/v1/secrets`. Names may contain `/`: clients percent-encode the name into one
 * path segment (`/v1/secrets/app%2Fdb-url/value`). Only `GET /v1/secrets/:name/value` answers a
 * value; everything else answers metadata. docs/API.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CoreErrors, isNimbusError } from '../core/errors.ts';
import { jsonTooDeep } from '../core/json.ts';
import { DEFAULT_TENANT } from '../core/types.ts';
import { SecretsErrors } from '../secrets/errors.ts';
import type { SecretMetadata, SecretsService } from '../secrets/service.ts';
import { validateSecretName } from '../secrets/service.ts';
import { type Arns, arnsFor, authorize } from './auth.ts';
import { params } from './http.ts';

export interface SecretRouteDeps {
  readonly secrets: SecretsService;
  readonly config: { readonly region: string };
}

export const PutBody = z.object({ value: z.string(), description: z.string().optional() }).strict();
export const RotateBody = z.object({ value: z.string() }).strict();

/**
 * Like `parseBody`, but a JSON syntax error is reported without the parser's message: V8 quotes
 * the input around the error, and the input is a secret.
 */
function secretBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const buf = body instanceof Buffer ? body : undefined;
  if (!buf || buf.length === 0) throw CoreErrors.MALFORMED_JSON({ reason: 'body is empty' });
  if (jsonTooDeep(buf)) throw CoreErrors.VALIDATION({ reason: 'JSON nested too deeply' });
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw CoreErrors.MALFORMED_JSON({
      reason: 'syntax error (the position is withheld: the body is a secret)',
    });
  }
  const r = schema.safeParse(v);
  if (!r.success)
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  return r.data;
}

const secretArn = (name: string) => (a: Arns) => a.of('secretsmanager', `secret:${name}`);

export function secretView(m: SecretMetadata, arn: string) {
  return {
    name: m.name,
    arn,
    description: m.description,
    versionId: m.versionId,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

export function registerSecretRoutes(app: FastifyInstance, d: SecretRouteDeps): void {
  const arnOf = (req: FastifyRequest, name: string) =>
    arnsFor(d.config.region, req.principal?.accountId ?? '').of('secretsmanager', `secret:${name}`);
  const name = (req: FastifyRequest) => params(req).name!;

  app.get('/v1/secrets', async (req) => {
    const p = authorize(req, 'secretsmanager:ListSecrets');
    return { secrets: (await d.secrets.list(p.tenant)).map((m) => secretView(m, arnOf(req, m.name))) };
  });

  app.get('/v1/secrets/:name', async (req) => {
    const p = authorize(req, 'secretsmanager:DescribeSecret', secretArn(name(req)));
    return secretView(await d.secrets.describe(p.tenant, name(req)), arnOf(req, name(req)));
  });

  app.get('/v1/secrets/:name/value', async (req, reply) => {
    const p = authorize(req, 'secretsmanager:GetSecretValue', secretArn(name(req)));
    const s = await d.secrets.get(p.tenant, name(req));
    reply.header('cache-control', 'no-store');
    return { ...secretView(s, arnOf(req, s.name)), value: s.value };
  });

  /** Creates (secretsmanager:CreateSecret) or writes a new version (secretsmanager:PutSecretValue). */
  app.put('/v1/secrets/:name', async (req, reply) => {
    validateSecretName(name(req));
    const tenant = req.principal?.tenant;
    // Which action applies depends on whether the caller's own tenant holds the secret.
    const exists =
      tenant !== undefined &&
      (await d.secrets.describe(tenant, name(req)).then(
        () => true,
        (e: unknown) => {
          if (isNimbusError(e) && e.code === SecretsErrors.codes.NOT_FOUND) return false;
          throw e;
        },
      ));
    const p = authorize(
      req,
      exists ? 'secretsmanager:PutSecretValue' : 'secretsmanager:CreateSecret',
      secretArn(name(req)),
    );
    const b = secretBody(PutBody, req.body);
    const m = await d.secrets.put(p.tenant, name(req), b.value, b.description, {
      mode: exists ? 'update' : 'create',
    });
    return reply.code(m.created ? 201 : 200).send(secretView(m, arnOf(req, m.name)));
  });

  app.post('/v1/secrets/:name/rotate', async (req) => {
    const p = authorize(req, 'secretsmanager:PutSecretValue', secretArn(name(req)));
    const b = secretBody(RotateBody, req.body);
    return secretView(await d.secrets.rotate(p.tenant, name(req), b.value), arnOf(req, name(req)));
  });

  app.delete('/v1/secrets/:name', async (req, reply) => {
    const p = authorize(req, 'secretsmanager:DeleteSecret', secretArn(name(req)));
    await d.secrets.delete(p.tenant, name(req));
    return reply.code(204).send();
  });

  /** New key-encryption key, every data key re-wrapped under it. Platform operators only. */
  app.post('/v1/secrets/rotate-master-key', async (req) => {
    const p = authorize(req, 'nimbus:RotateMasterKey', (a) => a.nimbus('master-key'));
    if (p.tenant !== DEFAULT_TENANT) {
      if (req.authz) req.authz.denied = true; // audited as a denial, like a policy's
      throw CoreErrors.FORBIDDEN({
        reason: `only principals of the ${DEFAULT_TENANT} tenant rotate the platform's keys`,
      });
    }
    const r = await d.secrets.rotateKeys();
    return { kekId: r.kekId, rewrapped: r.rewrapped, raced: r.raced, failed: r.failed };
  });
}
