import { declareTable } from '../../db/datamap.declare.ts';

export const eventsDataMap = [
  declareTable({
    name: 'events',
    description:
      'The event log: what changed (a type, ids, the names of changed fields; never a value), written in the transaction that made ' +
      'the change. Webhooks deliver from it.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['operations'],
    // Deliveries are retried for about an hour at most; a month leaves room to look back.
    retention: { after: 'P30D', from: 'created_at' },
    columns: {
      id: 'system.id',
      type: 'system.event.type',
      contact_id: { category: 'system.ref.contact', personal: true },
      data: { category: 'system.event.refs', description: 'ids, kinds and counts only' },
      fields: { category: 'system.event.fields', description: 'names of changed fields, never their values' },
      created_at: 'system.time',
    },
  }),
];
