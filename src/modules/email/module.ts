import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { interactions } from '../interactions/module.ts';
import { lists } from '../lists/module.ts';
import { mail } from '../mail/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { emailDataMap } from './email.data-map.ts';
import { emailMigrations } from './email.migrations.ts';
import { CampaignService } from './campaign.service.ts';
import { campaignRoutes } from './campaign.routes.ts';
import { BATCH_QUEUE, EngineJobs, PREPARE_QUEUE } from './engine.jobs.ts';
import { SendEngine } from './engine.pipeline.ts';
import { liquidRender, NO_POLICY, plainTracking } from './engine.steps.ts';
import { SendService } from './send.service.ts';
import { sendRoutes } from './send.routes.ts';
import { messagesRoutes } from './messages.routes.ts';
import { MessagesService } from './messages.service.ts';
import type {
  CampaignCountsTable,
  CampaignsTable,
  EmailBouncesTable,
  MessagesTable,
  SendsTable,
  UndeliverableAddressesTable,
} from './email.table.ts';

// What other modules use: messages and their templates (the sending engine compiles and renders them).
export type { MessagesService } from './messages.service.ts';

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
  needs: [settings, platform, consent, suppression, mail, contacts, lists, interactions, segments],
  dataMap: emailDataMap,
  migrations: emailMigrations,
  create: (core, deps) => {
    const messages = new MessagesService(core.db, core.clock, {
      settings: deps.settings,
      customFields: deps.customFields,
      contacts: deps.contacts,
      lists: deps.lists,
      consent: deps.consent,
      mail: deps.mail,
    });
    // The send pipeline. TODO(integration): the policy (R4) and tracking (R2) steps and the mail
    // module's sendBatch (R6) replace the stand-ins here.
    const sendEngine = new SendEngine(core.db, core.clock, deps.settings, deps.consent, deps.suppressions, deps.contacts, {
      policy: NO_POLICY,
      render: liquidRender(messages),
      tracking: plainTracking(deps.settings, deps.secret, core.clock),
      delivery: deps.mail,
    });
    const engineJobs = new EngineJobs(core.db, core.clock, deps.jobs, sendEngine);
    return {
      messages,
      sendEngine,
      engineJobs,
      campaigns: new CampaignService(
        core.db,
        core.clock,
        deps.settings,
        deps.consent,
        deps.suppressions,
        deps.segments,
        deps.jobs,
        engineJobs,
      ),
      sends: new SendService(core.db, core.clock, engineJobs),
    };
  },
  routes: (s) => [
    { prefix: '/api/v1', plugin: messagesRoutes(s) },
    { prefix: '/api/v1', plugin: campaignRoutes(s) },
    { prefix: '/api/v1', plugin: sendRoutes(s) },
  ],
  jobs: (s) => ({
    [BATCH_QUEUE]: (payload) => s.engineJobs.runBatch(payload),
    [PREPARE_QUEUE]: (payload) => s.campaigns.prepare(payload),
  }),
});
