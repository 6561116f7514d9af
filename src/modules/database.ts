import type { Db as DbOf } from '../db/connect.ts';
import type { RateLimitsTable } from '../http/rate-limit.table.ts';
import type { ContactEmailsTable, ContactsTable, CustomFieldsTable } from './contacts/contacts.table.ts';
import type { ConsentLedgerTable, LedgerHeadTable, NoticesTable } from './consent/consent.table.ts';
import type { ListMembersTable, ListsTable } from './lists/lists.table.ts';
import type { InteractionStatsTable, InteractionsTable } from './interactions/interactions.table.ts';
import type { SegmentMembersTable, SegmentsTable } from './segments/segments.table.ts';
import type { ErasureReceiptsTable, ExportsTable, RequestEventsTable, RequestsTable, StoragePurgesTable, StoragePurgeTermsTable, SuppressionsTable, TasksTable } from './dsr/dsr.table.ts';
import type { CustomEntitiesTable, CustomEntityFieldsTable } from './entities/entities.table.ts';
import type { JobsTable } from '../jobs/jobs.table.ts';
import type { SideEffectsTable } from '../jobs/effects.table.ts';
import type { AuditLogTable } from './audit/audit.table.ts';
import type { OutboxTable } from './mail/outbox.table.ts';
import type { SettingsTable } from './settings/settings.table.ts';
import type { ApiKeysTable, SessionsTable, UsersTable } from './users/users.table.ts';

/** Every built-in table, by its SQL name. Each module owns and declares its own. */
export interface Database {
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  side_effects: SideEffectsTable;
  outbox: OutboxTable;
  rate_limits: RateLimitsTable;
  contacts: ContactsTable;
  contact_emails: ContactEmailsTable;
  custom_fields: CustomFieldsTable;
  notices: NoticesTable;
  consent_ledger: ConsentLedgerTable;
  ledger_head: LedgerHeadTable;
  lists: ListsTable;
  list_members: ListMembersTable;
  interactions: InteractionsTable;
  interaction_stats: InteractionStatsTable;
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  requests: RequestsTable;
  request_events: RequestEventsTable;
  tasks: TasksTable;
  suppressions: SuppressionsTable;
  erasure_receipts: ErasureReceiptsTable;
  storage_purges: StoragePurgesTable;
  storage_purge_terms: StoragePurgeTermsTable;
  exports: ExportsTable;
  custom_entities: CustomEntitiesTable;
  custom_entity_fields: CustomEntityFieldsTable;
}

/** A database holding these tables: what every module's services take. */
export type Db = DbOf<Database>;
