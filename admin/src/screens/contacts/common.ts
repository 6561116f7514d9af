import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

export type Contact = NonNullable<operations['getContactsById']['responses'][200]['content']['application/json']>['data'];
export type CustomField = operations['getContactFields']['responses'][200]['content']['application/json']['data'][number];
export type ListItem = operations['getLists']['responses'][200]['content']['application/json']['data'][number];
export type LedgerEntry = operations['getContactsByIdConsentHistory']['responses'][200]['content']['application/json']['data'][number];

/** How a person is named on screen: their name, or their address when no name is held. */
export function displayName(c: { firstName: string | null; lastName: string | null; email: string }): string {
  const name = [c.firstName, c.lastName].filter((p) => p && p.trim() !== '').join(' ');
  return name || c.email;
}

/** Every custom field defined (not paged: at most a few hundred). */
export function useCustomFields() {
  return useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => (await call(api.GET('/api/v1/contact-fields'))).data,
    staleTime: 60_000,
  });
}

/** Every subscription list (for names and pickers); a page of 500 covers an installation's lists. */
export function useAllLists(enabled = true) {
  return useQuery({
    queryKey: ['lists', 'all'],
    queryFn: async () => (await call(api.GET('/api/v1/lists', { params: { query: { limit: 500 } } }))).data,
    staleTime: 60_000,
    enabled,
  });
}

/** Every saved segment (for names and pickers). */
export function useAllSegments(enabled = true) {
  return useQuery({
    queryKey: ['segments', 'all'],
    queryFn: async () => (await call(api.GET('/api/v1/segments', { params: { query: { limit: 500 } } }))).data,
    staleTime: 60_000,
    enabled,
  });
}
