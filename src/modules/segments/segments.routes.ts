import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, Id, withExamples } from '../../http/schemas.ts';
import { CONTACT_EXAMPLE, ContactSchema, type ContactsService } from '../contacts/module.ts';
import { CONTACT_ID, COUNT, EXPLANATION, FILTER, SEGMENT, SEGMENT_CREATE, SEGMENT_PATCH, STATIC_SEGMENT } from './segments.examples.ts';
import type { SegmentsService } from './segments.service.ts';
import type { FilterConditionKind } from './filter.kinds.ts';
import { LIMITS } from './filter.model.ts';

/**
 * A filter in the API document: the language's own nodes and those later modules registered
 * (filter.kinds.ts), each with its value's schema. The body stays unchecked by the schema: the
 * language's own check names every problem by JSON pointer (400 `invalid_filter`).
 */
function filterSchema(kinds: readonly FilterConditionKind[]) {
  const extra = kinds.map((k) => ` ${k.summary}`).join('');
  return Type.Unknown({
    description:
      'A filter tree (docs/segments.md): {"and":[…]}, {"or":[…]}, {"not":{…}}, {"field","op","value"}, {"consent":{"atLeast":n}}, ' +
      `{"allowed":"purpose"}, {"list":"id"}, {"behaviour":{"type","ref","withinDays","atLeast"}}.${extra} ` +
      `Limits: ${LIMITS.nodes} nodes, depth ${LIMITS.depth}, ${LIMITS.children} nodes per and/or, ${LIMITS.inValues} values per in ` +
      `list, ${LIMITS.values} values in the whole filter, ${LIMITS.string} characters per text value.`,
    ...(kinds.length ? { 'x-conditions': Object.fromEntries(kinds.map((k) => [k.key, k.schema])) } : {}),
  });
}
const segmentSchema = (Filter: ReturnType<typeof filterSchema>) =>
  Obj({
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()], { description: "what the segment is for, in its owner's words" }),
    kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')]),
    filter: Filter,
    snapshotAt: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    flagged: Type.Boolean({
      description: 'an erasure replaced a value in the filter or ' + 'found an erased person named here; see flagDetail',
    }),
    flagDetail: Type.Union([Type.String(), Type.Null()]),
  });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
  description: 'what the segment is for, in words (at most 2,000 characters); blank or null for none',
});
const Count = withExamples(Data(Obj({ count: Type.Integer() })), COUNT);
const LANGUAGE = 'The filter language, its operators and limits: docs/segments.md.';
const UNEVALUABLE =
  'A saved filter that no longer works (a custom field it names was removed, a column changed outside Assent) answers 409 ' +
  '`segment_unevaluable`: change or delete the segment.';
