import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { JobQueue } from './jobs/queue.ts';
import type { Clock } from './lib/clock.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { DataMapService } from './modules/datamap/datamap.service.ts';
import { ConsentService } from './modules/consent/consent.service.ts';
import { LedgerService } from './modules/consent/ledger.service.ts';
import { ContactsService } from './modules/contacts/contacts.service.ts';
import { CustomFieldsService } from './modules/contacts/custom-fields.service.ts';
import { ListsService } from './modules/lists/lists.service.ts';
import { MailService } from './modules/mail/mail.service.ts';
import { SettingsService } from './modules/settings/settings.service.ts';
import { UsersService } from './modules/users/users.service.ts';

/** The composition root: every module's service, created once, wired by hand. */
export interface Services {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  settings: SettingsService;
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
  lists: ListsService;
  close(): Promise<void>;
}

export function createServices(config: Config, db: Db, clock: Clock, log: Logger): Services {
  const settings = new SettingsService(db, clock);
  const mail = new MailService(db, settings, clock);
  const ledger = new LedgerService(db, clock);
  const customFields = new CustomFieldsService(db, clock);
  const datamap = new DataMapService(db);
  datamap.addProvider(() => customFields.dataMap());
  return {
    config,
    db,
    clock,
    log,
    settings,
    users: new UsersService(db, clock, config.sessionTtlHours * 3600_000),
    audit: new AuditService(db, clock),
    datamap,
    mail,
    jobs: new JobQueue(db, clock),
    rateLimiter: new RateLimiter(db, clock),
    ledger,
    consent: new ConsentService(db, clock, settings, ledger),
    customFields,
    contacts: new ContactsService(db, clock, settings, customFields, ledger),
    lists: new ListsService(db, clock, ledger),
    close: async () => {
      await mail.close();
      await db.close();
    },
  };
}
