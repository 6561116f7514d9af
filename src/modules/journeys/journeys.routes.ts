import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { encodeCursor, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, withExamples } from '../../http/schemas.ts';
import { CONTACT_JOURNEYS, DRAFT_WITH_PROBLEMS, JOURNEY, JOURNEY_CREATE, PATH, STATS, TASK } from './journeys.examples.ts';
import type { Tile } from './journeys.graph.ts';
import type { JourneyInput } from './journeys.model.ts';
import {
  AdmissionSchema,
  AdmitSchema,
  ContactJourneySchema,
  ContactParams,
  JourneyInputSchema,
  JourneyListQuery,
  JourneyPatchSchema,
  JourneySchema,
  PathSchema,
  StatsSchema,
  TaskListQuery,
  TaskPatchSchema,
  TaskSchema,
} from './journeys.schemas.ts';
import type { JourneyPatch, JourneysService } from './journeys.service.ts';

/** What these routes use: the module's face, nothing else. */
export interface JourneysRouteDeps {
  journeys: JourneysService;
}

// A thousand tiles with titles and condition filters fit in this.
const BODY_LIMIT = 2 * 1024 * 1024;
const read = { area: 'journeys', op: 'read' } as const;
const write = { area: 'journeys', op: 'write' } as const;
// A task is work for the members of one role, whichever: the caller's own (area `self`), and the
// service shows and changes only its role's tasks (an admin's: every role's). A privacy officer
// may not write journeys, yet must be able to close the privacy team's tasks.
const ownRead = { area: 'self', op: 'read' } as const;
const ownWrite = { area: 'self', op: 'write' } as const;
const errors = { ...commonErrors, 409: ErrorBody };

const RULES =
  'A journey is `name` (1–200), `requiredConsent` (a level 0–5, or a purpose of the settings whose level applies), `tiles` ' +
  '(at most 1,000; each with an `id` unique in the journey and a `type`: `start` with a `trigger` — `{segmentId, joinLater?}`, ' +
  '`{formId}`, `{event}` or `{manual: true}` —, `email` with a `messageId`, `wait` with a `duration` (ISO-8601: `PT2S`, `P3D`) ' +
  'or an `until` (`HH:MM` or a date-time, in the installation’s time zone), `wait_event` with an `event`, a `timeout` and ' +
  '`timeoutNext`, `condition` with a segment `filter` or a `did` (an interaction type since entering) and `yes`/`no`, `split` ' +
  'with `branches: [{percent, next}]`, `update_contact` with a `field` and a `value`, `list` with `action` join/leave and ' +
  '`listId`, `task` with a `role`, `end`; each but `end` names its successor in `next`), and optionally `goal` (`{segmentId}` ' +
  'or `{event}`: met from any tile, the contact leaves converted), `reentry` (`{policy: "once"}` by default, or ' +
  '`{policy: "again", after: "P30D"}`) and `holdoutPercent` (0–50). A body that fits this is stored as a draft whatever its ' +
  'problems, listed in `problems` as `{tileId, code, message}` (`tileId` null for the journey as a whole): `no_start`, ' +
  '`several_starts`, `duplicate_id`, `unknown_next`, `missing_next` (an output not yet connected), `unreachable`, ' +
  '`cycle_without_wait`, `end_missing`, `needs_more_consent` ' +
  '(the tile’s purpose needs a higher level than the journey requires), `message_wrong_purpose`, `unknown_message`, ' +
  '`unknown_segment`, `unknown_form`, `unknown_event`, `unknown_list`, `unknown_field`, `bad_duration`, `split_not_100`, ' +
  '`bad_condition`, `unknown_purpose`.';

