import { declareTable } from '../../db/datamap.declare.ts';

export const contactsDataMap = [
  declareTable({
    name: 'custom_fields',
    description: 'Custom contact fields defined by the installation: each is a column cf_<name> on contacts.',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      id: 'system.id',
      name: 'system.schema.name',
      label: { category: 'system.schema.label', freeText: true },
      type: 'system.schema.type',
      personal: 'system.schema.personal',
      column_name: 'system.schema.column',
      created_at: 'system.time',
    },
  }),
];
