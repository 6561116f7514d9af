import { type TSchema, Type } from 'typebox';
import { PageQuery } from '../../http/pagination.ts';
import { Id, Int, Obj } from '../../http/schemas.ts';
import { HIGHEST_LEVEL, LOWEST_LEVEL } from '../../lib/consent-levels.ts';

/**
 * The wire shapes of journeys (the contract: /work/specs/journeys-contract.md, types in
 * journeys.graph.ts). A body that fits these is stored as a draft whatever its problems; the
 * rules between tiles are journeys.validate.ts's.
 */

export const MAX_TILES = 1000;
export const TILE_ID = '^[A-Za-z0-9_-]{1,40}$';
export const JOURNEY_STATES = ['draft', 'live', 'paused', 'stopped'] as const;
export const TASK_ROLES = ['admin', 'marketer', 'privacy_officer', 'viewer'] as const;

const TileId = Type.String({ pattern: TILE_ID, maxLength: 40, description: 'a tile’s id: 1–40 of A–Z, a–z, 0–9, _ and -' });
// Optional on the wire: a draft may have outputs not yet connected (problem `missing_next`); it cannot go live so.
const Next = (what = 'the tile a contact goes to next') =>
  Type.Optional(Type.String({ pattern: TILE_ID, maxLength: 40, description: `${what}; absent while not yet connected` }));
const Duration = (description: string) => Type.String({ minLength: 2, maxLength: 40, description });
const Name = (max: number) => Type.String({ minLength: 1, maxLength: max });

const base = {
  id: TileId,
  title: Type.Optional(Type.String({ maxLength: 200, description: 'the tile’s name in the designer (a task tile: the task’s title)' })),
  position: Type.Optional(
    Obj({ x: Type.Number(), y: Type.Number() }, { description: 'where the designer draws it; ignored by the engine' }),
  ),
};

export const TriggerSchema = Type.Union(
  [
    Obj({ segmentId: Id, joinLater: Type.Optional(Type.Boolean({ description: 'also admit contacts who join the segment later' })) }),
    Obj({ formId: Id }),
    Obj({ event: Name(100) }),
    Obj({ manual: Type.Literal(true) }),
  ],
  { description: 'how contacts come in: a segment’s members, a form’s submissions, an event of a type, or the API' },
);

export const TileSchema = Type.Union([
  Obj({ ...base, type: Type.Literal('start'), trigger: TriggerSchema, next: Next() }),
  Obj({ ...base, type: Type.Literal('email'), messageId: Id, next: Next() }),
  Obj({
    ...base,
    type: Type.Literal('wait'),
    duration: Type.Optional(Duration('ISO-8601 duration (`PT2S`, `P3D`); or `until`')),
    until: Type.Optional(
      Type.String({
        minLength: 5,
        maxLength: 40,
        description: 'a time of day `HH:MM` or a date-time, in the installation’s time zone; or `duration`',
      }),
    ),
    next: Next(),
  }),
  Obj({
    ...base,
    type: Type.Literal('wait_event'),
    event: Name(100),
    timeout: Duration('ISO-8601 duration: how long to wait for the event'),
    next: Next('where a contact goes when the event comes'),
    timeoutNext: Next('where a contact goes when the timeout passes first'),
  }),
  Obj({
    ...base,
    type: Type.Literal('condition'),
    filter: Type.Optional(Type.Unknown({ description: 'a segment filter on the contact (the segment language)' })),
    did: Type.Optional(
      Obj({ type: Name(100), ref: Type.Optional(Name(200)) }, { description: 'did X since entering: an interaction type' }),
    ),
    yes: Next('where a contact that meets the condition goes'),
    no: Next('where the others go'),
  }),
  Obj({
    ...base,
    type: Type.Literal('split'),
    branches: Type.Array(Obj({ percent: Int({ minimum: 0, maximum: 100 }), next: Next() }), { minItems: 1, maxItems: 20 }),
  }),
  Obj({
    ...base,
    type: Type.Literal('update_contact'),
    field: Name(60),
    value: Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean(), Type.Null()]),
    next: Next(),
  }),
  Obj({ ...base, type: Type.Literal('list'), action: Type.Union([Type.Literal('join'), Type.Literal('leave')]), listId: Id, next: Next() }),
  Obj({ ...base, type: Type.Literal('task'), role: Type.Enum([...TASK_ROLES]), next: Next() }),
  Obj({ ...base, type: Type.Literal('end') }),
]);

export const GoalSchema = Type.Union([Obj({ segmentId: Id }), Obj({ event: Name(100) }), Type.Null()], {
  description: 'met from any tile, the contact leaves as converted: a segment’s membership or an event; null for none',
});

export const ReentrySchema = Type.Union(
  [
    Obj({ policy: Type.Literal('once') }),
    Obj({ policy: Type.Literal('again'), after: Duration('ISO-8601 duration after the last entry ended') }),
  ],
  { description: 'enter once (default), or again that long after the last entry ended' },
);

export const RequiredConsentSchema = Type.Union(
  [Int({ minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL }), Type.String({ minLength: 1, maxLength: 60 })],
  { description: 'a consent level (0–5), or a purpose of the settings (`marketing`, `profiling`, …) whose level applies' },
);

const fields = {
  name: Name(200),
  requiredConsent: RequiredConsentSchema,
  tiles: Type.Array(TileSchema, { maxItems: MAX_TILES }),
  goal: GoalSchema,
  reentry: ReentrySchema,
  holdoutPercent: Int({ minimum: 0, maximum: 50, description: 'share of would-be entrants kept out, for measuring lift' }),
};

