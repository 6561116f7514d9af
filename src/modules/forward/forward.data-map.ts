import { declareTable } from '../../db/datamap.declare.ts';

/**
 * Forward to a friend. Two people are in a forward: the sender (a contact) and the friend (an
 * address, no contact). The data map links a table to one subject, so each has a table: the
 * sender's row (`forward_messages`, by contact) and the friend's address (`forward_recipients`,
 * by address; its `contact_id` names the sender, so erasing the sender removes it too). Both go
 * 30 days after the forward (PRODUCT.md §9: forward-to-a-friend data, out of the box).
 */
export const forwardDataMap = [
  declareTable({
    name: 'forward_recipients',
    description:
      'The address a person forwarded a message to, of the friend (not a contact): kept only to send that one message, ' +
      'deleted 30 days later.',
    subjectLink: { kind: 'email', column: 'email' },
    purposes: ['marketing'],
    retention: { after: 'P30D', from: 'created_at' },
    columns: {
      forward_id: { category: 'system.ref.forward', personal: true, exported: false },
      contact_id: { category: 'system.ref.contact', personal: true, exported: false },
      email: { category: 'friend.identity.email', personal: true, description: 'the friend’s address (the friend is not a contact)' },
      created_at: { category: 'contact.forward.time', personal: true },
    },
  }),
  declareTable({
    name: 'forward_messages',
    description:
      'Messages a person forwarded to a friend from a campaign mail: which mail, when, their note, and whether it was sent. ' +
      'The friend’s address is not here (see forward_recipients).',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['marketing'],
    retention: { after: 'P30D', from: 'created_at' },
    columns: {
      id: 'system.id',
      contact_id: { category: 'system.ref.contact', personal: true },
      send_id: { category: 'system.ref.send', personal: true },
      friend_key: {
        category: 'system.key_hash',
        personal: true,
        exported: false,
        description: 'a keyed hash of the send and the friend’s address (once per friend); not the address',
      },
      note: { category: 'contact.forward.note', personal: true, freeText: true, description: 'the person’s note to the friend' },
      status: { category: 'contact.forward.status', personal: true },
      created_at: { category: 'contact.forward.time', personal: true },
      sent_at: { category: 'contact.forward.time', personal: true },
    },
  }),
];
