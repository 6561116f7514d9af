import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, requireFieldAccess } from '../../../http/auth.ts';
import { listPage, sortedListPage } from '../../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, withExamples } from '../../../http/schemas.ts';
import type { FulfilService } from './fulfil.service.ts';
import type { IntakeService } from './requests.intake.ts';
import type { RequestSort } from './requests.queries.ts';
import type { RequestsService } from './requests.service.ts';
import {
  ExtendSchema,
  FulfilSchema,
  RequestCreateSchema,
  RequestListQuery,
  RequestPatchSchema,
  REQUEST_EXAMPLE,
  RequestSchema,
} from './requests.schemas.ts';

const read = { area: 'requests', op: 'read' } as const;
const write = { area: 'requests', op: 'write' } as const;
const errors = { 409: ErrorBody, ...commonErrors };
const HISTORY = [
  { at: '2026-12-01T10:20:30.000Z', status: 'awaiting_verification', actorType: 'requester', actorId: null, note: null },
  { at: '2026-12-01T10:31:02.000Z', status: 'verified', actorType: 'requester', actorId: null, note: null },
];
const One = withExamples(Data(RequestSchema), { data: { ...REQUEST_EXAMPLE, history: HISTORY } });

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface RequestsRouteDeps {
  fulfil: FulfilService;
  requestIntake: IntakeService;
  requests: RequestsService;
}

export const requestsRoutes =
  (s: RequestsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/requests',
      {
        config: { access: write, audit: { action: 'request.create', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary: 'Open a data-subject request (a case) with its deadline and a task for the privacy officer',
          description:
            'Unless `verified` is true (staff vouch for the requester, `note` says how), a signed link is emailed to the address ' +
            'and nothing can be done until the requester confirms it. The deadline is one calendar month from receipt, as a date in ' +
            'the installation time zone. Answers the case, with a task opened for the privacy officer.',
          body: withExamples(
            RequestCreateSchema,
            { type: 'access', email: 'lena.fischer@example.org' },
            {
              type: 'erasure',
              email: 'lena.fischer@example.org',
              receivedAt: '2026-11-28T09:00:00Z',
              verified: true,
              note: 'letter signed, ID checked at the desk',
            },
          ),
          response: {
            201: withExamples(Data(RequestSchema), {
              data: { ...REQUEST_EXAMPLE, status: 'awaiting_verification', channel: 'staff', verifiedAt: null, ownerId: null },
            }),
            ...commonErrors,
          },
        },
      },
      async (req, reply) => {
        const { receivedAt, ...rest } = req.body;
        const ownerId = req.principal?.kind === 'user' ? req.principal.id : null;
        const created = await s.requestIntake.fromStaff(
          { ...rest, ...(receivedAt ? { receivedAt: new Date(receivedAt) } : {}) },
          actorOf(req),
          ownerId,
        );
        req.auditTargetId = created.id;
        return reply.status(201).send({ data: created });
      },
    );

    app.get(
      '/requests',
      {
        config: { access: read, audit: { action: 'request.list', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary: 'List cases: by status, type, owner, requester address, open, overdue, or due within N days; by deadline',
          description:
            'Cases in the order they were opened, or by `sort` (`deadline`, `receivedAt`, `-` for descending), filtered by any ' +
            'of: `status`, `type`, `owner` (a user id), `email` (the requester, erased ones included, matched by keyed hash), ' +
            '`open` (not completed or rejected), `overdue`, `dueWithin` days (open cases, overdue ones included). Each case says ' +
            'how many days are left (`daysLeft`). The listing leaves out the history; read one case for it.',
          querystring: withExamples(RequestListQuery, { status: 'verified', dueWithin: 7 }, { open: true, sort: 'deadline', limit: 25 }),
          response: {
            200: withExamples(List(RequestSchema), { data: [REQUEST_EXAMPLE], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const { limit: _, cursor: __, owner, dueWithin, sort: chosen, ...rest } = req.query;
        const filter = { ...rest, ...(owner ? { ownerId: owner } : {}), ...(dueWithin !== undefined ? { dueWithinDays: dueWithin } : {}) };
        const count = () => s.requests.count(filter);
        const sort = chosen as string | undefined;
        if (sort === undefined) return listPage(req.query, (n, after) => s.requests.list(filter, n, after), count);
        const order = { field: sort.replace(/^-/, '') as RequestSort['field'], desc: sort.startsWith('-') };
        return sortedListPage(req.query, sort, (n, after) => s.requests.listSorted(filter, order, n, after), count);
      },
    );

    app.get(
      '/requests/:id',
      {
        config: { access: read, audit: { action: 'request.view', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary: 'One case with its status history',
          description: 'The case with every status change in order, who made it and the note given; 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: One, ...commonErrors },
        },
      },
      async (req) => ({ data: await s.requests.get(req.params.id) }),
    );

    app.patch(
      '/requests/:id',
      {
        config: { access: write, audit: { action: 'request.update', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary: 'Set the owner, change the status, or add a note to the history',
          description:
            'Status rules: received → awaiting_verification, verified or rejected; awaiting_verification → verified or rejected; ' +
            'verified → in_progress or rejected; in_progress → completed or rejected; completed and rejected are final. Becoming ' +
            'verified or rejected needs a `note` (how the identity was checked; why the request is refused).',
          params: IdParams,
          body: withExamples(
            RequestPatchSchema,
            { ownerId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f' },
            { status: 'rejected', note: 'manifestly unfounded: third identical request this month' },
          ),
          response: { 200: One, ...errors },
        },
      },
      async (req) => ({ data: await s.requests.patch(req.params.id, req.body, actorOf(req)) }),
    );

    app.post(
      '/requests/:id/extend',
      {
        config: { access: write, audit: { action: 'request.extend', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary: 'Extend the deadline once, to three calendar months from receipt, with the reason',
          description:
            'For a complex case or many requests at once (GDPR Art. 12(3)): the deadline moves to three calendar months from ' +
            'receipt, once (409 `already_extended` after), and not for a closed case (409 `request_closed`). The reason is ' +
            'kept on the case; tell the requester about the extension.',
          params: IdParams,
          body: withExamples(ExtendSchema, { reason: 'the contact has 14 linked records across three systems to collect' }),
          response: { 200: One, ...errors },
        },
      },
      async (req) => ({ data: await s.requests.extend(req.params.id, req.body.reason, actorOf(req)) }),
    );

    app.post(
      '/requests/:id/fulfil',
      {
        config: { access: write, audit: { action: 'request.fulfil', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary:
            'Carry out a verified case: export (access, portability), erase, record the objection, or apply `changes` (rectification)',
          description:
            'Refused with `request_not_verified` until the requester has confirmed the address or staff have vouched for them. Send ' +
            '`{}` for every type but rectification. Changes to the child flag, birth date or guardian need consent write access and ' +
            'are recorded in the consent ledger.',
          params: IdParams,
          body: withExamples(FulfilSchema, {}, { changes: { lastName: 'Fischer-Braun' } }),
          response: {
            200: withExamples(Data(RequestSchema), {
              data: { ...REQUEST_EXAMPLE, status: 'completed', completedAt: '2026-12-03T14:00:00.000Z', daysLeft: null },
            }),
            ...errors,
          },
        },
      },
      async (req) => {
        requireFieldAccess(req, Object.keys(req.body.changes ?? {}), '/changes');
        return { data: await s.fulfil.fulfil(req.params.id, req.body, actorOf(req)) };
      },
    );
  };
