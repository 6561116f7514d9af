/** Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates each). */

export const CONTACT_ID = '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07';
const MESSAGE_ID = '01938b40-6a7b-7c8d-9e0f-1a2b3c4d5e6f';
const PAGE_ID = '01938b41-0f1e-7d2c-8b3a-495867f3e2d1';

const OPENED = { type: 'email_opened' as const, contactId: CONTACT_ID, messageId: MESSAGE_ID, at: '2026-12-01T08:02:17+01:00' };
const VISITED = {
  type: 'page_visited' as const,
  email: 'lea.martin@example.com',
  pageId: PAGE_ID,
  url: 'https://shop.example.com/pain-au-levain?utm_source=newsletter&utm_campaign=december',
};
const CUSTOM = { type: 'custom' as const, contactId: CONTACT_ID, name: 'cart.abandoned', properties: { items: 3, value: 42.5 } };

export const INGEST_ONE = OPENED;
export const INGEST_BATCH = { events: [OPENED, VISITED, CUSTOM] };
export const INGEST_RESULT = { accepted: 3, stored: 2, unlinked: 1 };

// A custom event, whose properties are an object: @fastify/swagger walks examples as if they were
// schemas, and a `properties: null` in one stops it (the document would not build).
export const INTERACTION = {
  id: '01939a02-3b4c-7d5e-8f60-718293a4b5c6',
  contactId: CONTACT_ID,
  type: 'custom',
  name: 'cart.abandoned',
  ref: 'cart.abandoned',
  messageId: null,
  journeyId: null,
  pageId: null,
  url: null,
  properties: { items: 3, value: 42.5 },
  at: '2026-12-01T07:02:17.000Z',
};

export const STATS = {
  data: [
    { day: '2026-12-01', type: 'email_opened', ref: MESSAGE_ID, count: 812 },
    { day: '2026-12-01', type: 'page_visited', ref: 'https://shop.example.com/pain-au-levain', count: 97 },
  ],
  truncated: false,
};
