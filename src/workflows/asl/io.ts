/**
 * @module workflows/asl/io
 * How a state turns its input into what it works on and its result into its output: one contract,
 * two query languages. `jsonpath-io.ts` implements ASL's JSONPath pipeline (InputPath → Parameters
 * → [work] → ResultSelector → ResultPath → OutputPath, intrinsic functions, Choice comparison
 * rules); `jsonata-io.ts` implements the JSONata one (Arguments → [work] → Output, `Condition`,
 * `{% … %}` expressions with `$states`). Both evaluate `Assign`. The engine picks one per state
 * (`QueryLanguage` of the state, else of the definition, else JSONPath) and never looks inside.
 *
 * Every method may throw a StatesError (`States.Runtime`, `States.IntrinsicFailure`,
 * `States.ResultPathMatchFailure`, `States.QueryEvaluationError`, …): the engine treats it as the
 * state's failure (Retry/Catch apply where the state has them).
 *
 * `raw` is always the state's raw input (what the previous state output). `vars` are the workflow
 * variables in scope *before* this state; assignments take effect after it (ASL's rule).
 */
import type {
  Catcher,
  ChoiceState,
  ContextObject,
  FailState,
  Json,
  JsonObject,
  MapState,
  ParallelState,
  PassState,
  State,
  TaskState,
  Variables,
  WaitState,
} from './types.ts';

/** What a completed state hands on: its output, and the variables it assigns (if any). */
export interface StateOutput {
  readonly output: Json;
  readonly assign?: Readonly<Record<string, Json>> | undefined;
}

/** The error output Catch passes on: `{Error, Cause}`. */
export interface ErrorOutput extends JsonObject {
  Error: string;
  Cause: string;
}

export interface StateIO {
  /**
   * The value a Task sends to its resource or a Parallel gives each branch.
   * JSONPath: InputPath, then Parameters (a payload template with `.$` keys, `$$` and intrinsics).
   * JSONata: Arguments (a template or an expression), else the raw input.
   */
  effectiveInput(
    state: TaskState | ParallelState,
    raw: Json,
    ctx: ContextObject,
    vars: Variables,
  ): Promise<Json>;

  /**
   * A state's output from its result (Task: the resource's answer; Parallel: the branches' outputs
   * in order; Map: the iterations' outputs in order).
   * JSONPath: ResultSelector, then ResultPath into `raw`, then OutputPath; Assign sees the result
   * after ResultSelector. JSONata: Assign and Output with `$states.input = raw`, `$states.result`.
   */
  resultOutput(
    state: TaskState | ParallelState | MapState,
    raw: Json,
    result: Json,
    ctx: ContextObject,
    vars: Variables,
  ): Promise<StateOutput>;

  /**
   * Pass: JSONPath: InputPath, Parameters, Result (if given, it is the result, else the effective
   * input is), ResultPath, OutputPath. JSONata: Output (default: the raw input).
   */
  passOutput(state: PassState, raw: Json, ctx: ContextObject, vars: Variables): Promise<StateOutput>;

  /**
   * Wait, Succeed: JSONPath: InputPath then OutputPath. JSONata: Output (default: the raw input).
   * Assign in both.
   */
  plainOutput(state: WaitState | State, raw: Json, ctx: ContextObject, vars: Variables): Promise<StateOutput>;

  /**
   * Choice: the first rule that matches (its Next, and — JSONata — its own Output/Assign), or the
   * Default (`next: undefined` when there is none: the engine raises States.NoChoiceMatched).
   * JSONPath: rules evaluate over the input after InputPath; the output is that input after
   * OutputPath.
   */
  choose(
    state: ChoiceState,
    raw: Json,
    ctx: ContextObject,
    vars: Variables,
  ): Promise<StateOutput & { readonly next: string | undefined }>;

  /** Wait: the epoch ms the wait ends (Seconds/SecondsPath from `now`, Timestamp/TimestampPath). */
  waitUntil(state: WaitState, raw: Json, ctx: ContextObject, vars: Variables, now: number): Promise<number>;

  /** Fail: Error/ErrorPath and Cause/CausePath (JSONata: expressions allowed). */
  failure(
    state: FailState,
    raw: Json,
    ctx: ContextObject,
    vars: Variables,
  ): Promise<{ error?: string; cause?: string }>;

  /** Map: the items (JSONPath: InputPath then ItemsPath, default `$`; JSONata: Items, default the input). */
  mapItems(state: MapState, raw: Json, ctx: ContextObject, vars: Variables): Promise<Json[]>;

  /**
   * Map: one iteration's input. ItemSelector (or legacy Parameters) with `ctx.Map.Item` set;
   * without one, the item itself.
   */
  mapItemInput(state: MapState, raw: Json, ctx: ContextObject, vars: Variables): Promise<Json>;

  /**
   * A numeric field that may come from the input: TimeoutSeconds(Path), HeartbeatSeconds(Path),
   * MaxConcurrency(Path), ToleratedFailurePercentage(Path), ToleratedFailureCount(Path). undefined
   * when the state sets neither form.
   */
  numberField(
    state: State,
    field:
      | 'TimeoutSeconds'
      | 'HeartbeatSeconds'
      | 'MaxConcurrency'
      | 'ToleratedFailurePercentage'
      | 'ToleratedFailureCount',
    raw: Json,
    ctx: ContextObject,
    vars: Variables,
  ): Promise<number | undefined>;

  /**
   * A caught error's output. JSONPath: ResultPath (default `$`) places the error output into
   * `raw`. JSONata: the catcher's Output (default: the error output), `$states.errorOutput` set.
   * Assign in both.
   */
  catchOutput(
    catcher: Catcher,
    raw: Json,
    error: ErrorOutput,
    ctx: ContextObject,
    vars: Variables,
  ): Promise<StateOutput>;
}
