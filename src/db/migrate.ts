import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { Db } from './connect.ts';
import { migrations as history } from './migrations/index.ts';

export type Migrations = Readonly<Record<string, Migration>>;

/**
 * The history before modules carried their own migrations (src/db/migrations, frozen: their
 * names are recorded in databases) merged with the modules' own (`extra`, gathered by the
 * composition root). Kysely applies them in name order, so a module's names continue the
 * global numbering; a name given twice is refused rather than one silently winning.
 */
function allMigrations(extra: Migrations = {}): Record<string, Migration> {
  const all: Record<string, Migration> = { ...history };
  for (const [name, m] of Object.entries(extra)) {
    if (Object.hasOwn(all, name)) throw new Error(`migration ${name} is declared twice`);
    all[name] = m;
  }
  return all;
}

export async function migrateToLatest(db: Db<any>, extra?: Migrations): Promise<MigrationResultSet> {
  const migrations = allMigrations(extra);
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** True when every known migration has been applied (what /health reports). */
export async function isMigrated(db: Db<any>, extra?: Migrations): Promise<boolean> {
  const migrations = allMigrations(extra);
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
