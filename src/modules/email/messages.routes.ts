import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sortedListPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, withExamples } from '../../http/schemas.ts';
import { CONTACT_ID, MESSAGE, MESSAGE_CREATE, MESSAGES_PAGE, PREVIEW } from './messages.examples.ts';
import {
  MESSAGE_RULES,
  MessageCreateSchema,
  MessageListQuery,
  MessagePatchSchema,
  MessageSchema,
  PreviewBody,
  PreviewSchema,
  TestBody,
  TestResultSchema,
} from './messages.schemas.ts';
import type { MessagesService } from './messages.service.ts';

/** What these routes use: the module's face, nothing else. */
export interface MessagesRouteDeps {
  messages: MessagesService;
}

// Two template parts of 512 KiB and a block document of 256 KiB, JSON-escaped (quotes in HTML double).
const BODY_LIMIT = 4 * 1024 * 1024;
const SORT = '-updatedAt';
const read = { area: 'messages', op: 'read' } as const;
const write = { area: 'messages', op: 'write' } as const;
const templateErrors = { 409: ErrorBody, 422: ErrorBody };

export const messagesRoutes =
  (s: MessagesRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/messages',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'message.create', target: 'message' } },
        schema: {
          tags: ['email'],
          summary: 'Write a message',
          description: `A message for one purpose, checked whole before it is stored (nothing invalid is kept). ${MESSAGE_RULES}`,
          body: withExamples(MessageCreateSchema, MESSAGE_CREATE),
          response: { 201: withExamples(Data(MessageSchema), { data: MESSAGE }), 422: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const m = await s.messages.create(req.body);
        req.auditTargetId = m.id;
        return reply.status(201).send({ data: m });
      },
    );

    app.get(
      '/messages',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['email'],
          summary: 'Messages, most recently changed first',
          description: 'Every message, most recently changed first; `q` keeps those whose name holds each of its words.',
          querystring: withExamples(MessageListQuery, { q: 'newsletter', limit: 20 }),
          response: { 200: withExamples(List(MessageSchema), MESSAGES_PAGE), ...commonErrors },
        },
      },
      async (req) => {
        const filter = req.query.q === undefined ? {} : { q: req.query.q };
        return sortedListPage(
          req.query,
          SORT,
          (n, after) => s.messages.list(filter, n, after),
          () => s.messages.count(filter),
        );
      },
    );

    app.get(
      '/messages/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['email'],
          summary: 'One message',
          description: 'The message with its templates and block document; 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(MessageSchema), { data: MESSAGE }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.messages.get(req.params.id) }),
    );

    app.patch(
      '/messages/:id',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'message.update', target: 'message' } },
        schema: {
          tags: ['email'],
          summary: 'Change a message',
          description:
            'Changes the fields given (null clears an optional one); the message as it would then be is checked whole, and ' +
            `nothing is stored when it fails. A change reaches sends not yet made. ${MESSAGE_RULES}`,
          params: IdParams,
          body: withExamples(MessagePatchSchema, { subject: 'Spring bread is back' }, { text: null, listId: null }),
          response: {
            200: withExamples(Data(MessageSchema), { data: { ...MESSAGE, subject: 'Spring bread is back' } }),
            422: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.messages.update(req.params.id, req.body) }),
    );

    app.delete(
      '/messages/:id',
      {
        config: { access: write, audit: { action: 'message.delete', target: 'message' } },
        schema: {
          tags: ['email'],
          summary: 'Delete a message no send or campaign names',
          description:
            'A message that was sent (or queued, or refused) to anyone, or that a campaign names, keeps their history: 409 ' +
            '`message_in_use`. 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 204: Type.Null(), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.messages.delete(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/messages/:id/preview',
      {
        // Shows the contact's fields in the message: a read of personal data, audited by contact.
        config: { access: read, audit: { action: 'message.preview', target: 'contact' } },
        schema: {
          tags: ['email'],
          summary: 'The message as a contact would get it, and the gate’s answer',
          description:
            'Renders the subject, HTML and text with the contact’s fields, and asks the consent gate whether the message’s ' +
            'purpose may be sent to the contact now (as a campaign would ask: `gate`), and whether the mail would carry the ' +
            'open pixel and click links (`tracking`: the gate allows `profiling`; never for a child). The links have their real ' +
            'shape with the placeholder token `preview`, which no public route accepts; no send is recorded. 404 `not_found` ' +
            'for an unknown message or contact. Each preview is an audit entry naming the contact.',
          params: IdParams,
          body: withExamples(PreviewBody, { contactId: CONTACT_ID }),
          response: { 200: withExamples(Data(PreviewSchema), { data: PREVIEW }), ...templateErrors, ...commonErrors },
        },
      },
      async (req) => {
        req.auditTargetId = req.body.contactId;
        return { data: await s.messages.preview(req.params.id, req.body.contactId) };
      },
    );

    app.post(
      '/messages/:id/test',
      {
        config: { access: write, audit: { action: 'message.test', target: 'message' } },
        schema: {
          tags: ['email'],
          summary: 'Send a test of the message to a staff address',
          description:
            'Sends the message once to `to`, with "[Test] " before its subject, rendered as the contact `contactId` when given, ' +
            'else as a sample contact with every field filled (no real person). It answers the staff member’s own action, so it ' +
            'goes through the gated sender as purpose `requested` (caller `staff`): through the SMTP relay, or into the local ' +
            'outbox when none is set (`transport` says which). Its links have the placeholder token `preview` and work for ' +
            'nobody. 502 `mail_failed` when the relay refuses; 403 `forbidden` when the address is suppressed (an erased ' +
            'person’s); 404 `not_found` for an unknown message or contact. Nothing is kept of the address but the message ' +
            'itself in the outbox.',
          params: IdParams,
          body: withExamples(
            TestBody,
            { to: 'ana.marketing@bakery.example.com' },
            { to: 'ana.marketing@bakery.example.com', contactId: CONTACT_ID },
          ),
          response: {
            202: withExamples(Data(TestResultSchema), {
              data: { transport: 'smtp', id: '01938a71-3c5d-7e22-9f3a-7b8c9d0e1f2a', messageId: '<01938a71-3c5d@bakery.example.com>' },
            }),
            ...templateErrors,
            502: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req, reply) => {
        const r = await s.messages.sendTest(req.params.id, req.body.to, req.body.contactId);
        return reply.status(202).send({ data: r });
      },
    );
  };
