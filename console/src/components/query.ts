/**
 * Reading with TanStack Query: a GET with the signed-in key (changes are in change.ts, apart so
 * that the first load, the function list, does not carry the mutation code).
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import type { FunctionView } from '../api.ts';
import { useSession } from '../session.tsx';

/** `GET path`, cached under `key` (which must change whenever the path does). */
export function useGet<T>(
  key: QueryKey,
  path: string,
  options?: Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>,
) {
  const { api } = useSession();
  return useQuery({ ...options, queryKey: key, queryFn: () => api<T>('GET', path) });
}

export const FUNCTIONS = ['functions'] as const;

/** The tenant's functions (the list page, pickers and the log search share the one query). */
export function useFunctions() {
  return useGet<{ functions: FunctionView[] }>(FUNCTIONS, '/v1/functions');
}
