/**
 * EventBridge input transformers: `inputPathsMap` picks values from the event by JSONPath
 * (`$`, `$.a.b`, `$.a[0].b`, `$['key with space']`), `inputTemplate` places them. A placeholder
 * inside a JSON string gets the raw text of a string value; outside, the JSON of the value.
 * `<aws.events.event>` / `<aws.events.event.json>` stand for the whole event.
 */
import { defineErrors } from '../core/errors.ts';
import type { InputTransformer } from '../core/types.ts';

export const TransformErrors = defineErrors('EVENTS', {
  INVALID_TRANSFORMER: {
    status: 400,
    kind: 'user',
    message: 'invalid input transformer: {reason}',
    hint: 'inputPathsMap: {"name": "$.data.name"}, inputTemplate: "{\\"greeting\\": \\"hi <name>\\"}"',
  },
});

type Step = string | number;

export function parseJsonPath(path: string): Step[] {
  if (!path.startsWith('$'))
    throw TransformErrors.INVALID_TRANSFORMER({ reason: `path ${path} must start with $` });
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_$@-]+)|\[(\d+)\]|\['([^']*)'\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw TransformErrors.INVALID_TRANSFORMER({ reason: `cannot read path ${path}` });
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return steps;
}

export function getPath(value: unknown, steps: readonly Step[]): unknown {
  let v = value;
  for (const s of steps) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

export interface CompiledTransformer {
  /** JSON text of the transformed input. */
  apply(event: unknown): string;
}

export function compileTransformer(t: InputTransformer): CompiledTransformer {
  const paths = new Map<string, Step[]>();
  const entries = Object.entries(t.inputPathsMap ?? {});
  if (entries.length > 100) throw TransformErrors.INVALID_TRANSFORMER({ reason: 'at most 100 paths' });
  for (const [name, p] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name.startsWith('aws.'))
      throw TransformErrors.INVALID_TRANSFORMER({ reason: `placeholder name "${name}"` });
    paths.set(name, parseJsonPath(p));
  }
  if (typeof t.inputTemplate !== 'string' || t.inputTemplate.length > 8192)
    throw TransformErrors.INVALID_TRANSFORMER({ reason: 'inputTemplate is a string of at most 8 KB' });
  const template = t.inputTemplate;
  return {
    apply(event) {
      let out = '';
      let inString = false;
      for (let i = 0; i < template.length; i++) {
        const c = template[i]!;
        if (c === '\\' && inString) {
          out += c + (template[i + 1] ?? '');
          i++;
          continue;
        }
        if (c === '"') inString = !inString;
        if (c === '<') {
          const end = template.indexOf('>', i);
          const name = end > i ? template.slice(i + 1, end) : '';
          const whole = name === 'aws.events.event' || name === 'aws.events.event.json';
          if (whole || paths.has(name)) {
            const v = whole ? event : getPath(event, paths.get(name)!);
            if (inString)
              out +=
                typeof v === 'string'
                  ? JSON.stringify(v).slice(1, -1)
                  : v === undefined
                    ? ''
                    : JSON.stringify(v).replace(/"/g, '\\"');
            else out += v === undefined ? 'null' : JSON.stringify(v);
            i = end;
            continue;
          }
        }
        out += c;
      }
      try {
        JSON.parse(out);
        return out;
      } catch {
        return JSON.stringify(out); // a plain-text template becomes a JSON string
      }
    },
  };
}
