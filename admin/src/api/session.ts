import { useQuery } from '@tanstack/react-query';
import { api } from './client';

export const SESSION_KEY = ['session'] as const;

/** Who is signed in, or null when nobody is (401): the shell shows the login screen then. */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      const { data, response } = await api.GET('/api/v1/session');
      if (response.status === 401) return null;
      if (!data) throw new Error(`session: ${response.status}`);
      return data.data;
    },
    staleTime: 60_000,
    retry: false,
  });
}
