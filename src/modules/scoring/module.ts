import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { events } from '../events/module.ts';
import { interactions } from '../interactions/module.ts';
import { journeys } from '../journeys/module.ts';
import { leads } from '../leads/module.ts';
import { defineModule } from '../module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { scoringDataMap } from './scoring.data-map.ts';
import { scoringMigrations } from './scoring.migrations.ts';
import type { LeadScoresTable, ScoringModelsTable } from './scoring.table.ts';
import { SALES_READY } from './sales-ready.tasks.ts';
import { wireScoreUses } from './uses.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    scoring_models: ScoringModelsTable;
    lead_scores: LeadScoresTable;
  }
}

/**
 * Lead scoring (issue 17, PRODUCT.md §6): models of rules over the lead, its contact and the
 * contact's behaviour, scoring a lead only while the gate allows the model's required consent.
 */
export const scoring = defineModule({
  name: 'scoring',
  needs: [settings, events, consent, contacts, interactions, segments, leads, journeys],
  dataMap: scoringDataMap,
  migrations: scoringMigrations,
  // s-uses: declared here until s-engine's manifest (which publishes it) is merged.
  events: [SALES_READY],
  create: (core, deps) => ({ ...wireScoreUses(core, deps) }),
  portalSections: (face) => [face.scoringPortal],
});
