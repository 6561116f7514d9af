import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { suppressionDataMap } from './suppression.data-map.ts';
import { suppressionRoutes } from './suppression.routes.ts';
import { SuppressionService } from './suppression.service.ts';
import type { SuppressionsTable } from './suppression.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    suppressions: SuppressionsTable;
  }
}

export type { SuppressionService } from './suppression.service.ts';

/**
 * Erased addresses, by keyed hash: the erasure writes them, and contacts, imports and the
 * public intake refuse them. Below erasure and contacts, which both use it through this face.
 */
export const suppression = defineModule({
  name: 'suppression',
  needs: [settings],
  dataMap: suppressionDataMap,
  create: (core, deps) => ({ suppressions: new SuppressionService(core.db, deps.secret) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: suppressionRoutes(s) }],
});
