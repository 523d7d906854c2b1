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
