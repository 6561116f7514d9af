import { declareTable } from '../../db/datamap.declare.ts';

export const listsDataMap = [
  declareTable({
    name: 'lists',
    description: 'Subscription lists (topics) contacts can join or leave.',
    subjectLink: null,
    purposes: ['subscription'],
    columns: {
      id: 'system.id',
      name: { category: 'list.name', freeText: true },
      description: { category: 'list.description', freeText: true },
      created_at: 'system.time',
    },
  }),
  declareTable({
    name: 'list_members',
    description: 'Which contact is on which list, since when; every join and leave is also in the consent ledger.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['subscription'],
    columns: {
      contact_id: { category: 'system.ref.contact', personal: true },
      list_id: { category: 'contact.subscription.list', personal: true },
      joined_at: { category: 'contact.subscription.time', personal: true },
    },
  }),
];
