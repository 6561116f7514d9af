import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

export const FIELD_TYPES = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'Yes or no' },
  { value: 'date', label: 'Date' },
] as const;
export type FieldType = (typeof FIELD_TYPES)[number]['value'];
export const typeLabel = (t: string) => FIELD_TYPES.find((x) => x.value === t)?.label ?? t;

export const RETENTIONS = [
  { value: '', label: 'Until deleted or erased' },
  { value: 'P6M', label: '6 months' },
  { value: 'P1Y', label: '1 year' },
  { value: 'P2Y', label: '2 years' },
  { value: 'P3Y', label: '3 years' },
  { value: 'P5Y', label: '5 years' },
  { value: 'P10Y', label: '10 years' },
];
export const retentionLabel = (r: string | null) =>
  r === null ? 'Until deleted or erased' : (RETENTIONS.find((x) => x.value === r)?.label ?? r);
export const eraseLabel = (e: string) => (e === 'anonymise' ? 'Anonymised (personal fields cleared)' : 'Deleted');

/** Every entity with its fields (at most 100: not paged). */
export function useEntities() {
  return useQuery({ queryKey: ['entities'], queryFn: async () => (await call(api.GET('/api/v1/entities'))).data });
}

export function useEntity(name: string) {
  return useQuery({
    queryKey: ['entities', name],
    queryFn: async () => (await call(api.GET('/api/v1/entities/{name}', { params: { path: { name } } }))).data,
  });
}

/** A record's value as text: dates and numbers as stored, yes/no for booleans, a dash for none. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
}
