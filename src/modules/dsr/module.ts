import { audit } from '../audit/module.ts';
import { consent } from '../consent/module.ts';
import { contactById } from '../contact-records/module.ts';
import { contacts } from '../contacts/module.ts';
import { datamap } from '../datamap/module.ts';
import { lists } from '../lists/module.ts';
import { mail } from '../mail/module.ts';
import { events } from '../events/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { users } from '../users/module.ts';
import { accessExportPublicRoutes, accessExportRoutes } from './access-export/access-export.routes.ts';
import { AccessExportService } from './access-export/access-export.service.ts';
import { dsrDataMap } from './dsr.data-map.ts';
import type { ExportsTable, RequestEventsTable, RequestsTable, TasksTable } from './dsr.table.ts';
import { ERASURE_TABLES, erasure } from './erasure/module.ts';
import { FulfilService } from './requests/fulfil.service.ts';
import { publicRequestRoutes } from './requests/public.routes.ts';
import { IntakeService, LINK_QUEUE } from './requests/requests.intake.ts';
import { RequestMailer } from './requests/requests.mailer.ts';
import { requestsRoutes } from './requests/requests.routes.ts';
import { RequestsService } from './requests/requests.service.ts';
import { requestStatsRoutes } from './requests/requests.stats.routes.ts';
import { RequestStatsService } from './requests/requests.stats.service.ts';
import { VerificationService } from './requests/requests.verification.ts';
import { tasksRoutes } from './requests/tasks.routes.ts';
import { TasksService } from './requests/tasks.service.ts';

// What other modules use: opening a case as staff and fulfilling it (bulk erasure), and the rule on notes.
export type { FulfilService } from './requests/fulfil.service.ts';
export type { IntakeService } from './requests/requests.intake.ts';
export { holdsAddress } from './requests/requests.model.ts';
// The person's own view of the export and their erasure request (the portal module).
export type { AccessExport } from './access-export/access-export.model.ts';
export { humanise } from './access-export/access-export.model.ts';
export type { AccessExportService } from './access-export/access-export.service.ts';
export { EXPORT_CSP, type ExportReading, plain as plainValue, renderExportHtml } from './access-export/access-export.html.ts';
export { AccessExportSchema } from './access-export/access-export.schemas.ts';
export type { RequestsService } from './requests/requests.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    requests: RequestsTable;
    request_events: RequestEventsTable;
    tasks: TasksTable;
    exports: ExportsTable;
  }
}

/**
 * Data-subject requests: the cases and their public intake, verification, tasks, the access
 * export and fulfilment. They read contacts, so they come above them; the erasure they fulfil
 * sits below contacts (erasure/module.ts). Lists and segments are needed for the order only: the
 * export's sections they declare (core.exportSections) must be there when an export is built.
 */
export const dsr = defineModule({
  name: 'dsr',
  needs: [settings, platform, users, audit, datamap, mail, consent, erasure, contacts, lists, segments, events],
  events: ['request.received', 'request.due_soon', 'request.fulfilled'],
  // Every data-subject table that is not erasure's: a table added to the file is declared here.
  dataMap: dsrDataMap.filter((t) => !ERASURE_TABLES.has(t.name)),
  create: (core, deps) => {
    // The export's sections beyond the tables are the modules' own (consent, lists, segments).
    const accessExports = new AccessExportService(
      core.db,
      core.clock,
      deps.datamap,
      core.exportSections,
      deps.secret,
      deps.settings,
      deps.audit,
      (id) =>
        deps.lists.get(id).then(
          (l) => l.name,
          () => null,
        ),
    );
    const requests = new RequestsService(core.db, core.clock, deps.settings, deps.secret, deps.users, deps.events);
    // Its mail speaks the contact's language (contacts.language), read when the mail is written.
    const requestMailer = new RequestMailer(deps.mail, deps.settings, (id) =>
      contactById(core.db.kysely, id).then((c) => c?.language ?? null),
    );
    const requestVerification = new VerificationService(core.clock, deps.settings, deps.secret, requests, requestMailer);
    const tasks = new TasksService(core.db, core.clock, deps.users);
    return {
      accessExports,
      requests,
      requestStats: new RequestStatsService(core.db, requests),
      tasks,
      requestVerification,
      requestIntake: new IntakeService(requests, requestVerification, deps.rateLimiter, deps.secret, deps.jobs, deps.settings),
      fulfil: new FulfilService(requests, deps.contacts, deps.consent, requestMailer, deps.erasure, accessExports, tasks),
    };
  },
  routes: (s) => [
    { prefix: '/api/v1', plugin: requestsRoutes(s) },
    { prefix: '/api/v1', plugin: tasksRoutes(s) },
    { prefix: '/api/v1', plugin: requestStatsRoutes(s) },
    { prefix: '/public/v1', plugin: publicRequestRoutes(s) },
    { prefix: '/api/v1', plugin: accessExportRoutes(s) },
    { prefix: '/public/v1', plugin: accessExportPublicRoutes(s) },
  ],
  // The mail is keyed by the case (the job's key), its case moves conditionally.
  jobs: (s) => ({ [LINK_QUEUE]: (payload) => s.requestIntake.sendQueuedLink(payload) }),
  // Cases near their deadline are announced (request.due_soon), once per deadline.
  daily: async (s) => {
    await s.requests.announceDueSoon();
  },
});
