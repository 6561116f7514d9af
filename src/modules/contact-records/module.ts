import { defineModule } from '../module.ts';
import { contactRecordsDataMap } from './contact-records.data-map.ts';
import type { ContactEmailsTable, ContactsTable } from './contact-records.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    contacts: ContactsTable;
    contact_emails: ContactEmailsTable;
  }
}

export type { ContactEmailsTable, ContactsTable } from './contact-records.table.ts';
export {
  contactByEmailKey,
  contactById,
  contactForUpdate,
  contactsByEmailKeys,
  contactsByIds,
  contactZonesByIds,
  duplicateRows,
  emailKeyHeld,
  holdEmailKeys,
  insertEmailKey,
  lockContacts,
  moveEmailKey,
  releaseEmailKeys,
} from './contact-records.queries.ts';

/**
 * The contact's row and its address registry, below every module that reads, locks or erases a
 * contact (consent, erasure, requests) and below contacts, the feature that creates and edits
 * them. It has no service: its face is its tables' types and the reads and locks others run in
 * their own transactions. The consent columns are written only by the consent module.
 */
export const contactRecords = defineModule({
  name: 'contact-records',
  needs: [],
  dataMap: contactRecordsDataMap,
  create: () => ({}),
});
