/** Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates each). */

export const WEBHOOK_ID = '01938d10-2e3f-7a40-8b51-c6d7e8f9a0b1';

export const WEBHOOK_CREATE = {
  url: 'https://crm.example.com/hooks/assent',
  events: ['contact.created', 'contact.updated', 'consent.changed'],
  description: 'Keeps the CRM in step',
};

export const WEBHOOK = {
  id: WEBHOOK_ID,
  url: WEBHOOK_CREATE.url,
  description: WEBHOOK_CREATE.description,
  events: WEBHOOK_CREATE.events,
  includePersonalData: false,
  status: 'active' as const,
  consecutiveFailures: 0,
  disabledAt: null,
  createdAt: '2026-11-15T11:20:00.000Z',
  updatedAt: '2026-11-15T11:20:00.000Z',
};

export const WEBHOOK_CREATED = { ...WEBHOOK, secret: 'whsec_q7Z1m4Kx9PbV2nR8tYc3LwE6sH0jDfGa5uNiOe_Xk-T' };

export const WEBHOOK_PATCH = {
  status: 'active' as const,
  events: ['contact.created', 'contact.updated', 'consent.changed', 'contact.erased'],
};

export const EVENT_TYPES = [
  'consent.changed',
  'contact.erased',
  'contact.created',
  'contact.updated',
  'import.finished',
  'request.received',
  'request.due_soon',
  'request.fulfilled',
];

export const DELIVERIES = {
  data: [
    {
      id: '01939e01-5a6b-7c7d-8e9f-a0b1c2d3e4f5',
      eventId: '01939e00-1b2c-7d3e-8f40-5a6b7c8d9e0f',
      eventType: 'contact.updated',
      attempt: 2,
      status: 'succeeded' as const,
      responseStatus: 204,
      error: null,
      durationMs: 143,
      createdAt: '2026-12-01T09:31:05.220Z',
    },
    {
      id: '01939e00-f1e2-7d3c-8b4a-596877665544',
      eventId: '01939e00-1b2c-7d3e-8f40-5a6b7c8d9e0f',
      eventType: 'contact.updated',
      attempt: 1,
      status: 'failed' as const,
      responseStatus: 503,
      error: 'http_status',
      durationMs: 2011,
      createdAt: '2026-12-01T09:30:04.880Z',
    },
  ],
  page: { next: null, total: 2, totalIsEstimate: false },
};
