import { declareTable } from '../../db/datamap.declare.ts';

export const mailDataMap = [
  declareTable({
    name: 'outbox',
    description: 'Local outbox: messages kept instead of sent when no SMTP relay is configured.',
    subjectLink: { kind: 'email', column: 'to_address' },
    purposes: ['requested', 'consent_request', 'transactional', 'subscription', 'marketing'],
    retention: { after: 'P30D', from: 'created_at' },
    columns: {
      id: 'system.id',
      contact_id: { category: 'system.ref.contact', personal: true, exported: false },
      to_address: { category: 'contact.identity.email', personal: true },
      from_address: 'message.sender',
      subject: { category: 'message.content.subject', personal: true },
      text_body: { category: 'message.content.body', personal: true },
      html_body: { category: 'message.content.body', personal: true },
      headers: { category: 'message.headers', personal: true },
      purpose: 'message.purpose',
      created_at: 'system.time',
    },
  }),
];
