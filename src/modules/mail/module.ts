import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { mailDataMap } from './mail.data-map.ts';
import { MailService } from './mail.service.ts';
import { outboxRoutes } from './outbox.routes.ts';
import type { OutboxTable } from './outbox.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    outbox: OutboxTable;
  }
}

export const mail = defineModule({
  name: 'mail',
  needs: [settings],
  dataMap: mailDataMap,
  create: (core, deps) => ({ mail: new MailService(core.db, deps.settings, core.clock) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: outboxRoutes(s) }],
  close: (face) => face.mail.close(),
});