export const JourneyInputSchema = Obj({
  name: fields.name,
  requiredConsent: fields.requiredConsent,
  tiles: fields.tiles,
  goal: Type.Optional(fields.goal),
  reentry: Type.Optional(fields.reentry),
  holdoutPercent: Type.Optional(fields.holdoutPercent),
});

export const JourneyPatchSchema = Obj(
  {
    name: Type.Optional(fields.name),
    requiredConsent: Type.Optional(fields.requiredConsent),
    tiles: Type.Optional(fields.tiles),
    goal: Type.Optional(fields.goal),
    reentry: Type.Optional(fields.reentry),
    holdoutPercent: Type.Optional(fields.holdoutPercent),
    state: Type.Optional(
      Type.Union([Type.Literal('live'), Type.Literal('paused'), Type.Literal('stopped')], {
        description: 'draft → live; live ⇄ paused; live or paused → stopped',
      }),
    ),
  },
  { minProperties: 1 },
);

export const ProblemSchema = Obj({
  tileId: Type.Union([Type.String(), Type.Null()], { description: 'the tile concerned; null for the journey as a whole' }),
  code: Type.String(),
  message: Type.String(),
});

const Time = Type.String({ format: 'date-time' });
const NullTime = Type.Union([Time, Type.Null()]);
const ByReason = Type.Record(Type.String(), Type.Integer(), { description: 'count by reason' });

export const JourneyCountsSchema = Obj(
  {
    inJourney: Type.Integer({ description: 'contacts in it now (active or waiting)' }),
    done: Type.Integer(),
    exited: Type.Integer(),
    converted: Type.Integer(),
  },
  { description: 'entries that reached an end, exited (any reason) and converted; anonymous counters except inJourney' },
);

export const JourneySchema = Obj({
  id: Id,
  name: Type.String(),
  state: Type.Enum([...JOURNEY_STATES]),
  requiredConsent: Type.Union([Type.Integer(), Type.String()]),
  tiles: Type.Array(TileSchema),
  goal: GoalSchema,
  reentry: ReentrySchema,
  holdoutPercent: Type.Integer(),
  version: Type.Integer({ description: 'counts the changes of the journey’s definition' }),
  problems: Type.Array(ProblemSchema, { description: 'what keeps it from going live; empty when none' }),
  counts: JourneyCountsSchema,
  createdAt: Time,
  updatedAt: Time,
  liveAt: NullTime,
  stoppedAt: NullTime,
});

/** `after`: the last id seen, as the contract names it; the same as the house's opaque `cursor` (which wins when both are given). */
const After = Type.Optional(Id);
export const JourneyListQuery = Obj({ ...PageQuery, after: After });

export const ContactParams = Obj({ id: Id, contactId: Id });
export const ContactIdParams = Obj({ contactId: Id });

export const AdmitSchema = Obj({ contactIds: Type.Array(Id, { minItems: 1, maxItems: 1000 }) });
export const AdmissionSchema = Obj({
  entered: Type.Integer(),
  notEntered: ByReason,
});

export const StepSchema = Obj({
  entry: Type.Integer(),
  visit: Type.Integer(),
  tileId: Type.String(),
  tileType: Type.Union([Type.String(), Type.Null()], { description: 'the tile’s type in the graph now; null if it was removed' }),
  outcome: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  at: Time,
});

export const PathSchema = Obj({
  journeyId: Id,
  contactId: Id,
  entry: Type.Integer(),
  status: Type.String({ description: '`active`, `waiting`, `done`, `exited`, `converted` or `holdout`' }),
  tileId: Type.String(),
  dueAt: NullTime,
  exitReason: Type.Union([Type.String(), Type.Null()]),
  enteredAt: Time,
  endedAt: NullTime,
  steps: Type.Array(StepSchema),
});

export const ContactJourneySchema = Obj({
  journeyId: Id,
  name: Type.String(),
  status: Type.String(),
  tileId: Type.String(),
  entry: Type.Integer(),
  exitReason: Type.Union([Type.String(), Type.Null()]),
  enteredAt: Time,
  endedAt: NullTime,
});

export const TileStatsSchema = Obj({
  entered: Type.Integer(),
  done: Type.Integer(),
  waiting: Type.Integer({ description: 'contacts at it now (active or waiting)' }),
  exited: ByReason,
  outcomes: Type.Record(Type.String(), Type.Integer(), { description: '`yes`, `no`, `branch:<i>`, `event`, `timeout`' }),
});

export const StatsSchema = Obj({
  entered: Type.Integer(),
  holdout: Type.Integer(),
  converted: Type.Integer(),
  done: Type.Integer(),
  notEntered: ByReason,
  exited: ByReason,
  inJourney: Type.Integer(),
  tiles: Type.Record(Type.String(), TileStatsSchema),
});

const OrNull = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const TaskSchema = Obj({
  id: Id,
  journeyId: OrNull(Id),
  journeyName: OrNull(Type.String()),
  tileId: OrNull(Type.String()),
  title: Type.String(),
  contactId: Id,
  assigneeRole: OrNull(Type.String({ description: 'the role whose members see it; null for one user’s task' })),
  assigneeUserId: OrNull(Type.String({ description: 'the user whose task it is (a lead’s owner); null for a role’s' })),
  leadId: OrNull(Type.String({ description: 'the lead it is about (a lead that became sales-ready)' })),
  status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
  createdAt: Time,
  doneAt: NullTime,
});

export const TaskListQuery = Obj({
  ...PageQuery,
  after: After,
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')], { description: 'only tasks in this status' })),
});
export const TaskPatchSchema = Obj({ status: Type.Union([Type.Literal('open'), Type.Literal('done')]) });
