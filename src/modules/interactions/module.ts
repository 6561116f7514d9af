import { consent } from '../consent/module.ts';
import { events } from '../events/module.ts';
import { defineModule } from '../module.ts';
import { interactionsDataMap } from './interactions.data-map.ts';
import { interactionsMigrations } from './interactions.migrations.ts';
import { interactionsRoutes } from './interactions.routes.ts';
import { INTERACTION_RECORDED, InteractionsService } from './interactions.service.ts';
import type { InteractionStatsTable, InteractionsTable } from './interactions.table.ts';

// What other modules may use: the interaction types (segment filters name them) and how a stored ref is matched.
export { INTERACTION_TYPES, type InteractionType } from './interactions.model.ts';
export { refForMatching } from './interactions.ref.ts';
// The ingest, through which email opens and clicks become interactions.
export type { InteractionsService } from './interactions.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    interactions: InteractionsTable;
    interaction_stats: InteractionStatsTable;
  }
}

/** Interactions (opens, clicks, visits) recorded when the gate allows tracking, and their counters. */
export const interactions = defineModule({
  name: 'interactions',
  needs: [consent, events],
  migrations: interactionsMigrations,
  dataMap: interactionsDataMap,
  // Stored behaviour, per contact and batch (ids and types only): lead scoring rescoring on it.
  events: [INTERACTION_RECORDED],
  create: (core, deps) => ({ interactions: new InteractionsService(core.db, core.clock, deps.consent, deps.events) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: interactionsRoutes(s) }],
});