/** The journey's JSON body, as the service takes it (the schema's tiles are the graph's types). */
const input = <T extends { tiles?: unknown }>(b: T) => b as T & { tiles?: Tile[] };
/** The page asked for: the opaque `cursor`, or the last id seen as `after`. */
const paging = (q: { limit?: number; cursor?: string; after?: string }) => ({
  limit: q.limit,
  cursor: q.cursor ?? (q.after === undefined ? undefined : encodeCursor(q.after)),
});
const callerRole = (req: FastifyRequest) => (req.principal!.role === 'admin' ? null : req.principal!.role);
/** Who asks for tasks: the role's and, for a signed-in user (an API key is nobody's), those assigned to them. */
const taskViewer = (req: FastifyRequest) => ({ role: callerRole(req), userId: req.principal!.kind === 'user' ? req.principal!.id : null });

export const journeysRoutes =
  (s: JourneysRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/journeys',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'journey.create', target: 'journey' } },
        schema: {
          tags: ['journeys'],
          summary: 'Create a journey',
          description: `A new journey, in state \`draft\`. ${RULES}`,
          body: withExamples(JourneyInputSchema, JOURNEY_CREATE),
          response: { 201: withExamples(Data(JourneySchema), { data: { ...JOURNEY, state: 'draft', liveAt: null } }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const j = await s.journeys.create(input(req.body) as JourneyInput);
        req.auditTargetId = j.id;
        return reply.status(201).send({ data: j });
      },
    );

    app.get(
      '/journeys',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['journeys'],
          summary: 'Journeys',
          description:
            'Every journey, in the order they were made, with its problems and its counts (contacts in it now, ended, exited, converted).',
          querystring: JourneyListQuery,
          response: {
            200: withExamples(List(JourneySchema), { data: [JOURNEY], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) =>
        listPage(
          paging(req.query),
          (n, after) => s.journeys.list(n, after),
          () => s.journeys.total(),
        ),
    );

    app.get(
      '/journeys/tasks',
      {
        config: { access: ownRead, audit: false },
        schema: {
          tags: ['journeys'],
          summary: 'Tasks journeys made',
          description:
            'Tasks for the caller’s role and those assigned to the signed-in user (a lead’s owner’s, made when the lead became ' +
            'sales-ready), oldest first; an admin sees every task. `status` filters. Each names its contact, and its journey and ' +
            'tile or its lead.',
          querystring: TaskListQuery,
          response: {
            200: withExamples(List(TaskSchema), { data: [TASK], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const who = taskViewer(req);
        const f = req.query.status ? { status: req.query.status } : {};
        return listPage(
          paging(req.query),
          (n, after) => s.journeys.tasks(who, f, n, after),
          () => s.journeys.taskTotal(who, f),
        );
      },
    );

    app.patch(
      '/journeys/tasks/:id',
      {
        config: { access: ownWrite, audit: { action: 'journey.task.update', target: 'journey_task' } },
        schema: {
          tags: ['journeys'],
          summary: 'Mark a task done or open',
          description:
            '`status` `done` (it records when) or `open` again. A task the caller does not see is 404 `not_found` (an admin may ' +
            'change any).',
          params: IdParams,
          body: withExamples(TaskPatchSchema, { status: 'done' }),
          response: {
            200: withExamples(Data(TaskSchema), { data: { ...TASK, status: 'done', doneAt: '2026-04-06T08:00:00.000Z' } }),
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.journeys.setTask(taskViewer(req), req.params.id, req.body.status) }),
    );

    app.get(
      '/journeys/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['journeys'],
          summary: 'One journey',
          description:
            'With its `problems` checked now (a message or segment deleted since shows here). 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(JourneySchema), { data: JOURNEY }, { data: DRAFT_WITH_PROBLEMS }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.journeys.get(req.params.id) }),
    );

    app.patch(
      '/journeys/:id',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'journey.update', target: 'journey' } },
        schema: {
          tags: ['journeys'],
          summary: 'Change a journey or its state',
          description:
            'Any of the fields, and/or `state`: `draft` → `live`; `live` ⇄ `paused`; `live` or `paused` → `stopped`; nothing ' +
            'leaves `stopped` (else 409 `journey_state`, `details.state` its state now). Going live, resuming, or changing a live or ' +
            'paused journey checks it whole: any problem is 400 `journey_invalid`, `details` `[{path: "/tiles/<index>", tileId, ' +
            'code, message}]`. A live or paused journey’s tiles may change only if every tile holding contacts stays, with its ' +
            'type (a wait’s duration may change; waiting contacts keep their due time): else 409 `journey_in_use`, `details` ' +
            '`[{tileId, contacts}]`. `requiredConsent` may be raised at any time. Pausing and stopping are never refused for ' +
            `problems. Going live admits a segment trigger's members; stopping exits everyone still in it (\`journey_stopped\`). ${RULES}`,
          params: IdParams,
          body: withExamples(JourneyPatchSchema, { state: 'live' }, { requiredConsent: 5 }, { name: 'Welcome series (spring)' }),
          response: { 200: withExamples(Data(JourneySchema), { data: JOURNEY }), ...errors },
        },
      },
      async (req) => ({ data: await s.journeys.update(req.params.id, input(req.body) as JourneyPatch) }),
    );

    app.delete(
      '/journeys/:id',
      {
        config: { access: write, audit: { action: 'journey.delete', target: 'journey' } },
        schema: {
          tags: ['journeys'],
          summary: 'Delete a journey',
          description:
            'A draft or a stopped journey, with its positions, steps, tasks and counters. 409 `journey_state` for a live or paused one ' +
            '(stop it first); 404 for an unknown id.',
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (req, reply) => {
        await s.journeys.delete(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/journeys/:id/contacts',
      {
        config: { access: write, audit: { action: 'journey.admit', target: 'journey' } },
        schema: {
          tags: ['journeys'],
          summary: 'Let contacts enter a journey',
          description:
            'For a live journey whose trigger is `{manual: true}` (else 409 `journey_state`). Each contact is checked as every entry ' +
            'is — already in it, re-entry policy, the gate for the requirement, the holdout — and the answer counts those who ' +
            'entered and the others by reason.',
          params: IdParams,
          body: withExamples(AdmitSchema, { contactIds: ['01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4f20'] }),
          response: {
            200: withExamples(Data(AdmissionSchema), { data: { entered: 1, notEntered: { below_required_level: 1, already_in: 1 } } }),
            ...errors,
          },
        },
      },
      async (req) => ({ data: await s.journeys.admit(req.params.id, req.body.contactIds) }),
    );

    app.get(
      '/journeys/:id/contacts/:contactId',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['journeys'],
          summary: 'A contact’s path through a journey',
          description:
            'Where it is (its tile, status and due time) or how it ended (exit reason), and every step it took with the tile’s type ' +
            'and outcome, every entry. 404 `not_found` if it never entered (or the journey is unknown).',
          params: ContactParams,
          response: { 200: withExamples(Data(PathSchema), { data: PATH }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.journeys.path(req.params.id, req.params.contactId) }),
    );

    app.get(
      '/journeys/:id/stats',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['journeys'],
          summary: 'Counts of a journey, per tile',
          description:
            'Entered, held out, converted, ended, refused at entry and exited by reason, for the journey and per tile (with each ' +
            'tile’s outcomes: `yes`/`no`, `branch:<i>`, `event`/`timeout`): anonymous counters that survive erasure. `inJourney` ' +
            'and each tile’s `waiting` count the contacts there now.',
          params: IdParams,
          response: { 200: withExamples(Data(StatsSchema), { data: STATS }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.journeys.stats(req.params.id) }),
    );

    app.get(
      '/contacts/:id/journeys',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['journeys'],
          summary: 'The journeys of a contact',
          description: 'Every journey the contact is in or was in, the latest entered first: where it is or how it ended. Empty when none.',
          params: IdParams,
          response: { 200: withExamples(Data(Type.Array(ContactJourneySchema)), { data: CONTACT_JOURNEYS }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.journeys.journeysOf(req.params.id) }),
    );
  };
