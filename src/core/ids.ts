import { randomBytes, randomUUID } from 'node:crypto';

/** Lambda-style request id (UUID v4). */
export const newRequestId = (): string => randomUUID();

/** Short random id with a prefix: `inst_3f9a...`. */
export const newId = (prefix: string, bytes = 8): string => `${prefix}_${randomBytes(bytes).toString('hex')}`;
