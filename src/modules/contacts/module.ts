import { consent } from '../consent/module.ts';
import { erasure } from '../dsr/erasure/module.ts';
import { events } from '../events/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { contactsDataMap } from './contacts.data-map.ts';
import { contactsRoutes } from './contacts.routes.ts';
import { ContactsService } from './contacts.service.ts';
import { contactStatsRoutes } from './contacts.stats.routes.ts';
import { ContactStatsService } from './contacts.stats.service.ts';
import type { CustomFieldsTable, ImportRejectsTable, ImportUploadsTable } from './contacts.table.ts';
import { CustomFieldsService } from './custom-fields.service.ts';
import { importRoutes } from './import.routes.ts';
import { IMPORT_QUEUE, ImportService } from './import.service.ts';
import * as m0019 from './migrations/0019_contacts_canonical_codes.ts';
import * as m0023 from './migrations/0023_contacts_import_uploads.ts';
import * as m0029 from './migrations/0029_contacts_time_zone.ts';

// What other modules may use: the contact's schema, its custom fields' types and the service (the
// row's type and the reads others run in their own transactions are contact-records' face).
export { COLUMN_TYPES } from './contacts.queries.ts';
export type { ContactInput } from './contacts.model.ts';
export { ContactPatchSchema, ContactSchema, FieldValueSchema } from './contacts.schemas.ts';
// A contact as the API shows it, for other modules' OpenAPI examples (a segment's members).
export { CONTACT as CONTACT_EXAMPLE } from './contacts.examples.ts';
export type { ContactsService } from './contacts.service.ts';
// Custom fields' value model: custom entities' and leads' fields are typed and stored the same way.
export {
  type CustomField,
  FIELD_NAME,
  FIELD_TYPES,
  type FieldType,
  type FieldValue,
  isDate,
  readValue,
  storeValue,
  toField,
} from './custom-fields.model.ts';
export type { CustomFieldsService } from './custom-fields.service.ts';

// The CSV export of contacts needs a segment's pages; the segments module, which comes later,
// assembles it (see segments/module.ts).
export { ExportService, exportHeader, type SegmentPages } from './export.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    custom_fields: CustomFieldsTable;
    import_uploads: ImportUploadsTable;
    import_rejects: ImportRejectsTable;
  }
}

/** Contacts, their custom fields (run-time columns of the contacts table), and imports. Deleting one is erasing it. */
export const contacts = defineModule({
  name: 'contacts',
  needs: [settings, platform, consent, suppression, erasure, events],
  dataMap: contactsDataMap,
  // contact.erased is the erasure's (it erases contacts however asked).
  events: ['contact.created', 'contact.updated', 'import.finished'],
  migrations: {
    '0019_contacts_canonical_codes': m0019,
    '0023_contacts_import_uploads': m0023,
    '0029_contacts_time_zone': m0029,
  },
  create: (core, deps) => {
    const customFields = new CustomFieldsService(core.db, core.clock);
    const contacts = new ContactsService(
      core.db,
      core.clock,
      deps.settings,
      customFields,
      deps.secret,
      deps.erasure,
      deps.consent,
      deps.suppressions,
      deps.events,
    );
    return {
      customFields,
      contacts,
      contactStats: new ContactStatsService(core.db),
      imports: new ImportService(core.db, core.clock, contacts, deps.consent, deps.suppressions, deps.progress, deps.events),
    };
  },
  providers: (face) => [() => face.customFields.dataMap()],
  routes: (s) => [
    { prefix: '/api/v1', plugin: contactsRoutes(s) },
    { prefix: '/api/v1', plugin: importRoutes(s) },
    { prefix: '/api/v1', plugin: contactStatsRoutes(s) },
  ],
  // Imports of large files (POST /api/v1/imports answering 202): a step per batch of rows.
  jobs: (s) => ({ [IMPORT_QUEUE]: (payload, job) => s.imports.runJob(payload, job) }),
});
