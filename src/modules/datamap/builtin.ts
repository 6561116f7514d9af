import { migrationsDataMap } from '../../db/migrations.data-map.ts';
import { rateLimitDataMap } from '../../http/rate-limit.data-map.ts';
import { jobsDataMap } from '../../jobs/jobs.data-map.ts';
import { consentDataMap } from '../consent/consent.data-map.ts';
import { contactsDataMap } from '../contacts/contacts.data-map.ts';
import { listsDataMap } from '../lists/lists.data-map.ts';
import { interactionsDataMap } from '../interactions/interactions.data-map.ts';
import { segmentsDataMap } from '../segments/segments.data-map.ts';
import { dsrDataMap } from '../dsr/dsr.data-map.ts';
import { entitiesDataMap } from '../entities/entities.data-map.ts';
import { auditDataMap } from '../audit/audit.data-map.ts';
import { mailDataMap } from '../mail/mail.data-map.ts';
import { settingsDataMap } from '../settings/settings.data-map.ts';
import { usersDataMap } from '../users/users.data-map.ts';
import type { TableDecl } from './datamap.model.ts';

/** Every built-in table's declaration. A module that adds a table adds its map here. */
export const builtinDataMap: TableDecl[] = [
  ...migrationsDataMap,
  ...settingsDataMap,
  ...usersDataMap,
  ...auditDataMap,
  ...jobsDataMap,
  ...mailDataMap,
  ...rateLimitDataMap,
  ...contactsDataMap,
  ...consentDataMap,
  ...listsDataMap,
  ...interactionsDataMap,
  ...segmentsDataMap,
  ...dsrDataMap,
  ...entitiesDataMap,
];
