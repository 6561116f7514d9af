/**
 * Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates
 * each); filters in the language of docs/segments.md.
 */

export const SEGMENT_ID = '01938a70-2b7e-7f03-b1c4-7e8a9d0c3f55';
export const CONTACT_ID = '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07';
const LIST_ID = '01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88';

export const FILTER = {
  and: [
    { field: 'country', op: 'in', value: ['FR', 'BE', 'CH'] },
    { allowed: 'marketing' },
    { not: { list: LIST_ID } },
    { behaviour: { type: 'email_opened', withinDays: 90, atLeast: 2 } },
  ],
};

export const SEGMENT_CREATE = {
  name: 'Engaged French-speaking customers',
  description: 'Opened two mails in 90 days, not yet on the French newsletter: for the autumn campaign',
  kind: 'dynamic' as const,
  filter: FILTER,
};

export const SEGMENT = {
  id: SEGMENT_ID,
  name: 'Engaged French-speaking customers',
  description: 'Opened two mails in 90 days, not yet on the French newsletter: for the autumn campaign' as string | null,
  kind: 'dynamic' as const,
  filter: FILTER,
  snapshotAt: null,
  createdAt: '2026-11-20T10:12:00.000Z',
  updatedAt: '2026-11-20T10:12:00.000Z',
  flagged: false,
  flagDetail: null,
};

export const STATIC_SEGMENT = {
  ...SEGMENT,
  id: '01938a70-8c9d-7e0f-a1b2-c3d4e5f60718',
  name: 'Black Friday buyers',
  description: null,
  kind: 'static' as const,
  filter: { field: 'customFields.last_order', op: '>=', value: '2026-11-27' },
  snapshotAt: '2026-11-30T23:00:00.000Z',
};

export const SEGMENT_PATCH = { name: 'Engaged French-speaking customers (90 days)' };

export const COUNT = { data: { count: 4213 } };

export const EXPLANATION = {
  member: false,
  conditions: [
    { path: '/and/0', condition: FILTER.and[0], value: true },
    { path: '/and/1', condition: FILTER.and[1], value: true },
    { path: '/and/2/not', condition: FILTER.and[2]!.not, value: true },
    { path: '/and/3', condition: FILTER.and[3], value: false },
  ],
};
