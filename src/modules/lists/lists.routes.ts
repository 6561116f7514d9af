import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { WITHDRAWAL_ACCESS } from '../../http/access.ts';
import { actorOf } from '../../http/auth.ts';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, Id } from '../../http/schemas.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { ListsService } from './lists.service.ts';
import { type Source, SourceSchema } from '../consent/module.ts';

const ListSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  members: Type.Integer(),
  createdAt: Type.String(),
});
const MemberParams = Obj({ id: Id, listId: Id });
const ChangeBody = Type.Optional(
  Obj({
    source: Type.Optional(SourceSchema),
    notice: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 20_000 }), Obj({ id: Type.String({ maxLength: 36 }) })])),
    evidence: Type.Optional(
      Obj({ ip: Type.Optional(Type.String({ maxLength: 64 })), userAgent: Type.Optional(Type.String({ maxLength: 2000 })) }),
    ),
  }),
);

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ListsRouteDeps {
  contacts: ContactsService;
  lists: ListsService;
}

export const listsRoutes =
  (s: ListsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/lists',
      {
        config: { access: { area: 'lists', op: 'write' }, audit: { action: 'list.create', target: 'list' } },
        schema: {
          tags: ['lists'],
          summary: 'Create a subscription list',
          body: Obj({
            name: Type.String({ minLength: 1, maxLength: 200 }),
            description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
          }),
          response: { 201: Data(ListSchema), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const l = await s.lists.create(req.body);
        req.auditTargetId = l.id;
        return reply.status(201).send({ data: l });
      },
    );

    app.get(
      '/lists',
      {
        config: { access: { area: 'lists', op: 'read' }, audit: false },
        schema: {
          tags: ['lists'],
          summary: 'Subscription lists with member counts',
          querystring: Obj(PageQuery),
          response: { 200: List(ListSchema), ...commonErrors },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          (n, after) => s.lists.list(n, after),
          () => s.lists.total(),
        );
      },
    );

    app.get(
      '/contacts/:id/lists',
      {
        config: { access: { area: 'lists', op: 'read' }, audit: { action: 'list.memberships', target: 'contact' } },
        schema: {
          tags: ['lists'],
          summary: "The contact's list memberships",
          params: IdParams,
          response: {
            200: Data(Type.Array(Obj({ listId: Type.String(), name: Type.String(), joinedAt: Type.String() }))),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        await s.contacts.get(req.params.id);
        return { data: await s.lists.memberships(req.params.id) };
      },
    );

    type Body = { source?: Source; notice?: string | { id: string }; evidence?: { ip?: string; userAgent?: string } } | undefined;
    const ctxOf = (req: Parameters<typeof actorOf>[0], body: Body) => ({
      source: body?.source ?? ('api' as const),
      actor: actorOf(req),
      ...(body?.notice !== undefined ? { notice: body.notice } : {}),
      ...(body?.evidence ? { evidence: body.evidence } : {}),
    });

    app.put(
      '/contacts/:id/lists/:listId',
      {
        config: { access: { area: 'lists', op: 'write' }, audit: { action: 'list.join', target: 'contact' } },
        schema: {
          tags: ['lists'],
          summary: 'Join a list (recorded in the consent ledger; joining twice records nothing)',
          params: MemberParams,
          body: ChangeBody,
          response: { 200: Data(Obj({ changed: Type.Boolean() })), ...commonErrors },
        },
      },
      async (req) => ({ data: { changed: (await s.lists.join(req.params.id, req.params.listId, ctxOf(req, req.body as Body))).changed } }),
    );

    app.delete(
      '/contacts/:id/lists/:listId',
      {
        // Leaving is a withdrawal: open to every role that may edit contacts (src/http/access.ts).
        config: { access: WITHDRAWAL_ACCESS, audit: { action: 'list.leave', target: 'contact' } },
        schema: {
          tags: ['lists'],
          summary: 'Leave a list (recorded in the consent ledger)',
          description: 'A withdrawal: open to every role that may edit contacts (the privacy officer too), unlike joining.',
          params: MemberParams,
          response: { 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.lists.leave(req.params.id, req.params.listId, ctxOf(req, undefined));
        return reply.status(204).send(null);
      },
    );
  };
