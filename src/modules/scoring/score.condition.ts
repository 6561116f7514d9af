import { type SqlBool, sql } from 'kysely';
import { Type } from 'typebox';
import { isId } from '../../lib/ids.ts';
import type { Db } from '../database.ts';
import type { FilterConditionKind, FilterProblem } from '../segments/module.ts';
import { modelsThatExist, scoreMatchSql } from './score-uses.queries.ts';

import { GRADES, type ScoreCondition } from './score.model.ts';

export type { ScoreCondition } from './score.model.ts';
/** Bounds of a threshold in a condition: far beyond any sum of rule points (±1000 each), within an integer column. */
const BOUND = 1_000_000_000;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const PARTS = ['atLeast', 'below', 'grade', 'salesReady'] as const;

/** The shape of a `score` value; problems by JSON pointer under `path` (`/and/0/score`). */
export function validateScore(v: unknown, path: string): FilterProblem[] {
  if (!isObj(v)) return [{ path, message: 'score takes {"modelId", "atLeast"?, "below"?, "grade"?, "salesReady"?}' }];
  const problems: FilterProblem[] = [];
  for (const k of Object.keys(v))
    if (k !== 'modelId' && !(PARTS as readonly string[]).includes(k))
      problems.push({ path: `${path}/${k}`, message: 'not a part ' + 'of score' });
  if (!isId(v.modelId)) problems.push({ path: `${path}/modelId`, message: 'a scoring model id' });
  if (!PARTS.some((k) => v[k] !== undefined))
    problems.push({ path, message: 'score takes at least one of atLeast, below, grade, salesReady' });
  for (const k of ['atLeast', 'below'] as const)
    if (v[k] !== undefined && (!Number.isInteger(v[k]) || Math.abs(v[k] as number) > BOUND))
      problems.push({ path: `${path}/${k}`, message: `a whole number from -${BOUND} to ${BOUND}` });
  if (v.grade !== undefined) {
    const g = v.grade;
    if (!Array.isArray(g) || g.length === 0 || g.length > GRADES.length || new Set(g).size !== g.length)
      problems.push({ path: `${path}/grade`, message: 'a list of distinct grades A, B, C, D' });
    else
      g.forEach((x, i) => {
        if (!(GRADES as readonly unknown[]).includes(x)) problems.push({ path: `${path}/grade/${i}`, message: 'one of A, B, C, D' });
      });
  }
  if (v.salesReady !== undefined && typeof v.salesReady !== 'boolean')
    problems.push({ path: `${path}/salesReady`, message: 'expected true or false' });
  return problems;
}

const SCHEMA = Type.Object(
  {
    modelId: Type.String({ maxLength: 36, description: 'the scoring model’s id' }),
    atLeast: Type.Optional(Type.Integer({ format: 'int32', minimum: -BOUND, maximum: BOUND, description: 'score ≥ this' })),
    below: Type.Optional(Type.Integer({ format: 'int32', minimum: -BOUND, maximum: BOUND, description: 'score < this' })),
    grade: Type.Optional(
      Type.Array(Type.Union(GRADES.map((g) => Type.Literal(g))), {
        minItems: 1,
        maxItems: 4,
        uniqueItems: true,
        description: 'one of ' + 'these ' + 'grades',
      }),
    ),
    salesReady: Type.Optional(Type.Boolean({ description: 'sales-ready (true) or scored but not sales-ready (false)' })),
  },
  { additionalProperties: false, minProperties: 2 },
);

/**
 * The segment language's `score` condition (issue 17 point 5), registered with the segments
 * module, which never names scoring's tables: true when any of the contact's leads has a
 * *scored* row for the model (not one the gate cleared) meeting every part given. Its model must
 * exist when a filter is written (422 `filter_reference_unknown`, `/…/score/modelId`); a saved
 * filter whose model was deleted makes only its own segment unevaluable (segments' rule).
 */
export function scoreCondition(db: Db): FilterConditionKind {
  return {
    key: 'score',
    summary:
      '{"score":{"modelId","atLeast"?,"below"?,"grade"?:["A",…],"salesReady"?}} (scoring: any of the contact\'s leads scored by the ' +
      'model meeting every part given; at least one part).',
    schema: SCHEMA,
    validate: validateScore,
    check: async (nodes) => {
      const ids = [...new Set(nodes.map((n) => (n.value as ScoreCondition).modelId))];
      const known = await modelsThatExist(db.kysely, db.dialect, ids);
      return nodes
        .filter((n) => !known.has((n.value as ScoreCondition).modelId))
        .map((n) => ({ path: `${n.path}/modelId`, message: 'no such scoring model' }));
    },
    compile: (value, alias, ctx) => sql<SqlBool>`(${sql.ref(`${alias}.id`)} in (${scoreMatchSql(value as ScoreCondition, ctx.contact)}))`,
  };
}
