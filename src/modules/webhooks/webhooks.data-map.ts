import { declareTable } from '../../db/datamap.declare.ts';

export const webhooksDataMap = [
  declareTable({
    name: 'webhooks',
    description: 'Endpoints that receive signed events: where, which events, whether payloads carry personal values, and health.',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      id: 'system.id',
      url: { category: 'system.webhook.url', description: "an endpoint the admin chose (an organisation's system, not a person)" },
      description: { category: 'system.webhook.description', freeText: true, description: "the admin's label" },
      events: 'system.event.type',
      secret: { category: 'system.secret', description: 'the HMAC-SHA256 key the bodies are signed with' },
      include_personal_data: 'system.webhook.option',
      status: 'system.webhook.status',
      consecutive_failures: 'system.webhook.health',
      disabled_at: 'system.time',
      disabled_reason: 'system.webhook.health',
      created_at: 'system.time',
      updated_at: 'system.time',
    },
  }),
  declareTable({
    name: 'webhook_deliveries',
    description:
      'The delivery log: one row per attempt, naming the webhook and the event (never the contact or the payload) and how the ' +
      'receiver answered.',
    subjectLink: null,
    purposes: ['operations'],
    retention: { after: 'P30D', from: 'created_at' },
    columns: {
      id: 'system.id',
      webhook_id: 'system.ref.webhook',
      event_id: 'system.ref.event',
      event_type: 'system.event.type',
      attempt: 'system.job.attempts',
      status: 'system.webhook.delivery_status',
      response_status: 'system.webhook.response_status',
      error: { category: 'system.webhook.error', description: 'a fixed code, never text from the receiver' },
      duration_ms: 'system.webhook.duration',
      created_at: 'system.time',
    },
  }),
];
