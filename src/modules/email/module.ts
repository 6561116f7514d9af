import { consent } from '../consent/module.ts';
import { events } from '../events/module.ts';
import { contacts } from '../contacts/module.ts';
import { interactions } from '../interactions/module.ts';
import { lists } from '../lists/module.ts';
import { mail } from '../mail/module.ts';
import { platform } from '../platform/module.ts';
import { defineModule } from '../module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { bounceRoutes } from './bounce.routes.ts';
import { BounceService } from './bounce.service.ts';
import { BounceInbound } from './inbound.smtp.ts';
import { RECEIPT_QUEUE, ReceiptService } from './receipts.service.ts';
import { emailDataMap } from './email.data-map.ts';
import { emailMigrations } from './email.migrations.ts';
import type {
  CampaignCountsTable,
  CampaignsTable,
  EmailBouncesTable,
  MessagesTable,
  SendsTable,
  UndeliverableAddressesTable,
} from './email.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    messages: MessagesTable;
    campaigns: CampaignsTable;
    campaign_counts: CampaignCountsTable;
    sends: SendsTable;
    email_bounces: EmailBouncesTable;
    undeliverable_addresses: UndeliverableAddressesTable;
  }
}

/**
 * Email: messages and their templates, sends to contacts and campaigns to segments, one-click
 * unsubscribe, tracking only with consent, bounces and complaints. Every mail leaves through the
 * mail module's gated sender (the gate is asked at the moment of sending).
 */
export const email = defineModule({
  name: 'email',
  needs: [settings, consent, suppression, mail, contacts, lists, interactions, segments, platform, events],
  dataMap: emailDataMap,
  migrations: emailMigrations,
  create: (core, deps) => {
    const bounces = new BounceService(core.db, core.clock, core.log, deps.consent, deps.settings);
    const receipts = new ReceiptService(core.db, core.log, deps.jobs, deps.events, deps.ledger, deps.settings, deps.lists, deps.mail);
    deps.events.consume('email.receipts', (evs) => receipts.onEvents(evs));
    return { bounces, receipts, bounceInbound: new BounceInbound(bounces, deps.settings, deps.rateLimiter, core.log) };
  },
  routes: (s) => [{ prefix: '/api/v1', plugin: bounceRoutes(s) }],
  jobs: (s) => ({ [RECEIPT_QUEUE]: (payload) => s.receipts.run(payload) }),
  close: (face) => face.bounceInbound.stop(),
});

// What the sending path asks before each send: which addresses bounced hard (reason `undeliverable`).
export { undeliverableKeys } from './bounce.queries.ts';
export type { BounceService } from './bounce.service.ts';
