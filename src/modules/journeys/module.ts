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
import { journeysMigrations } from './journeys.migrations.ts';
import type { JourneyCountersTable, JourneyPositionsTable, JourneyStepsTable, JourneysTable, JourneyTasksTable } from './journeys.table.ts';

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
  create: () => ({}),
});
