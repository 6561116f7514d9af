import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, Id } from '../../http/schemas.ts';
import { ContactSchema, type ContactsService } from '../contacts/module.ts';
import type { SegmentsService } from './segments.service.ts';
import { LIMITS } from './filter.model.ts';

const Filter = Type.Unknown({
  description:
    'A filter tree (docs/segments.md): {"and":[…]}, {"or":[…]}, {"not":{…}}, {"field","op","value"}, {"consent":{"atLeast":n}}, ' +
    '{"allowed":"purpose"}, {"list":"id"}, {"behaviour":{"type","ref","withinDays","atLeast"}}. ' +
    `Limits: ${LIMITS.nodes} nodes, depth ${LIMITS.depth}, ${LIMITS.children} nodes per and/or, ${LIMITS.inValues} values per in ` +
    `list, ${LIMITS.values} values in the whole filter, ${LIMITS.string} characters per text value.`,
});
const SegmentSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')]),
  filter: Filter,
  snapshotAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  flagged: Type.Boolean({ description: 'an erasure replaced a value in the filter or found an erased person named here; see flagDetail' }),
  flagDetail: Type.Union([Type.String(), Type.Null()]),
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Count = Data(Obj({ count: Type.Integer() }));
const read = { area: 'segments', op: 'read' } as const;
const write = { area: 'segments', op: 'write' } as const;
// Filter trees are small; a tight limit keeps hostile bodies (deep nesting) cheap to refuse.
const BODY_LIMIT = 256 * 1024;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface SegmentsRouteDeps {
  contacts: ContactsService;
  segments: SegmentsService;
}

export const segmentsRoutes =
  (s: SegmentsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/segments',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'segment.create', target: 'segment' } },
        schema: {
          tags: ['segments'],
          summary: 'Create a segment (a static one takes its member snapshot now)',
          body: Obj({ name: Name, kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')]), filter: Filter }),
          response: { 201: Data(SegmentSchema), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const seg = await s.segments.create(req.body);
        req.auditTargetId = seg.id;
        return reply.status(201).send({ data: seg });
      },
    );

    app.get(
      '/segments',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['segments'],
          summary: 'Segments',
          querystring: Obj(PageQuery),
          response: { 200: List(SegmentSchema), ...commonErrors },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          (n, after) => s.segments.list(n, after),
          () => s.segments.total(),
        );
      },
    );

    app.post(
      '/segments/preview',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: read, audit: false },
        schema: {
          tags: ['segments'],
          summary: 'Count the contacts an unsaved filter selects',
          body: Obj({ filter: Filter }),
          response: { 200: Count, 409: ErrorBody, ...commonErrors },
        },
      },
      async (req) => ({ data: { count: await s.segments.preview(req.body.filter) } }),
    );

    app.get(
      '/segments/:id',
      {
        config: { access: read, audit: false },
        schema: { tags: ['segments'], summary: 'One segment', params: IdParams, response: { 200: Data(SegmentSchema), ...commonErrors } },
      },
      async (req) => ({ data: await s.segments.get(req.params.id) }),
    );

    app.patch(
      '/segments/:id',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'segment.update', target: 'segment' } },
        schema: {
          tags: ['segments'],
          summary:
            'Rename or change the filter (a static segment re-takes its snapshot); `flagged: false` clears an erasure flag once dealt with',
          params: IdParams,
          body: Obj(
            { name: Type.Optional(Name), filter: Type.Optional(Filter), flagged: Type.Optional(Type.Literal(false)) },
            { minProperties: 1 },
          ),
          response: { 200: Data(SegmentSchema), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req) => ({ data: await s.segments.update(req.params.id, req.body) }),
    );

    app.delete(
      '/segments/:id',
      {
        config: { access: write, audit: { action: 'segment.delete', target: 'segment' } },
        schema: { tags: ['segments'], summary: 'Delete a segment', params: IdParams, response: { 204: Type.Null(), ...commonErrors } },
      },
      async (req, reply) => {
        await s.segments.delete(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/segments/:id/snapshot',
      {
        config: { access: write, audit: { action: 'segment.snapshot', target: 'segment' } },
        schema: {
          tags: ['segments'],
          summary: 'Re-take the member snapshot of a static segment',
          params: IdParams,
          response: { 200: Data(SegmentSchema), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req) => ({ data: await s.segments.refresh(req.params.id) }),
    );

    app.get(
      '/segments/:id/count',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['segments'],
          summary: 'How many contacts are in the segment now (static: in its snapshot)',
          params: IdParams,
          response: { 200: Count, 409: ErrorBody, ...commonErrors },
        },
      },
      async (req) => ({ data: { count: await s.segments.count(req.params.id) } }),
    );

    app.get(
      '/segments/:id/members',
      {
        config: { access: read, audit: { action: 'segment.members', target: 'segment' } },
        schema: {
          tags: ['segments'],
          summary: 'The contacts in the segment, paged',
          params: IdParams,
          querystring: Obj(PageQuery),
          response: { 200: List(ContactSchema), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          async (n, after) => s.contacts.fromRows(await s.segments.members(req.params.id, n, after)),
          () => s.segments.count(req.params.id),
        );
      },
    );

    app.get(
      '/segments/:id/explain',
      {
        config: { access: read, audit: { action: 'segment.explain', target: 'contact' } },
        schema: {
          tags: ['segments'],
          summary: 'Why a contact is or is not in the segment: each condition with its truth value',
          params: IdParams,
          querystring: Obj({ contact: Id }),
          response: {
            200: Data(
              Obj({
                member: Type.Boolean(),
                conditions: Type.Array(Obj({ path: Type.String(), condition: Type.Unknown(), value: Type.Boolean() })),
              }),
            ),
            409: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => {
        req.auditTargetId = req.query.contact;
        return { data: await s.segments.explain(req.params.id, req.query.contact) };
      },
    );
  };
