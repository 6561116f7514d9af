import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Data, IdParams, Obj, withExamples } from '../../http/schemas.ts';
import { DISTRIBUTION, EXPLANATION, MODEL, MODEL_CREATE, RANKING, RECOMPUTE } from './scoring.examples.ts';
import type { ModelInput } from './scoring.model.ts';
import {
  DistributionSchema,
  ExplanationSchema,
  ModelCreate,
  ModelPatch,
  ModelSchema,
  RankingQuery,
  RankingRowSchema,
  RecomputeSchema,
} from './scoring.schemas.ts';
import type { ScoringService } from './scoring.service.ts';

const read = { area: 'scoring', op: 'read' } as const;
const write = { area: 'scoring', op: 'write' } as const;
const TAGS = ['scoring'];
const BODY_LIMIT = 512 * 1024;
const RULES =
  'Each rule has exactly one of `condition` (the segment language, docs/segments.md, over the contact and the lead as ' +
  '`lead.<field>`) and `behaviour` (`{type, ref?, atLeast?, withinDays?}`), integer `points` (−1000..1000, not 0) and, for ' +
  'behaviour, an optional `decayDays`: given = trunc(points × (decayDays − ageDays) / decayDays) while ageDays < decayDays, ' +
  'ageDays the whole days since the latest counted interaction. A rule that does not pass answers 400 `validation_failed`, ' +
  '`details` naming each problem’s path (`/rules/2/condition/and/0/field`); an unknown purpose 400 `unknown_purpose`.';

/** What these routes use. */
export interface ScoringRouteDeps {
  scoring: ScoringService;
}

export const scoringRoutes =
  (s: ScoringRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/scoring-models',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'scoring_model.create', target: 'scoring_model' } },
        schema: {
          tags: TAGS,
          summary: 'Create a scoring model (and queue its first recompute)',
          description:
            `A model scores a lead only while the consent gate allows its ` +
            `required consent for the lead's contact; children never. ` +
            `${RULES}`,
          body: withExamples(ModelCreate, MODEL_CREATE),
          response: { 201: withExamples(Data(ModelSchema), { data: MODEL }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const m = await s.scoring.create(req.body as ModelInput);
        req.auditTargetId = m.id;
        return reply.status(201).send({ data: m });
      },
    );

    app.get(
      '/scoring-models',
      {
        config: { access: read, audit: false },
        schema: {
          tags: TAGS,
          summary: 'Scoring models',
          description: 'Every model, oldest first, with its last recompute’s progress.',
          response: { 200: withExamples(Data(Type.Array(ModelSchema)), { data: [MODEL] }), ...commonErrors },
        },
      },
      async () => ({ data: await s.scoring.models() }),
    );

    app.get(
      '/scoring-models/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: TAGS,
          summary: 'A scoring model',
          description: 'The model with its rules, thresholds, requirement and last recompute. 404 `scoring_model_not_found`.',
          params: IdParams,
          response: { 200: withExamples(Data(ModelSchema), { data: MODEL }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.scoring.get(req.params.id) }),
    );

    app.patch(
      '/scoring-models/:id',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'scoring_model.update', target: 'scoring_model' } },
        schema: {
          tags: TAGS,
          summary: 'Change a scoring model',
          description:
            'A change of rules, thresholds or requirement bumps the version and queues a recompute. A requirement raised clears, in ' +
            `the same transaction, every score the gate no longer allows (score null, the gate's reason). ${RULES}`,
          params: IdParams,
          body: withExamples(ModelPatch, { requiredConsent: 'profiling', salesReady: 35 }),
          response: { 200: withExamples(Data(ModelSchema), { data: MODEL }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.scoring.update(req.params.id, req.body as Partial<ModelInput>) }),
    );

    app.delete(
      '/scoring-models/:id',
      {
        config: { access: write, audit: { action: 'scoring_model.delete', target: 'scoring_model' } },
        schema: {
          tags: TAGS,
          summary: 'Delete a scoring model and its scores',
          description: 'The model and every lead’s score under it go.',
          params: IdParams,
          response: { 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.scoring.remove(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/scoring-models/:id/recompute',
      {
        config: { access: write, audit: { action: 'scoring_model.recompute', target: 'scoring_model' } },
        schema: {
          tags: TAGS,
          summary: 'Recompute every lead’s score under the model (a job)',
          description: 'Queues the bulk recompute (job queue `scoring.recompute`); GET the same path for its progress.',
          params: IdParams,
          response: {
            202: withExamples(Obj({ jobId: Type.String(), recompute: RecomputeSchema }), {
              jobId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e70',
              recompute: { state: 'queued', total: null, done: null, startedAt: null, finishedAt: null },
            }),
            ...commonErrors,
          },
        },
      },
      async (req, reply) => reply.status(202).send(await s.scoring.requestRecompute(req.params.id)),
    );

    app.get(
      '/scoring-models/:id/recompute',
      {
        config: { access: read, audit: false },
        schema: {
          tags: TAGS,
          summary: 'The model’s recompute progress',
          description: '`state` never, queued, running, done or failed; `done` of `total` leads.',
          params: IdParams,
          response: { 200: withExamples(Obj({ recompute: RecomputeSchema }), { recompute: RECOMPUTE }), ...commonErrors },
        },
      },
      async (req) => ({ recompute: await s.scoring.progress(req.params.id) }),
    );

    app.get(
      '/scoring-models/:id/distribution',
      {
        config: { access: read, audit: false },
        schema: {
          tags: TAGS,
          summary: 'How the model’s scores are distributed (anonymous counts)',
          description: 'Leads by grade, sales-ready, scored and not scored by the gate’s reason, and a histogram of ten bands.',
          params: IdParams,
          response: { 200: withExamples(DistributionSchema, DISTRIBUTION), ...commonErrors },
        },
      },
      async (req) => s.scoring.distribution(req.params.id),
    );

    app.get(
      '/scoring-models/:id/leads',
      {
        config: { access: read, audit: false },
        schema: {
          tags: TAGS,
          summary: 'The model’s ranking of leads',
          description: 'Highest score first, leads not scored last (with the reason); `next` pages on.',
          params: IdParams,
          querystring: RankingQuery,
          response: {
            200: withExamples(Obj({ data: Type.Array(RankingRowSchema), next: Type.Union([Type.String(), Type.Null()]) }), RANKING),
            ...commonErrors,
          },
        },
      },
      async (req) =>
        s.scoring.ranking(req.params.id, {
          limit: req.query.limit ?? 50,
          ...(req.query.status !== undefined ? { status: req.query.status } : {}),
          ...(req.query.grade !== undefined ? { grade: req.query.grade } : {}),
          ...(req.query.salesReady !== undefined ? { salesReady: req.query.salesReady === 'true' } : {}),
          ...(req.query.after !== undefined ? { after: req.query.after } : {}),
        }),
    );

    app.get(
      '/leads/:id/scores',
      {
        config: { access: read, audit: false },
        schema: {
          tags: TAGS,
          summary: 'A lead’s scores, explained',
          description:
            'One entry per model, computed live (the stored score refreshed with it): the score, grade, sales-ready and the rules ' +
            'that gave points, whose points sum to the score; `score` null with the gate’s `reason` where the model may not score ' +
            'the lead.',
          params: IdParams,
          response: { 200: withExamples(Data(Type.Array(ExplanationSchema)), EXPLANATION), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.scoring.explain(req.params.id) }),
    );
  };
