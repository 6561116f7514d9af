import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { eventsDataMap } from './events.data-map.ts';
import { eventsMigrations } from './events.migrations.ts';
import { DISPATCH_QUEUE, EventLog } from './events.service.ts';
import type { EventsTable } from './events.table.ts';

// What other modules use: the log they publish to (inside their own transactions) and read from.
export { changedFields, type EventConsumer, type EventDraft, type EventLog, type StoredEvent } from './events.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    events: EventsTable;
  }
}

/**
 * The event log (what changed, by type, ids and changed field names), low in the list so that
 * contacts, consent, erasure and the requests can publish in their own transactions; webhooks,
 * high in the list, consume it. The types are the manifests' (`events`).
 */
export const events = defineModule({
  name: 'events',
  needs: [platform],
  migrations: eventsMigrations,
  dataMap: eventsDataMap,
  create: (core, deps) => ({ events: new EventLog(core.db, core.clock, deps.jobs, core.eventTypes) }),
  jobs: (s) => ({ [DISPATCH_QUEUE]: (payload) => s.events.dispatch(payload) }),
});
