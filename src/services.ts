import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './modules/database.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { startBackground as runBackground } from './jobs/background.ts';
import { JobQueue } from './jobs/queue.ts';
import type { JobHandler } from './jobs/worker.ts';
import type { Clock } from './lib/clock.ts';
import { SYSTEM_ACTOR } from './modules/audit/audit.model.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { DataMapService } from './modules/datamap/datamap.service.ts';
import { AccessExportService } from './modules/dsr/access-export.service.ts';
import { EntitiesService } from './modules/entities/entities.service.ts';
import { ErasureService } from './modules/dsr/erasure.service.ts';
import { PURGE_QUEUE } from './modules/dsr/purge.service.ts';
import { SuppressionService } from './modules/dsr/suppression.service.ts';
import { FulfilService } from './modules/dsr/fulfil.service.ts';
import { IntakeService, LINK_QUEUE } from './modules/dsr/requests.intake.ts';
import { RequestMailer } from './modules/dsr/requests.mailer.ts';
import { RequestsService } from './modules/dsr/requests.service.ts';
import { VerificationService } from './modules/dsr/requests.verification.ts';
import { TasksService } from './modules/dsr/tasks.service.ts';
import { ConsentService } from './modules/consent/consent.service.ts';
import { LedgerService } from './modules/consent/ledger.service.ts';
import { ContactsService } from './modules/contacts/contacts.service.ts';
import { InteractionsService } from './modules/interactions/interactions.service.ts';
import { CustomFieldsService } from './modules/contacts/custom-fields.service.ts';
import { ExportService } from './modules/contacts/export.service.ts';
import { ImportService } from './modules/contacts/import.service.ts';
import { SegmentsService } from './modules/segments/segments.service.ts';
import { ListsService } from './modules/lists/lists.service.ts';
import { MailService } from './modules/mail/mail.service.ts';
import { RetentionService } from './modules/retention/retention.service.ts';
import { LedgerKey } from './modules/settings/ledger-key.ts';
import { SecretService } from './modules/settings/secret.service.ts';
import { SettingsService } from './modules/settings/settings.service.ts';
import { UsersService } from './modules/users/users.service.ts';

/** The composition root: every module's service, created once, wired by hand. */
export interface Services {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  settings: SettingsService;
  secret: SecretService;
  ledgerKey: LedgerKey;
  retention: RetentionService;
  users: UsersService;
  audit: AuditService;
  datamap: DataMapService;
  mail: MailService;
  jobs: JobQueue;
  rateLimiter: RateLimiter;
  ledger: LedgerService;
  consent: ConsentService;
  customFields: CustomFieldsService;
  contacts: ContactsService;
  imports: ImportService;
  exports: ExportService;
  lists: ListsService;
  interactions: InteractionsService;
  segments: SegmentsService;
  entities: EntitiesService;
  accessExports: AccessExportService;
  erasure: ErasureService;
  suppressions: SuppressionService;
  requests: RequestsService;
  tasks: TasksService;
  requestVerification: VerificationService;
  requestIntake: IntakeService;
  fulfil: FulfilService;
  close(): Promise<void>;
}

