/** Helpers shared by the broker connectors. */

/** Decodes a payload: JSON when it parses, else UTF-8 text. */
export function decodeBody(buf: Uint8Array): unknown {
  const text = Buffer.from(buf).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A header value as text: a string, the first of a repeated one, or UTF-8 bytes (AMQP may carry
 * a long string as bytes); anything else (or longer than a trace header can be) is undefined.
 */
export function headerText(v: unknown): string | undefined {
  const one = Array.isArray(v) ? v[0] : v;
  const s =
    typeof one === 'string'
      ? one
      : Buffer.isBuffer(one) && one.length <= 512
        ? one.toString('utf8')
        : undefined;
  return s !== undefined && s.length > 0 && s.length <= 512 ? s : undefined;
}

export function str(config: Readonly<Record<string, unknown>>, key: string, fallback?: string): string {
  const v = config[key] ?? fallback;
  if (typeof v !== 'string' || v === '') throw new Error(`source config "${key}" is required`);
  return v;
}

/** Retries `connect` with capped backoff until it succeeds or `closed()` turns true. */
export async function withReconnect(
  connect: () => Promise<void>,
  closed: () => boolean,
  onError: (e: unknown) => void,
): Promise<void> {
  for (let n = 0; !closed(); n++) {
    try {
      await connect();
      return;
    } catch (e) {
      onError(e);
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(n, 6))));
    }
  }
}
