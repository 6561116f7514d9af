import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { email } from '../email/module.ts';
import { events } from '../events/module.ts';
import { forms } from '../forms/module.ts';
import { lists } from '../lists/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { journeysDataMap } from './journeys.data-map.ts';
import { EngineLifecycle } from './journeys.engine.lifecycle.ts';
import { JourneyEngine } from './journeys.engine.ts';
import { JourneyEntry } from './journeys.entry.ts';
import { JourneyEvents } from './journeys.events.ts';
import { ADMIT_QUEUE, JourneyJobs, RUN_QUEUE } from './journeys.jobs.ts';
import { journeysMigrations } from './journeys.migrations.ts';
import { journeysRoutes } from './journeys.routes.ts';
import { JourneysService } from './journeys.service.ts';
import type { JourneyCountersTable, JourneyPositionsTable, JourneyStepsTable, JourneysTable, JourneyTasksTable } from './journeys.table.ts';

export type { Admission, JourneyLifecycle } from './journeys.lifecycle.ts';
export type { Journey, JourneyDefinition, Problem } from './journeys.model.ts';
export { definitionOf } from './journeys.model.ts';
export { requiredLevel, tilePurpose } from './journeys.purposes.ts';
export type { JourneysService } from './journeys.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    journeys: JourneysTable;
    journey_positions: JourneyPositionsTable;
    journey_steps: JourneyStepsTable;
    journey_counters: JourneyCountersTable;
    journey_tasks: JourneyTasksTable;
  }
}

/**
 * Customer journeys (issue 16, PRODUCT.md §5): graphs of tiles that act on contacts over days,
 * with a required consent the gate checks before every tile. Positions, waits and step records
 * live in the database; workers take due positions in batches through the job queue.
 */
export const journeys = defineModule({
  name: 'journeys',
  needs: [settings, platform, events, consent, contacts, lists, segments, email, forms],
  dataMap: journeysDataMap,
  migrations: journeysMigrations,
  create: (core, deps) => {
    // The engine (journeys.engine.ts and friends): runs, admission, the events consumer, and the
    // lifecycle the service tells of state changes and manual entries.
    const journeyEngine = new JourneyEngine(core.db, core.clock, deps);
    const journeyEntry = new JourneyEntry(core.clock, deps.settings, deps.consent);
    const journeyJobs = new JourneyJobs(core.db, core.clock, deps.jobs, journeyEngine, journeyEntry, deps.segments);
    const journeyEvents = new JourneyEvents(core.db, core.clock, journeyEntry, journeyJobs);
    deps.events.consume('journeys', (evs) => journeyEvents.onEvents(evs));
    const journeyLifecycle = new EngineLifecycle(core.db, core.clock, journeyEntry, journeyJobs);
    const journeys = new JourneysService(
      core.db,
      core.clock,
      {
        settings: deps.settings,
        messages: deps.messages,
        segments: deps.segments,
        forms: deps.forms,
        lists: deps.lists,
        customFields: deps.customFields,
        eventTypes: core.eventTypes,
      },
      journeyLifecycle,
    );
    return { journeys, journeyEngine, journeyEntry, journeyJobs, journeyEvents, journeyLifecycle };
  },
  routes: (s) => [{ prefix: '/api/v1', plugin: journeysRoutes(s) }],
  jobs: (s) => ({
    [RUN_QUEUE]: (payload, job) => s.journeyJobs.run(payload, job),
    [ADMIT_QUEUE]: (payload) => s.journeyJobs.admitPage(payload),
  }),
  daily: (s) => s.journeyJobs.tick(),
});
