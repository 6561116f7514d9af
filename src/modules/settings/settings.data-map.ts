import { declareTable } from '../datamap/datamap.declare.ts';

export const settingsDataMap = [
  declareTable({
    name: 'settings',
    description: 'Installation settings, one JSON value per key (SMTP credentials included, never returned in full).',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      key: 'system.config.key',
      value: 'system.config.value',
      updated_at: 'system.time',
    },
  }),
];
