/**
 * @module workflows
 * Durable workflows in Amazon States Language: definitions (asl/), the pure transition engine
 * (engine/), the durable executor and the service the protocol layers use.
 */

import type { StateIO } from './asl/io.ts';
import { createJsonataIO } from './asl/jsonata-io.ts';
import { createJsonPathIO } from './asl/jsonpath-io.ts';
import type { QueryLanguage } from './asl/types.ts';

export { WorkflowErrors } from './errors.ts';
export { workflowTaskAuthorizer } from './roles.ts';
export { createWorkflowService, type WorkflowDeps } from './service.ts';
export type { WorkflowService } from './types.ts';

/** Both query languages' state I/O, one instance each (they cache compiled expressions). */
export function createStateIO(): (language: QueryLanguage) => StateIO {
  const jsonPath = createJsonPathIO();
  const jsonata = createJsonataIO();
  return (language) => (language === 'JSONata' ? jsonata : jsonPath);
}
