import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { JobQueue } from './jobs/queue.ts';
import type { Clock } from './lib/clock.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { DataMapService } from './modules/datamap/datamap.service.ts';
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
  close(): Promise<void>;
}

export function createServices(config: Config, db: Db, clock: Clock, log: Logger): Services {
  const settings = new SettingsService(db, clock);
  const mail = new MailService(db, settings, clock);
  return {
    config,
    db,
    clock,
    log,
    settings,
    users: new UsersService(db, clock, config.sessionTtlHours * 3600_000),
    audit: new AuditService(db, clock),
    datamap: new DataMapService(db),
    mail,
    jobs: new JobQueue(db, clock),
    rateLimiter: new RateLimiter(db, clock),
    close: async () => {
      await mail.close();
      await db.close();
    },
  };
}
