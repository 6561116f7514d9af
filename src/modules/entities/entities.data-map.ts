import { declareTable } from '../../db/datamap.declare.ts';

export const entitiesDataMap = [
  declareTable({
    name: 'custom_entities',
    description: 'Custom entities defined by the installation: each is a table entity_<name>, declared in the data map at run time.',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      id: 'system.id',
      name: 'system.schema.name',
      label: { category: 'system.schema.label', freeText: true },
      table_name: 'system.schema.table',
      linked: 'system.schema.link',
      erase: 'system.schema.erase',
      retention: 'system.schema.retention',
      created_at: 'system.time',
    },
  }),
  declareTable({
    name: 'custom_entity_fields',
    description: 'Fields of custom entities: each is a column f_<name> of the entity table.',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      id: 'system.id',
      entity_id: 'system.ref.entity',
      name: 'system.schema.name',
      type: 'system.schema.type',
      personal: 'system.schema.personal',
      column_name: 'system.schema.column',
    },
  }),
];
