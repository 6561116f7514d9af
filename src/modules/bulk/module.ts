import { consent } from '../consent/module.ts';
import { contacts, ExportService } from '../contacts/module.ts';
import { dsr } from '../dsr/module.ts';
import { lists } from '../lists/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { bulkDataMap } from './bulk.data-map.ts';
import { bulkRoutes } from './bulk.routes.ts';
import type { BulkTargetsTable } from './bulk.table.ts';
import * as m0017 from './migrations/0017_bulk_targets.ts';
import { BULK_QUEUE, BulkService } from './bulk.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    bulk_targets: BulkTargetsTable;
  }
}

/**
 * Bulk actions over many contacts (issue 12 point 1): list joins and leaves, a consent level,
 * erasures, and the CSV export with list and level names. It owns one table, the contacts a job covers (bulk_targets): each action is the
 * owning module's per-contact semantics, batched, and long ones run as tracked jobs (platform's
 * JobProgress). Last in the list, since it names contacts by segment and erases through the
 * data-subject services.
 */
export const bulk = defineModule({
  name: 'bulk',
  needs: [settings, platform, consent, contacts, lists, segments, dsr],
  dataMap: bulkDataMap,
  migrations: { '0017_bulk_targets': m0017 },
  create: (core, deps) => ({
    bulk: new BulkService(
      core.db,
      core.clock,
      deps.progress,
      deps.lists,
      deps.consent,
      deps.segments,
      deps.contacts,
      deps.requestIntake,
      deps.fulfil,
    ),
    // The export as a person reads it: beside the stored values, the level's name and the lists' names.
    bulkExport: new ExportService(core.db, deps.contacts, deps.segments, {
      levelNames: async () => new Map((await deps.settings.get()).consentLevels.map((l) => [l.level, l.name])),
      listNames: (ids) => deps.lists.namesOf(ids),
    }),
  }),
  routes: (s) => [{ prefix: '/api/v1', plugin: bulkRoutes(s) }],
  jobs: (s) => ({ [BULK_QUEUE]: (payload, job) => s.bulk.runJob(payload, job) }),
});
