import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listPage, PageQuery } from '../../http/pagination.ts';
import { commonErrors, Data, List, Obj, withExamples } from '../../http/schemas.ts';
import type { UndeliverableService } from './undeliverable.service.ts';

/** What these routes use: the module's face, nothing else. */
export interface UndeliverableRouteDeps {
  undeliverable: UndeliverableService;
}

const UndeliverableSchema = Obj({
  address: Type.String({ description: 'the address, normalised' }),
  since: Type.String({ format: 'date-time', description: 'when the hard bounce that put it here was received' }),
  bounceId: Type.Union([Type.String(), Type.Null()], { description: 'that bounce (GET /bounces lists it)' }),
  status: Type.Union([Type.String(), Type.Null()], {
    description:
      "that bounce's DSN status (5.1.1 no such mailbox, 5.2.1 mailbox disabled, 5.4.4 no such domain); null once its record is past " +
      'its one-year retention',
  }),
});

const EXAMPLE = {
  address: 'lena.fischer@example.org',
  since: '2026-12-01T10:20:30.000Z',
  bounceId: '01938b10-7a2c-7d3e-8f4a-5b6c7d8e9f0a',
  status: '5.1.1',
};

export const undeliverableRoutes =
  (s: UndeliverableRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/undeliverable',
      {
        config: { access: { area: 'messages', op: 'read' }, audit: { action: 'undeliverable.list', target: 'bounce' } },
        schema: {
          tags: ['bounces'],
          summary: 'Addresses nothing more is sent to, because they bounced hard',
          description:
            'An address is put here by a hard bounce whose status says the address failed (5.1.x but 5.1.7 and 5.1.8, 5.2.1, ' +
            '5.4.4); every later send to it is refused with reason `undeliverable`. Newest first, each with the bounce that ' +
            'caused it. `q` finds addresses containing the text, without regard to case (the same search as GET /contacts ' +
            'takes in its query string).',
          querystring: withExamples(
            Obj({
              ...PageQuery,
              q: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'text the address contains, any case' })),
            }),
            { limit: 20, q: 'example.org' },
          ),
          response: {
            200: withExamples(List(UndeliverableSchema), { data: [EXAMPLE], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const page = await listPage(
          req.query,
          (limit, after) => s.undeliverable.list(req.query.q, limit, after),
          () => s.undeliverable.total(req.query.q),
        );
        return { ...page, data: page.data.map(({ id: _, ...shown }) => shown) };
      },
    );

    // POST with the address in the body: an address never goes in a URL (logs, history, proxies).
    app.post(
      '/undeliverable/clear',
      {
        config: { access: { area: 'messages', op: 'write' }, audit: { action: 'undeliverable.clear', target: 'bounce' } },
        schema: {
          tags: ['bounces'],
          summary: 'Allow sending to an undeliverable address again',
          description:
            'For when someone knows the mailbox works again (the person fixed it, or the bounce was a mistake of the ' +
            'receiving server). The address is taken off the list and later sends to it go out; the bounce records stay. ' +
            '`cleared` is false when the address was not on the list: the same answer shape and no error, so this reveals ' +
            'nothing the list does not show. The audit entry names the bounce that had put the address there, never the address.',
          body: withExamples(Obj({ email: Type.String({ minLength: 1, maxLength: 254, description: 'the address, any case' }) }), {
            email: 'lena.fischer@example.org',
          }),
          response: {
            200: withExamples(
              Data(Obj({ cleared: Type.Boolean({ description: 'true when the address was on the list and is off it now' }) })),
              {
                data: { cleared: true },
              },
            ),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const r = await s.undeliverable.clear(req.body.email);
        req.auditTargetId = r.bounceId;
        return { data: { cleared: r.cleared } };
      },
    );
  };
