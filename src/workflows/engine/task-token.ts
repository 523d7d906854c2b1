/**
 * Task tokens of `.waitForTaskToken` tasks: opaque to users, they name the execution, the wait
 * and a random nonce (the secret: only the function that received the token can complete the
 * task). SendTask* decode them and look the execution up under the caller's own tenant.
 */
export interface TaskTokenParts {
  readonly arn: string;
  readonly token: string;
  readonly nonce: string;
}

export function encodeTaskToken(p: TaskTokenParts): string {
  return Buffer.from(JSON.stringify([p.arn, p.token, p.nonce])).toString('base64url');
}

/** undefined for anything that is not a token this platform issued (shape only). */
export function decodeTaskToken(s: string): TaskTokenParts | undefined {
  if (s.length === 0 || s.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(s)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'string')) return undefined;
    const [arn, token, nonce] = v as [string, string, string];
    return { arn, token, nonce };
  } catch {
    return undefined;
  }
}
