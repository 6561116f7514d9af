import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { WITHDRAWAL_ACCESS } from '../../http/access.ts';
import { actorOf } from '../../http/auth.ts';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, Id, withExamples } from '../../http/schemas.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { ListsService } from './lists.service.ts';
import { type Source, SourceSchema } from '../consent/module.ts';
import { JOIN_BODY, LIST, LIST_CREATE, LISTS_PAGE, MEMBERSHIPS } from './lists.examples.ts';

const ListSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  members: Type.Integer(),
  createdAt: Type.String(),
});
const MemberParams = Obj({ id: Id, listId: Id });
const ChangeBody = Type.Optional(
  withExamples(
    Obj({
      source: Type.Optional(SourceSchema),
      notice: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 20_000 }), Obj({ id: Type.String({ maxLength: 36 }) })])),
      evidence: Type.Optional(
        Obj({ ip: Type.Optional(Type.String({ maxLength: 64 })), userAgent: Type.Optional(Type.String({ maxLength: 2000 })) }),
      ),
    }),
    JOIN_BODY,
  ),
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
          description:
            'A list people join and leave (each join and leave is recorded in the consent ledger). The name is trimmed and must ' +
            'be unique: a name in use gives 409 `list_exists`.',
          body: withExamples(
            Obj({
              name: Type.String({ minLength: 1, maxLength: 200 }),
              description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
            }),
            LIST_CREATE,
          ),
          response: { 201: withExamples(Data(ListSchema), { data: { ...LIST, members: 0 } }), 409: ErrorBody, ...commonErrors },
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
          description: 'Every list in creation order, with its current member count.',
          querystring: Obj(PageQuery),
          response: { 200: withExamples(List(ListSchema), LISTS_PAGE), ...commonErrors },
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

    const ListParams = Obj({ listId: Id });

    app.get(
      '/lists/:listId',
      {
        config: { access: { area: 'lists', op: 'read' }, audit: false },
        schema: {
          tags: ['lists'],
          summary: 'One subscription list with its member count',
          description:
            'The list by its id, with its current member count; its members are GET /contacts?list={listId}. 404 `not_found` ' +
            'when there is no such list.',
          params: ListParams,
          response: { 200: withExamples(Data(ListSchema), { data: LIST }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.lists.one(req.params.listId) }),
    );

    app.patch(
      '/lists/:listId',
      {
        config: { access: { area: 'lists', op: 'write' }, audit: { action: 'list.update', target: 'list' } },
        schema: {
          tags: ['lists'],
          summary: 'Rename a list or change its description',
          description:
            'Changes the fields given. Memberships and the consent ledger name the list by its id, so a new name changes nothing ' +
            'recorded. The name is trimmed and must stay unique: a name another list has gives 409 `list_exists`. 404 ' +
            '`not_found` when there is no such list.',
          params: ListParams,
          body: withExamples(
            Obj(
              {
                name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
                description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
              },
              { minProperties: 1 },
            ),
            { name: 'Monthly news', description: 'News from the bakery, about once a month' },
          ),
          response: {
            200: withExamples(Data(ListSchema), { data: { ...LIST, name: 'Monthly news' } }),
            409: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => {
        req.auditTargetId = req.params.listId;
        return { data: await s.lists.update(req.params.listId, req.body) };
      },
    );

    app.get(
      '/contacts/:id/lists',
      {
        config: { access: { area: 'lists', op: 'read' }, audit: { action: 'list.memberships', target: 'contact' } },
        schema: {
          tags: ['lists'],
          summary: "The contact's list memberships",
          description:
            'The lists the contact is on now, with when they joined (the history of joins and leaves is in GET ' +
            '/contacts/{id}/consent/history). 404 `not_found` for an unknown contact. Each read is an ' +
            'audit entry naming the contact.',
          params: IdParams,
          response: {
            200: withExamples(Data(Type.Array(Obj({ listId: Type.String(), name: Type.String(), joinedAt: Type.String() }))), {
              data: MEMBERSHIPS,
            }),
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
          description:
            'The body is optional: `source` (default api) says where the person asked, `notice` the text they were shown (or ' +
            '`{"id"}` of a stored notice), `evidence` their IP address and user agent (minimised before it is kept). `changed` is ' +
            'false when the contact was already on the list. 404 `not_found` for an unknown contact or list. ' +
            'For many contacts at once use POST /lists/{listId}/members.',
          params: MemberParams,
          body: ChangeBody,
          response: { 200: withExamples(Data(Obj({ changed: Type.Boolean() })), { data: { changed: true } }), ...commonErrors },
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
          description:
            'A withdrawal: open to every role that may edit contacts (admin, marketer and privacy officer), unlike joining. ' +
            'Leaving a list the contact is not on records nothing and still answers 204. 404 `not_found` for an unknown contact ' +
            'or list.',
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
