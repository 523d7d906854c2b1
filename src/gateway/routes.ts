/**
 * Route keys and matching with API Gateway HTTP API precedence:
 *   - a route key is `METHOD /path` (METHOD may be ANY) or `$default`;
 *   - paths have static segments, `{param}` segments and a final greedy `{proxy+}`;
 *   - the most specific route wins: compared segment by segment, static beats `{param}` beats
 *     `{greedy+}`, a longer exact match beats a greedy one; then a specific method beats ANY;
 *   - `$default` catches everything else.
 * Staged routes (REST `http` events with a stage) are served at `/<stage>/<path>` — tried first,
 * against that stage's routes only — and, as an alias, at `/<path>` like unstaged routes.
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
  /**
   * The stage the path started with (`/dev/users/42` matched against the `dev` routes as
   * `/users/42`); undefined when the whole path was matched (unstaged routes, or the alias of a
   * staged one).
   */
  readonly stagePrefix?: string;
}

/** The routes on the path's most specific resource (the path part of a key, any method). */
export interface ResourceMatch {
  readonly routes: readonly RouteRecord[];
  readonly stagePrefix?: string;
}

interface Compiled {
  readonly route: RouteRecord;
  readonly key: ParsedRouteKey;
  /** The resource: the key's path with parameter names erased (`/users/{}`), or `$default`. */
  readonly shape: string;
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

function shapeOf(key: ParsedRouteKey): string {
  if (key.isDefault) return '$default';
  return `/${key.segments
    .map((s) => (s.kind === 'static' ? encodeURIComponent(s.value) : s.kind === 'param' ? '{}' : '{+}'))
    .join('/')}`;
}

export class RouteTable {
  readonly #routes: Compiled[];
  /**
   * Index: routes whose first segment is static, by scope + that segment; all others (a first
   * `{param}` / `{proxy+}`, `/`, `$default`) per scope. A scope is a tenant (all its routes) or a
   * tenant's stage (that stage's routes). Each list keeps the precedence order (positions in
   * #routes), and a lookup merges the two lists it needs, so the answer is the one a scan of all
   * routes would give — at the cost of the candidates only (10,000 routes: one bucket, not 10,000
   * comparisons per request).
   */
  readonly #byFirst = new Map<string, number[]>();
  readonly #rest = new Map<string, number[]>();
  /** `tenant \u0001 stage` of every stage some route has. */
  readonly #stages = new Set<string>();
  /** Candidate routes looked at by lookups so far (what proves a lookup is not a scan). */
  #examined = 0;

  constructor(routes: readonly RouteRecord[]) {
    this.#routes = routes
      .map((route) => {
        const key = parsedKey(route.routeKey);
        return { route, key, shape: shapeOf(key) };
      })
      .sort(compare);
    for (const [i, c] of this.#routes.entries()) {
      const scopes = [c.route.tenant];
      if (c.route.stage !== undefined) {
        const staged = `${c.route.tenant}\u0001${c.route.stage}`;
        this.#stages.add(staged);
        scopes.push(staged);
      }
      const first = c.key.segments[0];
      for (const scope of scopes) {
        const [map, k] =
          first?.kind === 'static' ? [this.#byFirst, `${scope}\u0000${first.value}`] : [this.#rest, scope];
        const list = map.get(k);
        if (list) list.push(i);
        else map.set(k, [i]);
      }
    }
  }

  get size(): number {
    return this.#routes.length;
  }

  /** How many candidate routes {@link match} and {@link resource} have examined in total. */
  get candidatesExamined(): number {
    return this.#examined;
  }

  /**
   * Finds the route for a method and a *decoded* path split into segments. When the first
   * segment names a stage of the tenant's routes, the rest of the path is matched against that
   * stage's routes first (`stagePrefix` says so); otherwise — or when none matches — the whole
   * path is matched against all the tenant's routes, staged ones included (their alias).
   */
  match(tenant: string, method: string, pathSegments: readonly string[]): RouteMatch | undefined {
    const m = method.toUpperCase();
    const stage = this.#stageOf(tenant, pathSegments);
    if (stage !== undefined) {
      const found = this.#match(`${tenant}\u0001${stage}`, m, pathSegments.slice(1));
      if (found) return { ...found, stagePrefix: stage };
    }
    return this.#match(tenant, m, pathSegments);
  }

  /**
   * The routes (any method) on the most specific resource the path matches — what answers a
   * preflight for it — with the same stage rule as {@link match}.
   */
  resource(tenant: string, pathSegments: readonly string[]): ResourceMatch | undefined {
    const stage = this.#stageOf(tenant, pathSegments);
    if (stage !== undefined) {
      const routes = this.#resource(`${tenant}\u0001${stage}`, pathSegments.slice(1));
      if (routes) return { routes, stagePrefix: stage };
    }
    const routes = this.#resource(tenant, pathSegments);
    return routes ? { routes } : undefined;
  }

  #stageOf(tenant: string, pathSegments: readonly string[]): string | undefined {
    const first = pathSegments[0];
    return first !== undefined && this.#stages.has(`${tenant}\u0001${first}`) ? first : undefined;
  }

  /** The scope's candidates for a path, in precedence order. */
  *#candidates(scope: string, pathSegments: readonly string[]): Generator<Compiled> {
    const a =
      pathSegments.length > 0 ? (this.#byFirst.get(`${scope}\u0000${pathSegments[0]}`) ?? NONE) : NONE;
    const b = this.#rest.get(scope) ?? NONE;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      this.#examined++;
      yield this.#routes[j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!]!;
    }
  }

  #match(scope: string, method: string, pathSegments: readonly string[]): RouteMatch | undefined {
    for (const c of this.#candidates(scope, pathSegments)) {
      if (c.key.isDefault) return { route: c.route, pathParameters: {} };
      if (c.key.method !== 'ANY' && c.key.method !== method) continue;
      const params = matchSegments(c.key.segments, pathSegments);
      if (params) return { route: c.route, pathParameters: params };
    }
    return undefined;
  }

  #resource(scope: string, pathSegments: readonly string[]): RouteRecord[] | undefined {
    let shape: string | undefined;
    const routes: RouteRecord[] = [];
    for (const c of this.#candidates(scope, pathSegments)) {
      if (shape === undefined) {
        if (c.key.isDefault || matchSegments(c.key.segments, pathSegments)) shape = c.shape;
        else continue;
      }
      if (c.shape === shape) routes.push(c.route);
    }
    return shape === undefined ? undefined : routes;
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
