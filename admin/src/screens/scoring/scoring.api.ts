import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';
import type { LeadStatus } from '../leads/leads.api';

/**
 * The scoring API's types, from the server's OpenAPI document (schema.d.ts). The document types a
 * stored model's rules loosely (a list of anything), so the editor's rule is written here in the
 * terms of the create body's rule: a condition (any filter tree) or a behaviour.
 */
type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type Stored = Json<operations['getScoringModelsById']>['data'];

type RuleIn = Body<operations['postScoringModels']>['rules'][number];
export type Behaviour = NonNullable<RuleIn['behaviour']>;
export type RequiredConsent = Stored['requiredConsent'];
export type Grade = 'A' | 'B' | 'C' | 'D';
export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];
/** A rule as the editor sends it: exactly one of a condition (a segment filter tree) and a behaviour. */
export interface Rule {
  name: string;
  condition?: unknown;
  behaviour?: Behaviour;
  points: number;
  decayDays?: number | null;
}
export type Grades = Stored['grades'];
export type Recompute = Stored['recompute'];
export type RecomputeState = Recompute['state'];
export type Model = Omit<Stored, 'rules'> & { rules: Rule[] };
export type ModelInput = Pick<Model, 'name' | 'requiredConsent' | 'rules' | 'grades' | 'salesReady'>;
export type Distribution = Json<operations['getScoringModelsByIdDistribution']>;
export type Ranked = Json<operations['getScoringModelsByIdLeads']>['data'][number];
export type Explanation = Json<operations['getLeadsByIdScores']>['data'][number];
export type ExplainedRule = Explanation['rules'][number];

/** A cursor-paged answer: `next` (the ranking) or `page.next` (the other lists). */
export interface Paged<T> {
  data: T[];
  next?: string | null;
  page?: { next: string | null; total?: number };
}
export const nextOf = (p: Paged<unknown> | undefined): string | null => p?.next ?? p?.page?.next ?? null;

const id = (modelId: string) => ({ path: { id: modelId } });
// The OpenAPI document types a rule's condition as unknown and the requirement as a number or a string: the editor's body fits.
const asBody = (b: ModelInput) => b as unknown as Body<operations['postScoringModels']>;
const model = (m: Stored): Model => m as Model;

export const scoringApi = {
  models: async () => {
    const a = await call(api.GET('/api/v1/scoring-models'));
    return { ...a, data: a.data.map(model) };
  },
  model: async (modelId: string) => model((await call(api.GET('/api/v1/scoring-models/{id}', { params: id(modelId) }))).data),
  create: async (body: ModelInput) => model((await call(api.POST('/api/v1/scoring-models', { body: asBody(body) }))).data),
  update: async (modelId: string, body: ModelInput) =>
    model((await call(api.PATCH('/api/v1/scoring-models/{id}', { params: id(modelId), body: asBody(body) }))).data),
  remove: (modelId: string) => call(api.DELETE('/api/v1/scoring-models/{id}', { params: id(modelId) })),
  recompute: (modelId: string) => call(api.POST('/api/v1/scoring-models/{id}/recompute', { params: id(modelId) })),
  progress: async (modelId: string) => (await call(api.GET('/api/v1/scoring-models/{id}/recompute', { params: id(modelId) }))).recompute,
  distribution: (modelId: string) => call(api.GET('/api/v1/scoring-models/{id}/distribution', { params: id(modelId) })),
  ranking: (modelId: string, q: { status?: string; grade?: string; salesReady?: boolean; after?: string | null }) =>
    call(
      api.GET('/api/v1/scoring-models/{id}/leads', {
        params: {
          ...id(modelId),
          query: {
            limit: 50,
            ...(q.status ? { status: q.status as LeadStatus } : {}),
            ...(q.grade ? { grade: q.grade as Grade } : {}),
            ...(q.salesReady !== undefined ? { salesReady: q.salesReady ? 'true' : 'false' } : {}),
            ...(q.after ? { after: q.after } : {}),
          },
        },
      }),
    ),
  explain: async (leadId: string) => (await call(api.GET('/api/v1/leads/{id}/scores', { params: { path: { id: leadId } } }))).data,
};
