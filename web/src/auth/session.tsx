import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError, setCsrfToken, setSessionHandlers } from '../api/client.js';
import type { Me, MeResponse, Permission } from '../api/types.js';
import { navigate, ROUTES } from '../router.js';

export interface SessionState {
  user: Me | null;
  /** True until the first /auth/me has answered. */
  loading: boolean;
  signIn(username: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
  /** Re-reads the signed-in user (after a password change or a rights change). */
  refresh(): Promise<Me | null>;
  can(...permissions: Permission[]): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const accept = useCallback((res: MeResponse) => {
    if (res.csrfToken) setCsrfToken(res.csrfToken);
    setUser(res.user);
    return res.user;
  }, []);

  const refresh = useCallback(async () => {
    try {
      return accept(await api.get<MeResponse>('/api/v1/auth/me', { quiet: true }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setCsrfToken(null);
        setUser(null);
        return null;
      }
      throw e;
    }
  }, [accept]);

  useEffect(() => {
    setSessionHandlers({
      unauthorized: () => {
        setCsrfToken(null);
        setUser(null);
        navigate(ROUTES.login, true);
      },
      passwordChangeRequired: () => {
        setUser((u) => (u ? { ...u, mustChangePassword: true } : u));
        navigate(ROUTES.password, true);
      },
    });
    refresh().catch(() => setUser(null)).finally(() => setLoading(false));
  }, [refresh]);

  const value = useMemo<SessionState>(() => ({
    user,
    loading,
    refresh,
    signIn: async (username, password) => accept(await api.post<MeResponse>('/api/v1/auth/login', { username, password }, { quiet: true })),
    signOut: async () => {
      try {
        await api.post('/api/v1/auth/logout');
      } finally {
        setCsrfToken(null);
        setUser(null);
        navigate(ROUTES.login, true);
      }
    },
    can: (...permissions) => !!user && permissions.some((p) => user.permissions.includes(p)),
  }), [user, loading, refresh, accept]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
