import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { inList } from '../../db/in-list.ts';
import { type GateQuestion, gateReasonSql, gateSql } from '../consent/module.ts';
import { refForMatching } from '../interactions/module.ts';
import { type CompileContext, compileFilter } from '../segments/module.ts';
import type { Grades, Rule } from './scoring.model.ts';

const DAY_MS = 86_400_000;

/** Which leads a compiled statement scores: a range of ids (a bulk chunk) or a list (incremental, explain). */
export type LeadSet = { after: string | null; upTo: string } | { ids: readonly string[] };

export interface CompiledModel {
  modelId: string;
  version: number;
  rules: Rule[];
  grades: Grades;
  salesReady: number;
  /** The model's question to the gate (its purpose and level, caller `scoring`). */
  question: GateQuestion;
  /** For the rules' conditions: the segment language's context with the lead scope. */
  filter: CompileContext;
  dialect: Dialect;
  now: Date;
  /**
   * Behaviour rules whose aggregate the bulk recompute computed once for every contact into a
   * temporary table (`stageBehaviour`), by rule index: chunks join it instead of grouping again.
   */
  staged?: ReadonlyMap<number, string>;
}

function leadsIn(set: LeadSet, alias: string, dialect: Dialect): RawBuilder<unknown> {
  const id = sql.ref(`${alias}.id`);
  if ('ids' in set) return inList(dialect, id, set.ids);
  return set.after === null ? sql`${id} <= ${set.upTo}` : sql`(${id} > ${set.after} and ${id} <= ${set.upTo})`;
}

/** An ISO timestamp column as whole milliseconds since the epoch, exactly (no floating point). */
function epochMs(dialect: Dialect, col: RawBuilder<unknown>): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`cast(extract(epoch from cast(${col} as timestamptz)) * 1000 as bigint)`
    : sql<number>`(cast(strftime('%s', ${col}) as integer) * 1000 + cast(substr(${col}, 21, 3) as integer))`;
}

/**
 * The points a rule gives, as SQL over the lead `l`, its contact `c` and (behaviour rules) the
 * rule's aggregate `b<i>` (`n`, `latest`). Decay: `trunc(points * (decayDays - ageDays) /
 * decayDays)` while ageDays < decayDays, else 0, ageDays = whole days since the latest counted
 * interaction (0 for one in the future); integer division truncates toward zero on both databases.
 */
function rulePoints(m: CompiledModel, r: Rule, i: number): RawBuilder<number> {
  const P = sql.lit(r.points);
  if ('condition' in r) return sql<number>`(case when ${compileFilter(r.condition, m.filter, 'c')} then ${P} else 0 end)`;
  const b = sql.raw(`b${i}`);
  const met = sql`coalesce(${b}.n, 0) >= ${sql.lit(r.behaviour.atLeast ?? 1)}`;
  if (r.decayDays === undefined) return sql<number>`(case when ${met} then ${P} else 0 end)`;
  const D = sql.lit(r.decayDays);
  const diff = sql`(${sql.lit(m.now.getTime())} - ${epochMs(m.dialect, sql`${b}.latest`)})`;
  const age = sql`(case when ${diff} < 0 then 0 else ${diff} / ${sql.lit(DAY_MS)} end)`;
  return sql<number>`(case when ${met} and ${age} < ${D} then (${P} * (${D} - ${age})) / ${D} else 0 end)`;
}

/**
 * One grouped pass over the interactions of a behaviour rule: for the contacts of the set's
 * leads, or (no set) for every contact, which the bulk recompute stages once.
 */
export function behaviourAggregate(m: CompiledModel, r: Extract<Rule, { behaviour: unknown }>, set: LeadSet | null): RawBuilder<unknown> {
  const where: RawBuilder<unknown>[] = [sql`i.type = ${r.behaviour.type}`];
  if (r.behaviour.ref !== undefined) where.push(sql`i.ref = ${refForMatching(r.behaviour.ref)}`);
  if (r.behaviour.withinDays !== undefined)
    where.push(sql`i.at >= ${new Date(m.now.getTime() - r.behaviour.withinDays * DAY_MS).toISOString()}`);
  if (set !== null) where.push(sql`i.contact_id in (select sl.contact_id from leads sl where ${leadsIn(set, 'sl', m.dialect)})`);
  return sql`select i.contact_id, count(*) as n, max(i.at) as latest from interactions i
    where ${sql.join(where, sql` and `)} group by i.contact_id`;
}

