import { declareTable } from '../../db/datamap.declare.ts';

export const suppressionDataMap = [
  declareTable({
    name: 'suppressions',
    description: 'Keyed hashes of erased addresses, so an import or a form cannot silently re-create the person.',
    subjectLink: null,
    purposes: ['legal_obligation'],
    columns: {
      email_hmac: 'dsr.requester_hash',
      reason: 'dsr.suppression_reason',
      request_id: 'system.ref.request',
      created_at: 'system.time',
    },
  }),
];
