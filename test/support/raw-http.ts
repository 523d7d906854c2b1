/**
 * Requests a test builds by hand: fetch does not let it set the Host header (virtual-host S3,
 * tenant host names), so these use node:http; and SigV4 headers for a given host and path.
 */
import { request } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** GET `path` from the server at `url`, with these headers (Host included). */
export function rawGet(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The headers of a SigV4-signed GET of `path` on `host` (S3 signs the path as sent). */
export async function sigv4GetHeaders(o: {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  service: string;
  host: string;
  path: string;
  region?: string;
}): Promise<Record<string, string>> {
  const signed = await new SignatureV4({
    credentials: o.credentials,
    region: o.region ?? 'local-1',
    service: o.service,
    sha256: Sha256,
    uriEscapePath: o.service !== 's3',
  }).sign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: o.host.replace(/:\d+$/, ''),
      path: o.path,
      headers: { host: o.host },
    }),
  );
  return signed.headers as Record<string, string>;
}
