import { api, call } from '../../api/client';

/**
 * The scoring API as the console uses it (docs: /work/specs/scoring-contract.md, issue 17).
 * Written from the contract while the server's routes were being built beside this screen; the
 * calls go through the same client (session cookie, 401 handling) untyped by path, so they are the
 * one place to switch to schema.d.ts's types once the routes are in the OpenAPI document.
 */
type Answer = Promise<{ data?: unknown; error?: unknown; response: Response }>;
interface Init {
  params?: { path?: Record<string, string>; query?: Record<string, string | number | boolean | undefined> };
  body?: unknown;
}
type Untyped = (path: string, init?: Init) => Answer;
export const http = {
  GET: api.GET as unknown as Untyped,
  POST: api.POST as unknown as Untyped,
  PATCH: api.PATCH as unknown as Untyped,
  DELETE: api.DELETE as unknown as Untyped,
};
/** A query without the parts left empty (the API refuses `status=` as an unknown status). */
export function query(q: Record<string, string | number | boolean | null | undefined>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Record<
    string,
    string | number | boolean
  >;
}

export type RequiredConsent = number | string;
export type Grade = 'A' | 'B' | 'C' | 'D';
export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];

/** The segment language's behaviour node: at least N interactions of the type (and ref) within the window. */
export interface Behaviour {
  type: string;
  ref?: string;
  atLeast?: number;
  withinDays?: number;
}
export interface Rule {
  name: string;
  condition?: unknown;
  behaviour?: Behaviour;
  points: number;
  decayDays?: number | null;
}
export type Grades = Record<Grade, number>;
export type RecomputeState = 'never' | 'queued' | 'running' | 'done' | 'failed';
export interface Recompute {
  state: RecomputeState;
  total: number | null;
  done: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface Model {
  id: string;
  name: string;
  requiredConsent: RequiredConsent;
  rules: Rule[];
  grades: Grades;
  salesReady: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  recompute: Recompute;
}
export type ModelInput = Pick<Model, 'name' | 'requiredConsent' | 'rules' | 'grades' | 'salesReady'>;
export interface Distribution {
  grades: Record<Grade | 'none', number>;
  salesReady: number;
  scored: number;
  notScored: Record<string, number>;
  histogram: { from: number; to: number; n: number }[];
}
export interface Ranked {
  leadId: string;
  title: string;
  status: string;
  contactId: string;
  contact: { email: string; firstName: string | null; lastName: string | null } | null;
  score: number | null;
  grade: Grade | null;
  salesReady: boolean;
  reason: string | null;
  computedAt: string | null;
}
export interface ExplainedRule {
  name: string;
  kind: 'condition' | 'behaviour';
  /** The points given (after decay); `rulePoints` the rule's own. */
  points: number;
  rulePoints: number;
  window: { withinDays: number } | null;
  atLeast: number | null;
  counted: number | null;
  latestAt: string | null;
  decayDays: number | null;
}
export interface Explanation {
  modelId: string;
  modelName: string;
  score: number | null;
  grade: Grade | null;
  salesReady: boolean;
  rules: ExplainedRule[];
  reason: string | null;
  computedAt: string | null;
}
/** A cursor-paged answer: `next` (the contract) or `page.next` (the other lists). */
export interface Paged<T> {
  data: T[];
  next?: string | null;
  page?: { next: string | null; total?: number };
}
export const nextOf = (p: Paged<unknown> | undefined): string | null => p?.next ?? p?.page?.next ?? null;

const id = (modelId: string) => ({ path: { id: modelId } });
/** The answer's body, whether the route wraps it in `data` or not (the contract shows some bare). */
function bare<T>(a: unknown, key: string): T {
  const o = a as Record<string, unknown>;
  return (key in o ? o : (o.data as Record<string, unknown>)) as T;
}

export const scoringApi = {
  models: async () => (await call(http.GET('/api/v1/scoring-models'))) as Paged<Model>,
  model: async (modelId: string) =>
    ((await call(http.GET('/api/v1/scoring-' + 'models/{id}', { params: id(modelId) }))) as { data: Model }).data,
  create: async (body: ModelInput) => ((await call(http.POST('/api/v1/scoring-models', { body }))) as { data: Model }).data,
  update: async (modelId: string, body: ModelInput) =>
    ((await call(http.PATCH('/api/v1/scoring-models/{id}', { params: id(modelId), body }))) as { data: Model }).data,
  remove: (modelId: string) => call(http.DELETE('/api/v1/scoring-models/{id}', { params: id(modelId) })),
  recompute: async (modelId: string) =>
    bare<{ jobId: string; recompute: Recompute }>(
      await call(http.POST('/api/v1/scoring-models/{id}/recompute', { params: id(modelId) })),
      'recompute',
    ),
  progress: async (modelId: string) =>
    bare<{ recompute: Recompute }>(await call(http.GET('/api/v1/scoring-models/{id}/recompute', { params: id(modelId) })), 'recompute')
      .recompute,
  distribution: async (modelId: string) =>
    bare<Distribution>(await call(http.GET('/api/v1/scoring-models/{id}/distribution', { params: id(modelId) })), 'histogram'),
  ranking: async (modelId: string, q: { grade?: string; salesReady?: boolean; after?: string | null }) =>
    (await call(
      http.GET('/api/v1/scoring-models/{id}/leads', {
        params: { ...id(modelId), query: query({ grade: q.grade, salesReady: q.salesReady, after: q.after, limit: 50 }) },
      }),
    )) as Paged<Ranked>,
  explain: async (leadId: string) =>
    ((await call(http.GET('/api/v1/leads/{id}/scores', { params: { path: { id: leadId } } }))) as { data: Explanation[] }).data,
};
