/**
 * Secret values a function's instances were given, replaced in its stored log lines by
 * `[secret:<name>]`: a function that prints its database password does not put it in the log
 * store, the CLI, the console or a log query. (The function's own result is its business: a
 * value it returns on purpose is returned.)
 */
export interface SecretRedactor {
  /** Values injected into an instance of (tenant, function), by secret name. */
  remember(tenant: string, functionName: string, values: ReadonlyMap<string, string>): void;
  redact(tenant: string, functionName: string, message: string): string;
}

/** Shorter values would blank out ordinary words; they are not redacted (documented). */
export const MIN_REDACTED_LENGTH = 6;
const MAX_PER_FUNCTION = 200;

export function createSecretRedactor(): SecretRedactor {
  const byFn = new Map<string, Map<string, string>>();
  const key = (t: string, f: string) => `${t}\u0000${f}`;
  return {
    remember(tenant, functionName, values) {
      let m = byFn.get(key(tenant, functionName));
      if (!m) {
        m = new Map();
        byFn.set(key(tenant, functionName), m);
      }
      for (const [name, v] of values) {
        if (v.length < MIN_REDACTED_LENGTH) continue;
        m.delete(v);
        m.set(v, name);
        // Older values (rotated secrets) go first once the bound is reached.
        if (m.size > MAX_PER_FUNCTION) m.delete(m.keys().next().value!);
      }
    },
    redact(tenant, functionName, message) {
      const m = byFn.get(key(tenant, functionName));
      if (!m || m.size === 0) return message;
      let out = message;
      // Longest first, so a value containing another is replaced whole.
      for (const v of [...m.keys()].sort((a, b) => b.length - a.length))
        if (out.includes(v)) out = out.split(v).join(`[secret:${m.get(v)}]`);
      return out;
    },
  };
}
