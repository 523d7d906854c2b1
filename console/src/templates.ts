/** Starting points for a new function (and the editor of a function whose source was not kept). */

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