export function createServices(config: Config, db: Db, clock: Clock, log: Logger): Services {
  const settings = new SettingsService(db, clock);
  const mail = new MailService(db, settings, clock);
  const ledgerKey = new LedgerKey(config, db.target);
  const ledger = new LedgerService(db, clock, () => ledgerKey.get());
  const customFields = new CustomFieldsService(db, clock);
  const datamap = new DataMapService(db);
  const audit = new AuditService(db, clock);
  const secret = new SecretService(db, clock, config.secret);
  const consent = new ConsentService(db, clock, settings, ledger);
  const erasure = new ErasureService(db, clock, datamap, consent, secret, settings, audit, { purgeWindowMs: config.purgeWindowSeconds * 1000 });
  const contacts = new ContactsService(db, clock, settings, customFields, secret, erasure, consent);
  datamap.addProvider(() => customFields.dataMap());
  const entities = new EntitiesService(db, clock);
  datamap.addProvider(() => entities.dataMap());
  const lists = new ListsService(db, clock, ledger);
  const segments = new SegmentsService(db, clock, settings, customFields, consent);
  const users = new UsersService(db, clock, config.sessionTtlHours * 3600_000);
  const rateLimiter = new RateLimiter(db, clock, () => secret.key());
  const accessExports = new AccessExportService(db, clock, datamap, ledger, lists, segments, secret, settings, audit);
  const requests = new RequestsService(db, clock, settings, secret, users);
  const requestMailer = new RequestMailer(mail, consent);
  const requestVerification = new VerificationService(clock, settings, secret, requests, requestMailer);
  const jobs = new JobQueue(db, clock);
  const tasks = new TasksService(db, clock, users);
  return {
    config,
    db,
    clock,
    log,
    settings,
    secret,
    ledgerKey,
    users,
    audit,
    retention: new RetentionService(db, clock, datamap, audit),
    datamap,
    mail,
    jobs,
    rateLimiter,
    ledger,
    consent,
    customFields,
    contacts,
    imports: new ImportService(db, clock, contacts, ledger),
    exports: new ExportService(db, contacts, segments),
    lists,
    interactions: new InteractionsService(db, clock, consent),
    segments,
    entities,
    erasure,
    suppressions: new SuppressionService(db, secret),
    accessExports,
    requests,
    tasks,
    requestVerification,
    requestIntake: new IntakeService(requests, requestVerification, rateLimiter, secret, jobs),
    fulfil: new FulfilService(requests, contacts, consent, requestMailer, erasure, accessExports, tasks),
    close: async () => {
      await mail.close();
      await erasure.close();
      await db.close();
    },
  };
}

/**
 * What a process does once before it serves or runs a command: the settings' defaults, and the
 * ledger key read (created, for the default key file) so a misconfigured key fails at start. A
 * key created just now has signed no head yet: the head as it stands is sealed when it carries
 * no MAC and the ledger verifies (LedgerService.sealUnsigned).
 */
export async function prepareServices(s: Services): Promise<{ ledgerKey: 'none' | 'configured' | 'created' }> {
  await s.settings.ensureDefaults();
  if (s.ledgerKey.get() === null) return { ledgerKey: 'none' };
  if (!s.ledgerKey.createdNow) return { ledgerKey: 'configured' };
  await s.ledger.sealUnsigned();
  return { ledgerKey: 'created' };
}

/**
 * Every queue the product runs and its handler. Payloads carry ids and options only. A job can
 * run more than once (its worker dies, its lease lapses): every handler keys its side effects
 * so that a second run does none of them again (see jobs/effects.ts).
 */
export function jobHandlers(s: Services): Record<string, JobHandler> {
  return {
    // Deleting expired rows twice deletes nothing more; the run's audit entry is keyed by the job.
    retention: async (_payload, job) => {
      await s.retention.run({ actor: SYSTEM_ACTOR, key: job.idempotency_key ?? `job:${job.id}` });
    },
    // The mail is keyed by the case (the job's key), its case moves conditionally.
    [LINK_QUEUE]: (payload) => s.requestIntake.sendQueuedLink(payload),
    [PURGE_QUEUE]: (payload) => s.erasure.purges.run(payload),
  };
}

/**
 * Schedules the daily jobs: one retention run per UTC day at 03:00, keyed by the date, so
 * any number of processes scheduling at once still make exactly one job.
 */
export async function scheduleDaily(s: Services): Promise<void> {
  const now = s.clock.now();
  const day = now.toISOString().slice(0, 10);
  const runAt = new Date(`${day}T03:00:00.000Z`);
  await s.jobs.enqueue('retention', {}, { key: `retention:${day}`, runAt: runAt < now ? now : runAt, maxAttempts: 3 });
  // Storage purges whose job ran before their erasure committed get another (docs/storage.md).
  await s.erasure.purges.sweep();
}

/** The background worker a serving process (or `assent worker`) runs. */
export function startBackground(s: Services): { stop(): Promise<void> } {
  return runBackground(s.jobs, {
    handlers: jobHandlers(s),
    daily: () => scheduleDaily(s),
    onError: (e, what) => s.log.error({ err: e }, what === 'worker' ? 'job worker error' : 'scheduling failed'),
  });
}
