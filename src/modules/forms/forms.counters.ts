import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Database, Db } from '../database.ts';

/** What a counter counts: a page served by Assent, or a form however it was shown or posted. */
export type CounterKind = 'page' | 'form';
export interface CounterTarget {
  kind: CounterKind;
  id: string;
}
export interface Counts {
  views: number;
  submissions: number;
}
export interface DayCounts extends Counts {
  day: string;
}

/** How many days the counts routes show, newest first. */
export const COUNT_DAYS = 30;

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * One upsert for every target: a row per target and day, incremented (two processes counting the
 * same page at once both count: the database adds, nothing is read first).
 */
export async function bump(db: Kysely<Database>, targets: readonly CounterTarget[], what: keyof Counts, at: Date): Promise<void> {
  if (!targets.length) return;
  const day = dayOf(at);
  await db
    .insertInto('page_counters')
    .values(
      targets.map((t) => ({ kind: t.kind, target_id: t.id, day, views: what === 'views' ? 1 : 0, submissions: what === 'views' ? 0 : 1 })),
    )
    .onConflict((oc) =>
      oc.columns(['kind', 'target_id', 'day']).doUpdateSet((eb) => ({
        views: eb('page_counters.views', '+', eb.ref('excluded.views')),
        submissions: eb('page_counters.submissions', '+', eb.ref('excluded.submissions')),
      })),
    )
    .execute();
}

/**
 * Counts submissions stored together (a batch of the intake): one upsert, one row per target and
 * day with its number, in key order (two batches at once lock their rows in the same order).
 */
export async function bumpSubmissions(db: Kysely<Database>, hits: readonly { target: CounterTarget; at: string }[]): Promise<void> {
  const rows = new Map<string, { kind: CounterTarget['kind']; target_id: string; day: string; views: number; submissions: number }>();
  for (const h of hits) {
    const day = dayOf(new Date(h.at));
    const key = `${h.target.kind}\u0000${h.target.id}\u0000${day}`;
    const row = rows.get(key);
    if (row) row.submissions++;
    else rows.set(key, { kind: h.target.kind, target_id: h.target.id, day, views: 0, submissions: 1 });
  }
  if (!rows.size) return;
  await db
    .insertInto('page_counters')
    .values([...rows.keys()].sort().map((k) => rows.get(k)!))
    .onConflict((oc) =>
      oc.columns(['kind', 'target_id', 'day']).doUpdateSet((eb) => ({
        submissions: eb('page_counters.submissions', '+', eb.ref('excluded.submissions')),
      })),
    )
    .execute();
}

/**
 * The anonymous counters of pages and forms (no person's data: which page or form, which day, how
 * many). Views are counted by the pages that show a form; submissions by the forms' one
 * submission path, whatever the address.
 */
export class FormCounters {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async count(targets: readonly CounterTarget[], what: keyof Counts, db: Kysely<Database> = this.db.kysely): Promise<void> {
    await bump(db, targets, what, this.clock.now());
  }

  /** All-time totals of each target id of one kind (0 for one never counted). */
  async totals(kind: CounterKind, ids: readonly string[]): Promise<Map<string, Counts>> {
    const out = new Map<string, Counts>(ids.map((id) => [id, { views: 0, submissions: 0 }]));
    if (!ids.length) return out;
    const rows = await this.db.kysely
      .selectFrom('page_counters')
      .select((eb) => ['target_id', eb.fn.sum<number>('views').as('views'), eb.fn.sum<number>('submissions').as('submissions')])
      .where('kind', '=', kind)
      .where('target_id', 'in', [...ids])
      .groupBy('target_id')
      .execute();
    for (const r of rows) out.set(r.target_id, { views: Number(r.views), submissions: Number(r.submissions) });
    return out;
  }

  /** The total and each of the last COUNT_DAYS days (today first; 0 on a day without any). */
  async of(target: CounterTarget): Promise<{ total: Counts; days: DayCounts[] }> {
    const now = this.clock.now().getTime();
    const days = Array.from({ length: COUNT_DAYS }, (_, i) => dayOf(new Date(now - i * 86_400_000)));
    const since = days.at(-1)!;
    const rows = await this.db.kysely
      .selectFrom('page_counters')
      .select(['day', 'views', 'submissions'])
      .where('kind', '=', target.kind)
      .where('target_id', '=', target.id)
      .where('day', '>=', since)
      .execute();
    const total = (await this.totals(target.kind, [target.id])).get(target.id)!;
    const byDay = new Map(rows.map((r) => [r.day, { views: Number(r.views), submissions: Number(r.submissions) }]));
    return { total, days: days.map((day) => ({ day, ...(byDay.get(day) ?? { views: 0, submissions: 0 }) })) };
  }

  /** A page's counters go with it. */
  async remove(target: CounterTarget): Promise<void> {
    await this.db.kysely.deleteFrom('page_counters').where('kind', '=', target.kind).where('target_id', '=', target.id).execute();
  }
}
