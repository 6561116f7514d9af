import { declareTable } from '../../db/datamap.declare.ts';

export const interactionsDataMap = [
  declareTable({
    name: 'interactions',
    description:
      'What a contact did or was sent. Behavioural events (opens, clicks, visits, behavioural custom events) are stored only when ' +
      'the consent gate allowed profiling at ingest.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['transactional', 'marketing', 'profiling'],
    columns: {
      id: 'system.id',
      contact_id: { category: 'system.ref.contact', personal: true },
      type: { category: 'behaviour.type', personal: true },
      name: { category: 'behaviour.custom_event', personal: true },
      ref: { category: 'behaviour.ref', personal: true },
      message_id: { category: 'behaviour.message', personal: true },
      journey_id: { category: 'behaviour.journey', personal: true },
      page_id: { category: 'behaviour.page', personal: true },
      url: { category: 'behaviour.url', personal: true },
      properties: { category: 'behaviour.properties', personal: true },
      at: { category: 'behaviour.time', personal: true },
    },
  }),
  declareTable({
    name: 'interaction_stats',
    description:
      'Anonymous daily counts per interaction type and reference (message, journey, page, custom event name, or a URL without query ' +
      'and with identifier-looking path segments replaced). No contact id: erasure and consent changes never alter them.',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      day: 'stats.day',
      type: 'stats.type',
      ref: { category: 'stats.ref', freeText: true, description: 'a URL path can still spell a name no rule recognises' },
      count: 'stats.count',
    },
  }),
];
