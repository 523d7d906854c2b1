/**
 * `npm run openapi:types`: writes console/src/api/schema.d.ts, the console's API types, from the
 * REST API's OpenAPI document (src/api/openapi.ts). openapi.e2e.test fails while the file is stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openApiDocument } from '../src/api/openapi.ts';
import { openApiTypes } from '../src/api/openapi-types.ts';

export const SCHEMA_DTS = join(import.meta.dirname, '..', 'console', 'src', 'api', 'schema.d.ts');

if (import.meta.main) {
  const text = openApiTypes(openApiDocument());
  await mkdir(dirname(SCHEMA_DTS), { recursive: true });
  await writeFile(SCHEMA_DTS, text);
  console.log(`wrote ${SCHEMA_DTS} (${text.split('\n').length} lines)`);
}
