/** The coded errors the console shows: the platform's `{error: {code, message, status, hint?}}`. */

/** A coded API error, as the platform sends it. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | undefined;
  constructor(init: { code: string; message: string; status: number; hint?: string | undefined }) {
    super(init.message);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = init.status;
    this.hint = init.hint;
  }
}

interface Coded {
  error?: { code?: unknown; message?: unknown; hint?: unknown };
}

/** The coded error of a failed answer's body (parsed JSON, or text), else one made up from the status. */
export function errorOfBody(status: number, statusText: string, body: unknown): ApiError {
  const e = typeof body === 'object' && body !== null ? (body as Coded).error : undefined;
  if (e && typeof e.code === 'string')
    return new ApiError({
      code: e.code,
      message: typeof e.message === 'string' ? e.message : '',
      status,
      hint: typeof e.hint === 'string' ? e.hint : undefined,
    });
  // Not the platform's JSON: a proxy or the network in between.
  return new ApiError({
    code: `HTTP_${status}`,
    message: (typeof body === 'string' && body ? body.slice(0, 300) : '') || statusText,
    status,
  });
}

/** The coded error of a failed Response. */
export async function errorOf(r: Response): Promise<ApiError> {
  const text = await r.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text
  }
  return errorOfBody(r.status, r.statusText, body);
}

/** The platform did not answer at all. */
export function networkError(e: unknown): ApiError {
  return new ApiError({
    code: 'NETWORK',
    message: `the platform did not answer (${e instanceof Error ? e.message : String(e)})`,
    status: 0,
    hint: 'check that Nimbus is running and reachable from this browser',
  });
}
