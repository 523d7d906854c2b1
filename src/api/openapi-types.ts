/**
 * TypeScript declarations from the OpenAPI document (openapi.ts), for the console's API client:
 * `paths`, `operations` and `components` shaped like openapi-typescript's output (so a typed
 * fetch wrapper such as openapi-fetch fits), plus one alias per named schema. Covers the JSON
 * Schema subset `z.toJSONSchema` emits: type (or a list of types), const, enum, anyOf/oneOf,
 * allOf, properties/required/additionalProperties, items/prefixItems and component `$ref`s.
 * (openapi-typescript itself wants TypeScript 5; the project uses 7.)
 */
import type { OpenApiDocument } from './openapi.ts';

type Json = Record<string, unknown>;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string) => (IDENT.test(k) ? k : JSON.stringify(k));
const lit = (v: unknown) => JSON.stringify(v);
/**
 * True when a `|` or `&` of `t` is outside every bracket, string and comment: `t` is a union or
 * an intersection, and needs parentheses inside `[]` or another union. (`{ a: 1 } | { b: 2 }`
 * starts with a brace and is one: testing the first character made `notify` a union with an array.)
 */
function compound(t: string): boolean {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < t.length && t[i] !== c; i++) if (t[i] === '\\') i++;
    } else if (c === '/' && t[i + 1] === '*') {
      const end = t.indexOf('*/', i + 2);
      i = end < 0 ? t.length : end + 1;
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (depth === 0 && (c === '|' || c === '&')) return true;
  }
  return false;
}
const paren = (t: string) => (compound(t) ? `(${t})` : t);
const union = (ts: string[]) => {
  const u = [...new Set(ts)];
  return u.length === 0 ? 'never' : u.join(' | ');
};

function doc(s: Json | boolean, pad: string): string {
  const d = typeof s === 'object' ? s.description : undefined;
  return typeof d === 'string' && d !== '' ? `${pad}/** ${d.replaceAll('*/', '*\\/')} */\n` : '';
}

function objectType(s: Json, pad: string): string {
  const props = (s.properties ?? {}) as Record<string, Json | boolean>;
  const required = new Set((s.required ?? []) as string[]);
  const inner = `${pad}  `;
  const lines = Object.entries(props).map(
    ([k, v]) => `${doc(v, inner)}${inner}${key(k)}${required.has(k) ? '' : '?'}: ${schemaToTs(v, inner)};`,
  );
  const extra = s.additionalProperties;
  const index =
    extra === false
      ? undefined
      : extra === undefined || extra === true
        ? lines.length === 0
          ? 'unknown'
          : undefined
        : schemaToTs(extra as Json, inner);
  const body = lines.length === 0 ? '' : `{\n${lines.join('\n')}\n${pad}}`;
  if (index === undefined) return body || 'Record<string, never>';
  const rec = `{ [key: string]: ${index} }`;
  return body ? `${body} & ${rec}` : rec;
}

function single(s: Json, type: string, pad: string): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      if (Array.isArray(s.prefixItems))
        return `[${(s.prefixItems as Json[]).map((i) => schemaToTs(i, pad)).join(', ')}]`;
      return s.items ? `${paren(schemaToTs(s.items as Json, pad))}[]` : 'unknown[]';
    }
    case 'object':
      return objectType(s, pad);
    default:
      return 'unknown';
  }
}

const closedObject = (a: Json) =>
  a.additionalProperties === false &&
  typeof a.properties === 'object' &&
  a.properties !== null &&
  (a.type === undefined || a.type === 'object');

/**
 * Alternatives that are objects taking no other properties exclude each other, but a TypeScript
 * union of `{ topic: string }` and `{ function: string }` accepts `{ topic, function }` (excess
 * properties are checked against the union as a whole), which the server refuses. Each such
 * alternative gets the other ones' keys as `?: never`:
 * `{ topic: string; function?: never; webhook?: never }`. (`'topic' in t` still narrows.)
 */
function exclusive(alts: Json[]): Json[] {
  const closed = alts.filter(closedObject);
  if (closed.length < 2) return alts;
  const keys = new Set(closed.flatMap((a) => Object.keys(a.properties as Json)));
  return alts.map((a) => {
    if (!closedObject(a)) return a;
    const own = a.properties as Json;
    const never = [...keys].filter((k) => !Object.hasOwn(own, k)).map((k) => [k, false] as const);
    return never.length === 0 ? a : { ...a, properties: { ...own, ...Object.fromEntries(never) } };
  });
}

