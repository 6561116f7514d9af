// The scoring benchmark's baseline: the model's rules and the consent gate's decision
// written by hand as one INSERT … SELECT into lead_scores (the product's table, with its keys and
// indexes), run on the raw driver. Each behaviour rule is one grouped pass over the slice of
// interactions it needs (the index on (type, ref, at, contact_id) that the product has covers
// it), joined to every lead by contact id; the conditions and the gate read the lead and contact
// rows. This is the quickest plain way found: the alternative, three correlated lookups per lead
// on the per-contact index, is slower on both databases (`BENCH_SCORING_RAW=correlated` runs it).
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { PRICING_PAGE } from './scoring.data.ts';

const DAY = 86_400_000;

/** The model both sides compute (the API's shape): five rules, one of them negative, one with a decay. */
export const MODEL = {
  name: 'Bench: five rules',
  requiredConsent: 'profiling',
  rules: [
    { name: 'DACH', condition: { field: 'country', op: 'in', value: ['DE', 'AT', 'CH'] }, points: 10 },
    { name: 'Big deal', condition: { field: 'lead.value', op: '>=', value: 10000 }, points: 20 },
    {
      name: 'Pricing page ' + 'twice in 60 days',
      behaviour: { type: 'page_visited', ref: PRICING_PAGE, atLeast: 2, withinDays: 60 },
      points: 30,
      decayDays: 30,
    },
    { name: 'Opened twice in 60 days', behaviour: { type: 'email_opened', atLeast: 2, withinDays: 60 }, points: 15 },
    { name: 'Bounced in 90 days', behaviour: { type: 'email_bounced', withinDays: 90 }, points: -25 },
  ],
  grades: { A: 50, B: 30, C: 15, D: 5 },
  salesReady: 45,
} as const;

interface Behaviour {
  type: string;
  ref?: string;
  atLeast?: number;
  withinDays?: number;
}
interface Rule {
  name: string;
  condition?: unknown;
  behaviour?: Behaviour;
  points: number;
  decayDays?: number;
}
const RULES: readonly Rule[] = MODEL.rules;

/** The profiling purpose's level in the default settings, and the gate's order: children first, then the level. */
const REQUIRED_LEVEL = 5;

interface Params {
  modelId: string;
  version: number;
  now: Date;
  childCutoff: string;
}

const since = (now: Date, days: number) => new Date(now.getTime() - days * DAY).toISOString();

/**
 * The statement, with named slots `{{name}}` turned into `?` in text order. `age` is the
 * dialect's whole days between the run's now and a counted interaction's time (floor of exact
 * milliseconds).
 */
