import { declareTable } from './datamap.declare.ts';

/** Kysely's own bookkeeping tables. */
export const migrationsDataMap = [
  declareTable({
    name: 'kysely_migration',
    description: 'Which schema migrations have been applied.',
    subjectLink: null,
    purposes: ['operations'],
    columns: { name: 'system.migration.name', timestamp: 'system.time' },
  }),
  declareTable({
    name: 'kysely_migration_lock',
    description: 'Lock that keeps two processes from migrating at once.',
    subjectLink: null,
    purposes: ['operations'],
    columns: { id: 'system.id', is_locked: 'system.migration.lock' },
  }),
];
