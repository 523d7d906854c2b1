/**
 * Runtime identifiers → installed runtime families, and function configuration validation.
 *
 * Every id the Serverless Framework (v3) accepts for Node, Python, Java and custom runtimes is
 * accepted. Each runs on the installed runtime of its family: Node ids on the platform's Node 24,
 * Python ids on the machine's python3, Java ids on the installed JDK 17, `provided*` as a custom
 * runtime. Where the id names a version that is not the one installed and the difference can
 * matter (end-of-life Node, Python 3.7, Java other than 17), the deploy carries a warning saying so.
 * Ids of languages that are not installed (.NET, Ruby, Go) are refused with the supported list.
 */

import { asyncConfigProblems } from '../async/config.ts';
import { FUNCTION_ISOLATIONS, type FunctionConfig, type RuntimeFamily } from '../core/types.ts';
import { RuntimeErrors } from '../runtime/errors.ts';
import { scalingConfigProblems } from '../scheduler/config.ts';
import { DeployErrors } from './errors.ts';

/** How a runtime id runs here. */
export interface ResolvedRuntime {
  readonly family: RuntimeFamily;
  /** Set when the id's own version is not installed and it runs on the nearest one. */
  readonly warning?: string;
}

const NODE_OLD = (id: string) =>
  `${id} runs on Node.js 24 here (the installed Node); code that relies on behaviour removed since ${id.replace(/^nodejs(\d+)\.x$/, 'Node.js $1')} may fail (the v2 AWS SDK, require('aws-sdk'), is provided as on Lambda)`;
const PYTHON_OLD = (id: string) =>
  `${id} runs on this machine's python3 here (Python ${id.slice('python'.length)} is not installed); code that relies on behaviour removed since Python ${id.slice('python'.length)} may fail`;
const JAVA_OLDER = (id: string, removed: string) =>
  `${id} runs on Java 17 here (the installed JDK); sources are compiled with --release 17, and code that uses APIs removed since Java ${id.replace(/^java(\d+).*$/, '$1')} (${removed}) will fail`;
const JAVA_NEWER = (id: string) =>
  `${id} runs on Java 17 here (the installed JDK); code compiled for a newer class version will not load`;

/** Every accepted id, in the order the supported list names them. */
const TABLE: ReadonlyMap<string, ResolvedRuntime> = new Map<string, ResolvedRuntime>([
  ['nodejs24.x', { family: 'node' }],
  ['nodejs22.x', { family: 'node' }],
  ['nodejs20.x', { family: 'node' }],
  ['nodejs18.x', { family: 'node' }],
  ['nodejs16.x', { family: 'node', warning: NODE_OLD('nodejs16.x') }],
  ['nodejs14.x', { family: 'node', warning: NODE_OLD('nodejs14.x') }],
  ['nodejs12.x', { family: 'node', warning: NODE_OLD('nodejs12.x') }],
  ['nodejs', { family: 'node' }],
  ['node', { family: 'node' }],
  ['python3.14', { family: 'python' }],
  ['python3.13', { family: 'python' }],
  ['python3.12', { family: 'python' }],
  ['python3.11', { family: 'python' }],
  ['python3.10', { family: 'python' }],
  ['python3.9', { family: 'python' }],
  ['python3.8', { family: 'python' }],
  ['python3.7', { family: 'python', warning: PYTHON_OLD('python3.7') }],
  ['python3', { family: 'python' }],
  ['python', { family: 'python' }],
  ['java25', { family: 'java', warning: JAVA_NEWER('java25') }],
  ['java21', { family: 'java', warning: JAVA_NEWER('java21') }],
  ['java17', { family: 'java' }],
  ['java11', { family: 'java', warning: JAVA_OLDER('java11', 'e.g. the Nashorn JavaScript engine') }],
  ['java8.al2', { family: 'java', warning: JAVA_OLDER('java8.al2', 'e.g. javax.xml.bind') }],
  ['java8', { family: 'java', warning: JAVA_OLDER('java8', 'e.g. javax.xml.bind') }],
  ['provided.al2023', { family: 'provided' }],
  ['provided.al2', { family: 'provided' }],
  ['provided', { family: 'provided' }],
]);

/** The runtime ids Nimbus accepts (named in the UNSUPPORTED_RUNTIME hint). */
export const SUPPORTED_RUNTIMES: readonly string[] = Object.freeze([...TABLE.keys()]);

/** Lambda ids of languages not installed here (refused with a hint that names the language). */
const NOT_INSTALLED: readonly [RegExp, string][] = [
  [/^dotnet(core)?\d+(\.\d+)?$/, '.NET'],
  [/^ruby\d+(\.\d+)?$/, 'Ruby'],
  [/^go1\.x$/, 'Go (go1.x; build a `bootstrap` binary and use provided.al2023 instead)'],
];

const supportedList = () => `supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')}`;

/** The family an id runs on and, if it runs on another version than it names, the warning. */
export function resolveRuntimeId(id: string): ResolvedRuntime {
  const hit = TABLE.get(id);
  if (hit) return hit;
  const lang = NOT_INSTALLED.find(([re]) => re.test(id))?.[1];
  throw RuntimeErrors.UNSUPPORTED_RUNTIME(
    { runtime: id },
    {
      hint: lang
        ? `${id} is a valid Lambda runtime but ${lang} is not installed in Nimbus; ${supportedList()}`
        : supportedList(),
      details: { supported: SUPPORTED_RUNTIMES },
    },
  );
}

/** The family an id runs on (throws RUNTIME_UNSUPPORTED_RUNTIME, with the supported ids as hint). */
export function resolveRuntime(id: string): RuntimeFamily {
  return resolveRuntimeId(id).family;
}

