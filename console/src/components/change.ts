/** A change (POST/PUT/PATCH/DELETE) that refreshes the queries it touched before it reports success. */
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';

/**
 * A change: `run` does it; on success the `invalidate` keys are refetched first (so what shows
 * next is current), then `onDone` runs. Errors stay on the mutation for the form to show.
 */
export function useChange<R, A = void>({
  run,
  invalidate = [],
  onDone,
  onError,
}: {
  run: (arg: A) => Promise<R>;
  invalidate?: readonly QueryKey[];
  onDone?: (result: R, arg: A) => unknown;
  onError?: (error: Error) => void;
}) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (result, arg) => {
      await Promise.all(invalidate.map((queryKey) => queries.invalidateQueries({ queryKey })));
      await onDone?.(result, arg);
    },
    ...(onError ? { onError } : {}),
  });
}
