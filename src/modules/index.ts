import { audit } from './audit/module.ts';
import { bulk } from './bulk/module.ts';
import { consent } from './consent/module.ts';
import { contactRecords } from './contact-records/module.ts';
import { contacts } from './contacts/module.ts';
import { datamap } from './datamap/module.ts';
import { erasure } from './dsr/erasure/module.ts';
import { events } from './events/module.ts';
import { dsr } from './dsr/module.ts';
import { email } from './email/module.ts';
import { entities } from './entities/module.ts';
import { interactions } from './interactions/module.ts';
import { lists } from './lists/module.ts';
import { portal } from './portal/module.ts';
import { mail } from './mail/module.ts';
import { platform } from './platform/module.ts';
import { retention } from './retention/module.ts';
import { segments } from './segments/module.ts';
import { settings } from './settings/module.ts';
import { suppression } from './suppression/module.ts';
import { users } from './users/module.ts';
import { webhooks } from './webhooks/module.ts';
import { forms } from './forms/module.ts';
import { forward } from './forward/module.ts';
import { pages } from './pages/module.ts';
import { journeys } from './journeys/module.ts';
import { leads } from './leads/module.ts';
import { scoring } from './scoring/module.ts';

/**
 * Every module, in dependency order: each needs only modules before it. The composition root
 * (src/services.ts), the app's routes, the worker's jobs and daily work, the data map and the
 * database type are all derived from this list. A new module is a folder and one line here.
 */
export const MODULES = [
  settings,
  platform,
  audit,
  users,
  datamap,
  // The event log, which contacts, consent, erasure and the requests publish to in their own transactions.
  events,
  // The contact's row and address registry, which consent, erasure and contacts read and lock.
  contactRecords,
  consent,
  retention,
  suppression,
  // After the gate and the suppression list it asks before every send.
  mail,
  erasure,
  contacts,
  entities,
  // Sales opportunities about contacts, with their custom fields.
  leads,
  lists,
  interactions,
  segments,
  // Messages, sends and campaigns: after the segments they send to and the interactions they record.
  email,
  // Forms and their submissions: through the contacts, consent and lists services, and the gated sender.
  forms,
  dsr,
  // The subscription center and the privacy portal: after email (its links) and dsr (the export, the cases).
  portal,
  // Forward to a friend: after email (the sent message, its link) and mail (the gated sender).
  forward,
  // The pages served at /p/{slug}: landing pages over forms, the data-request page over the intake, the subscription center's.
  pages,
  // Customer journeys: after the email (journey sends), forms (their submissions start journeys), lists and segments.
  journeys,
  // Lead scoring: models over leads, contacts and interactions (the segment language), gated per model; sales-ready starts journeys.
  scoring,
  // Bulk actions: through the lists, consent, segments and data-subject services.
  bulk,
  // Delivers the events of every module above.
  webhooks,
] as const;