/** `com.example.Hello::handleRequest` or `com.example.Hello` (a RequestHandler / RequestStreamHandler). */
export const JAVA_HANDLER = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:::([A-Za-z_$][\w$]*))?$/;

/**
 * The path a handler names must stay inside the code root: no absolute path, no `..` segment
 * (Node and Python module paths, the custom runtime's handler, Java class names). Python's
 * `pkg.mod.fn` becomes `pkg/mod.py`, so a leading dot there would make the path absolute.
 */
export function handlerLeavesRoot(family: RuntimeFamily, handler: string): boolean {
  if (handler.includes('\0')) return true;
  const escapes = (p: string) =>
    /^[/\\]/.test(p) || /^[A-Za-z]:/.test(p) || p.split(/[/\\]/).some((s) => s === '..');
  const dot = handler.lastIndexOf('.');
  const file = dot < 0 ? handler : handler.slice(0, dot);
  switch (family) {
    case 'java':
      return /[/\\]|\.\./.test(handler);
    case 'provided':
      return escapes(handler);
    case 'python':
      return escapes(file) || file.replace(/\./g, '/').startsWith('/');
    case 'node':
      return escapes(file);
  }
}

/** Throws DEPLOY_PATH_OUTSIDE_ROOT for a handler that names a path outside the code root. */
export function assertHandlerInside(family: RuntimeFamily, handler: unknown): void {
  if (typeof handler === 'string' && handlerLeavesRoot(family, handler)) {
    throw DeployErrors.PATH_OUTSIDE_ROOT({ paths: `  - handler ${JSON.stringify(handler)}` });
  }
}

export function validateFunctionName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw DeployErrors.INVALID_CONFIG({
      problems: `  - name ${JSON.stringify(name)}: 1–64 characters, letters, digits, - and _ only`,
    });
  }
}

/** Throws one DEPLOY_INVALID_CONFIG listing every problem. */
export function validateFunctionConfig(c: FunctionConfig): void {
  const problems: string[] = [];
  let family: RuntimeFamily | '' = '';
  if (typeof c.runtime !== 'string' || !c.runtime) problems.push('runtime: required');
  else {
    try {
      family = resolveRuntime(c.runtime);
    } catch (e) {
      const hint = (e as { hint?: unknown }).hint;
      problems.push(`runtime: ${(e as Error).message}${typeof hint === 'string' ? ` (${hint})` : ''}`);
    }
  }
  // A handler that leads out of the code root is refused on its own, with its own code.
  if (family) assertHandlerInside(family, c.handler);
  // Custom runtimes get the handler as _HANDLER and may give it any meaning.
  const custom = family === 'provided';
  if (family === 'java') {
    if (typeof c.handler !== 'string' || c.handler.length > 128 || !JAVA_HANDLER.test(c.handler)) {
      problems.push(
        `handler ${JSON.stringify(c.handler)}: must look like <package.Class>::<method> or <package.Class>, e.g. com.example.Hello::handleRequest`,
      );
    }
  } else if (
    typeof c.handler !== 'string' ||
    (custom ? !/^\S{1,128}$/.test(c.handler) : !/^[^\s]+\.[A-Za-z_$][\w$]*$/.test(c.handler))
  ) {
    problems.push(`handler ${JSON.stringify(c.handler)}: must look like <file>.<export>, e.g. index.handler`);
  }
  if (!Number.isInteger(c.memoryMb) || c.memoryMb < 128 || c.memoryMb > 10240) {
    problems.push(`memory ${c.memoryMb}: must be an integer from 128 to 10240 MB`);
  }
  if (!Number.isInteger(c.timeoutSec) || c.timeoutSec < 1 || c.timeoutSec > 900) {
    problems.push(`timeout ${c.timeoutSec}: must be an integer from 1 to 900 seconds`);
  }
  if (typeof c.description !== 'string' || c.description.length > 256)
    problems.push('description: at most 256 characters');
  let envSize = 0;
  for (const [k, v] of Object.entries(c.environment ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(k))
      problems.push(`environment ${k}: names start with a letter, then letters, digits, _`);
    else if (/^AWS_/.test(k) || k === 'LAMBDA_TASK_ROOT' || k === '_HANDLER')
      problems.push(`environment ${k}: reserved name`);
    if (typeof v !== 'string') problems.push(`environment ${k}: value must be a string`);
    envSize += k.length + String(v).length;
  }
  if (envSize > 4096) problems.push(`environment: ${envSize} bytes in total; the limit is 4 KB`);
  if (
    c.reservedConcurrency !== undefined &&
    (!Number.isInteger(c.reservedConcurrency) || c.reservedConcurrency < 1)
  ) {
    problems.push('reservedConcurrency: a positive integer');
  }
  problems.push(...asyncConfigProblems(c.async));
  problems.push(...scalingConfigProblems(c.scaling, family));
  if (c.isolation !== undefined) {
    if (!FUNCTION_ISOLATIONS.includes(c.isolation)) {
      problems.push(`isolation ${JSON.stringify(c.isolation)}: one of ${FUNCTION_ISOLATIONS.join(', ')}`);
    } else if (c.isolation === 'isolate' && family !== '' && family !== 'node') {
      problems.push(
        `isolation isolate: only Node functions run in isolates (runtime ${c.runtime} is ${family})`,
      );
    }
  }
  if (problems.length > 0)
    throw DeployErrors.INVALID_CONFIG({ problems: problems.map((p) => `  - ${p}`).join('\n') });
}
