import { consent } from '../consent/module.ts';
import { events } from '../events/module.ts';
import { contacts } from '../contacts/module.ts';
import { interactions } from '../interactions/module.ts';
import { lists } from '../lists/module.ts';
import { mail } from '../mail/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { bounceRoutes } from './bounce.routes.ts';
import { BounceService } from './bounce.service.ts';
import { BounceInbound } from './inbound.smtp.ts';
import { RECEIPT_QUEUE, ReceiptService } from './receipts.service.ts';
import { emailDataMap } from './email.data-map.ts';
import { PORTAL_TTL_MS, portalUrl } from './links.ts';
import { emailMigrations } from './email.migrations.ts';
import { emailPublicRoutes } from './email.public.routes.ts';
import { SentMessages } from './forwarding.ts';
import { CampaignService } from './campaign.service.ts';
import { campaignRoutes } from './campaign.routes.ts';
import { BATCH_QUEUE, EngineJobs, PREPARE_QUEUE } from './engine.jobs.ts';
import { SendEngine } from './engine.pipeline.ts';
import { PolicyService } from './policy.service.ts';
import { SendService } from './send.service.ts';
import { templateRenderStep } from './template.step.ts';
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
import { LinkContext, renderedBy, TrackingService } from './tracking.service.ts';
import { linkTracking } from './tracking.step.ts';
import { UnsubscribeService } from './unsubscribe.service.ts';
import { undeliverableRoutes } from './undeliverable.routes.ts';
import { UndeliverableService } from './undeliverable.service.ts';

// What other modules use: messages and their templates (the sending engine compiles and renders them).
// The person's own links (subscription center, portal), which the portal module serves.
export {
  CENTER_TTL_MS,
  capped,
  contactOfToken,
  type ContactTokenPurpose,
  linkBase,
  PORTAL_PATH,
  PORTAL_TTL_MS,
  portalUrl,
  SUBSCRIPTION_CENTER_PATH,
  subscriptionCenterUrl,
  FORWARD_PATH,
  FORWARD_TTL_MS,
  forwardOfToken,
  forwardUrl,
  type ForwardSubject,
} from './links.ts';
// The forward module's view of a sent message (forwarding.ts).
export type { ForwardableSend, SentCopy, SentMessages } from './forwarding.ts';
export type { MessagesService } from './messages.service.ts';
export type { SendService } from './send.service.ts';

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
  needs: [settings, platform, consent, suppression, mail, contacts, lists, interactions, segments, events],
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
    // The send pipeline; its policy is frequency caps and quiet hours (policy.service.ts).
    // One template step for the pipeline and for the view and click links, which re-render a send.
    const render = templateRenderStep(messages);
    const policy = new PolicyService(core.db, deps.settings);
    const sendEngine = new SendEngine(core.db, core.clock, deps.settings, deps.consent, deps.suppressions, deps.contacts, {
      policy,
      render,
      tracking: linkTracking(deps.settings, deps.secret, core.clock),
      delivery: deps.mail,
    });
    const engineJobs = new EngineJobs(core.db, core.clock, deps.jobs, sendEngine);
    const links = new LinkContext(deps.settings, deps.secret);
    const bounces = new BounceService(core.db, core.clock, core.log, deps.consent, deps.settings);
    const unsubscribes = new UnsubscribeService(core.db, core.clock, links, deps.settings, deps.consent, deps.lists);
    // Every receipt names the person's privacy portal (30 days, links.ts).
    const portalLink = async (contactId: string) =>
      portalUrl(await links.baseUrl(), await links.key(), contactId, new Date(core.clock.now().getTime() + PORTAL_TTL_MS));
    const receipts = new ReceiptService(
      core.db,
      core.log,
      deps.jobs,
      deps.events,
      deps.ledger,
      deps.settings,
      deps.lists,
      deps.mail,
      portalLink,
    );
    deps.events.consume('email.receipts', (evs) => receipts.onEvents(evs));
    return {
      policy,
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
      unsubscribes,
      tracking: new TrackingService(core.db, core.clock, links, deps.interactions, renderedBy(render, deps.contacts, core.db)),
      bounces,
      undeliverable: new UndeliverableService(core.db, core.log),
      receipts,
      // Forward to a friend renders a send's message through the same template step.
      sentMessages: new SentMessages(core.db, render, deps.contacts),
      bounceInbound: new BounceInbound(bounces, unsubscribes, deps.settings, deps.rateLimiter, core.log),
    };
  },
  routes: (s) => [
    { prefix: '/api/v1', plugin: messagesRoutes(s) },
    { prefix: '/api/v1', plugin: campaignRoutes(s) },
    { prefix: '/api/v1', plugin: sendRoutes(s) },
    { prefix: '/public/v1', plugin: emailPublicRoutes(s) },
    { prefix: '/api/v1', plugin: bounceRoutes(s) },
    { prefix: '/api/v1', plugin: undeliverableRoutes(s) },
  ],
  jobs: (s) => ({
    [BATCH_QUEUE]: (payload) => s.engineJobs.runBatch(payload),
    [PREPARE_QUEUE]: (payload) => s.campaigns.prepare(payload),
    [RECEIPT_QUEUE]: (payload) => s.receipts.run(payload),
  }),
  close: (face) => face.bounceInbound.stop(),
});

export type { BounceService } from './bounce.service.ts';
