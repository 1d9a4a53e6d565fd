import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext } from "react";
import { ApiError, api, setCsrfToken } from "../api/client";
import type { ConsoleSession, Me } from "../api/types";

export const sessionQueryKey = ["console-session"] as const;

/** The signed-in session, or null when the browser has none (the server answers 401 `invalid_session`). */
async function loadSession(): Promise<ConsoleSession | null> {
  try {
    const session = await api<ConsoleSession>("/v1/console/session");
    setCsrfToken(session.csrf_token);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

export function useSessionQuery() {
  return useQuery({ queryKey: sessionQueryKey, queryFn: loadSession, staleTime: 60_000, retry: false });
}

/** Exchanges an API key for the session cookie; the key is sent once and kept nowhere in the browser. */
export async function signIn(apiKey: string): Promise<ConsoleSession> {
  const session = await api<ConsoleSession>("/v1/console/session", { method: "POST", body: { api_key: apiKey } });
  setCsrfToken(session.csrf_token);
  return session;
}

/** Ends the session server-side; the query client is cleared so nothing of the signed-out key stays on screen. */
export function useSignOut(): () => Promise<void> {
  const queryClient = useQueryClient();
  return async () => {
    try {
      await api("/v1/console/session", { method: "DELETE" });
    } finally {
      setCsrfToken(undefined);
      queryClient.setQueryData(sessionQueryKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionQueryKey[0] });
    }
  };
}

const KeyContext = createContext<Me | undefined>(undefined);

export function KeyProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <KeyContext.Provider value={me}>{children}</KeyContext.Provider>;
}

/** The signed-in key (id, name, admin, limits); only inside the signed-in shell. */
export function useMe(): Me {
  const me = useContext(KeyContext);
  if (!me) throw new Error("useMe outside the signed-in console");
  return me;
}
