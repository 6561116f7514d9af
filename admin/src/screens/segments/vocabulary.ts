import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useConsentLevels } from '../../api/consent';
import { useRights } from '../../api/session';
import { BUILT_IN_FIELDS, type FieldType } from './language';

export interface FieldChoice {
  /** As a filter names it: `email`, `customFields.tier`. */
  name: string;
  label: string;
  type: FieldType;
  custom: boolean;
  /** The heading the builder's field picker shows it under (default: Contact, or Custom fields). */
  group?: string;
}

/**
 * What conditions are built from, by name: contact fields (built-in and custom), consent level
 * names, purposes, lists. Each part loads on its own; the builder shows what has come.
 */
export function useVocabulary() {
  const { can } = useRights();
  const fields = useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => (await call(api.GET('/api/v1/contact-fields'))).data,
    staleTime: 60_000,
  });
  const lists = useQuery({
    queryKey: ['lists', 'all'],
    queryFn: async () => (await call(api.GET('/api/v1/lists', { params: { query: { limit: 500 } } }))).data,
    staleTime: 60_000,
    enabled: can('lists'),
  });
  const consent = useConsentLevels();
  const custom: FieldChoice[] = (fields.data ?? []).map((f) => ({
    name: `customFields.${f.name}`,
    label: f.label || f.name,
    type: (['text', 'number', 'boolean', 'date', 'datetime'].includes(f.type) ? f.type : 'text') as FieldType,
    custom: true,
  }));
  const builtIn: FieldChoice[] = Object.entries(BUILT_IN_FIELDS).map(([name, f]) => ({
    name,
    label: f.label,
    type: f.type,
    custom: false,
  }));
  const levels = consent.data?.consentLevels ?? [];
  return {
    fields: [...builtIn, ...custom],
    field: (name: string): FieldChoice | undefined => [...builtIn, ...custom].find((f) => f.name === name),
    levels,
    levelName: (n: unknown) => levels.find((l) => l.level === n)?.name ?? `level ${String(n)}`,
    purposes: Object.entries(consent.data?.purposes ?? {}).map(([name, level]) => ({ name, level })),
    lists: lists.data ?? [],
    /** False while the lists load, or when the role may not read them: a list id then has no name to show. */
    listsKnown: lists.isSuccess,
    listName: (id: unknown) => lists.data?.find((l) => l.id === id)?.name,
    loading: fields.isPending || consent.isPending,
  };
}

export type Vocabulary = ReturnType<typeof useVocabulary>;

/** A purpose's key in words: consent_request → consent request. */
export const purposeWords = (p: unknown): string => String(p).replaceAll('_', ' ');
