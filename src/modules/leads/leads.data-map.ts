import { declareTable } from '../../db/datamap.declare.ts';

/** Leads serve sales follow-up and, through scoring models, profiling (which the gate decides per model). */
const LEAD_PURPOSES = ['marketing', 'profiling'];

// The custom lead fields' columns (cf_<name>) are declared at run time by LeadsService's provider, one entry per field.
export const leadsDataMap = [
  declareTable({
    name: 'leads',
    description: 'Sales opportunities about a contact: title, stage, owner, value, and the custom lead fields.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: LEAD_PURPOSES,
    retention: null,
    columns: {
      id: 'system.id',
      contact_id: { category: 'system.ref.contact', personal: true },
      title: { category: 'lead.title', personal: true, freeText: true, description: 'typed by staff; may name the person' },
      status: { category: 'lead.status', personal: true },
      owner_id: { category: 'lead.owner', personal: true },
      value: { category: 'lead.value', personal: true },
      created_at: { category: 'lead.time', personal: true },
      updated_at: { category: 'lead.time', personal: true },
    },
  }),
  declareTable({
    name: 'lead_fields',
    description: 'Custom lead fields staff define: name, label, type, whether personal; each is a column cf_<name> of leads.',
    subjectLink: null,
    purposes: LEAD_PURPOSES,
    columns: {
      id: 'system.id',
      name: 'config.field',
      label: 'config.field',
      type: 'config.field',
      personal: 'config.field',
      column_name: 'config.field',
      created_at: 'system.time',
    },
  }),
];