function statement(age: (latest: string) => string, correlated: boolean): { text: string; names: string[] } {
  const g = MODEL.grades;
  const p = (name: string) => `{{${name}}}`;
  const decay = (points: number, days: number, latest: string) =>
    `(case when ${age(latest)} < ${days} then (${points} * (${days} - ${age(latest)})) / ${days} else 0 end)`;
  const joins: string[] = [];
  const terms: string[] = [];
  RULES.forEach((r, k) => {
    if (!r.behaviour) return;
    const b = r.behaviour;
    const atLeast = b.atLeast ?? 1;
    const where = (alias: string) =>
      [
        `${alias}type = ` + `${p(`type${k}`)}`,
        b.ref !== undefined ? `${alias}ref = ${p(`ref${k}`)}` : '',
        b.withinDays !== undefined ? `${alias}at >= ` + `${p(`since${k}`)}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
    const x = `b${k}`;
    if (!correlated) {
      // One grouped pass over the rule's slice of interactions (the covering (type, ref, at, contact_id) index).
      const agg = r.decayDays ? ', max(at) as latest' : '';
      joins.push(
        atLeast === 1 && !r.decayDays
          ? `left join (select distinct contact_id from interactions where ${where('')}) ${x} on ${x}.contact_id = l.contact_id`
          : `left join (select contact_id${agg} from interactions where ${where('')} group by contact_id having count(*) >= ` +
              `${atLeast}) ${x} ` +
              `on ${x}.contact_id = l.contact_id`,
      );
      terms.push(
        `(case when ${x}.contact_id is not null then ` +
          `${r.decayDays ? decay(r.points, r.decayDays, `${x}.latest`) : r.points} else 0 ` +
          `end)`,
      );
    } else {
      // A lookup per lead on the per-contact (contact_id, type, ref, at) index.
      const sub = (what: string) => `(select ${what} from interactions i where i.contact_id = l.contact_id and ${where('i.')})`;
      if (r.decayDays) {
        const latest = sub(`case when count(*) >= ${atLeast} then max(at) end`);
        terms.push(`coalesce(${decay(r.points, r.decayDays, latest)}, 0)`);
      } else if (atLeast === 1) terms.push(`(case when exists ${sub('1')} then ${r.points} else 0 end)`);
      else terms.push(`(case when ${sub('count(*)')} >= ${atLeast} then ${r.points} else 0 end)`);
    }
  });
  const child = `(c.is_child = 1 or (c.birth_date is not null and c.birth_date > ${p('cutoff')}))`;
  const reason =
    `(case when ${child} then 'child_never_profiled' when c.consent_level ` +
    `< ${REQUIRED_LEVEL} then 'below_required_level' else ` +
    `'allowed' end)`;
  const inner =
    `select t.id, t.contact_id, t.reason, case when t.reason = 'allowed' then t.points end as score from (` +
    `select l.id, l.contact_id, ${reason} as reason, ` +
    `(case when c.country in ('DE', 'AT', 'CH') then ${RULES[0]!.points} else 0 end) + ` +
    `(case when l.value >= 10000 then ${RULES[1]!.points} else 0 end) + ${terms.join(' + ')} as points ` +
    `from leads l join contacts c on c.id = l.contact_id ${joins.join(' ')}) t`;
  const text =
    `insert into lead_scores (model_id, lead_id, contact_id, score, grade, sales_ready, reason, model_version, computed_at, ready_at) ` +
    `select ${p('modelId')}, s.id, s.contact_id, s.score, case when s.score >= ${g.A} then 'A' when s.score >= ${g.B} then 'B' ` +
    `when s.score >= ${g.C} then 'C' when s.score >= ${g.D} then 'D' end, case when s.score >= ${MODEL.salesReady} then 1 else 0 end, ` +
    `s.reason, ${p('version')}, ${p('now')}, case when s.score >= ${MODEL.salesReady} then ${p('now')} end from (${inner}) s`;
  const names: string[] = [];
  return {
    text: text.replace(/\{\{(\w+)\}\}/g, (_, n: string) => {
      names.push(n);
      return '?';
    }),
    names,
  };
}

function values(names: string[], q: Params): unknown[] {
  const v: Record<string, unknown> = { cutoff: q.childCutoff, modelId: q.modelId, version: q.version, now: q.now.toISOString() };
  RULES.forEach((r, k) => {
    if (!r.behaviour) return;
    v[`type${k}`] = r.behaviour.type;
    v[`ref${k}`] = r.behaviour.ref;
    if (r.behaviour.withinDays !== undefined) v[`since${k}`] = since(q.now, r.behaviour.withinDays);
  });
  return names.map((n) => v[n]);
}

const correlated = () => process.env.BENCH_SCORING_RAW === 'correlated';

/** SQLite: whole days from exact milliseconds (unixepoch with 'subsec'), so a day's boundary is not blurred by floating point. */
export function rawSqlite(db: SQLite.Database, q: Params): number {
  const nowMs = q.now.getTime();
  const age = (latest: string) => `((${nowMs} - cast(round(unixepoch(${latest}, 'subsec') * 1000) as integer)) / ${DAY})`;
  const { text, names } = statement(age, correlated());
  return db.prepare(text).run(...values(names, q)).changes;
}

export async function rawPostgres(client: pg.Client, q: Params): Promise<number> {
  const nowIso = q.now.toISOString();
  const age = (latest: string) =>
    `(floor(extract(epoch from ('${nowIso}'::timestamptz - ${latest}::timestamptz)) * 1000)::bigint / ${DAY})`;
  const { text, names } = statement(age, correlated());
  let i = 0;
  // The plan's estimated cost starts PostgreSQL's JIT compiler, which spends longer compiling this
  // statement's expressions (11 s of 16 s for the SELECT alone at full scale) than it saves.
  await client.query('begin');
  try {
    await client.query('set local jit = off');
    const r = await client.query(
      text.replace(/\?/g, () => `$${++i}`),
      values(names, q),
    );
    await client.query('commit');
    return r.rowCount ?? 0;
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
}

/** The statement as run (for EXPLAIN in reports). */
export function rawText(dialect: 'sqlite' | 'postgres', q: Params): { text: string; params: unknown[] } {
  const nowMs = q.now.getTime();
  const age =
    dialect === 'sqlite'
      ? (latest: string) => `((${nowMs} - cast(round(unixepoch(${latest}, 'subsec') * 1000) as integer)) / ${DAY})`
      : (latest: string) =>
          `(floor(extract(epoch from ('${q.now.toISOString()}'::timestamptz ` + `- ${latest}::timestamptz)) * 1000)::bigint / ${DAY})`;
  const { text, names } = statement(age, correlated());
  return { text, params: values(names, q) };
}
