import { declareTable } from '../../db/datamap.declare.ts';

export const settingsDataMap = [
  declareTable({
    name: 'settings',
    description: 'Installation settings, one JSON value per key (SMTP credentials included, never returned in full).',
    subjectLink: null,
    rowKey: 'key',
    purposes: ['operations'],
    columns: {
      key: 'system.config.key',
      value: {
        category: 'system.config.value',
        freeText: true,
        description: 'names, addresses and texts an installation sets (organisation, notices)',
      },
      updated_at: 'system.time',
    },
  }),
];
