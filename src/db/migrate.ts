import { Migrator, type MigrationResultSet } from 'kysely';
import type { Db } from './connect.ts';
import { migrations } from './migrations/index.ts';

export async function migrateToLatest(db: Db<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** True when every known migration has been applied (what /health reports). */
export async function isMigrated(db: Db<any>): Promise<boolean> {
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
