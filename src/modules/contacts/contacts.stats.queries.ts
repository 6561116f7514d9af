import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

/** Contacts per stored consent level: one grouped read, served by the level index (contacts_level_idx). */
export async function countByLevel(db: Kysely<Database>): Promise<{ level: number; count: number }[]> {
  const rows = await db
    .selectFrom('contacts')
    .select((eb) => ['consent_level', eb.fn.countAll<number>().as('n')])
    .groupBy('consent_level')
    .execute();
  return rows.map((r) => ({ level: Number(r.consent_level), count: Number(r.n) }));
}
