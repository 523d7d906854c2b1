/** The signed-in key: kept in sessionStorage (gone when the tab closes), never in localStorage. */
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { type Fetcher, fetcherFor } from './api.ts';

const KEY = 'nimbus.key';

interface Session {
  readonly key: string;
  readonly api: Fetcher;
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
            api: fetcherFor(key),
            logout() {
              sessionStorage.removeItem(KEY);
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
