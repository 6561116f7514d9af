import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

export async function allSettings(db: Kysely<Database>): Promise<{ key: string; value: string }[]> {
  return db.selectFrom('settings').select(['key', 'value']).execute();
}

export async function insertMissing(db: Kysely<Database>, rows: { key: string; value: string }[], now: string): Promise<void> {
  for (const r of rows) {
    await db
      .insertInto('settings')
      .values({ key: r.key, value: r.value, updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }
}

export async function upsertSetting(db: Kysely<Database>, key: string, value: string, now: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}
