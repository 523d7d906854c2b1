/**
 * What the signed-in key may do decides what the console shows. Once after sign-in it asks
 * `POST /v1/identity/permissions` about every action below (each evaluated as its list or
 * collection route evaluates it: resource `*`, the caller's context). The navigation leaves out
 * the pages the key cannot list and the pages leave out the buttons of changes it cannot make.
 * The platform still decides: a page opened by its address shows the coded 403 it answers.
 *
 * A page about one resource (a function, a state machine, an execution, a bucket) wraps itself in
 * `<PermissionScope resource={…}>`: inside it the answer is asked again on that resource's ARN, so
 * a key allowed only `function:orders-*` sees the write buttons on orders-api's page. Until that
 * answer arrives, the account-wide one stands in.
 *
 * The last account-wide answer is kept in sessionStorage beside the key, so a reload shows the
 * same buttons at once while it asks again. On a first sign-in, while the answer is on its way,
 * nothing optional shows (a limited key never sees an entry flash by); if it cannot be had (a key without sts:GetCallerIdentity, an older platform), everything
 * shows and the platform's 403s say what is refused, as before.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, createElement, type ReactNode, useContext } from 'react';
import { ACTIONS, type Action } from './actions.ts';
import { type ApiClient, ok } from './api/client.ts';
import type { components } from './api/schema.d.ts';
import { PERMISSIONS_STORE, useSession } from './session.tsx';

export type { Action };

export const PERMISSIONS = ['permissions'] as const;

/** One resource the answer is asked about (see `PermissionScope`). */
export type PermissionResource = NonNullable<components['schemas']['PermissionsRequest']['resource']>;

type Answer = { readonly allowed: Readonly<Record<string, boolean>> };

/**
 * The query of `key`'s answer (Login fetches it before it keeps the key, so the first page shows
 * complete). The account-wide answer is kept beside the key as it arrives.
 */
export const permissionsQuery = (client: ApiClient, key: string, resource?: PermissionResource) => ({
  queryKey: resource ? [...PERMISSIONS, resource] : PERMISSIONS,
  queryFn: async (): Promise<Answer> => {
    const answer = await ok(
      client.POST('/v1/identity/permissions', {
        body: resource ? { actions: [...ACTIONS], resource } : { actions: [...ACTIONS] },
      }),
    );
    if (!resource)
      sessionStorage.setItem(PERMISSIONS_STORE, JSON.stringify({ of: fingerprint(key), ...answer }));
    return answer;
  },
  staleTime: Number.POSITIVE_INFINITY,
});

/** A cheap fingerprint of a key (FNV-1a): a kept answer is used only for the key that got it. */
function fingerprint(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function keptAnswer(key: string): Answer | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(PERMISSIONS_STORE) ?? 'null') as { of?: string } & Answer;
    return v?.of === fingerprint(key) && typeof v.allowed === 'object' ? { allowed: v.allowed } : undefined;
  } catch {
    return undefined;
  }
}

const Scope = createContext<PermissionResource | undefined>(undefined);

/** Inside it, `useCan`, `useDenied` and `<Can>` answer for `resource`. */
export function PermissionScope({
  resource,
  children,
}: {
  resource: PermissionResource;
  children: ReactNode;
}) {
  return createElement(Scope.Provider, { value: resource }, children);
}

function useAllowed(): Readonly<Record<string, boolean>> | 'unknown' | 'all' {
  const { client, key } = useSession();
  const resource = useContext(Scope);
  const cache = useQueryClient();
  const q = useQuery({
    ...permissionsQuery(client, key, resource),
    // Until the answer arrives: a resource's page shows the account-wide answer; after a reload,
    // the account-wide answer this key got last.
    placeholderData: () =>
      (resource ? cache.getQueryData<Answer>(PERMISSIONS) : undefined) ?? keptAnswer(key),
  });
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
