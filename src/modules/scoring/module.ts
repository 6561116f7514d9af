import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { events } from '../events/module.ts';
import { interactions } from '../interactions/module.ts';
import { journeys } from '../journeys/module.ts';
import { leads } from '../leads/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { scoringDataMap } from './scoring.data-map.ts';
import { scoringMigrations } from './scoring.migrations.ts';
import { scoringRoutes } from './scoring.routes.ts';
import { RECOMPUTE_QUEUE, SALES_READY_EVENT, ScoringService } from './scoring.service.ts';
import type { LeadScoresTable, ScoringModelsTable } from './scoring.table.ts';
import { wireScoreUses } from './uses.ts';

// What other modules use: the service (segments' score condition, journeys, the portal, the benchmark) and its shapes.
export type { LeadScoreExplanation, RuleExplanation, ScoringModel } from './scoring.model.ts';
export { RECOMPUTE_QUEUE, SALES_READY_EVENT, type ScoringService } from './scoring.service.ts';

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
  needs: [settings, platform, events, consent, contacts, interactions, segments, leads, journeys],
  dataMap: scoringDataMap,
  migrations: scoringMigrations,
  events: [SALES_READY_EVENT],
  create: (core, deps) => {
    const scoring = new ScoringService(
      core.db,
      core.clock,
      {
        settings: deps.settings,
        consent: deps.consent,
        customFields: deps.customFields,
        events: deps.events,
        jobs: deps.jobs,
      },
      core.log,
    );
    // Incremental scoring and clearing: consent, contact, lead and interaction changes rescore the leads they touch.
    deps.events.consume('scoring', (evs) => scoring.onEvents(evs));
    // The uses of scores: the segment language's `score`, the owner's task, the portal's explanation.
    return { scoring, ...wireScoreUses(core, deps, scoring) };
  },
  routes: (s) => [{ prefix: '/api/v1', plugin: scoringRoutes(s) }],
  jobs: (s) => ({ [RECOMPUTE_QUEUE]: (payload) => s.scoring.runJob(payload) }),
  // Windows and decay move with time: every model recomputed once a day.
  daily: (s) => s.scoring.daily(),
  portalSections: (face) => [face.scoringPortal],
});
