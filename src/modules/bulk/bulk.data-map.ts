import { declareTable } from '../../db/datamap.declare.ts';

export const bulkDataMap = [
  declareTable({
    name: 'bulk_targets',
    description:
      'The contacts a bulk job (more than 1,000 contacts named by id) covers, read by the job step by step; erased with the person.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['operations'],
    // As long as the job is kept.
    retention: { after: 'P14D', from: 'created_at' },
    columns: {
      job_id: 'system.ref.job',
      contact_id: { category: 'system.ref.contact', personal: true },
      created_at: 'system.time',
    },
  }),
];
