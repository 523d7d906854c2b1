/**
 * @module workflows/asl/types
 * Amazon States Language definitions as they arrive (JSON or YAML), the values states work on,
 * and the error a state raises. Field names are ASL's own, so a definition that runs on AWS
 * type-checks here unchanged. Validation (validate.ts) establishes these shapes; the engine trusts
 * them afterwards.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface StateMachineDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
  readonly TimeoutSeconds?: number;
  readonly Version?: string;
  /** Default for every state (a state may override it, JSONPath → JSONata only). */
  readonly QueryLanguage?: QueryLanguage;
}

/** Fields every state may carry. */
interface StateBase {
  readonly Comment?: string;
  readonly QueryLanguage?: QueryLanguage;
  readonly Next?: string;
  readonly End?: boolean;
  /** JSONPath: `$` (default), a path, or null (the input becomes `{}`). */
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  /** JSONata: the state's output (an expression or a template containing `{% … %}`). */
  readonly Output?: Json;
  /** Both languages: workflow variables set when the state completes. */
  readonly Assign?: JsonObject;
}

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  /** JSONPath: where the error output goes in the input (default `$`: it replaces it). */
  readonly ResultPath?: string | null;
  /** JSONata: the output when this catcher fires. */
  readonly Output?: Json;
  readonly Assign?: JsonObject;
  readonly Comment?: string;
}

export interface TaskState extends StateBase {
  readonly Type: 'Task';
  /** `arn:aws:lambda:…:function:name[:qualifier]`, `arn:aws:states:::lambda:invoke[.waitForTaskToken]`, a bare function name, … */
  readonly Resource: string;
  readonly Parameters?: Json;
  /** JSONata. */
  readonly Arguments?: Json;
  readonly ResultSelector?: Json;
  readonly ResultPath?: string | null;
  readonly TimeoutSeconds?: number | string;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number | string;
  readonly HeartbeatSecondsPath?: string;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly Credentials?: Json;
}

export interface PassState extends StateBase {
  readonly Type: 'Pass';
  readonly Result?: Json;
  readonly Parameters?: Json;
  readonly ResultPath?: string | null;
}

/** A JSONPath Choice rule (comparison, And/Or/Not) or a JSONata one (`Condition`). */
export interface ChoiceRule {
  readonly Next?: string;
  readonly Variable?: string;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
  /** JSONata: `{% … %}` evaluating to a boolean. */
  readonly Condition?: string | boolean;
  readonly Assign?: JsonObject;
  readonly Output?: Json;
  readonly Comment?: string;
  /** StringEquals, NumericLessThanPath, IsPresent, … (every ASL comparison operator). */
  readonly [operator: string]: unknown;
}

export interface ChoiceState extends StateBase {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default?: string;
}

export interface WaitState extends StateBase {
  readonly Type: 'Wait';
  /** A number, or (JSONata) an expression. */
  readonly Seconds?: number | string;
  readonly Timestamp?: string;
  readonly SecondsPath?: string;
  readonly TimestampPath?: string;
}

export interface SucceedState extends StateBase {
  readonly Type: 'Succeed';
}

export interface FailState extends StateBase {
  readonly Type: 'Fail';
  readonly Error?: string;
  readonly Cause?: string;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}

export interface ParallelState extends StateBase {
  readonly Type: 'Parallel';
  readonly Branches: readonly StateMachineDefinition[];
  readonly Parameters?: Json;
  readonly Arguments?: Json;
  readonly ResultSelector?: Json;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
}

export interface ItemReader {
  /** `arn:aws:states:::s3:listObjectsV2` or `arn:aws:states:::s3:getObject`. */
  readonly Resource: string;
  readonly Parameters?: Json;
  readonly Arguments?: Json;
  readonly ReaderConfig?: {
    readonly InputType?: 'JSON' | 'CSV' | 'JSONL' | 'MANIFEST';
    readonly CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
    readonly CSVHeaders?: readonly string[];
    readonly CSVDelimiter?: 'COMMA' | 'PIPE' | 'SEMICOLON' | 'SPACE' | 'TAB';
    readonly MaxItems?: number;
    readonly MaxItemsPath?: string;
  };
}

export interface MapState extends StateBase {
  readonly Type: 'Map';
  /** JSONPath: where the items are (default `$`). */
  readonly ItemsPath?: string;
  /** JSONata: an array or an expression giving one. */
  readonly Items?: Json;
  readonly ItemSelector?: Json;
  /** Legacy name of ItemSelector. */
  readonly Parameters?: Json;
  readonly ItemProcessor?: StateMachineDefinition & {
    readonly ProcessorConfig?: {
      readonly Mode?: 'INLINE' | 'DISTRIBUTED';
      readonly ExecutionType?: 'STANDARD' | 'EXPRESS';
    };
  };
  /** Legacy name of ItemProcessor. */
  readonly Iterator?: StateMachineDefinition;
  readonly ItemReader?: ItemReader;
  readonly ItemBatcher?: Json;
  readonly ResultWriter?: Json;
  readonly MaxConcurrency?: number | string;
  readonly MaxConcurrencyPath?: string;
  readonly ToleratedFailurePercentage?: number | string;
  readonly ToleratedFailurePercentagePath?: string;
  readonly ToleratedFailureCount?: number | string;
  readonly ToleratedFailureCountPath?: string;
  readonly Label?: string;
  readonly ResultSelector?: Json;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
}

export type State =
  | TaskState
  | PassState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;

export type StateType = State['Type'];

/**
 * The context object: `$$` in JSONPath, `$states.context` in JSONata (AWS's field names).
 * Task.Token is present only for `.waitForTaskToken` tasks; Map.Item only inside a Map iteration.
 */
export interface ContextObject {
  readonly Execution: {
    readonly Id: string;
    readonly Input: Json;
    readonly Name: string;
    readonly RoleArn: string;
    readonly StartTime: string;
    readonly RedriveCount: number;
  };
  readonly State: { readonly EnteredTime: string; readonly Name: string; readonly RetryCount: number };
  readonly StateMachine: { readonly Id: string; readonly Name: string };
  readonly Task?: { readonly Token: string };
  readonly Map?: { readonly Item: { readonly Index: number; readonly Value: Json; readonly Key?: string } };
}

/** Workflow variables in scope (Assign), by name without the `$`. */
export type Variables = Readonly<Record<string, Json>>;

/**
 * An error a state raises, by ASL's names: `States.Runtime`, `States.TaskFailed`, `States.Timeout`,
 * `States.IntrinsicFailure`, … or whatever a function threw (its errorType). Retry and Catch
 * match on `error`; `cause` is free text (often JSON).
 */
export class StatesError extends Error {
  readonly error: string;
  /** The ASL Cause text (shadows Error.cause, which ASL errors never use). */
  override readonly cause: string;
  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
    this.error = error;
    this.cause = cause;
  }
}

export const isStatesError = (e: unknown): e is StatesError => e instanceof StatesError;