/**
 * THE compiled model: one row per lead of the set with the gate's answer and reason, each rule's
 * given points (`p<i>`), behaviour rules' counts and latest times (`n<i>`, `t<i>`) and the total.
 * The bulk recompute, the incremental path and the explanation all read this one statement.
 */
export function scoredLeads(m: CompiledModel, set: LeadSet): RawBuilder<Record<string, unknown>> {
  const cols: RawBuilder<unknown>[] = [
    sql`l.id as lead_id`,
    sql`l.contact_id as contact_id`,
    sql`(case when ${gateSql(m.question, 'c')} then 1 else 0 end) as allowed`,
    sql`${gateReasonSql(m.question, 'c')} as reason`,
  ];
  const joins: RawBuilder<unknown>[] = [];
  const points: RawBuilder<number>[] = [];
  m.rules.forEach((r, i) => {
    const p = rulePoints(m, r, i);
    points.push(p);
    cols.push(sql`${p} as ${sql.raw(`p${i}`)}`);
    if ('behaviour' in r) {
      const b = sql.raw(`b${i}`);
      const staged = m.staged?.get(i);
      const source = staged !== undefined ? sql.table(staged) : sql`(${behaviourAggregate(m, r, set)})`;
      joins.push(sql`left join ${source} ${b} on ${b}.contact_id = l.contact_id`);
      cols.push(sql`coalesce(${b}.n, 0) as ${sql.raw(`n${i}`)}`, sql`${b}.latest as ${sql.raw(`t${i}`)}`);
    }
  });
  cols.push(sql`(${sql.join(points, sql` + `)}) as total`);
  return sql`select ${sql.join(cols, sql`, `)} from leads l join contacts c on c.id = l.contact_id ${sql.join(joins, sql` `)}
    where ${leadsIn(set, 'l', m.dialect)}`;
}

/**
 * Writes the set's rows of lead_scores from the compiled statement: scored where the gate allows
 * (score, grade, sales-ready), cleared with the gate's reason where it does not. `ready_at` is set
 * separately (markReady), so the event goes out once.
 */
export function upsertScores(m: CompiledModel, set: LeadSet, computedAt: string): RawBuilder<unknown> {
  const g = m.grades;
  const total = sql`s.total`;
  const ok = sql`s.allowed = 1`;
  const grade = sql`(case when ${total} >= ${sql.lit(g.A)} then 'A' when ${total} >= ${sql.lit(g.B)} then 'B'
    when ${total} >= ${sql.lit(g.C)} then 'C' when ${total} >= ${sql.lit(g.D)} then 'D' end)`;
  return sql`insert into lead_scores (model_id, lead_id, contact_id, score, grade, sales_ready, reason, model_version, computed_at)
    select ${m.modelId}, s.lead_id, s.contact_id,
      (case when ${ok} then ${total} end),
      (case when ${ok} then ${grade} end),
      (case when ${ok} and ${total} >= ${sql.lit(m.salesReady)} then 1 else 0 end),
      s.reason, ${sql.lit(m.version)}, ${computedAt}
    from (${scoredLeads(m, set)}) s where 1 = 1
    on conflict (model_id, lead_id) do update set score = excluded.score, grade = excluded.grade,
      sales_ready = excluded.sales_ready, reason = excluded.reason, model_version = excluded.model_version,
      computed_at = excluded.computed_at`;
}

/** The temporary table a bulk recompute stages a behaviour rule's aggregate in. */
export const stageName = (i: number) => `scoring_stage_${i}`;

/**
 * Stages every behaviour rule's aggregate for all contacts (one grouped pass over the
 * interactions per rule), indexed by contact, in temporary tables of `conn`'s connection. The
 * chunks of a bulk recompute then join them: grouping per chunk would read a type's interactions
 * once per chunk (a plan PostgreSQL chooses over hash-partitioned interactions).
 */
export function stageStatements(m: CompiledModel): { i: number; name: string; statements: RawBuilder<unknown>[] }[] {
  const out: { i: number; name: string; statements: RawBuilder<unknown>[] }[] = [];
  m.rules.forEach((r, i) => {
    if (!('behaviour' in r)) return;
    const name = stageName(i);
    const t = sql.table(name);
    out.push({
      i,
      name,
      statements: [
        sql`drop table if exists ${t}`,
        sql`create temporary table ${t} as ${behaviourAggregate(m, r, null)}`,
        sql`create index ${sql.id(`${name}_contact`)} on ${t} (contact_id)`,
        sql`analyze ${t}`,
      ],
    });
  });
  return out;
}
