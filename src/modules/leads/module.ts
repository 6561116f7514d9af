import { contacts } from '../contacts/module.ts';
import { defineModule } from '../module.ts';
import { leadsDataMap } from './leads.data-map.ts';
import { leadsMigrations } from './leads.migrations.ts';
import type { LeadFieldsTable, LeadsTable } from './leads.table.ts';

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
  needs: [contacts],
  dataMap: leadsDataMap,
  migrations: leadsMigrations,
  create: () => ({}),
});
