/**
 * Inbound webhooks: `POST /hooks/{id}` on the gateway. The call is verified, turned into a
 * CloudEvent and published to the webhook's topic (committed before the 2xx).
 *
 * Verification schemes (secrets encrypted at rest with the master key, compared in constant time):
 * - `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`; event id
 *   `X-GitHub-Delivery`, type `com.github.<X-GitHub-Event>`.
 * - `stripe`: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`,
 *   timestamp within the tolerance; event id/type from the body (`id`, `type`).
 * - `standard` (Standard Webhooks / Svix): `webhook-id`, `webhook-timestamp`,
 *   `webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<ts>.<body>")>`; secret `whsec_<base64>`
 *   or raw.
 * - `shared-secret`: the secret in a header (default `x-webhook-secret`) or `Authorization: Bearer`.
 * - `none`: accepted as is (explicit opt-in).
 *
 * Replays: timestamps outside the tolerance are refused; a delivery id already seen by this
 * process answers 200 `{duplicate: true}`; and the bus dedupes by (source, id) per subscription,
 * durably, so a replay after a restart is not delivered twice either.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CoreErrors, defineErrors } from '../core/errors.ts';
import type { Clock, WebhookRepo } from '../core/ports.ts';
import type { TenantId, WebhookRecord, WebhookVerification } from '../core/types.ts';
import { decryptSecret, encryptSecret } from '../security/secrets.ts';
import type { EventBus } from './bus.ts';

export const WebhookErrors = defineErrors('WEBHOOK', {
  NOT_FOUND: { status: 404, kind: 'user', message: 'no webhook {id}' },
  SIGNATURE_INVALID: {
    status: 401,
    kind: 'user',
    message: 'webhook signature missing or invalid ({scheme})',
    hint: 'sign the exact request body with the webhook secret',
  },
  TIMESTAMP_OUT_OF_TOLERANCE: {
    status: 401,
    kind: 'user',
    message: 'webhook timestamp is {skewSec} s away from now (tolerance {toleranceSec} s): possible replay',
  },
  BAD_WEBHOOK: { status: 400, kind: 'user', message: 'invalid webhook: {reason}' },
});

const ID = /^[A-Za-z0-9_-]{3,64}$/;
const SCHEMES: readonly WebhookVerification[] = ['github', 'stripe', 'standard', 'shared-secret', 'none'];
const SEEN_MAX = 10_000;

export interface WebhookInput {
  readonly id?: string | undefined;
  readonly topic: string;
  readonly verification: WebhookVerification;
  /** Generated when absent (returned once). */
  readonly secret?: string | undefined;
  readonly header?: string | undefined;
  readonly toleranceSec?: number | undefined;
  readonly description?: string | undefined;
}

