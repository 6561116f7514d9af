import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { decodeCursor, DEFAULT_LIMIT, encodeCursor, PageQuery } from '../../http/pagination.ts';
import { commonErrors, Data, IdParams, List, Obj, withExamples } from '../../http/schemas.ts';
import { redactLinks } from '../../lib/signed.ts';
import type { MailSender } from './mail.sender.ts';
import type { OutboxItem } from './mail.model.ts';

const OutboxItemSchema = Obj({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.Union([Type.String(), Type.Null()]),
  html: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

/**
 * What the outbox shows: the message with every bearer link (verification, download) made
 * useless. The admin debugging mail sees that a link was there and where it led; a working copy
 * would let them confirm a stranger's request or download a stranger's export. Headers and the
 * sender stay in the row (the item is an allow-list).
 */
const shown = (m: OutboxItem): OutboxItem => ({
  ...m,
  subject: redactLinks(m.subject),
  text: m.text === null ? null : redactLinks(m.text),
  html: m.html === null ? null : redactLinks(m.html),
});

const ITEM = {
  id: '01938b10-7a2c-7d3e-8f4a-5b6c7d8e9f0a',
  to: 'lena.fischer@example.org',
  subject: 'Confirm your request',
  text: 'Please confirm your request: https://assent.example.com/public/v1/requests/confirm?token=[redacted]',
  html: null,
  createdAt: '2026-12-01T10:20:30.000Z',
};

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface OutboxRouteDeps {
  mail: Pick<MailSender, 'listOutbox' | 'getOutboxItem'>;
}

export const outboxRoutes =
  (s: OutboxRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/outbox',
      {
        config: { access: { area: 'outbox', op: 'read' }, audit: { action: 'outbox.list', target: 'outbox' } },
        schema: {
          tags: ['mail'],
          summary:
            'Messages kept in the local outbox (when no SMTP relay is configured), newest first; links that carry a token are shown ' +
            'redacted (admin only)',
          description:
            'What the gated sender kept instead of sending, while no SMTP relay is set: a development and test aid. Every ' +
            'message is shown as it would have gone out, except that links carrying a token (request confirmation, export ' +
            'download) are redacted, so reading the outbox never lets anyone act as the recipient.',
          querystring: withExamples(Obj(PageQuery), { limit: 20 }),
          response: {
            200: withExamples(List(OutboxItemSchema), { data: [ITEM], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const page = await s.mail.listOutbox({
          limit: req.query.limit ?? DEFAULT_LIMIT,
          ...(req.query.cursor ? { cursor: decodeCursor(req.query.cursor)! } : {}),
        });
        return {
          data: page.items.map(shown),
          page: { next: page.next ? encodeCursor(page.next) : null, total: page.total.total, totalIsEstimate: page.total.isEstimate },
        };
      },
    );

    app.get(
      '/outbox/:id',
      {
        config: { access: { area: 'outbox', op: 'read' }, audit: { action: 'outbox.view', target: 'outbox' } },
        schema: {
          tags: ['mail'],
          summary: 'One outbox message',
          description: 'One kept message, its token-carrying links redacted as in the listing; 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(OutboxItemSchema), { data: ITEM }), ...commonErrors },
        },
      },
      async (req) => ({ data: shown(await s.mail.getOutboxItem(req.params.id)) }),
    );
  };
