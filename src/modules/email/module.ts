import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { interactions } from '../interactions/module.ts';
import { lists } from '../lists/module.ts';
import { mail } from '../mail/module.ts';
import { defineModule } from '../module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
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
  needs: [settings, consent, suppression, mail, contacts, lists, interactions, segments],
  dataMap: emailDataMap,
  migrations: emailMigrations,
  create: () => ({}),
  routes: () => [],
});
