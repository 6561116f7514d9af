import { isConsentLevel } from '../../lib/consent-levels.ts';
import { INTERACTION_TYPES } from '../interactions/module.ts';
import { type FieldScope, type FilterNode, type ResolvedField, validateFilter } from '../segments/module.ts';
import type { LeadScoresTable, ScoringModelsTable } from './scoring.table.ts';

/** A behaviour rule's test: at least N interactions of a type (and ref) within a window. */
export interface Behaviour {
  type: string;
  ref?: string;
  atLeast?: number;
  withinDays?: number;
}

export type Rule = { name: string; points: number; decayDays?: number } & ({ condition: FilterNode } | { behaviour: Behaviour });

export interface Grades {
  A: number;
  B: number;
  C: number;
  D: number;
}

export type RecomputeState = 'never' | 'queued' | 'running' | 'done' | 'failed';

export interface Recompute {
  state: RecomputeState;
  total: number | null;
  done: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ScoringModel {
  id: string;
  name: string;
  /** A level 0–5, or a purpose name (its level from the settings in force). */
  requiredConsent: number | string;
  rules: Rule[];
  grades: Grades;
  salesReady: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  recompute: Recompute;
}

export interface ModelInput {
  name: string;
  requiredConsent?: number | string;
  rules: unknown[];
  grades: Grades;
  salesReady: number;
}

/** One rule's part of a lead's score, as the explanation gives it. */
export interface RuleExplanation {
  name: string;
  kind: 'condition' | 'behaviour';
  /** The points given (decayed); the sum over the entry's rules is its score. */
  points: number;
  /** The rule's own points. */
  rulePoints: number;
  window: { withinDays: number } | null;
  atLeast: number | null;
  /** Interactions counted (behaviour rules), null for conditions. */
  counted: number | null;
  latestAt: string | null;
  decayDays: number | null;
}

export interface LeadScoreExplanation {
  modelId: string;
  modelName: string;
  score: number | null;
  grade: string | null;
  salesReady: boolean;
  rules: RuleExplanation[];
  /** `allowed` when scored, else the gate's reason. */
  reason: string;
  computedAt: string;
}

export const GRADE_NAMES = ['A', 'B', 'C', 'D'] as const;
export const POINTS_LIMIT = 1000;
export const DECAY_LIMIT = 3650;
export const RULES_LIMIT = 50;

/** The lead's built-in fields in the segment language's lead scope (`lead.<name>`). */
export const LEAD_FIELDS: Record<string, ResolvedField> = {
  title: { column: 'title', type: 'text' },
  status: { column: 'status', type: 'text' },
  value: { column: 'value', type: 'number' },
  ownerId: { column: 'owner_id', type: 'text' },
  createdAt: { column: 'created_at', type: 'datetime' },
};

/** The lead scope: built-in lead fields and the custom ones (lead_fields), on the alias `l`. */
export function leadScope(custom: { name: string; column_name: string; type: string }[]): FieldScope {
  const fields = new Map<string, ResolvedField>(Object.entries(LEAD_FIELDS));
  for (const f of custom) if (!fields.has(f.name)) fields.set(f.name, { column: f.column_name, type: f.type as ResolvedField['type'] });
  return { prefix: 'lead', alias: 'l', fields };
}

export interface Problem {
  path: string;
  message: string;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown, lo: number, hi: number): x is number => Number.isInteger(x) && (x as number) >= lo && (x as number) <= hi;

/**
 * The semantic checks the schema cannot make, each naming its path: exactly one of condition
 * and behaviour, the condition through the segments' validator (with the lead scope), points,
 * decay on behaviour only, grades strictly descending, the requirement a level or a purpose.
 */
export function validateModel(
  m: { requiredConsent?: unknown; rules?: unknown; grades?: unknown; salesReady?: unknown },
  ctx: { purposes: Set<string>; customFields: Map<string, ResolvedField>; scope: FieldScope },
): { problems: Problem[]; unknownPurpose: string | null } {
  const problems: Problem[] = [];
  let unknownPurpose: string | null = null;
  if (m.requiredConsent !== undefined) {
    const r = m.requiredConsent;
    if (typeof r === 'number') {
      if (!isConsentLevel(r)) problems.push({ path: '/requiredConsent', message: 'a level from 0 to 5 or a purpose name' });
    } else if (typeof r === 'string') {
      if (!ctx.purposes.has(r)) unknownPurpose = r;
    } else problems.push({ path: '/requiredConsent', message: 'a level from 0 to 5 or a purpose name' });
  }
  if (m.rules !== undefined) {
    if (!Array.isArray(m.rules) || m.rules.length === 0 || m.rules.length > RULES_LIMIT)
      problems.push({ path: '/rules', message: `a list of 1 to ${RULES_LIMIT} rules` });
    else m.rules.forEach((r, i) => checkRule(r, `/rules/${i}`, ctx, problems));
  }
  if (m.grades !== undefined) {
    const g = m.grades;
    if (!isObj(g) || !GRADE_NAMES.every((k) => Number.isInteger(g[k])) || Object.keys(g).length !== 4)
      problems.push({ path: '/grades', message: 'integers A, B, C and D' });
    else
      for (let i = 1; i < GRADE_NAMES.length; i++)
        if ((g[GRADE_NAMES[i - 1]!] as number) <= (g[GRADE_NAMES[i]!] as number))
          problems.push({ path: `/grades/${GRADE_NAMES[i - 1]}`, message: `above ${GRADE_NAMES[i]}'s threshold (A > B > C > D)` });
  }
  if (m.salesReady !== undefined && !Number.isInteger(m.salesReady)) problems.push({ path: '/salesReady', message: 'an integer' });
  return { problems, unknownPurpose };
}

function checkRule(
  r: unknown,
  path: string,
  ctx: { purposes: Set<string>; customFields: Map<string, ResolvedField>; scope: FieldScope },
  problems: Problem[],
): void {
  if (!isObj(r)) return void problems.push({ path, message: 'a rule is an object' });
  const allowed = ['name', 'condition', 'behaviour', 'points', 'decayDays'];
  for (const k of Object.keys(r)) if (!allowed.includes(k)) problems.push({ path: `${path}/${k}`, message: 'unknown property' });
  if (typeof r.name !== 'string' || r.name.trim() === '' || r.name.length > 200)
    problems.push({ path: `${path}/name`, message: 'a name of 1 to 200 characters' });
  if (!isInt(r.points, -POINTS_LIMIT, POINTS_LIMIT) || r.points === 0)
    problems.push({ path: `${path}/points`, message: `an integer from -${POINTS_LIMIT} to ${POINTS_LIMIT}, not 0` });
  const hasC = 'condition' in r;
  const hasB = 'behaviour' in r;
  if (hasC === hasB) return void problems.push({ path, message: 'a rule has exactly one of condition and behaviour' });
  if (r.decayDays !== undefined) {
    if (hasC) problems.push({ path: `${path}/decayDays`, message: 'decay applies to behaviour rules only' });
    else if (!isInt(r.decayDays, 1, DECAY_LIMIT))
      problems.push({ path: `${path}/decayDays`, message: `a whole number of days from 1 to ${DECAY_LIMIT}` });
  }
  if (hasC) {
    for (const p of validateFilter(r.condition, { customFields: ctx.customFields, purposes: ctx.purposes, scopes: [ctx.scope] }))
      problems.push({ path: `${path}/condition${p.path === '/' ? '' : p.path}`, message: p.message });
    return;
  }
  const b = r.behaviour;
  if (!isObj(b)) return void problems.push({ path: `${path}/behaviour`, message: 'behaviour takes type, ref, atLeast and withinDays' });
  for (const k of Object.keys(b))
    if (!['type', 'ref', 'atLeast', 'withinDays'].includes(k))
      problems.push({ path: `${path}/` + `behaviour/${k}`, message: 'unknown property' });
  if (typeof b.type !== 'string' || !(INTERACTION_TYPES as readonly string[]).includes(b.type))
    problems.push({ path: `${path}/behaviour/type`, message: 'an interaction type' });
  if (b.ref !== undefined && (typeof b.ref !== 'string' || b.ref.length === 0 || b.ref.length > 200 || b.ref.includes('\u0000')))
    problems.push({ path: `${path}/behaviour/ref`, message: 'a reference of 1 to 200 characters' });
  if (b.atLeast !== undefined && !isInt(b.atLeast, 1, 100_000))
    problems.push({ path: `${path}/behaviour/atLeast`, message: 'a whole number from 1 to 100000' });
  if (b.withinDays !== undefined && !isInt(b.withinDays, 1, DECAY_LIMIT))
    problems.push({ path: `${path}/behaviour/withinDays`, message: `a whole number of days from 1 to ${DECAY_LIMIT}` });
}

/** The grade a score earns: the highest whose threshold it reaches, null below D. */
export function gradeOf(score: number, g: Grades): string | null {
  for (const k of GRADE_NAMES) if (score >= g[k]) return k;
  return null;
}

/** A stored model's requirement as the API gives it. */
export function requirementOf(row: Pick<ScoringModelsTable, 'required_level' | 'required_purpose'>): number | string {
  return row.required_level ?? row.required_purpose ?? 'profiling';
}

export function recomputeOf(row: ScoringModelsTable, jobStatus: string | null): Recompute {
  // A run without a job (the benchmark, a direct call) still counts: started, finished or not.
  const state: RecomputeState =
    row.recompute_job_id === null && row.recompute_started_at === null
      ? 'never'
      : jobStatus === 'dead'
        ? 'failed'
        : row.recompute_finished_at !== null
          ? 'done'
          : row.recompute_started_at !== null
            ? 'running'
            : 'queued';
  return {
    state,
    total: row.recompute_total,
    done: row.recompute_done,
    startedAt: row.recompute_started_at,
    finishedAt: row.recompute_finished_at,
  };
}

export function toModel(row: ScoringModelsTable, jobStatus: string | null): ScoringModel {
  return {
    id: row.id,
    name: row.name,
    requiredConsent: requirementOf(row),
    rules: JSON.parse(row.rules) as Rule[],
    grades: JSON.parse(row.grades) as Grades,
    salesReady: row.sales_ready,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    recompute: recomputeOf(row, jobStatus),
  };
}

export type ScoreRow = LeadScoresTable;
