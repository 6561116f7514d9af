import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.ts';
import * as m0002 from './0002_contacts_consent.ts';
import * as m0003 from './0003_interactions_segments.ts';
import * as m0004 from './0004_data_subject_requests.ts';
import * as m0005 from './0005_interactions_type_contact_index.ts';
import * as m0006 from './0006_exports_by_address.ts';
import * as m0007 from './0007_contacts_consent_index.ts';
import * as m0008 from './0008_ledger_values_and_erasure_records.ts';
import * as m0009 from './0009_erasure_followup.ts';
import * as m0010 from './0010_contact_email_keys.ts';
import * as m0011 from './0011_person_partitions.ts';
import * as m0012 from './0012_side_effects.ts';
import * as m0013 from './0013_storage_purges.ts';
import * as m0014 from './0014_address_placeholders.ts';

/** Every migration in order. Landed entries are frozen: change the schema with a new one. */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_contacts_consent': m0002,
  '0003_interactions_segments': m0003,
  '0004_data_subject_requests': m0004,
  '0005_interactions_type_contact_index': m0005,
  '0006_exports_by_address': m0006,
  '0007_contacts_consent_index': m0007,
  '0008_ledger_values_and_erasure_records': m0008,
  '0009_erasure_followup': m0009,
  '0010_contact_email_keys': m0010,
  '0011_person_partitions': m0011,
  '0012_side_effects': m0012,
  '0013_storage_purges': m0013,
  '0014_address_placeholders': m0014,
};
