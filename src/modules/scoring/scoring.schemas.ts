import { Type } from 'typebox';
import { Int, Obj } from '../../http/schemas.ts';
import { LEAD_STATUSES } from '../leads/module.ts';
import { DECAY_LIMIT, POINTS_LIMIT, RULES_LIMIT } from './scoring.model.ts';

const Score = Type.Integer({ format: 'int32', minimum: -1_000_000, maximum: 1_000_000 });

const Behaviour = Obj({
  type: Type.String({ maxLength: 64, description: 'an interaction type (email_opened, page_visited, …)' }),
  ref: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the interaction reference (a URL, a message id)' })),
  atLeast: Type.Optional(Int({ minimum: 1, maximum: 100_000, description: 'how many interactions at least (default 1)' })),
  withinDays: Type.Optional(Int({ minimum: 1, maximum: DECAY_LIMIT, description: 'counted within this many days back' })),
});

const RuleSchema = Obj({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  condition: Type.Optional(
    Type.Unknown({
      description:
        'a segment filter tree (docs/segments.md) over the contact, plus the lead fields `lead.title`, `lead.status`, `lead.value`, ' +
        '`lead.ownerId`, `lead.createdAt` and `lead.<custom lead field>`',
    }),
  ),
  behaviour: Type.Optional(Behaviour),
  points: Int({ minimum: -POINTS_LIMIT, maximum: POINTS_LIMIT, description: 'the points it gives (not 0; negative allowed)' }),
  decayDays: Type.Optional(
    Int({
      minimum: 1,
      maximum: DECAY_LIMIT,
      description: 'behaviour rules only: the points fade linearly by whole days since the latest counted interaction',
    }),
  ),
});

const Grades = Obj({ A: Score, B: Score, C: Score, D: Score }, { description: 'the lowest score of each grade, A > B > C > D' });
const Requirement = Type.Union([Int({ minimum: 0, maximum: 5 }), Type.String({ minLength: 1, maxLength: 64 })], {
  description: 'a consent level 0–5 or a purpose name (default `profiling`); children are never scored',
});

export const ModelCreate = Obj({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  requiredConsent: Type.Optional(Requirement),
  rules: Type.Array(RuleSchema, { minItems: 1, maxItems: RULES_LIMIT }),
  grades: Grades,
  salesReady: Score,
});

export const ModelPatch = Obj(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    requiredConsent: Type.Optional(Requirement),
    rules: Type.Optional(Type.Array(RuleSchema, { minItems: 1, maxItems: RULES_LIMIT })),
    grades: Type.Optional(Grades),
    salesReady: Type.Optional(Score),
  },
  { minProperties: 1 },
);

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const RecomputeSchema = Obj({
  state: Type.Union([Type.Literal('never'), Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  total: Nullable(Type.Integer()),
  done: Nullable(Type.Integer()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});

export const ModelSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  requiredConsent: Type.Union([Type.Integer(), Type.String()]),
  rules: Type.Array(Type.Unknown()),
  grades: Obj({ A: Type.Integer(), B: Type.Integer(), C: Type.Integer(), D: Type.Integer() }),
  salesReady: Type.Integer(),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  recompute: RecomputeSchema,
});

export const DistributionSchema = Obj({
  grades: Obj({ A: Type.Integer(), B: Type.Integer(), C: Type.Integer(), D: Type.Integer(), none: Type.Integer() }),
  salesReady: Type.Integer(),
  scored: Type.Integer(),
  notScored: Type.Record(Type.String(), Type.Integer()),
  histogram: Type.Array(Obj({ from: Type.Integer(), to: Type.Integer(), n: Type.Integer() })),
});

export const RankingQuery = Obj({
  status: Type.Optional(
    Type.Union(
      LEAD_STATUSES.map((s) => Type.Literal(s)),
      { description: 'only leads with this status' },
    ),
  ),
  grade: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D')])),
  salesReady: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  limit: Type.Optional(Int({ minimum: 1, maximum: 500, default: 50 })),
  after: Type.Optional(Type.String({ maxLength: 400, description: 'the previous page’s `next`' })),
});

export const RankingRowSchema = Obj({
  leadId: Type.String(),
  title: Type.String(),
  status: Type.String(),
  contactId: Type.String(),
  contact: Obj({ email: Nullable(Type.String()), firstName: Nullable(Type.String()), lastName: Nullable(Type.String()) }),
  score: Nullable(Type.Integer()),
  grade: Nullable(Type.String()),
  salesReady: Type.Boolean(),
  reason: Type.String(),
  computedAt: Type.String(),
});

export const ExplanationSchema = Obj({
  modelId: Type.String(),
  modelName: Type.String(),
  score: Nullable(Type.Integer()),
  grade: Nullable(Type.String()),
  salesReady: Type.Boolean(),
  rules: Type.Array(
    Obj({
      name: Type.String(),
      kind: Type.Union([Type.Literal('condition'), Type.Literal('behaviour')]),
      points: Type.Integer(),
      rulePoints: Type.Integer(),
      window: Type.Union([Obj({ withinDays: Type.Integer() }), Type.Null()]),
      atLeast: Nullable(Type.Integer()),
      counted: Nullable(Type.Integer()),
      latestAt: Nullable(Type.String()),
      decayDays: Nullable(Type.Integer()),
    }),
  ),
  reason: Type.String({
    description: '`allowed` when scored, else the consent gate’s reason ' + '(`below_required_level`, `child_never_profiled`, …)',
  }),
  computedAt: Type.String(),
});
