/**
 * POSTs a webhook delivery (a subscription's webhook target or a destination record) under the
 * platform's egress rules: the connection goes only to an address the `internet` policy — plus
 * the administrator's NIMBUS_EGRESS_ALLOW_CIDRS — allows. Names are checked on the address that
 * is actually connected to (`guardedLookup`: after DNS, no second resolution, so rebinding cannot
 * swap it); literal IPs before connecting, because Node skips `lookup` for them. Redirects are
 * not followed: a 3xx answers the delivery, it does not name a new target.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  blockedReason,
  DEFAULT_EGRESS,
  EgressDeniedError,
  guardedLookup,
  platformAddressAllowed,
} from '../security/egress.ts';

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** Resolves with the receiver's status; rejects with EgressDeniedError (code EGRESS_DENIED) or a network error. */
export type WebhookPoster = (r: WebhookRequest) => Promise<{ status: number }>;

export function createWebhookPoster(adminAllowCidrs: readonly string[] = []): WebhookPoster {
  const lookup = guardedLookup(DEFAULT_EGRESS, adminAllowCidrs);
  // Own agents: a pooled socket is only ever one that was opened through the guarded lookup.
  const http = new HttpAgent({ keepAlive: false, lookup });
  const https = new HttpsAgent({ keepAlive: false, lookup });
  return (r) =>
    new Promise((resolve, reject) => {
      const u = new URL(r.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        reject(new EgressDeniedError(u.hostname, u.hostname, `scheme ${u.protocol} is not http(s)`));
        return;
      }
      const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host) !== 0 && !platformAddressAllowed(host, adminAllowCidrs)) {
        reject(new EgressDeniedError(host, host, blockedReason(host) ?? 'reserved'));
        return;
      }
      const tls = u.protocol === 'https:';
      const req = (tls ? httpsRequest : httpRequest)(
        u,
        {
          method: 'POST',
          agent: tls ? https : http,
          lookup,
          headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
          signal: AbortSignal.timeout(r.timeoutMs),
        },
        (res) => {
          resolve({ status: res.statusCode ?? 0 });
          res.destroy(); // the status is the answer; the body is not read
        },
      );
      req.on('error', reject);
      req.end(r.body);
    });
}
