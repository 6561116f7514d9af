import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listPage, PageQuery } from '../../http/pagination.ts';
import { commonErrors, Data, IdParams, List, Obj, withExamples } from '../../http/schemas.ts';
import type { WebhooksService } from './webhooks.service.ts';
import { DELIVERIES, EVENT_TYPES, WEBHOOK, WEBHOOK_CREATE, WEBHOOK_CREATED, WEBHOOK_PATCH } from './webhooks.examples.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

// Event types are checked against the manifests' list by the service, which names the allowed ones.
const EventType = Type.String({ minLength: 3, maxLength: 100, pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$' });
const Events = Type.Array(EventType, { minItems: 1, maxItems: 100, uniqueItems: true });
// Parsed and checked by the service (WHATWG URL, so an internationalised host is accepted): refused as webhook_target_refused.
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Description = Nullable(Type.String({ maxLength: 500 }));

const WebhookSchema = Obj({
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  events: Type.Array(Type.String()),
  includePersonalData: Type.Boolean(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  consecutiveFailures: Type.Integer(),
  disabledAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const CreatedSchema = Obj({ ...WebhookSchema.properties, secret: Type.String() });
const DeliverySchema = Obj({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  attempt: Type.Integer(),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('skipped')]),
  responseStatus: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  durationMs: Type.Integer(),
  createdAt: Type.String(),
});

const SIGNING =
  'Each delivery is a POST of a JSON body `{"id","type","createdAt","data":{…ids, "fields":[changed field names]},"contact"?}` ' +
  'with headers `Assent-Event-Id`, `Assent-Event-Type`, `Assent-Webhook-Id`, `Assent-Timestamp` (unix seconds) and ' +
  '`Assent-Signature: v1=<hex>`, the hex HMAC-SHA256 of `<Assent-Timestamp>.<raw body>` keyed with the webhook secret (its UTF-8 ' +
  'text, `whsec_…`). To verify: recompute it over the raw bytes received, compare in constant time, and refuse a timestamp more than ' +
  'five minutes from your clock. Delivery is at least once: de-duplicate by `Assent-Event-Id`. See docs/webhooks.md.';
const TARGETS =
  'The URL must be https (plain http only where the installation sets ASSENT_WEBHOOK_ALLOW_HTTP=true), without credentials, and ' +
  'must not name a loopback, private, link-local, carrier-grade NAT or metadata address (127/8, 10/8, 172.16/12, 192.168/16, ' +
  '100.64/10, 169.254/16, 0/8, ::1, fc00::/7, fe80::/10, `localhost`) unless the installation allows that range ' +
  '(ASSENT_WEBHOOK_ALLOW_RANGES): refused with `webhook_target_refused`. A host name is resolved and checked again at each delivery, ' +
  'and the connection goes to the address checked; redirects are not followed.';
/** Why the routes are the admin's alone (the document's "who may call" names the roles). */
const ADMIN = "Webhooks are the admin's alone: they send data out of the installation, signed with their secrets.";

/** What these routes use: the module's face, nothing else. */
export interface WebhooksRouteDeps {
  webhooks: WebhooksService;
}

export const webhooksRoutes =
  (s: WebhooksRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/webhooks',
      {
        config: { access: { area: 'webhooks', op: 'write' }, audit: { action: 'webhook.create', target: 'webhook' } },
        schema: {
          tags: ['webhooks'],
          summary: 'Subscribe an endpoint to events; the answer holds the signing secret, shown this once',
          description:
            `Events: GET /api/v1/webhooks/event-types lists them. Payloads carry ids and the names of changed fields, never personal ` +
            `values, unless \`includePersonalData\` is true (then contact.created and contact.updated also carry the contact as ` +
            `GET /api/v1/contacts/{id} shows it). ${TARGETS} ${SIGNING} A delivery is tried up to 8 times with growing waits; after ` +
            `ASSENT_WEBHOOK_DISABLE_AFTER failed attempts in a row (default 20) the webhook is disabled (PATCH status "active" to ` +
            `resume). An event type not in the list is refused with 400 \`validation_failed\`, naming the allowed ones. ${ADMIN}`,
          body: withExamples(
            Obj({
              url: Url,
              events: Events,
              description: Type.Optional(Description),
              includePersonalData: Type.Optional(Type.Boolean({ default: false })),
            }),
            WEBHOOK_CREATE,
          ),
          response: { 201: withExamples(Data(CreatedSchema), { data: WEBHOOK_CREATED }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const w = await s.webhooks.create(req.body);
        req.auditTargetId = w.id;
        return reply.status(201).send({ data: w });
      },
    );

    app.get(
      '/webhooks',
      {
        config: { access: { area: 'webhooks', op: 'read' }, audit: false },
        schema: {
          tags: ['webhooks'],
          summary: 'The webhooks, oldest first (secrets are never shown again)',
          description: 'Each webhook with its events, whether payloads carry personal values, and its health.',
          querystring: Obj(PageQuery),
          response: {
            200: withExamples(List(WebhookSchema), { data: [WEBHOOK], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) =>
        listPage(
          req.query,
          (n, after) => s.webhooks.list(n, after),
          () => s.webhooks.total(),
        ),
    );

    app.get(
      '/webhooks/event-types',
      {
        config: { access: { area: 'webhooks', op: 'read' }, audit: false },
        schema: {
          tags: ['webhooks'],
          summary: 'The event types a webhook can subscribe to',
          description: 'Declared by the modules (each manifest lists the events it publishes), so the list grows with the product.',
          response: { 200: withExamples(Data(Type.Array(Type.String())), { data: EVENT_TYPES }), ...commonErrors },
        },
      },
      async () => ({ data: s.webhooks.eventTypes() }),
    );

    app.get(
      '/webhooks/:id',
      {
        config: { access: { area: 'webhooks', op: 'read' }, audit: false },
        schema: {
          tags: ['webhooks'],
          summary: 'One webhook',
          description:
            'Its settings and health; `consecutiveFailures` counts failed attempts in a row. The secret is never shown again. ' +
            '404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(WebhookSchema), { data: WEBHOOK }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.webhooks.get(req.params.id) }),
    );

    app.patch(
      '/webhooks/:id',
      {
        config: { access: { area: 'webhooks', op: 'write' }, audit: { action: 'webhook.update', target: 'webhook' } },
        schema: {
          tags: ['webhooks'],
          summary: 'Change a webhook, or disable or re-enable it',
          description:
            `Send at least one field. \`status: "active"\` re-enables a disabled webhook and clears its count of failures. ` +
            `${TARGETS} 404 \`not_found\` for an unknown id.`,
          params: IdParams,
          body: withExamples(
            Obj(
              {
                url: Type.Optional(Url),
                events: Type.Optional(Events),
                description: Type.Optional(Description),
                includePersonalData: Type.Optional(Type.Boolean()),
                status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
              },
              { minProperties: 1 },
            ),
            WEBHOOK_PATCH,
          ),
          response: {
            200: withExamples(Data(WebhookSchema), { data: { ...WEBHOOK, ...WEBHOOK_PATCH, updatedAt: '2026-12-02T08:00:00.000Z' } }),
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.webhooks.update(req.params.id, req.body) }),
    );

    app.delete(
      '/webhooks/:id',
      {
        config: { access: { area: 'webhooks', op: 'write' }, audit: { action: 'webhook.delete', target: 'webhook' } },
        schema: {
          tags: ['webhooks'],
          summary: 'Delete a webhook and its delivery log',
          description: 'Deliveries still queued for it find it gone and send nothing. 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.webhooks.remove(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/webhooks/:id/deliveries',
      {
        config: { access: { area: 'webhooks', op: 'read' }, audit: false },
        schema: {
          tags: ['webhooks'],
          summary: "The webhook's delivery log, newest first",
          description:
            'One entry per attempt: the event, the attempt number, `succeeded`, `failed` or `skipped`, the HTTP status the receiver ' +
            'answered and an error code (`timeout`, `http_status`, `redirect_not_followed`, `response_too_large`, `connection_failed`, ' +
            '`webhook_target_refused`, `webhook_disabled`, `event_gone`); never the payload or anything the receiver sent.',
          params: IdParams,
          querystring: Obj(PageQuery),
          response: { 200: withExamples(List(DeliverySchema), DELIVERIES), ...commonErrors },
        },
      },
      async (req) =>
        listPage(
          req.query,
          (n, before) => s.webhooks.deliveries(req.params.id, n, before),
          () => s.webhooks.deliveryCount(req.params.id),
        ),
    );
  };
