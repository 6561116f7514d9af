import { consent } from '../consent/module.ts';
import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { mailDataMap } from './mail.data-map.ts';
import { MailSender } from './mail.sender.ts';
import { outboxRoutes } from './outbox.routes.ts';
import { relayTestRoutes } from './relay-test.routes.ts';
import { RelayTest } from './relay-test.service.ts';
import type { OutboxTable } from './outbox.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    outbox: OutboxTable;
  }
}

export type { Delivery, KeyedDelivery, MailSender, PersonMail } from './mail.sender.ts';

/**
 * Its face is the gated sender, never the transport: mail to a person leaves only after the
 * consent gate and the suppression list have been asked (mail.sender.ts).
 */
export const mail = defineModule({
  name: 'mail',
  needs: [settings, consent, suppression],
  dataMap: mailDataMap,
  create: (core, deps) => {
    const mail = new MailSender(core.db, deps.settings, core.clock, deps.consent, deps.suppressions);
    return { mail, relayTest: new RelayTest(deps.settings, mail) };
  },
  routes: (s) => [
    { prefix: '/api/v1', plugin: outboxRoutes(s) },
    { prefix: '/api/v1', plugin: relayTestRoutes(s) },
  ],
  close: (face) => face.mail.close(),
});
