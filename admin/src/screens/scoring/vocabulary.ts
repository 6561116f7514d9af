import { useQuery } from '@tanstack/react-query';
import { useRights } from '../../api/session';
import { leadsApi } from '../leads/leads.api';
import { useVocabulary, type Vocabulary } from '../segments/vocabulary';
import { leadFieldChoices } from './leadFields';

/** The lead fields, for pickers and the lead form (custom fields as the API declares them). */
export function useLeadFields() {
  const { can } = useRights();
  return useQuery({
    queryKey: ['lead-' + 'fields'],
    queryFn: leadsApi.fields,
    staleTime: 60_000,
    enabled: can('leads') || can('scoring'),
  });
}

/**
 * The segment builder's vocabulary for a scoring rule: the contact's fields, lists, levels and
 * purposes as for segments, plus the lead's fields (`lead.title` … and the custom lead fields).
 * Only here: segments themselves do not know leads.
 */
export function useScoringVocabulary(): Vocabulary {
  const base = useVocabulary();
  const leadFields = useLeadFields();
  const fields = [...base.fields, ...leadFieldChoices(leadFields.data ?? [])];
  return { ...base, fields, field: (name: string) => fields.find((f) => f.name === name) };
}
