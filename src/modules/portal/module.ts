import { audit } from '../audit/module.ts';
import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { dsr } from '../dsr/module.ts';
import { email } from '../email/module.ts';
import { lists } from '../lists/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { segments } from '../segments/module.ts';
import { settings } from '../settings/module.ts';
import { PortalLinks } from './portal.links.ts';

// What the pages module shows inside a page of type `subscription_center`: the center's form and
// service, the one refusal, and the origin check its posts share.
export { centerBody, REFUSAL_HEADERS, refusalPage, STYLE as PORTAL_STYLE } from './portal.pages.ts';
export { sameOrigin } from './portal.links.ts';
export type { CenterView, SubscriptionCenterService } from './subscription.service.ts';
import { portalRoutes } from './portal.routes.ts';
import { PrivacyPortalService } from './privacy.service.ts';
import { SubscriptionCenterService } from './subscription.service.ts';

/**
 * The person's own pages, from signed links bound to the contact (email/links.ts makes them):
 * the subscription center (level and lists, any change, ledger source `subscription_center`) and
 * the privacy portal (what is held, read from the access export; the export; an erasure request
 * through the data-subject cases). No tables of its own: every change is another module's.
 */
export const portal = defineModule({
  name: 'portal',
  needs: [settings, platform, audit, consent, contacts, lists, segments, email, dsr],
  dataMap: [],
  create: (core, deps) => {
    const links = new PortalLinks(deps.settings, deps.secret);
    return {
      subscriptionCenter: new SubscriptionCenterService(core.clock, links, deps.settings, deps.contacts, deps.consent, deps.lists),
      privacyPortal: new PrivacyPortalService(
        core.clock,
        links,
        deps.settings,
        deps.accessExports,
        deps.segments,
        deps.requests,
        deps.audit,
        // Filled by the composition root from the manifests, later modules' too (scoring's).
        core.portalSections,
        core.log,
      ),
    };
  },
  routes: (s) => [{ prefix: '/public/v1', plugin: portalRoutes(s) }],
});
