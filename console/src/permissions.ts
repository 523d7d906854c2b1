/**
 * What the signed-in key may do decides what the console shows. Once after sign-in it asks
 * `POST /v1/identity/permissions` about every action below (each evaluated as its list or
 * collection route evaluates it: resource `*`, the caller's context). The navigation leaves out
 * the pages the key cannot list and the pages leave out the buttons of changes it cannot make.
 * The platform still decides: a page opened by its address shows the coded 403 it answers.
 *
 * While the answer is on its way nothing optional shows (a limited key never sees an entry flash
 * by); if it cannot be had (a key without sts:GetCallerIdentity, an older platform), everything
 * shows and the platform's 403s say what is refused, as before.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ACTIONS, type Action } from './actions.ts';
import { type ApiClient, ok } from './api/client.ts';
import { useSession } from './session.tsx';

export type { Action };

export const PERMISSIONS = ['permissions'] as const;

/** The query (Login fetches it before it keeps the key, so the first page shows complete). */
export const permissionsQuery = (client: ApiClient) => ({
  queryKey: PERMISSIONS,
  queryFn: () => ok(client.POST('/v1/identity/permissions', { body: { actions: [...ACTIONS] } })),
  staleTime: Number.POSITIVE_INFINITY,
});

function useAllowed(): Readonly<Record<string, boolean>> | 'unknown' | 'all' {
  const { client } = useSession();
  const q = useQuery(permissionsQuery(client));
  return q.isError ? 'all' : (q.data?.allowed ?? 'unknown');
}

/** `can(action)`: false while the answer is awaited, true for every action if it failed. */
export function useCan(): (action: Action) => boolean {
  const allowed = useAllowed();
  return (action) => allowed === 'all' || (allowed !== 'unknown' && allowed[action] === true);
}

/** `denied(action)`: true only once the answer says so (to say why a button is missing). */
export function useDenied(): (action: Action) => boolean {
  const allowed = useAllowed();
  return (action) => allowed !== 'all' && allowed !== 'unknown' && allowed[action] !== true;
}

/** Its children when the key may perform `action`. */
export function Can({ action, children }: { action: Action; children: ReactNode }) {
  return useCan()(action) ? children : null;
}
