/**
 * @module core/errors
 * One error taxonomy for the whole platform. Every error a user can see carries a stable code
 * (`NIMBUS_ERR_<AREA>_<WHAT>`), an HTTP status, a kind (user | system) and retry semantics.
 * Errors cross process boundaries (sandbox → host, API → CLI) as plain data via `toJSON()`.
 */

export type ErrorKind = 'user' | 'system';

export interface ErrorSpec {
  /** HTTP status the gateway/API answer with. */
  readonly status: number;
  readonly kind: ErrorKind;
  /** Message template; `{name}` placeholders are filled from params. */
  readonly message: string;
  /** "How to fix" text shown by the CLI. */
  readonly hint?: string;
  readonly retryable?: boolean;
}

export interface NimbusErrorJSON {
  code: string;
  message: string;
  status: number;
  kind: ErrorKind;
  retryable: boolean;
  retryAfterMs?: number;
  hint?: string;
  details?: Record<string, unknown>;
}

export class NimbusError extends Error {
  readonly code: string;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(init: Omit<NimbusErrorJSON, 'retryable'> & { retryable?: boolean; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'NimbusError';
    this.code = init.code;
    this.status = init.status;
    this.kind = init.kind;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.hint = init.hint;
    this.details = init.details;
  }

  toJSON(): NimbusErrorJSON {
    const out: NimbusErrorJSON = {
      code: this.code,
      message: this.message,
      status: this.status,
      kind: this.kind,
      retryable: this.retryable,
    };
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }

  static fromJSON(j: NimbusErrorJSON): NimbusError {
    return new NimbusError(j);
  }
}

export interface ErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
  retryAfterMs?: number;
  /** Overrides the spec's hint. */
  hint?: string;
}

export type ErrorFactory = (params?: Record<string, unknown>, opts?: ErrorOptions) => NimbusError;

function fill(template: string, params: Record<string, unknown> | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** All codes defined anywhere, so `nimbus` docs and tests can list them. */
export const ERROR_CATALOG = new Map<string, ErrorSpec>();

/**
 * Defines the coded errors of one area:
 * `const E = defineErrors('STORE', { NOT_FOUND: { status: 404, kind: 'user', message: '{what} not found' } })`
 * then `throw E.NOT_FOUND({ what: 'function hello' })` → code `NIMBUS_ERR_STORE_NOT_FOUND`.
 */
export function defineErrors<T extends Record<string, ErrorSpec>>(
  area: string,
  specs: T,
): { readonly [K in keyof T]: ErrorFactory } & { readonly codes: { readonly [K in keyof T]: string } } {
  const out: Record<string, ErrorFactory> = {};
  const codes: Record<string, string> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const code = `NIMBUS_ERR_${area}_${key}`;
    ERROR_CATALOG.set(code, spec);
    codes[key] = code;
    out[key] = (params, opts) => {
      const init: ConstructorParameters<typeof NimbusError>[0] = {
        code,
        message: fill(spec.message, params),
        status: spec.status,
        kind: spec.kind,
        retryable: spec.retryable ?? false,
      };
      const hint = opts?.hint ?? (spec.hint === undefined ? undefined : fill(spec.hint, params));
      if (hint !== undefined) init.hint = hint;
      if (opts?.cause !== undefined) init.cause = opts.cause;
      if (opts?.details !== undefined) init.details = opts.details;
      if (opts?.retryAfterMs !== undefined) init.retryAfterMs = opts.retryAfterMs;
      return new NimbusError(init);
    };
  }
  return Object.freeze({ ...out, codes: Object.freeze(codes) }) as never;
}

export function isNimbusError(e: unknown): e is NimbusError {
  return e instanceof NimbusError;
}

/** Errors shared by every area. */
export const CoreErrors = defineErrors('CORE', {
  INTERNAL: { status: 500, kind: 'system', message: 'internal error: {reason}' },
  VALIDATION: {
    status: 400,
    kind: 'user',
    message: 'invalid request: {reason}',
    hint: 'check the request against the API documentation',
  },
  NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: '{what} not found',
    hint: 'check the name and qualifier (`nimbus functions list` shows what exists)',
  },
  CONFLICT: { status: 409, kind: 'user', message: '{what} already exists' },
  UNAUTHORIZED: {
    status: 401,
    kind: 'user',
    message: 'missing or invalid credentials: {reason}',
    hint: 'set NIMBUS_KEY_ID/NIMBUS_SECRET or use the admin credentials in <data-dir>/admin-credentials.json',
  },
  FORBIDDEN: { status: 403, kind: 'user', message: 'not allowed: {reason}' },
  AUTHZ_MISSING: {
    status: 500,
    kind: 'system',
    message: 'route {route} answered without a policy check; the answer was withheld',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    kind: 'user',
    message: 'request body is {size} bytes; the limit is {limit} bytes',
    hint: 'send a smaller payload (the Invoke limit is 6 MB, like Lambda)',
  },
  MALFORMED_JSON: {
    status: 400,
    kind: 'user',
    message: 'request body is not valid JSON: {reason}',
    hint: 'send a JSON document with Content-Type: application/json',
  },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'user', message: 'unsupported content type {type}' },
});

/** Converts anything thrown into a NimbusError (unknown errors become CORE_INTERNAL, system kind). */
export function toNimbusError(e: unknown): NimbusError {
  if (e instanceof NimbusError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return CoreErrors.INTERNAL({ reason }, { cause: e });
}
