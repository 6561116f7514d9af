import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';

/**
 * Who may own a lead: the users, by name, when the role may list them (an administrator); others
 * pick themselves or nobody, and a lead's present owner stays as it is.
 */
export function useOwners(current: string) {
  const { can } = useRights();
  const users = useQuery({
    queryKey: ['users', 'all'],
    queryFn: async () => (await call(api.GET('/api/v1/users', { params: { query: { limit: 500 } } }))).data,
    staleTime: 60_000,
    enabled: can('users'),
  });
  const name = (id: string | null | undefined): string | null => {
    if (!id) return null;
    const u = users.data?.find((x) => x.id === id);
    return u ? (u.name ?? u.email) : null;
  };
  return {
    name,
    note: can('users') ? 'Gets a task when the lead becomes sales-ready' : 'You, or nobody; an administrator can pick anyone',
    options: (me: string | null) => {
      const out = [{ value: '', label: 'Nobody (the marketers get the task)' }];
      if (users.data) for (const u of users.data) out.push({ value: u.id, label: `${u.name ?? u.email}${u.id === me ? ' (you)' : ''}` });
      else if (me) out.push({ value: me, label: 'You' });
      if (current && !out.some((o) => o.value === current)) out.push({ value: current, label: 'Another user (kept as it is)' });
      return out;
    },
  };
}
