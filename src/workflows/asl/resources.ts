/**
 * @module workflows/asl/resources
 * The Task resources Nimbus runs, parsed from their ASL `Resource` strings:
 * - a function: `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`, or (Nimbus
 *   shorthand) a bare `name[:qualifier]`; the result is the function's answer;
 * - the optimized Lambda integration `arn:aws:states:::lambda:invoke` (Parameters FunctionName,
 *   Payload, Qualifier; the result wraps the answer as `{ExecutedVersion, Payload, StatusCode, …}`),
 *   with `.waitForTaskToken`;
 * - service integrations Nimbus serves itself: `sqs:sendMessage`, `sns:publish`, `events:putEvents`
 *   (each also `.waitForTaskToken`);
 * - `arn:aws:states:::nimbus:waitForEvent`: waits for an event on a topic that matches a pattern
 *   (Parameters Topic, Pattern), with the Task's TimeoutSeconds.
 * Anything else is refused at deploy with the state and the field named.
 */

export type WaitMode = 'none' | 'token';

export type TaskResource =
  | { readonly kind: 'function'; readonly functionName: string; readonly qualifier?: string | undefined }
  | { readonly kind: 'lambda:invoke'; readonly wait: WaitMode }
  | { readonly kind: 'sqs:sendMessage' | 'sns:publish' | 'events:putEvents'; readonly wait: WaitMode }
  | { readonly kind: 'nimbus:waitForEvent' };

const FN_NAME = /^[A-Za-z0-9_-]{1,140}$/;
const QUALIFIER = /^(\$LATEST|[0-9]+|[A-Za-z0-9_-]{1,128})$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]*:[0-9]*:function:([^:]+)(?::([^:]+))?$/;
const SERVICE = /^arn:aws[a-z-]*:states:::([a-z-]+:[A-Za-z]+)(\.waitForTaskToken)?$/;

/** The parsed resource, or a reason it is not one Nimbus runs. */
export function parseResource(resource: string): TaskResource | { readonly invalid: string } {
  const arn = LAMBDA_ARN.exec(resource);
  if (arn) return functionRef(arn[1]!, arn[2]);
  const svc = SERVICE.exec(resource);
  if (svc) {
    const wait: WaitMode = svc[2] ? 'token' : 'none';
    switch (svc[1]) {
      case 'lambda:invoke':
      case 'sqs:sendMessage':
      case 'sns:publish':
      case 'events:putEvents':
        return { kind: svc[1], wait };
      case 'nimbus:waitForEvent':
        return wait === 'none'
          ? { kind: 'nimbus:waitForEvent' }
          : { invalid: 'nimbus:waitForEvent takes no suffix' };
      default:
        return { invalid: `the integration ${svc[1]} is not served by Nimbus` };
    }
  }
  if (resource.startsWith('arn:'))
    return { invalid: 'not a Lambda function ARN or a supported arn:aws:states::: integration' };
  const [name, qualifier, extra] = resource.split(':');
  if (extra !== undefined) return { invalid: 'a function reference is name or name:qualifier' };
  return functionRef(name!, qualifier);
}

function functionRef(name: string, qualifier: string | undefined): TaskResource | { invalid: string } {
  if (!FN_NAME.test(name)) return { invalid: `${JSON.stringify(name)} is not a function name` };
  if (qualifier !== undefined && !QUALIFIER.test(qualifier))
    return { invalid: `${JSON.stringify(qualifier)} is not a version or alias` };
  return { kind: 'function', functionName: name, qualifier };
}

/**
 * The function a `lambda:invoke` Parameters.FunctionName names (a name, `name:qualifier`, a
 * function ARN or a partial ARN), or a reason.
 */
export function parseFunctionName(
  v: string,
): { functionName: string; qualifier?: string | undefined } | { invalid: string } {
  const arn = LAMBDA_ARN.exec(v);
  if (arn) return functionRef(arn[1]!, arn[2]) as { functionName: string; qualifier?: string };
  const partial = /^[0-9]{12}:function:(.+)$/.exec(v);
  const r = parseResource(partial ? partial[1]! : v);
  if ('invalid' in r) return r;
  return r.kind === 'function' ? r : { invalid: `${JSON.stringify(v)} is not a function` };
}
