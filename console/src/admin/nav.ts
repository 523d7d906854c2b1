/**
 * Navigation entries the signed-in principal may not use: the layout leaves them out. Keys and
 * tenants (/admin) show only when `GET /v1/keys` answers (a 403 hides them; so does the wait for
 * the answer, so a limited key never sees the entry flash by).
 */
import { ApiError } from '../api.ts';
import { useGet } from '../components/query.ts';
import type { KeyView } from './types.ts';

export const KEYS_QUERY = ['keys'] as const;

export function useKeysQuery() {
  return useGet<{ keys: KeyView[] }>(KEYS_QUERY, '/v1/keys');
}

export function useHiddenPages(): ReadonlySet<string> {
  const keys = useKeysQuery();
  const forbidden =
    keys.isPending || (keys.isError && keys.error instanceof ApiError && keys.error.status === 403);
  return new Set(forbidden ? ['/admin'] : []);
}
