import { audit } from '../../audit/module.ts';
import { datamap } from '../../datamap/module.ts';
import { events } from '../../events/module.ts';
import { defineModule } from '../../module.ts';
import { settings } from '../../settings/module.ts';
import { suppression } from '../../suppression/module.ts';
import { dsrDataMap } from '../dsr.data-map.ts';
import type { ErasureReceiptsTable, StoragePurgesTable, StoragePurgeTermsTable } from '../dsr.table.ts';
import { erasureRoutes } from './erasure.routes.ts';
import { ErasureService } from './erasure.service.ts';
import { PURGE_QUEUE } from './purge.service.ts';

/*
 * The data-subject module's erasure part (ADR 0013): erasure, the storage purges and the
 * redaction of case text. It sits below contacts, since deleting a contact is erasing it, and
 * above suppression, which it writes; the requests (../module.ts) sit above contacts, lists and
 * segments, which they read. Two manifests, so that contacts can name erasure without
 * importing what imports contacts.
 */

// The tables it owns: each module adds its own to the one Database type.
declare module '../../database.ts' {
  interface Database {
    erasure_receipts: ErasureReceiptsTable;
    storage_purges: StoragePurgesTable;
    storage_purge_terms: StoragePurgeTermsTable;
  }
}

/** Erasure's tables in the data-subject data map; the requests' manifest declares the rest. */
// What contacts use of it: deleting a contact is erasing it, and answers as an erasure does.
export type { ErasureResult } from './erasure.model.ts';
export { ErasureAnswerSchema } from './erasure.schemas.ts';
export type { ErasureService } from './erasure.service.ts';

export const ERASURE_TABLES = new Set(['erasure_receipts', 'storage_purges', 'storage_purge_terms']);

export const erasure = defineModule({
  name: 'erasure',
  needs: [settings, audit, datamap, suppression, events],
  dataMap: dsrDataMap.filter((t) => ERASURE_TABLES.has(t.name)),
  events: ['contact.erased'],
  create: (core, deps) => ({
    // Tables their modules erase themselves (the consent ledger) come from the manifests, through the core.
    erasure: new ErasureService(
      core.db,
      core.clock,
      deps.datamap,
      core.erasers,
      deps.secret,
      deps.settings,
      deps.audit,
      deps.suppressions,
      deps.events,
      {
        purgeWindowMs: core.config.purgeWindowSeconds * 1000,
        log: core.log,
      },
    ),
  }),
  routes: (s) => [{ prefix: '/api/v1', plugin: erasureRoutes(s) }],
  jobs: (s) => ({ [PURGE_QUEUE]: (payload) => s.erasure.purges.run(payload) }),
  // Storage purges whose job ran before their erasure committed get another (docs/storage.md).
  daily: async (s) => {
    await s.erasure.purges.sweep();
  },
  close: (face) => face.erasure.close(),
});
