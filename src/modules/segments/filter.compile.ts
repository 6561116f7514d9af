import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { inList } from '../../db/in-list.ts';
import { lowerSql } from '../../db/text-fold.ts';
import { type GateQuestion, gateSql, isChildSql } from '../consent/module.ts';
import { refForMatching } from '../interactions/module.ts';
import type { FilterNode, ResolvedField, Scalar } from './filter.model.ts';
import { resolveField, type ValidationContext } from './filter.validate.ts';

/** What compiling needs besides the tree: resolved names and the moment "now" means. */
export interface CompileContext extends ValidationContext {
  dialect: Dialect;
  /** Gate questions for every purpose the tree names (see SegmentsService.prepare). */
  questions: Map<string, GateQuestion>;
  childCutoff: string;
  now: Date;
  /**
   * Set when the predicate will only ever be tested against this one contact (explain,
   * membership of one person): list and behaviour subqueries are then narrowed to that
   * contact's rows, which is equivalent for that row and spares the database from building the
   * whole set (a group-by over every event of a type) to answer for one person.
   */
  contact?: string;
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
  // A scoped field (FieldScope) names its own table's alias; the contact's fields the tree's.
  const col = sql.ref(`${f.alias ?? alias}.${f.column}`);
  // Numbers are cast so PostgreSQL never has to parse 3.5 as an integer column's type.
  const norm = (v: Scalar): unknown =>
    f.type === 'boolean'
      ? v
        ? 1
        : 0
      : f.type === 'datetime'
        ? new Date(v as string).toISOString()
        : f.type === 'number'
          ? sql`cast(${v} as double precision)`
          : v;
  if (op === 'is_null') return value === false ? sql<SqlBool>`(${col} is not null)` : sql<SqlBool>`(${col} is null)`;
  // The list is one parameter however long (a JSON array on SQLite, a typed array on
  // PostgreSQL): a filter of many long lists must not need a variable per value.
  if (op === 'in') {
    const listed = (value as Scalar[]).map((v) =>
      f.type === 'boolean' ? (v ? 1 : 0) : f.type === 'datetime' ? new Date(v as string).toISOString() : (v as string | number),
    );
    return sql<SqlBool>`(${col} is not null and
      ${inList(ctx.dialect, col, listed, f.type === 'number' || f.type === 'boolean' ? 'float8' : 'text')})`;
  }
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
      return ctx.dialect === 'postgres'
        ? sql<SqlBool>`(${col} is not null and strpos(${col}, ${v}) > 0)`
        : sql<SqlBool>`(${col} is not null and instr(${col}, ${v}) > 0)`;
    case 'icontains':
    case 'istarts_with':
    case 'iequals': {
      // Both sides lowered by the database (the same mapping on both, see text-fold.ts); no index
      // serves these, the contacts table is scanned as for `contains`.
      const l = lowerSql(ctx.dialect, col);
      const lv = lowerSql(ctx.dialect, sql`${v}`);
      if (op === 'iequals') return sql<SqlBool>`(${col} is not null and ${l} = ${lv})`;
      const at = ctx.dialect === 'postgres' ? sql`strpos(${l}, ${lv})` : sql`instr(${l}, ${lv})`;
      return op === 'icontains' ? sql<SqlBool>`(${col} is not null and ${at} > 0)` : sql<SqlBool>`(${col} is not null and ${at} = 1)`;
    }
    case 'starts_with': {
      // In binary order the strings starting with p are exactly those in [p, successor(p)),
      // so the condition is an index range on both databases.
      const upper = prefixSuccessor(value as string);
      return upper === null
        ? sql<SqlBool>`(${col} is not null and ${col} >= ${v})`
        : sql<SqlBool>`(${col} is not null and ${col} >= ${v} and ${col} < ${upper})`;
    }
  }
  throw new Error(`operator ${op} passed validation but has no compilation`);
}

/**
 * The smallest string greater than every string that starts with `p`, in code point order:
 * `p` with its last code point raised by one (trailing U+10FFFF dropped first, surrogates
 * skipped). Null when no such string exists (`p` empty or all U+10FFFF).
 */
export function prefixSuccessor(p: string): string | null {
  const cps = [...p].map((ch) => ch.codePointAt(0)!);
  while (cps.length && cps[cps.length - 1] === 0x10ffff) cps.pop();
  if (!cps.length) return null;
  let last = cps.pop()! + 1;
  if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
  return String.fromCodePoint(...cps, last);
}

