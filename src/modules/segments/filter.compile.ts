import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { gateSql, isChildSql, type GateQuestion } from '../consent/gate.ts';
import type { FilterNode, ResolvedField, Scalar } from './filter.model.ts';
import { resolveField, type ValidationContext } from './filter.validate.ts';

/** What compiling needs besides the tree: resolved names and the moment "now" means. */
export interface CompileContext extends ValidationContext {
  dialect: Dialect;
  /** Gate questions for every purpose the tree names (see SegmentsService.prepare). */
  questions: Map<string, GateQuestion>;
  childCutoff: string;
  now: Date;
}

type B = RawBuilder<SqlBool>;

const TRUE: B = sql<SqlBool>`(1 = 1)`;
const FALSE: B = sql<SqlBool>`(1 = 0)`;

/**
 * Every leaf compiles to a two-valued condition (never SQL NULL), so `not` is an exact
 * complement: `country != 'DE'` includes contacts with no country, `not (country = 'DE')`
 * means the same, and the in-memory reference evaluator can follow the same rules.
 */
function fieldCond(f: ResolvedField, op: string, value: Scalar | Scalar[] | undefined, alias: string, ctx: CompileContext): B {
  if (f.childStatus) {
    const child = isChildSql(alias, ctx.childCutoff);
    if (op === 'is_null') return value === false ? TRUE : FALSE;
    const wantChild = (op === '=') === (value === true);
    return wantChild ? child : sql<SqlBool>`(not ${child})`;
  }
  const col = sql.ref(`${alias}.${f.column}`);
  // Numbers are cast so PostgreSQL never has to parse 3.5 as an integer column's type.
  const norm = (v: Scalar): unknown =>
    f.type === 'boolean' ? (v ? 1 : 0) : f.type === 'datetime' ? new Date(v as string).toISOString() : f.type === 'number' ? sql`cast(${v} as double precision)` : v;
  if (op === 'is_null') return value === false ? sql<SqlBool>`(${col} is not null)` : sql<SqlBool>`(${col} is null)`;
  if (op === 'in') return sql<SqlBool>`(${col} is not null and ${col} in (${sql.join((value as Scalar[]).map(norm))}))`;
  const v = norm(value as Scalar);
  switch (op) {
    case '=':
      return sql<SqlBool>`(${col} is not null and ${col} = ${v})`;
    case '!=':
      return sql<SqlBool>`(${col} is null or ${col} <> ${v})`;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return sql<SqlBool>`(${col} is not null and ${col} ${sql.raw(op)} ${v})`;
    case 'contains':
      return ctx.dialect === 'postgres' ? sql<SqlBool>`(${col} is not null and strpos(${col}, ${v}) > 0)` : sql<SqlBool>`(${col} is not null and instr(${col}, ${v}) > 0)`;
    case 'starts_with':
      // Both databases count characters (code points) in substr, as [...s] does in JS.
      return sql<SqlBool>`(${col} is not null and substr(${col}, 1, ${sql.lit([...(value as string)].length)}) = ${v})`;
  }
  throw new Error(`operator ${op} passed validation but has no compilation`);
}

function behaviourCond(b: { type: string; ref?: string; withinDays?: number; atLeast?: number }, alias: string, ctx: CompileContext): B {
  const where: RawBuilder<unknown>[] = [sql`i.contact_id = ${sql.ref(`${alias}.id`)}`, sql`i.type = ${b.type}`];
  if (b.ref !== undefined) where.push(sql`i.ref = ${b.ref}`);
  if (b.withinDays !== undefined) where.push(sql`i.at >= ${new Date(ctx.now.getTime() - b.withinDays * 86_400_000).toISOString()}`);
  const cond = sql.join(where, sql` and `);
  const atLeast = b.atLeast ?? 1;
  if (atLeast === 1) return sql<SqlBool>`exists (select 1 from interactions i where ${cond})`;
  return sql<SqlBool>`((select count(*) from interactions i where ${cond}) >= ${sql.lit(atLeast)})`;
}

/** Compiles a validated tree to one predicate over `contacts` rows aliased `alias`. */
export function compileFilter(node: FilterNode, ctx: CompileContext, alias = 'c'): B {
  if ('and' in node) return node.and.length === 1 ? compileFilter(node.and[0]!, ctx, alias) : sql<SqlBool>`(${sql.join(node.and.map((n) => compileFilter(n, ctx, alias)), sql` and `)})`;
  if ('or' in node) return node.or.length === 1 ? compileFilter(node.or[0]!, ctx, alias) : sql<SqlBool>`(${sql.join(node.or.map((n) => compileFilter(n, ctx, alias)), sql` or `)})`;
  if ('not' in node) return sql<SqlBool>`(not ${compileFilter(node.not, ctx, alias)})`;
  if ('field' in node) return fieldCond(resolveField(node.field, ctx)!, node.op, node.value, alias, ctx);
  if ('consent' in node) return sql<SqlBool>`(${sql.ref(`${alias}.consent_level`)} >= ${sql.lit(node.consent.atLeast)})`;
  if ('allowed' in node) return gateSql(ctx.questions.get(node.allowed)!, alias);
  if ('list' in node) return sql<SqlBool>`exists (select 1 from list_members lm where lm.contact_id = ${sql.ref(`${alias}.id`)} and lm.list_id = ${node.list})`;
  return behaviourCond(node.behaviour, alias, ctx);
}

/** The leaves of a tree with their JSON pointers, in document order (for explain). */
export function leaves(node: FilterNode, path = ''): { path: string; node: FilterNode }[] {
  if ('and' in node) return node.and.flatMap((n, i) => leaves(n, `${path}/and/${i}`));
  if ('or' in node) return node.or.flatMap((n, i) => leaves(n, `${path}/or/${i}`));
  if ('not' in node) return leaves(node.not, `${path}/not`);
  return [{ path: path || '/', node }];
}

/** Combines leaf truth values by the tree's logic, as the SQL does. */
export function combine(node: FilterNode, value: (path: string) => boolean, path = ''): boolean {
  if ('and' in node) return node.and.every((n, i) => combine(n, value, `${path}/and/${i}`));
  if ('or' in node) return node.or.some((n, i) => combine(n, value, `${path}/or/${i}`));
  if ('not' in node) return !combine(node.not, value, `${path}/not`);
  return value(path || '/');
}

export const _internal = { TRUE, FALSE };
