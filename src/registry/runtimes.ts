/**
 * Runtime identifiers → installed runtime families, and function configuration validation.
 * All Node ids run on the platform's Node 24 (it runs code written for 18/20/22); Python ids run
 * on the machine's python3; java17 runs on the installed JDK 17.
 */

import { asyncConfigProblems } from '../async/config.ts';
import { FUNCTION_ISOLATIONS, type FunctionConfig, type RuntimeFamily } from '../core/types.ts';
import { RuntimeErrors } from '../runtime/errors.ts';
import { scalingConfigProblems } from '../scheduler/config.ts';
import { DeployErrors } from './errors.ts';

const NODE = /^(node|nodejs|nodejs(18|20|22|24)\.x)$/;
const PYTHON = /^(python|python3|python3\.(8|9|10|11|12|13|14))$/;
/** Custom runtimes: the function's own `bootstrap` talks to the Lambda Runtime API. */
const PROVIDED = /^provided(\.al2|\.al2023)?$/;
/** Java: classes (a jar, or sources compiled at deploy) on the installed JDK. */
const JAVA = /^java17$/;
/** Accepted Lambda ids whose runtime is not executable here yet (other Java versions). */
const NOT_YET = /^java(8|8\.al2|11|21|25)$/;
/** `com.example.Hello::handleRequest` or `com.example.Hello` (a RequestHandler / RequestStreamHandler). */
export const JAVA_HANDLER = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:::([A-Za-z_$][\w$]*))?$/;

export function resolveRuntime(id: string): RuntimeFamily {
  if (NODE.test(id)) return 'node';
  if (PYTHON.test(id)) return 'python';
  if (PROVIDED.test(id)) return 'provided';
  if (JAVA.test(id)) return 'java';
  if (NOT_YET.test(id)) {
    throw RuntimeErrors.UNSUPPORTED_RUNTIME(
      { runtime: id },
      {
        hint: `${id} is a valid Lambda runtime but is not installed in Nimbus yet; use java17, nodejs24.x or python3.12`,
      },
    );
  }
  throw RuntimeErrors.UNSUPPORTED_RUNTIME({ runtime: id });
}

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
  if (typeof c.runtime !== 'string' || !c.runtime) problems.push('runtime: required');
  else {
    try {
      resolveRuntime(c.runtime);
    } catch (e) {
      problems.push(`runtime: ${(e as Error).message}`);
    }
  }
  let family: RuntimeFamily | '' = '';
  try {
    family = resolveRuntime(c.runtime);
  } catch {
    // reported above
  }
  // A handler that leads out of the code root is refused on its own, with its own code.
  if (family) assertHandlerInside(family, c.handler);
  // Custom runtimes get the handler as _HANDLER and may give it any meaning.
  const custom = typeof c.runtime === 'string' && PROVIDED.test(c.runtime);
  const java = typeof c.runtime === 'string' && JAVA.test(c.runtime);
  if (java) {
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
