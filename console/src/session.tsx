/**
 * The signed-in key, kept in sessionStorage (gone when the tab closes), never in localStorage,
 * and the typed API client that sends it.
 */
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { type ApiClient, clientFor } from './api/client.ts';

const KEY = 'nimbus.key';
/** Where permissions.ts keeps the key's last account-wide permissions answer (cleared with it). */
export const PERMISSIONS_STORE = 'nimbus.permissions';

interface Session {
  readonly key: string;
  readonly client: ApiClient;
  logout(): void;
}

interface SessionState {
  readonly session: Session | undefined;
  login(key: string): void;
}

const Ctx = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY));
  const value = useMemo<SessionState>(
    () => ({
      session: key
        ? {
            key,
            client: clientFor(key),
            logout() {
              sessionStorage.removeItem(KEY);
              sessionStorage.removeItem(PERMISSIONS_STORE);
              setKey(null);
            },
          }
        : undefined,
      login(k) {
        sessionStorage.setItem(KEY, k);
        setKey(k);
      },
    }),
    [key],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSessionState(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSessionState outside SessionProvider');
  return s;
}

/** The session of a signed-in page (the layout renders pages only when there is one). */
export function useSession(): Session {
  const s = useSessionState().session;
  if (!s) throw new Error('useSession without a signed-in key');
  return s;
}
