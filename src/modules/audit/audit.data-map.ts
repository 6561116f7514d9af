import { declareTable } from '../../db/datamap.declare.ts';

export const auditDataMap = [
  declareTable({
    name: 'audit_log',
    description:
      'Append-only record of staff actions on data: who, what, which record, when. Never holds personal values, so it survives erasure.',
    subjectLink: null,
    purposes: ['legal_obligation', 'security'],
    columns: {
      id: 'system.id',
      at: 'system.time',
      actor_type: 'audit.actor.type',
      actor_id: 'audit.actor.id',
      action: 'audit.action',
      target_type: 'audit.target.type',
      target_id: 'audit.target.id',
      outcome: 'audit.outcome',
      request_id: 'system.request_id',
      count: { category: 'audit.count', description: 'how many records a bulk action covered' },
    },
  }),
];
