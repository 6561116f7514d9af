// Examples for the OpenAPI document (each is checked against its schema by the lint test).
export const LEAD_FIELD = {
  id: '01938e01-2a3b-7c4d-8e5f-6a7b8c9d0e1f',
  name: 'stage_code',
  label: 'Stage code',
  type: 'text',
  personal: false,
  column: 'cf_stage_code',
  createdAt: '2026-10-15T08:00:00.000Z',
};

export const LEAD = {
  id: '01938e10-3b4c-7d5e-8f6a-7b8c9d0e1f2a',
  contactId: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b',
  title: 'Renewal of the 2027 support contract',
  status: 'open' as const,
  ownerId: '01938a01-1b2c-7d3e-8f4a-5b6c7d8e9f0a',
  value: 12500,
  fields: { stage_code: 'S1' },
  createdAt: '2026-11-20T15:12:00.000Z',
  updatedAt: '2026-11-20T15:12:00.000Z',
  contact: { id: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b', email: 'ana.silva@example.com', firstName: 'Ana', lastName: 'Silva' },
};
