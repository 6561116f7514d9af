/**
 * Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates
 * each against its schema). Ids in the id format; hashes as the ledger writes them (hex SHA-256).
 */

export const CONTACT_ID = '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07';
const OTHER_CONTACT_ID = '01938a6e-9f40-7a21-8c0d-1b2e3f4a5c6d';
export const NOTICE_ID = '01938a20-7d3e-7a41-9b52-c6d7e8f90a1b';
const NOTICE_HASH = '5d1c0f3b8e2a47c6b9d04e1f7a3c5b8d2e6f9a0c4b7d1e3f5a8c2b6d9e0f1a3c';
export const NOTICE_TEXT =
  'We will send you our newsletter about once a month. You can unsubscribe at any time with the link in each email.';
const ENTRY_HASH = 'a3f1c9e07b2d4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7';

export const LEDGER_ENTRY = {
  id: '01938a71-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
  seq: 4812,
  contactId: CONTACT_ID,
  kind: 'level',
  listId: null,
  oldValue: 3,
  newValue: 4,
  oldText: null,
  newText: null,
  source: 'form',
  actorType: 'api_key',
  actorId: '01938a10-1111-7222-8333-444455556666',
  notice: { hash: NOTICE_HASH, text: NOTICE_TEXT },
  evidence: { ip: '203.0.113.0', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0' },
  at: '2026-11-28T16:40:11.502Z',
  imported: null,
  hash: ENTRY_HASH,
  erased: false,
};

export const GATE_ANSWER = { allowed: true, reason: 'allowed', effectiveLevel: 4 };

export const CHECK_MANY_BODY = { contactIds: [CONTACT_ID, OTHER_CONTACT_ID], purpose: 'marketing' };
export const CHECK_MANY_ANSWER = [
  { contactId: CONTACT_ID, ...GATE_ANSWER },
  { contactId: OTHER_CONTACT_ID, allowed: false, reason: 'below_required_level', effectiveLevel: 2 },
];

export const SET_LEVEL_BODY = {
  level: 4,
  source: 'form',
  notice: { id: NOTICE_ID },
  evidence: { ip: '203.0.113.0', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0' },
};

export const GUARDIAN_BODY = {
  granted: true,
  source: 'form',
  notice: 'I consent, as the parent, to my child receiving the club newsletter.',
};
export const GUARDIAN_ENTRY = {
  ...LEDGER_ENTRY,
  kind: 'guardian_consent',
  oldValue: 0,
  newValue: 1,
  notice: { hash: NOTICE_HASH, text: GUARDIAN_BODY.notice },
};

export const NOTICE = { id: NOTICE_ID, hash: NOTICE_HASH, text: NOTICE_TEXT, createdAt: '2026-10-01T12:00:00.000Z' };

export const HEAD = `4812:${ENTRY_HASH}`;
export const VERIFY_ANSWER = {
  ok: true,
  checked: 4812,
  stubs: 37,
  erasures: 12,
  notices: 9,
  problem: null,
  head: HEAD,
  authenticated: true,
};