const UNKNOWN_REF = "422 `filter_reference_unknown` when a node names what does not exist (a `score` condition's model), with its pointer.";
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
    // Built when the app is: every module has registered its condition kinds by then.
    const Filter = filterSchema(s.segments.conditions.list());
    const SegmentSchema = segmentSchema(Filter);
    app.post(
      '/segments',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'segment.create', target: 'segment' } },
        schema: {
          tags: ['segments'],
          summary: 'Create a segment (a static one takes its member snapshot now)',
          description:
            'A dynamic segment is evaluated whenever it is used; a static one keeps the members it has now (POST ' +
            `/segments/{id}/snapshot re-takes them). The filter is checked first: a tree that does not pass is refused with 400 ` +
            `\`invalid_filter\`, \`details\` naming each problem's node (at most 20); ${UNKNOWN_REF} ${LANGUAGE} Body at most 256 kB.`,
          body: withExamples(
            Obj({
              name: Name,
              description: Type.Optional(Description),
              kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')]),
              filter: Filter,
            }),
            SEGMENT_CREATE,
          ),
          response: { 201: withExamples(Data(SegmentSchema), { data: SEGMENT }), 409: ErrorBody, 422: ErrorBody, ...commonErrors },
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
          description: 'Every saved segment in creation order, with its filter and whether an erasure flagged it.',
          querystring: Obj(PageQuery),
          response: {
            200: withExamples(List(SegmentSchema), {
              data: [SEGMENT, STATIC_SEGMENT],
              page: { next: null, total: 2, totalIsEstimate: false },
            }),
            ...commonErrors,
          },
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
          description:
            `Checks and evaluates a filter without saving it, to try one out: 400 \`invalid_filter\` as for a saved one; ` +
            `${UNKNOWN_REF} ${LANGUAGE}`,
          body: withExamples(Obj({ filter: Filter }), { filter: FILTER }),
          response: { 200: Count, 409: ErrorBody, 422: ErrorBody, ...commonErrors },
        },
      },
      async (req) => ({ data: { count: await s.segments.preview(req.body.filter) } }),
    );

    app.get(
      '/segments/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['segments'],
          summary: 'One segment',
          description:
            'Its name, kind, filter and snapshot time; `flagged` with `flagDetail` when an erasure replaced a value in the ' +
            'filter or found an erased person named there. 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(SegmentSchema), { data: SEGMENT }), ...commonErrors },
        },
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
          description:
            `Send at least one of \`name\`, \`description\`, \`filter\`, \`flagged\`. A new filter is checked as on creation (400 ` +
            `\`invalid_filter\`; ${UNKNOWN_REF}). ${LANGUAGE} ${UNEVALUABLE}`,
          params: IdParams,
          body: withExamples(
            Obj(
              {
                name: Type.Optional(Name),
                description: Type.Optional(Description),
                filter: Type.Optional(Filter),
                flagged: Type.Optional(Type.Literal(false)),
              },
              { minProperties: 1 },
            ),
            SEGMENT_PATCH,
          ),
          response: {
            200: withExamples(Data(SegmentSchema), { data: { ...SEGMENT, ...SEGMENT_PATCH, updatedAt: '2026-12-02T09:00:00.000Z' } }),
            409: ErrorBody,
            422: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.segments.update(req.params.id, req.body) }),
    );

    app.delete(
      '/segments/:id',
      {
        config: { access: write, audit: { action: 'segment.delete', target: 'segment' } },
        schema: {
          tags: ['segments'],
          summary: 'Delete a segment',
          description: 'Removes the segment and its snapshot; contacts are untouched. 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 204: Type.Null(), ...commonErrors },
        },
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
          description:
            "Replaces the static segment's members with those its filter selects now; a dynamic segment is refused with 400 " +
            `\`validation_failed\` (it is always current). ${UNEVALUABLE}`,
          params: IdParams,
          response: { 200: withExamples(Data(SegmentSchema), { data: STATIC_SEGMENT }), 409: ErrorBody, ...commonErrors },
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
          description: `${UNEVALUABLE}`,
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
          description:
            'The members as contacts, in id order; ' +
            `\`page.total\` is the segment's count. ${UNEVALUABLE} Each page is an audit entry naming ` +
            'the segment.',
          params: IdParams,
          querystring: Obj(PageQuery),
          response: {
            200: withExamples(List(ContactSchema), { data: [CONTACT_EXAMPLE], page: { next: null, total: 1, totalIsEstimate: false } }),
            409: ErrorBody,
            ...commonErrors,
          },
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
          description:
            'Each leaf condition of the filter, by its JSON pointer in the tree, with whether it holds for the contact now ' +
            '(for a static segment `member` is whether it is in the snapshot, while the conditions are the filter now). ' +
            '404 `not_found` for an unknown segment or contact. ' +
            `${UNEVALUABLE} Each question is an audit entry naming the contact.`,
          params: IdParams,
          querystring: Obj({ contact: withExamples(Id, CONTACT_ID) }),
          response: {
            200: withExamples(
              Data(
                Obj({
                  member: Type.Boolean(),
                  conditions: Type.Array(Obj({ path: Type.String(), condition: Type.Unknown(), value: Type.Boolean() })),
                }),
              ),
              { data: EXPLANATION },
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
