/** Types of `@nimbus/sdk` (see index.mjs). */
export declare class NonRetriableError extends Error {}
export declare class RetryAfterError extends Error {
  constructor(ms: number, message?: string, options?: ErrorOptions);
  readonly retryAfterMs: number;
}
export declare function nonRetriable(message?: string): { __nimbus: 'non-retriable'; message: string };
export declare function retryAfter(ms: number): { __nimbus: 'retry-after'; ms: number };

export type Target = string | { function: string; qualifier?: string };
export interface ContextClient {
  invoke(
    functionName: string,
    payload?: unknown,
    opts?: { qualifier?: string; delaySeconds?: number; idempotencyKey?: string },
  ): Promise<{ id: string; duplicate: boolean }>;
  publish(
    topic: string,
    event: { type: string; data?: unknown; source?: string; subject?: string; id?: string },
  ): Promise<{ id: string; deliveries: number }>;
  objects: {
    get(
      bucket: string,
      key: string,
    ): Promise<{
      body: Buffer;
      contentType: string;
      metadata: Record<string, string>;
      size: number;
      etag: string;
    }>;
    put(
      bucket: string,
      key: string,
      body: Uint8Array | string,
      opts?: { contentType?: string },
    ): Promise<{ etag: string; size: number }>;
  };
  timers: {
    schedule(opts: {
      target: Target;
      payload?: unknown;
      at?: string | number | Date;
      delaySeconds?: number;
      idempotencyKey?: string;
    }): Promise<{ id: string; fireAt: string; duplicate: boolean }>;
    cancel(id: string): Promise<{ cancelled: true }>;
  };
  workflows: {
    start(
      stateMachine: string,
      input?: unknown,
      opts?: { name?: string },
    ): Promise<{ executionArn: string; startDate: string }>;
    sendTaskSuccess(taskToken: string, output?: unknown): Promise<{ ok: true }>;
    sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<{ ok: true }>;
    sendTaskHeartbeat(taskToken: string): Promise<{ ok: true }>;
  };
}
export declare function nimbus(context: unknown): ContextClient;
