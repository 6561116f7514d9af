/** Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates each). */

export const LIST_ID = '01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88';
export const CONTACT_ID = '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07';

export const LIST_CREATE = { name: 'Monthly newsletter', description: 'News from the bakery, about once a month' };
export const LIST = { id: LIST_ID, ...LIST_CREATE, members: 1284, createdAt: '2026-09-14T07:30:00.000Z' };
export const LISTS_PAGE = {
  data: [
    LIST,
    {
      id: '01938a6f-5e22-7d53-9f6c-4b0e3a7d2c99',
      name: 'Product launches',
      description: null,
      members: 312,
      createdAt: '2026-10-02T13:12:40.215Z',
    },
  ],
  page: { next: null, total: 2, totalIsEstimate: false },
};
export const MEMBERSHIPS = [{ listId: LIST_ID, name: 'Monthly newsletter', joinedAt: '2026-11-28T16:40:11.502Z' }];
export const JOIN_BODY = { source: 'form', notice: 'Yes, send me the monthly newsletter.', evidence: { ip: '203.0.113.9' } };
