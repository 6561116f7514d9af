import { contactRecords } from '../contact-records/module.ts';
import { contacts } from '../contacts/module.ts';
import { events } from '../events/module.ts';
import { defineModule } from '../module.ts';
import { LeadFieldsService } from './lead-fields.service.ts';
import { leadsDataMap } from './leads.data-map.ts';
import { leadsMigrations } from './leads.migrations.ts';
import { leadsRoutes } from './leads.routes.ts';
import { LeadsService } from './leads.service.ts';
import type { LeadFieldsTable, LeadsTable } from './leads.table.ts';

// What other modules use: the service (its `fields()` gives scoring the `lead.*` columns) and the lead's shape.
export type { LeadFieldsService } from './lead-fields.service.ts';
export type { Lead, LeadInput, LeadStatus } from './leads.model.ts';
export { LEAD_STATUSES } from './leads.model.ts';
export type { LeadFieldColumn, LeadsService } from './leads.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    leads: LeadsTable;
    lead_fields: LeadFieldsTable;
  }
}

/**
 * Leads (issue 17): sales opportunities about contacts, with custom lead fields as typed
 * columns. Scoring models (module `scoring`) score them.
 */
export const leads = defineModule({
  name: 'leads',
  needs: [contacts, contactRecords, events],
  dataMap: leadsDataMap,
  migrations: leadsMigrations,
  events: ['lead.created', 'lead.updated', 'lead.deleted'],
  create: (core, deps) => {
    const leadFields = new LeadFieldsService(core.db, core.clock);
    return { leadFields, leads: new LeadsService(core.db, core.clock, leadFields, deps.events) };
  },
  // The custom lead fields' columns, declared as they are defined: export, erasure, retention and the schema check see them.
  providers: (face) => [() => face.leadFields.dataMap()],
  routes: (s) => [{ prefix: '/api/v1', plugin: leadsRoutes(s) }],
});