/**
 * Behaviour compiles to "id in (contacts with such interactions)": the subquery walks the
 * covering (type, ref, at, contact_id) index over one type's events (narrowed by the ref and the
 * window when given) without reading the table, which beats probing every contact. Counting
 * without a ref sorts the contact ids it hands over: a (type, contact_id, at) index would stream
 * them, but cost ingest a random page per event (interactions.migrations.ts, 0022). contact_id
 * is never null, so the test stays two-valued.
 */
function behaviourCond(b: { type: string; ref?: string; withinDays?: number; atLeast?: number }, alias: string, ctx: CompileContext): B {
  const where: RawBuilder<unknown>[] = [sql`i.type = ${b.type}`];
  // A URL is matched as the reference it was recorded under (identifier-looking segments replaced).
  if (b.ref !== undefined) where.push(sql`i.ref = ${refForMatching(b.ref)}`);
  if (b.withinDays !== undefined) where.push(sql`i.at >= ${new Date(ctx.now.getTime() - b.withinDays * 86_400_000).toISOString()}`);
  if (ctx.contact !== undefined) where.push(sql`i.contact_id = ${ctx.contact}`);
  const cond = sql.join(where, sql` and `);
  const atLeast = b.atLeast ?? 1;
  const having = atLeast === 1 ? sql`` : sql` group by i.contact_id having count(*) >= ${sql.lit(atLeast)}`;
  return sql<SqlBool>`(${sql.ref(`${alias}.id`)} in (select i.contact_id from interactions i where ${cond}${having}))`;
}

/** Compiles a validated tree to one predicate over `contacts` rows aliased `alias`. */
export function compileFilter(node: FilterNode, ctx: CompileContext, alias = 'c'): B {
  if ('and' in node)
    return node.and.length === 1
      ? compileFilter(node.and[0]!, ctx, alias)
      : sql<SqlBool>`(${sql.join(
          node.and.map((n) => compileFilter(n, ctx, alias)),
          sql` and `,
        )})`;
  if ('or' in node)
    return node.or.length === 1
      ? compileFilter(node.or[0]!, ctx, alias)
      : sql<SqlBool>`(${sql.join(
          node.or.map((n) => compileFilter(n, ctx, alias)),
          sql` or `,
        )})`;
  if ('not' in node) return sql<SqlBool>`(not ${compileFilter(node.not, ctx, alias)})`;
  if ('field' in node) return fieldCond(resolveField(node.field, ctx)!, node.op, node.value, alias, ctx);
  if ('consent' in node) return sql<SqlBool>`(${sql.ref(`${alias}.consent_level`)} >= ${sql.lit(node.consent.atLeast)})`;
  if ('allowed' in node) return gateSql(ctx.questions.get(node.allowed)!, alias);
  if ('list' in node) {
    const one = ctx.contact !== undefined ? sql` and lm.contact_id = ${ctx.contact}` : sql``;
    return sql<SqlBool>`(${sql.ref(`${alias}.id`)} in (select lm.contact_id from list_members lm where lm.list_id = ${node.list}${one}))`;
  }
  if ('behaviour' in node) return behaviourCond(node.behaviour, alias, ctx);
  return registeredCond(node, alias, ctx);
}

/** A node of a kind a later module registered (filter.kinds.ts): that module compiles it. */
function registeredCond(node: FilterNode, alias: string, ctx: CompileContext): B {
  const [key] = Object.keys(node);
  const kind = key === undefined ? undefined : ctx.kinds?.get(key);
  if (!kind) throw new Error(`filter node ${key ?? '{}'} passed validation but no module compiles it`);
  return kind.compile((node as Record<string, unknown>)[key!], alias, ctx);
}

/** The nodes of registered kinds in a tree, with the JSON pointer of each one's value (for the kinds' checks). */
export function registeredNodes(node: FilterNode, ctx: Pick<CompileContext, 'kinds'>): { key: string; value: unknown; path: string }[] {
  return leaves(node).flatMap((l) => {
    const [key] = Object.keys(l.node);
    if (key === undefined || !ctx.kinds?.has(key)) return [];
    return [{ key, value: (l.node as Record<string, unknown>)[key], path: `${l.path === '/' ? '' : l.path}/${key}` }];
  });
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
