/**
 * Route keys and matching with API Gateway HTTP API precedence:
 *   - a route key is `METHOD /path` (METHOD may be ANY) or `$default`;
 *   - paths have static segments, `{param}` segments and a final greedy `{proxy+}`;
 *   - the most specific route wins: compared segment by segment, static beats `{param}` beats
 *     `{greedy+}`, a longer exact match beats a greedy one; then a specific method beats ANY;
 *   - `$default` catches everything else.
 * The table is immutable; the gateway swaps in a new one when routes change, so requests in
 * flight keep the table they started with.
 */
import { defineErrors } from '../core/errors.ts';
import type { RouteRecord } from '../core/types.ts';

export const RouteErrors = defineErrors('ROUTE', {
  INVALID_KEY: {
    status: 400,
    kind: 'user',
    message: 'invalid route key {key}: {reason}',
    hint: 'use "METHOD /path" (METHOD is GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY), e.g. "GET /user/{userId}", or "$default"',
  },
});

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']);

type Segment =
  | { kind: 'static'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

export interface ParsedRouteKey {
  readonly method: string;
  /** Empty for `$default`. */
  readonly segments: readonly Segment[];
  readonly isDefault: boolean;
}

export function parseRouteKey(key: string): ParsedRouteKey {
  if (key === '$default') return { method: 'ANY', segments: [], isDefault: true };
  const m = /^([A-Za-z]+) (\/\S*)$/.exec(key);
  if (!m)
    throw RouteErrors.INVALID_KEY({
      key: JSON.stringify(key),
      reason: 'expected "METHOD /path" or $default',
    });
  const method = m[1]!.toUpperCase();
  if (!METHODS.has(method))
    throw RouteErrors.INVALID_KEY({ key: JSON.stringify(key), reason: `unknown method ${method}` });
  const path = m[2]!;
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (const [i, p] of parts.entries()) {
    if (p === '') throw RouteErrors.INVALID_KEY({ key: JSON.stringify(key), reason: 'empty path segment' });
    const param = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/.exec(p);
    if (param) {
      const name = param[1]!;
      if (names.has(name))
        throw RouteErrors.INVALID_KEY({ key: JSON.stringify(key), reason: `parameter ${name} repeats` });
      names.add(name);
      if (param[2]) {
        if (i !== parts.length - 1) {
          throw RouteErrors.INVALID_KEY({
            key: JSON.stringify(key),
            reason: 'a greedy {name+} parameter must be the last segment',
          });
        }
        segments.push({ kind: 'greedy', name });
      } else segments.push({ kind: 'param', name });
    } else if (/[{}]/.test(p)) {
      throw RouteErrors.INVALID_KEY({
        key: JSON.stringify(key),
        reason: `segment ${p} mixes text and a parameter`,
      });
    } else {
      segments.push({ kind: 'static', value: p });
    }
  }
  return { method, segments, isDefault: false };
}

/** Canonical form (method upper-cased) so `get /a` and `GET /a` are the same route. */
export function normalizeRouteKey(key: string): string {
  const p = parseRouteKey(key);
  if (p.isDefault) return '$default';
  return `${p.method} ${key.slice(key.indexOf(' ') + 1)}`;
}

export interface RouteMatch {
  readonly route: RouteRecord;
  readonly pathParameters: Record<string, string>;
}

interface Compiled {
  readonly route: RouteRecord;
  readonly key: ParsedRouteKey;
}

const RANK = { static: 0, param: 1, greedy: 2 } as const;

/** Negative when a is more specific than b. */
function compare(a: Compiled, b: Compiled): number {
  if (a.key.isDefault !== b.key.isDefault) return a.key.isDefault ? 1 : -1;
  const n = Math.max(a.key.segments.length, b.key.segments.length);
  for (let i = 0; i < n; i++) {
    const sa = a.key.segments[i];
    const sb = b.key.segments[i];
    if (!sa || !sb) return sa ? -1 : 1; // the longer path matched more literally
    if (RANK[sa.kind] !== RANK[sb.kind]) return RANK[sa.kind] - RANK[sb.kind];
  }
  if ((a.key.method === 'ANY') !== (b.key.method === 'ANY')) return a.key.method === 'ANY' ? 1 : -1;
  return 0;
}

function matchSegments(
  segs: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0) return undefined; // {proxy+} needs at least one segment
      params[s.name] = rest.join('/');
      return params;
    }
    const p = parts[i];
    if (p === undefined || p === '') return undefined;
    if (s.kind === 'static') {
      if (s.value !== p) return undefined;
    } else params[s.name] = p;
  }
  return parts.length === segs.length ? params : undefined;
}

export class RouteTable {
  readonly #routes: Compiled[];
  /**
   * Index: routes whose first segment is static, by tenant + that segment; all others (a first
   * `{param}` / `{proxy+}`, `/`, `$default`) per tenant. Each list keeps the precedence order
   * (positions in #routes), and a lookup merges the two lists it needs, so the answer is the one
   * a scan of all routes would give — at the cost of the candidates only (10,000 routes: one
   * bucket, not 10,000 comparisons per request).
   */
  readonly #byFirst = new Map<string, number[]>();
  readonly #rest = new Map<string, number[]>();

  constructor(routes: readonly RouteRecord[]) {
    this.#routes = routes.map((route) => ({ route, key: parsedKey(route.routeKey) })).sort(compare);
    for (const [i, c] of this.#routes.entries()) {
      const first = c.key.segments[0];
      const [map, k] =
        first?.kind === 'static'
          ? [this.#byFirst, `${c.route.tenant}\u0000${first.value}`]
          : [this.#rest, c.route.tenant];
      const list = map.get(k);
      if (list) list.push(i);
      else map.set(k, [i]);
    }
  }

  get size(): number {
    return this.#routes.length;
  }

  /**
   * Finds the route for a method and a *decoded* path split into segments. Returns
   * `{ methodMismatch: true }` when some route matches the path but not the method (→ 404 like
   * API Gateway HTTP APIs, but callers may want to say so).
   */
  match(tenant: string, method: string, pathSegments: readonly string[]): RouteMatch | undefined {
    const m = method.toUpperCase();
    const a =
      pathSegments.length > 0 ? (this.#byFirst.get(`${tenant}\u0000${pathSegments[0]}`) ?? NONE) : NONE;
    const b = this.#rest.get(tenant) ?? NONE;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const c = this.#routes[j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!]!;
      if (c.key.isDefault) return { route: c.route, pathParameters: {} };
      if (c.key.method !== 'ANY' && c.key.method !== m) continue;
      const params = matchSegments(c.key.segments, pathSegments);
      if (params) return { route: c.route, pathParameters: params };
    }
    return undefined;
  }
}

const NONE: readonly number[] = [];

// Tables are rebuilt on every route change; stored keys are valid, so each is parsed once.
const parsed = new Map<string, ParsedRouteKey>();
function parsedKey(key: string): ParsedRouteKey {
  let p = parsed.get(key);
  if (!p) {
    p = parseRouteKey(key);
    if (parsed.size >= 100_000) parsed.clear();
    parsed.set(key, p);
  }
  return p;
}
