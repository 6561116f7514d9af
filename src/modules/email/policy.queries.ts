import { sql, type Kysely } from 'kysely';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { Database } from '../database.ts';

type Q = Kysely<Database>;

/**
 * How many messages of each purpose each contact was sent after each of `since` (ISO times):
 * one statement for a batch, one count column per window. Only sent mail counts (a refused,
 * failed, cancelled or waiting send reached nobody). The index `sends_contact_idx` (contact_id,
 * purpose, sent_at) finds each contact's recent sends of a purpose without reading the rest.
 * Returns `contactId \u0000 purpose` -> counts in `since` order; absent: none sent.
 */
export async function sentCounts(
  db: Q,
  contactIds: readonly string[],
  purposes: readonly string[],
  since: readonly string[],
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (contactIds.length === 0 || purposes.length === 0 || since.length === 0) return out;
  const earliest = [...since].sort()[0]!;
  const d = dialectOf(db);
  const rows = await db
    .selectFrom('sends')
    .select(['contact_id', 'purpose'])
    .select(since.map((t, i) => sql<number>`sum(case when sent_at > ${t} then 1 else 0 end)`.as(`n${i}`)))
    .where(inList(d, sql.ref('contact_id'), contactIds))
    .where(inList(d, sql.ref('purpose'), purposes))
    .where('sent_at', '>', earliest)
    .where('status', '=', 'sent')
    .groupBy(['contact_id', 'purpose'])
    .execute();
  for (const r of rows) {
    const row = r as unknown as Record<string, unknown>;
    out.set(
      `${r.contact_id}\u0000${r.purpose}`,
      since.map((_, i) => Number(row[`n${i}`] ?? 0)),
    );
  }
  return out;
}
