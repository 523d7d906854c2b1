/**
 * The OpenAPI document's table (openapi-routes.ts) without a server: every route that answers
 * JSON names the schema of its answer, every named schema is used, and the TypeScript generator
 * (openapi-types.ts) keeps unions of closed objects apart. openapi.e2e.test checks the schemas
 * against real answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openApiDocument } from './openapi.ts';
import { ROUTES, type RouteDoc, SCHEMAS } from './openapi-routes.ts';
import { openApiTypes, schemaToTs } from './openapi-types.ts';

/**
 * Routes that answer JSON without a `response` schema, and why. Empty: every JSON answer is
 * described. (A route that answers only 204, or only what `produces` lists — `notJson` — has no
 * JSON answer and needs none.)
 */
const NO_RESPONSE_SCHEMA: Readonly<Record<string, string>> = {};

const answersJson = (r: RouteDoc) => !r.notJson && (r.status ?? [200]).some((s) => s !== 204);

type Json = Record<string, unknown>;

/** Every `$ref` name under `v`. */
function refs(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x.slice(x.lastIndexOf('/') + 1));
      else refs(x, out);
    }
  return out;
}

describe('OpenAPI route table', () => {
  it('names the answer schema of every route that answers JSON', () => {
    const missing = Object.entries(ROUTES)
      .filter(([key, r]) => answersJson(r) && !r.response && !(key in NO_RESPONSE_SCHEMA))
      .map(([key]) => key);
    assert.deepEqual(missing, [], 'JSON routes without `response` (describe the answer in openapi-views.ts)');
    for (const key of Object.keys(NO_RESPONSE_SCHEMA))
      assert.ok(ROUTES[key] && !ROUTES[key].response, `${key}: stale entry of NO_RESPONSE_SCHEMA`);
  });

  it('gives no answer schema to routes without a JSON answer', () => {
    const odd = Object.entries(ROUTES)
      .filter(([, r]) => !answersJson(r) && r.response)
      .map(([key]) => key);
    assert.deepEqual(odd, []);
  });

  it('declares each JSON success answer as a named schema in the document', () => {
    const doc = openApiDocument();
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        const responses = (op as { responses: Record<string, Json> }).responses;
        for (const [status, r] of Object.entries(responses)) {
          if (!/^2\d\d$/.test(status) || status === '204') continue;
          const json = (r.content as Record<string, { schema: Json }> | undefined)?.['application/json'];
          const route = ROUTES[`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`];
          if (route?.notJson) continue;
          assert.match(
            String(json?.schema.$ref),
            /^#\/components\/schemas\/\w+$/,
            `${method} ${path} ${status}`,
          );
        }
      }
  });

  it('uses every named schema (a route body or answer, or inside another schema)', () => {
    const doc = openApiDocument();
    const used = refs({ paths: doc.paths, components: doc.components });
    const unused = Object.keys(SCHEMAS).filter((name) => !used.has(name));
    assert.deepEqual(unused, []);
  });
});

describe('OpenAPI TypeScript generator', () => {
  const closed = (props: Record<string, Json>): Json => ({
    type: 'object',
    properties: props,
    required: Object.keys(props),
    additionalProperties: false,
  });
  const str = { type: 'string' };

  it('puts a union of object types in parentheses inside an array', () => {
    const t = schemaToTs({
      type: 'array',
      items: {
        anyOf: [
          { type: 'object', properties: { a: str } },
          { type: 'object', properties: { b: str } },
        ],
      },
    });
    assert.equal(t.replace(/\s+/g, ' '), '({ a?: string; } | { b?: string; })[]');
  });

  it('leaves a lone object type bare, and unions of scalars in parentheses', () => {
    assert.equal(
      schemaToTs({ type: 'array', items: { type: 'object', properties: { a: str } } }).replace(/\s+/g, ' '),
      '{ a?: string; }[]',
    );
    assert.equal(schemaToTs({ type: 'array', items: { type: ['string', 'null'] } }), '(string | null)[]');
    // A `|` inside a property, a string literal or a comment is not the item's own.
    assert.equal(
      schemaToTs({
        type: 'array',
        items: { type: 'object', properties: { a: { enum: ['x|y', '}'], description: 'a "|" {' } } },
      }).replace(/\s+/g, ' '),
      '{ /** a "|" { */ a?: "x|y" | "}"; }[]',
    );
  });

  it('makes alternatives that are closed objects exclude each other', () => {
    const t = schemaToTs({
      anyOf: [
        str,
        closed({ topic: str }),
        closed({ function: str, qualifier: str }),
        { type: 'object', properties: { open: str } },
      ],
    }).replace(/\s+/g, ' ');
    assert.equal(
      t,
      'string | { topic: string; function?: never; qualifier?: never; } | { function: string; qualifier: string; topic?: never; } | { open?: string; }',
    );
  });

  it('types AlertRuleRequest.notify as a list of exactly one target each', () => {
    const text = openApiTypes(openApiDocument());
    const alert = /^ {4}AlertRuleRequest: \{\n([\s\S]*?)\n {4}\};$/m.exec(text)?.[1] ?? '';
    const notify = /notify\?: ([\s\S]*?);\n {6}description/.exec(alert)?.[1]?.replace(/\s+/g, ' ');
    assert.equal(
      notify,
      '({ topic: string; function?: never; webhook?: never; } | { function: string; topic?: never; webhook?: never; } | { webhook: string; topic?: never; function?: never; })[]',
    );
  });
});
