/** The lead fields a scoring rule's condition may name (`lead.<field>`), beside the contact's. No React here. */
import type { FieldType } from '../segments/language.ts';
import type { FieldChoice } from '../segments/vocabulary.ts';
import type { LeadField } from '../leads/leads.api.ts';

export const LEAD_BUILT_IN: readonly FieldChoice[] = [
  { name: 'lead.title', label: 'Lead title', type: 'text', custom: false, group: 'Lead' },
  { name: 'lead.status', label: 'Lead status (open, qualified, won, lost)', type: 'text', custom: false, group: 'Lead' },
  { name: 'lead.value', label: 'Lead value', type: 'number', custom: false, group: 'Lead' },
  { name: 'lead.ownerId', label: 'Lead owner (user id)', type: 'text', custom: false, group: 'Lead' },
  { name: 'lead.createdAt', label: 'Lead created', type: 'datetime', custom: false, group: 'Lead' },
];

const TYPES: FieldType[] = ['text', 'number', 'boolean', 'date', 'datetime'];

/** The custom lead fields (GET /lead-fields) as the builder's choices: `lead.<name>`, under their own heading. */
export function leadFieldChoices(fields: readonly LeadField[]): FieldChoice[] {
  return [
    ...LEAD_BUILT_IN,
    ...fields.map((f) => ({
      name: `lead.${f.name}`,
      label: f.label || f.name,
      type: (TYPES.includes(f.type as FieldType) ? f.type : 'text') as FieldType,
      custom: true,
      group: 'Lead custom fields',
    })),
  ];
}
