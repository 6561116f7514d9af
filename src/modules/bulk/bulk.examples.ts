/** Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates each). */
import { csvLine } from '../../lib/csv.ts';
import { exportHeader } from '../contacts/module.ts';

export const LIST_ID = '01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88';
export const SEGMENT_ID = '01938a70-2b7e-7f03-b1c4-7e8a9d0c3f55';
const CONTACT_IDS = [
  '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07',
  '01938a6e-9f40-7a21-8c0d-1b2e3f4a5c6d',
  '01938a6f-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
];

export const LIST_BULK = { contactIds: CONTACT_IDS, source: 'import' };
export const LIST_BULK_SEGMENT = { segmentId: SEGMENT_ID };
export const LIST_ADDED = { total: 3, added: 2, unchanged: 1, missing: 0 };
export const LIST_REMOVED = { total: 3, removed: 1, unchanged: 1, missing: 1 };

export const CONSENT_BULK = {
  segmentId: SEGMENT_ID,
  level: 3,
  source: 'subscription_center',
  notice: 'You will receive our newsletter about once a month; unsubscribe with the link in each email.',
};
export const CONSENT_COUNTS = { total: 4213, changed: 4100, unchanged: 112, refused: 0, missing: 1 };

export const ERASURE_BULK = {
  contactIds: CONTACT_IDS,
  note: 'Written requests received by post, checked against the customer file on 2026-12-01',
};
export const ERASURE_COUNTS = { total: 3, erased: 2, incomplete: 1, missing: 0, uncertain: 0 };

export const ACCEPTED = { data: { jobId: '01939c00-4d5e-7f60-8a1b-2c3d4e5f6a7b' } };

/** Made by the export's own line writer, so the example shows its quoting and formula guard as they are. */
export const CSV =
  csvLine(exportHeader(['loyalty_tier'], true)) +
  csvLine([
    '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07',
    'lea.martin@example.com',
    'Léa',
    'Martin',
    '+33 6 12 34 56 78',
    'Boulangerie Martin, Lyon',
    'FR',
    'fr',
    null,
    false,
    null,
    false,
    4,
    'Marketing',
    'Monthly newsletter; Product launches',
    'gold',
    '2026-11-02T09:15:02.114Z',
    '2026-11-28T16:40:11.502Z',
  ]);
