/**
 * Examples for the OpenAPI document: what a client sends and gets back, shaped as the schemas
 * say (the OpenAPI lint test validates each against its schema). Invented people, reserved
 * domains (example.com, RFC 2606), ids in the id format.
 */

export const CONTACT_ID = '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07';
export const LIST_ID = '01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88';
export const SEGMENT_ID = '01938a70-2b7e-7f03-b1c4-7e8a9d0c3f55';

export const CONTACT = {
  id: CONTACT_ID,
  email: 'lea.martin@example.com',
  firstName: 'Léa',
  lastName: 'Martin',
  phone: '+33 6 12 34 56 78',
  company: 'Boulangerie Martin',
  country: 'FR',
  language: 'fr',
  timeZone: 'Europe/Paris',
  birthDate: null,
  isChild: false,
  guardianId: null,
  guardianConsent: false,
  consentLevel: 4,
  customFields: { loyalty_tier: 'gold', orders: 12 },
  createdAt: '2026-11-02T09:15:02.114Z',
  updatedAt: '2026-11-28T16:40:11.502Z',
};

export const CONTACT_CREATE = {
  email: 'Lea.Martin@example.com',
  firstName: 'Léa',
  lastName: 'Martin',
  company: 'Boulangerie Martin',
  country: 'FR',
  language: 'fr',
  customFields: { loyalty_tier: 'gold' },
};

export const CONTACT_PATCH = { company: 'Martin & Fils', customFields: { orders: 12 } };

export const DUPLICATE_GROUP = {
  id: CONTACT_ID,
  contacts: [
    { id: CONTACT_ID, email: 'lea.martin@example.com', createdAt: '2026-11-02T09:15:02.114Z' },
    { id: '01938a6e-9f40-7a21-8c0d-1b2e3f4a5c6d', email: 'Lea.Martin@Example.com', createdAt: '2026-11-03T14:02:45.870Z' },
  ],
};

export const ERASURE_ANSWER = {
  id: '01939b12-5e6f-7a80-9b1c-2d3e4f5a6b7c',
  requestId: null,
  at: '2026-12-01T10:04:12.331Z',
  actor: { type: 'api_key', id: '01938a10-1111-7222-8333-444455556666' },
  tables: { contacts: 1, consent_ledger: 3, list_members: 2, interactions: 17 },
  residue: ['notes.body'],
  storage: null,
  complete: false,
  tasks: [
    {
      id: '01939b12-5e70-7a81-9b1d-2d3e4f5a6b7d',
      kind: 'residue' as const,
      location: 'notes.body',
      rowId: '01938c01-aaaa-7bbb-8ccc-dddd0000eeee',
    },
  ],
};

export const CUSTOM_FIELD_CREATE = {
  name: 'loyalty_tier',
  label: 'Loyalty tier',
  type: 'text' as const,
  personal: false,
};

export const CUSTOM_FIELD = {
  id: '01938a60-3c4d-7e5f-8a6b-7c8d9e0f1a2b',
  name: 'loyalty_tier',
  label: 'Loyalty tier',
  type: 'text' as const,
  personal: false,
  column: 'cf_loyalty_tier',
  createdAt: '2026-10-15T08:00:00.000Z',
};

export const IMPORT_RESULT = {
  created: 1824,
  updated: 312,
  rejected: [
    { line: 17, reason: 'email: missing' },
    { line: 903, reason: 'duplicate email: the file has it on line 12 already' },
  ],
  ignoredColumns: ['guardianId'],
  dryRun: false,
};

/** A listing's page, as List() shapes it. */
export const page = <T>(rows: T[], total = rows.length) => ({
  data: rows,
  page: { next: rows.length < total ? 'djE6MDE5MzhhNmUtNGMyZi03YjEwLTlhM2UtNWYyYzhkMWU0YTA3' : null, total, totalIsEstimate: false },
});
