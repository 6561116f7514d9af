import { sql, type Kysely } from 'kysely';
import { cols } from './columns.ts';

/**
 * What an erasure leaves for people to do (issue 9, points 5 and 11):
 * - segments carry a flag and its detail, set when an erasure replaced a value in the filter or
 *   found an erased person's identifiers in the name, so the segment's owner sees it;
 * - tasks can name the erasure receipt and the residue's location (table.column, or a file) and
 *   row, never the value;
 * - anonymous counters keyed by a URL lose identifier-looking path segments (addresses, long
 *   numbers, ids, tokens), as new counts already do; counts of references that become one are
 *   added up. The per-contact rows' `ref` follows (it is what segments match on); their `url`
 *   is personal data erased with the person and stays as it is.
 * The reference rule is copied here, frozen: migrations never import application code.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .alterTable('segments')
    .addColumn('flagged', c.bool, (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('segments').addColumn('flag_detail', c.text).execute();
  await db.schema.alterTable('tasks').addColumn('receipt_id', c.text).execute();
  await db.schema.alterTable('tasks').addColumn('location', c.text).execute();
  await db.schema.alterTable('tasks').addColumn('row_id', c.text).execute();
  await db.schema.createIndex('tasks_request_idx').on('tasks').column('request_id').execute();

  const stats = (
    await sql<{
      day: string;
      type: string;
      ref: string;
      count: number | string;
    }>`select day, type, ref, count from interaction_stats where ref like 'http%'`.execute(db)
  ).rows;
  for (const r of stats) {
    const next = refOfUrl(r.ref);
    if (next === null || next === r.ref) continue;
    await sql`delete from interaction_stats where day = ${r.day} and type = ${r.type} and ref = ${r.ref}`.execute(db);
    await sql`insert into interaction_stats (day, type, ref, count) values (${r.day}, ${r.type}, ${next}, ${Number(r.count)})
      on conflict (day, type, ref) do update set count = interaction_stats.count + excluded.count`.execute(db);
  }
  const refs = (await sql<{ ref: string }>`select distinct ref from interactions where ref like 'http%'`.execute(db)).rows;
  for (const { ref } of refs) {
    const next = refOfUrl(ref);
    if (next !== null && next !== ref) await sql`update interactions set ref = ${next} where ref = ${ref}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tasks_request_idx').execute();
  for (const col of ['row_id', 'location', 'receipt_id']) await db.schema.alterTable('tasks').dropColumn(col).execute();
  for (const col of ['flag_detail', 'flagged']) await db.schema.alterTable('segments').dropColumn(col).execute();
}

// ---- the reference rule as of this migration (src/modules/interactions/interactions.ref.ts)

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function marker(text: string): string | null {
  const s = decoded(text);
  if (s.includes('@')) return ':email';
  if (/[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i.test(s) || /[0-9a-f]{16}/i.test(s)) return ':id';
  for (const run of s.match(/[A-Za-z0-9+=_-]{16,}/g) ?? []) if (/\d/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run)) return ':token';
  if (/\d{6}/.test(s.replace(/[\s+().,/_-]/g, ''))) return ':num';
  return null;
}

function refOfUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
  return `${u.protocol}//${u.host}${u.pathname
    .split('/')
    .map((seg) => (seg === '' ? seg : (marker(seg) ?? seg)))
    .join('/')}`;
}
