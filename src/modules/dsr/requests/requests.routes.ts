import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, requireFieldAccess } from '../../../http/auth.ts';
import { listPage } from '../../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List } from '../../../http/schemas.ts';
import type { FulfilService } from './fulfil.service.ts';
import type { IntakeService } from './requests.intake.ts';
import type { RequestsService } from './requests.service.ts';
import {
  ExtendSchema,
  FulfilSchema,
  RequestCreateSchema,
  RequestListQuery,
  RequestPatchSchema,
  RequestSchema,
} from './requests.schemas.ts';

const read = { area: 'requests', op: 'read' } as const;
const write = { area: 'requests', op: 'write' } as const;
const errors = { 409: ErrorBody, ...commonErrors };

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
            'the installation time zone.',
          body: RequestCreateSchema,
          response: { 201: Data(RequestSchema), ...commonErrors },
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
          summary: 'List cases: by status, type, owner, requester address, overdue, or due within N days',
          querystring: RequestListQuery,
          response: { 200: List(RequestSchema), ...commonErrors },
        },
      },
      async (req) => {
        const { limit: _, cursor: __, owner, dueWithin, ...rest } = req.query;
        const filter = { ...rest, ...(owner ? { ownerId: owner } : {}), ...(dueWithin !== undefined ? { dueWithinDays: dueWithin } : {}) };
        return listPage(
          req.query,
          (n, after) => s.requests.list(filter, n, after),
          () => s.requests.count(filter),
        );
      },
    );

    app.get(
      '/requests/:id',
      {
        config: { access: read, audit: { action: 'request.view', target: 'request' } },
        schema: {
          tags: ['requests'],
          summary: 'One case with its status history',
          params: IdParams,
          response: { 200: Data(RequestSchema), ...commonErrors },
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
          body: RequestPatchSchema,
          response: { 200: Data(RequestSchema), ...errors },
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
          params: IdParams,
          body: ExtendSchema,
          response: { 200: Data(RequestSchema), ...errors },
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
          body: FulfilSchema,
          response: { 200: Data(RequestSchema), ...errors },
        },
      },
      async (req) => {
        requireFieldAccess(req, Object.keys(req.body.changes ?? {}), '/changes');
        return { data: await s.fulfil.fulfil(req.params.id, req.body, actorOf(req)) };
      },
    );
  };