/** One JSON Schema as a TypeScript type expression (`pad`: the indentation it starts at). */
export function schemaToTs(s: Json | boolean, pad = ''): string {
  if (s === true) return 'unknown';
  if (s === false) return 'never';
  if (typeof s.$ref === 'string') {
    const m = /^#\/components\/schemas\/(.+)$/.exec(s.$ref);
    return m ? `components['schemas'][${lit(m[1])}]` : 'unknown';
  }
  if ('const' in s) return lit(s.const);
  if (Array.isArray(s.enum)) return union(s.enum.map(lit));
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alts) return union(exclusive(alts).map((a) => paren(schemaToTs(a, pad))));
  if (Array.isArray(s.allOf)) return (s.allOf as Json[]).map((a) => paren(schemaToTs(a, pad))).join(' & ');
  if (Array.isArray(s.type)) return union((s.type as string[]).map((t) => paren(single(s, t, pad))));
  if (typeof s.type === 'string') return single(s, s.type, pad);
  if (s.properties || s.additionalProperties !== undefined) return objectType(s, pad);
  return 'unknown';
}

function content(c: Record<string, Json> | undefined, pad: string): string {
  if (!c) return 'never';
  const lines = Object.entries(c).map(
    ([type, m]) => `${pad}  ${lit(type)}: ${schemaToTs((m.schema ?? {}) as Json, `${pad}  `)};`,
  );
  return `{\n${lines.join('\n')}\n${pad}}`;
}

function operationType(op: Json, doc: OpenApiDocument, pad: string): string {
  const p2 = `${pad}  `;
  const p3 = `${p2}  `;
  const params = (op.parameters ?? []) as Json[];
  const group = (where: string) => {
    const ps = params.filter((p) => p.in === where);
    if (ps.length === 0) return `${p2}  ${where}?: never;`;
    const fields = ps.map(
      (p) =>
        `${doc0(p, `${p3}  `)}${p3}  ${key(String(p.name))}${p.required ? '' : '?'}: ${schemaToTs(p.schema as Json, `${p3}  `)};`,
    );
    const opt = ps.every((p) => !p.required) ? '?' : '';
    return `${p3}${where}${opt}: {\n${fields.join('\n')}\n${p3}};`;
  };
  const lines = [`${p2}parameters: {`, group('path'), group('query'), group('header'), `${p2}};`];
  const body = op.requestBody as Json | undefined;
  if (body)
    lines.push(
      `${p2}requestBody${body.required ? '' : '?'}: {\n${p3}content: ${content(body.content as Record<string, Json>, p3)};\n${p2}};`,
    );
  else lines.push(`${p2}requestBody?: never;`);
  lines.push(`${p2}responses: {`);
  for (const [status, r0] of Object.entries(op.responses as Record<string, Json>)) {
    const r = resolveResponse(r0, doc);
    const c = r.content as Record<string, Json> | undefined;
    lines.push(
      // Numeric status keys, as openapi-typescript writes them: openapi-fetch matches 200, not "200".
      `${p3}${/^\d+$/.test(status) ? status : key(status)}: {\n${p3}  headers: { [name: string]: unknown };\n${p3}  content${c ? '' : '?'}: ${c ? content(c, `${p3}  `) : 'never'};\n${p3}};`,
    );
  }
  lines.push(`${p2}};`);
  return `{\n${lines.join('\n')}\n${pad}}`;
}

const doc0 = (p: Json, pad: string) => doc(p, pad);

function resolveResponse(r: Json, d: OpenApiDocument): Json {
  const m = typeof r.$ref === 'string' ? /^#\/components\/responses\/(.+)$/.exec(r.$ref) : null;
  if (!m) return r;
  const responses = (d.components.responses ?? {}) as Record<string, Json>;
  return responses[m[1]!] ?? {};
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** The declarations file's text. */
export function openApiTypes(d: OpenApiDocument): string {
  const out: string[] = [
    '// Generated from the Nimbus REST API OpenAPI document (GET /v1/openapi.json, src/api/openapi.ts)',
    '// by `npm run openapi:types`. Do not edit: change the route schemas and run it again.',
    '',
    'export interface paths {',
  ];
  const ops: string[] = [];
  for (const [path, item] of Object.entries(d.paths)) {
    out.push(`  ${lit(path)}: {`);
    for (const m of METHODS) {
      const op = item[m] as Json | undefined;
      if (!op) continue;
      const id = String(op.operationId);
      out.push(`    ${m}: operations[${lit(id)}];`);
      const summary =
        typeof op.summary === 'string' ? `  /** ${m.toUpperCase()} ${path}: ${op.summary} */\n` : '';
      ops.push(`${summary}  ${key(id)}: ${operationType(op, d, '  ')};`);
    }
    out.push('  };');
  }
  out.push(
    '}',
    '',
    'export interface operations {',
    ...ops,
    '}',
    '',
    'export interface components {',
    '  schemas: {',
  );
  const schemas = d.components.schemas;
  for (const [name, s] of Object.entries(schemas))
    out.push(`${doc(s, '    ')}    ${key(name)}: ${schemaToTs(s, '    ')};`);
  out.push('  };', '}', '');
  for (const name of Object.keys(schemas))
    out.push(`export type ${name} = components['schemas'][${lit(name)}];`);
  out.push('');
  return out.join('\n');
}