export interface InboundRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface WebhookService {
  create(
    tenant: TenantId,
    input: WebhookInput,
  ): Promise<{ hook: WebhookRecord; secret?: string | undefined }>;
  list(tenant: TenantId): Promise<WebhookRecord[]>;
  delete(tenant: TenantId, id: string): Promise<void>;
  /** Handles `POST /hooks/{id}`: verify → CloudEvent → publish. */
  receive(id: string, req: InboundRequest): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface WebhookDeps {
  readonly repo: WebhookRepo;
  readonly bus: Pick<EventBus, 'publish' | 'getTopic'>;
  readonly masterKey: Buffer;
  readonly clock: Clock;
}

const hmac = (key: Buffer | string, data: string | Buffer) => createHmac('sha256', key).update(data).digest();
function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createWebhookService(d: WebhookDeps): WebhookService {
  const seen = new Map<string, true>();
  const remember = (k: string): boolean => {
    if (seen.has(k)) return false;
    seen.set(k, true);
    if (seen.size > SEEN_MAX) seen.delete(seen.keys().next().value!);
    return true;
  };
  const aad = (id: string) => `webhook:${id}`;

  function verify(
    hook: WebhookRecord,
    secret: string,
    h: (name: string) => string | undefined,
    body: Buffer,
  ): { id?: string | undefined; type?: string | undefined } {
    const now = Math.floor(d.clock.now() / 1000);
    const checkTime = (ts: number) => {
      const skew = Math.abs(now - ts);
      if (!Number.isFinite(ts) || skew > hook.toleranceSec)
        throw WebhookErrors.TIMESTAMP_OUT_OF_TOLERANCE({
          skewSec: Number.isFinite(ts) ? skew : '∞',
          toleranceSec: hook.toleranceSec,
        });
    };
    const invalid = () => WebhookErrors.SIGNATURE_INVALID({ scheme: hook.verification });
    switch (hook.verification) {
      case 'github': {
        const sig = h('x-hub-signature-256') ?? '';
        if (!sig.startsWith('sha256=')) throw invalid();
        if (!safeEqual(Buffer.from(sig.slice(7), 'hex'), hmac(secret, body))) throw invalid();
        const ev = h('x-github-event');
        return { id: h('x-github-delivery'), type: ev ? `com.github.${ev}` : undefined };
      }
      case 'stripe': {
        const parts = (h('stripe-signature') ?? '')
          .split(',')
          .map((p) => p.split('=', 2) as [string, string?]);
        const t = Number(parts.find(([k]) => k === 't')?.[1]);
        const sigs = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v ?? '', 'hex'));
        if (!Number.isFinite(t) || sigs.length === 0) throw invalid();
        const expected = hmac(secret, `${t}.${body.toString('utf8')}`);
        if (!sigs.some((s) => safeEqual(s, expected))) throw invalid();
        checkTime(t);
        return {};
      }
      case 'standard': {
        const id = h('webhook-id');
        const ts = Number(h('webhook-timestamp'));
        const sigs = (h('webhook-signature') ?? '').split(' ').filter((s) => s.startsWith('v1,'));
        if (!id || !Number.isFinite(ts) || sigs.length === 0) throw invalid();
        const key = secret.startsWith('whsec_')
          ? Buffer.from(secret.slice(6), 'base64')
          : Buffer.from(secret);
        const expected = hmac(key, `${id}.${ts}.${body.toString('utf8')}`);
        if (!sigs.some((s) => safeEqual(Buffer.from(s.slice(3), 'base64'), expected))) throw invalid();
        checkTime(ts);
        return { id };
      }
      case 'shared-secret': {
        const auth = h('authorization');
        const given =
          h(hook.header ?? 'x-webhook-secret') ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
        if (!given || !safeEqual(hmac('cmp', given), hmac('cmp', secret))) throw invalid();
        return { id: h('webhook-id') ?? h('x-request-id') };
      }
      default:
        return { id: h('webhook-id') ?? h('x-request-id') };
    }
  }

  return {
    async create(tenant, input) {
      const bad = (reason: string) => WebhookErrors.BAD_WEBHOOK({ reason });
      const id = input.id ?? `wh_${randomBytes(9).toString('base64url')}`;
      if (!ID.test(id)) throw bad('id is 3–64 of A–Z a–z 0–9 _ -');
      if (!SCHEMES.includes(input.verification)) throw bad(`verification is one of ${SCHEMES.join(', ')}`);
      const tolerance = input.toleranceSec ?? 300;
      if (!Number.isInteger(tolerance) || tolerance < 1 || tolerance > 86_400)
        throw bad('toleranceSec is 1–86400');
      if (input.header !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(input.header))
        throw bad('header is a header name');
      await d.bus.getTopic(tenant, input.topic);
      const needsSecret = input.verification !== 'none';
      const secret = needsSecret
        ? (input.secret ?? `whsec_${randomBytes(24).toString('base64')}`)
        : undefined;
      if (secret !== undefined && secret.length < 16) throw bad('the secret needs at least 16 characters');
      const hook: WebhookRecord = {
        tenant,
        id,
        topic: input.topic,
        verification: input.verification,
        secretCiphertext: secret === undefined ? undefined : encryptSecret(d.masterKey, secret, aad(id)),
        header: input.header?.toLowerCase(),
        toleranceSec: tolerance,
        description: input.description ?? '',
        createdAt: d.clock.now(),
      };
      await d.repo.create(hook);
      return { hook, secret: input.secret === undefined ? secret : undefined };
    },

    list: (tenant) => d.repo.list(tenant),

    async delete(tenant, id) {
      if (!(await d.repo.delete(tenant, id))) throw CoreErrors.NOT_FOUND({ what: `webhook ${id}` });
    },

    async receive(id, req) {
      const hook = ID.test(id) ? await d.repo.get(id) : undefined;
      if (!hook) throw WebhookErrors.NOT_FOUND({ id: id.slice(0, 64) });
      const h = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const secret = hook.secretCiphertext
        ? decryptSecret(d.masterKey, hook.secretCiphertext, aad(hook.id))
        : '';
      const v = verify(hook, secret, h, req.body);
      const text = req.body.toString('utf8');
      const type = (h('content-type') ?? '').toLowerCase();
      let data: unknown = text;
      if (type.includes('json') || (type === '' && /^\s*[[{]/.test(text))) {
        try {
          data = JSON.parse(text);
        } catch {
          throw WebhookErrors.BAD_WEBHOOK({ reason: 'the body says JSON but does not parse' });
        }
      }
      const obj =
        data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
      const eventId =
        v.id ??
        (typeof obj.id === 'string' ? obj.id : undefined) ??
        createHmac('sha256', 'event-id')
          .update(req.body)
          .update(String(h('date') ?? ''))
          .digest('hex')
          .slice(0, 32);
      const seenKey = `${hook.id}\u0000${eventId}`;
      if (seen.has(seenKey)) return { status: 200, body: { id: eventId, duplicate: true } };
      const event = {
        specversion: '1.0',
        id: eventId,
        source: `nimbus://hooks/${hook.id}`,
        type: v.type ?? (typeof obj.type === 'string' ? obj.type : 'nimbus.webhook.received'),
        time: new Date(d.clock.now()).toISOString(),
        datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json',
        data,
      };
      const [r] = await d.bus.publish(hook.tenant, hook.topic, [event]);
      remember(seenKey); // only once it is committed: a refused call may be retried by the sender
      return { status: 202, body: { id: eventId, deliveries: r?.deliveries ?? 0 } };
    },
  };
}
