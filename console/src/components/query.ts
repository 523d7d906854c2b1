/**
 * Reading with TanStack Query: a GET through the typed client (changes are in change.ts, apart so
 * that the first load, the function list, does not carry the mutation code).
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { type Answer, type ApiClient, ok } from '../api/client.ts';
import { useSession } from '../session.tsx';

/**
 * `get(client)`'s answer, cached under `key` (which must change whenever the request does):
 * `useGet(['routes'], (c) => c.GET('/v1/routes'))`.
 */
export function useGet<T>(
  key: QueryKey,
  get: (client: ApiClient) => Promise<Answer<T>>,
  options?: Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>,
) {
  const { client } = useSession();
  return useQuery({ ...options, queryKey: key, queryFn: () => ok(get(client)) });
}

export const FUNCTIONS = ['functions'] as const;
/** A function with its versions and aliases (GET /v1/functions/{name}): what its changes refresh. */
export const functionKey = (name: string) => ['function', name] as const;

/** The tenant's functions (the list page, pickers and the log search share the one query). */
export function useFunctions() {
  return useGet(FUNCTIONS, (c) => c.GET('/v1/functions'));
}
