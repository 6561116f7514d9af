import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, whenSessionEnds } from './client';

export const SESSION_KEY = ['session'] as const;

export type SessionData = NonNullable<Awaited<ReturnType<typeof fetchSession>>>;
export type Area = keyof NonNullable<SessionData['rights']>;

async function fetchSession() {
  const { data, response } = await api.GET('/api/v1/session');
  if (response.status === 401) return null;
  if (!data) throw new Error(`session: ${response.status}`);
  return data.data;
}

/** Who is signed in, or null when nobody is (401): the shell shows the login screen then. */
export function useSession() {
  const queries = useQueryClient();
  // Any call answered 401 means the session ended (expired, or logged out elsewhere).
  useEffect(() => whenSessionEnds(() => queries.setQueryData(SESSION_KEY, null)), [queries]);
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

/**
 * What the signed-in caller may do, from the session's `rights` (the server's access table): the
 * console hides what it may not do; the server refuses it anyway.
 */
export function useRights() {
  const { data } = useSession();
  const rights = data?.rights;
  return {
    can: (area: Area, op: 'read' | 'write' = 'read') => rights?.[area]?.includes(op) ?? false,
    role: data?.principal.role,
  };
}
