/**
 * Coded errors of the workflows capability. `sfn-api.ts` gives each its Step Functions exception
 * (StateMachineDoesNotExist, ExecutionAlreadyExists, InvalidDefinition, …).
 */
import { defineErrors } from '../core/errors.ts';

export const WorkflowErrors = defineErrors('WORKFLOW', {
  MACHINE_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'state machine {name} does not exist',
    hint: 'deploy it first (`nimbus workflows deploy`); `nimbus workflows list` shows yours',
  },
  MACHINE_EXISTS: {
    status: 409,
    kind: 'user',
    message: 'state machine {name} already exists with a different definition or role',
    hint: 'change it with UpdateStateMachine (or `nimbus workflows deploy`, which updates)',
  },
  INVALID_DEFINITION: {
    status: 400,
    kind: 'user',
    message: 'invalid definition: {problems}',
    hint: 'each problem names the state and the field; fix them and deploy again',
  },
  INVALID_NAME: { status: 400, kind: 'user', message: 'invalid name {name}: {reason}' },
  INVALID_ARN: { status: 400, kind: 'user', message: 'invalid ARN {arn}: {reason}' },
  INVALID_INPUT: {
    status: 400,
    kind: 'user',
    message: 'invalid execution input: {reason}',
    hint: 'the input is a JSON text of at most 256 KiB',
  },
  INVALID_PARAMETER: { status: 400, kind: 'user', message: 'invalid {field}: {reason}' },
  EXECUTION_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'execution {arn} does not exist',
    hint: '`nimbus executions list <workflow>` shows the executions of a workflow',
  },
  EXECUTION_EXISTS: {
    status: 409,
    kind: 'user',
    message: 'execution {name} already exists with a different input or has ended',
    hint: 'execution names are unique per state machine; pick another name or leave it out',
  },
  NOT_REDRIVABLE: { status: 400, kind: 'user', message: 'execution {arn} cannot be redriven: {reason}' },
  TYPE_NOT_SUPPORTED: {
    status: 400,
    kind: 'user',
    message: '{operation} needs an EXPRESS state machine; {name} is STANDARD',
    hint: 'StartSyncExecution runs EXPRESS state machines; use StartExecution for STANDARD ones',
  },
  INVALID_TOKEN: { status: 400, kind: 'user', message: 'invalid token: {reason}' },
  TASK_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'no task waits for this token (it completed, timed out, or its execution ended)',
  },
  INVALID_OUTPUT: { status: 400, kind: 'user', message: 'invalid task output: {reason}' },
});
