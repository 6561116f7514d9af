import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { email } from '../email/module.ts';
import { mail } from '../mail/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { forwardDataMap } from './forward.data-map.ts';
import { ForwardLinks } from './forward.links.ts';
import { forwardMigrations } from './forward.migrations.ts';
import { forwardRoutes } from './forward.routes.ts';
import { FORWARD_QUEUE, ForwardService } from './forward.service.ts';
import type { ForwardMessagesTable, ForwardRecipientsTable } from './forward.table.ts';

// What other modules use (the pages module's `forward` page type): the service, as u-contract.md names it.
export type { ForwardContext, ForwardInput, ForwardService } from './forward.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    forward_messages: ForwardMessagesTable;
    forward_recipients: ForwardRecipientsTable;
  }
}

/**
 * Forward to a friend (issue 15 point 6): from a campaign mail's `forward_url`, the person has
 * that message sent once to a friend's address on their behalf, through the gated sender, when
 * the consent gate allows marketing for them. The friend becomes no contact; their address is
 * kept 30 days only to send the message (the data map's retention).
 */
export const forward = defineModule({
  name: 'forward',
  needs: [settings, platform, consent, suppression, mail, contacts, email],
  dataMap: forwardDataMap,
  migrations: forwardMigrations,
  create: (core, deps) => ({
    forward: new ForwardService(core.db, core.clock, new ForwardLinks(deps.settings, deps.secret), {
      settings: deps.settings,
      secret: deps.secret,
      consent: deps.consent,
      contacts: deps.contacts,
      suppressions: deps.suppressions,
      sentMessages: deps.sentMessages,
      mail: deps.mail,
      limiter: deps.rateLimiter,
      jobs: deps.jobs,
    }),
  }),
  routes: (s) => [{ prefix: '/public/v1', plugin: forwardRoutes(s) }],
  jobs: (s) => ({ [FORWARD_QUEUE]: (payload) => s.forward.run(payload) }),
});
