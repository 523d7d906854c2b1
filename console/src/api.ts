/** The console's client for the public REST API (docs/API.md): every call carries the user's key. */

/** A coded API error, as the platform sends it: `{error: {code, message, status, hint?}}`. */
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

export type Fetcher = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** The coded error of a failed answer (or one made up from its status and text). */
export async function errorOf(r: Response): Promise<ApiError> {
  const text = await r.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string; hint?: string } }).error;
    if (e?.code)
      return new ApiError({ code: e.code, message: e.message ?? '', status: r.status, hint: e.hint });
  } catch {
    // not JSON: a proxy or the network in between
  }
  return new ApiError({
    code: `HTTP_${r.status}`,
    message: text.slice(0, 300) || r.statusText,
    status: r.status,
  });
}

/** The platform did not answer at all. */
export function networkError(e: unknown): ApiError {
  return new ApiError({
    code: 'NETWORK',
    message: `the platform did not answer (${(e as Error)?.message ?? e})`,
    status: 0,
    hint: 'check that Nimbus is running and reachable from this browser',
  });
}

/** One request with the key: no answer, or an answer that is not ok, becomes a coded ApiError. */
export async function request(
  key: string,
  method: string,
  path: string,
  init: { body?: BodyInit; type?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(init.type ? { 'content-type': init.type } : {}) },
      body: init.body,
      signal: init.signal,
    });
  } catch (e) {
    throw networkError(e);
  }
  if (!r.ok) throw await errorOf(r);
  return r;
}

export function fetcherFor(key: string): Fetcher {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await request(
      key,
      method,
      path,
      body === undefined ? {} : { body: JSON.stringify(body), type: 'application/json' },
    );
    if (r.status === 204) return undefined as T;
    return (await r.json()) as T;
  };
}

/** Streams NDJSON lines of a `follow=1` answer until `signal` aborts. */
export async function followLines<T>(
  key: string,
  path: string,
  signal: AbortSignal,
  onItem: (item: T) => void,
): Promise<void> {
  const r = await request(key, 'GET', path, { signal });
  if (!r.body) throw await errorOf(r);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onItem(JSON.parse(line) as T);
      nl = buf.indexOf('\n');
    }
  }
}

// The shapes the console reads (docs/API.md; until the API publishes an OpenAPI document).

export interface FunctionView {
  name: string;
  arn: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSec: number;
  description?: string;
  codeSha256: string;
  codeSize: number;
  /** The archive it was deployed from, when the platform kept it (GET …/source). */
  sourceSha256?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface FunctionStatus {
  functionName: string;
  warm: number;
  busy: number;
  starting: number;
  inflight: number;
  invocations: number;
  coldStarts: number;
  throttles: number;
}

export interface DeployAnswer {
  function: FunctionView;
  timings: { buildMs: number; storeMs: number; totalMs: number };
  warnings: string[];
  unchanged: boolean;
}

export interface InvokeAnswer {
  requestId: string;
  version: string;
  ok: boolean;
  result?: unknown;
  error?: { errorType?: string; errorMessage?: string; trace?: string[]; code?: string };
  cold: boolean;
  initDurationMs?: number;
  durationMs: number;
  billedDurationMs: number;
  maxRssBytes?: number;
  memoryMb: number;
  logTail?: string;
}

export interface LogLine {
  seq: number;
  ts: number;
  requestId: string | null;
  version: string | null;
  stream: string;
  message: string;
  level: string | null;
}

export interface MetricSeries {
  function: string | null;
  name: string;
  step: number;
  from: number;
  to: number;
  points: [number, number][];
}
