/** Starting points for a new function, and where the console keeps the source it deployed. */

export interface Template {
  readonly id: string;
  readonly label: string;
  readonly runtime: string;
  readonly handler: string;
  /** The file the editor shows. */
  readonly file: string;
  readonly source: string;
  readonly event: string;
}

export const TEMPLATES: readonly Template[] = [
  {
    id: 'node-hello',
    label: 'Hello world (Node.js 24)',
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    file: 'index.mjs',
    source: `export const handler = async (event, context) => {
  console.log(\`greeting \${event.name ?? 'world'} from \${context.functionName}\`);
  return { message: \`Hello, \${event.name ?? 'world'}!\` };
};
`,
    event: '{\n  "name": "Nimbus"\n}\n',
  },
  {
    id: 'python-hello',
    label: 'Hello world (Python 3)',
    runtime: 'python3.12',
    handler: 'index.handler',
    file: 'index.py',
    source: `def handler(event, context):
    name = event.get("name", "world")
    print(f"greeting {name} from {context.function_name}")
    return {"message": f"Hello, {name}!"}
`,
    event: '{\n  "name": "Nimbus"\n}\n',
  },
];

/**
 * The API keeps the built artifact (for Node.js a bundle), not the source: the console keeps the
 * source it deployed from this browser, with the code hash that deploy produced.
 */
export interface KeptSource {
  readonly file: string;
  readonly source: string;
  readonly codeSha256: string;
}

const sourceKey = (fn: string) => `nimbus.source.${fn}`;

export function keptSource(fn: string): KeptSource | undefined {
  const raw = localStorage.getItem(sourceKey(fn));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as KeptSource;
  } catch {
    return undefined;
  }
}

export function keepSource(fn: string, s: KeptSource): void {
  localStorage.setItem(sourceKey(fn), JSON.stringify(s));
}

export function forgetSource(fn: string): void {
  localStorage.removeItem(sourceKey(fn));
}
