import { randomUUID } from 'node:crypto';

/** Lambda-style request id (UUID v4). */
export const newRequestId = (): string => randomUUID();
