import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { events } from '../events/module.ts';
import { interactions } from '../interactions/module.ts';
import { lists } from '../lists/module.ts';
import { mail } from '../mail/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { settings } from '../settings/module.ts';
import { suppression } from '../suppression/module.ts';
import { FormCounters } from './forms.counters.ts';
import { formsDataMap } from './forms.data-map.ts';
import { formsEmbedPublicRoutes, formsEmbedRoutes } from './forms.embed.routes.ts';
import { formsMigrations } from './forms.migrations.ts';
import { formsPublicRoutes } from './forms.public.routes.ts';
import { formsRoutes } from './forms.routes.ts';
import { FORM_QUEUE, FormsService } from './forms.service.ts';
import type { FormConfirmationsTable, FormSubmissionsTable, FormsTable, FormVersionsTable, PageCountersTable } from './forms.table.ts';

// What other modules use: the service (the pages submit through it) and the form's shape.
export type { Form, FormsService, SubmitContext } from './forms.service.ts';
export type { FieldDef } from './forms.model.ts';
// The anonymous counters pages count their views with and read; the form's fields as HTML (pages show them).
export type { CounterTarget, Counts, DayCounts, FormCounters } from './forms.counters.ts';
export { choiceNames, errorSummaryHtml, FORM_CSS, type FieldState, formFieldsHtml } from './forms.embed.ts';
// The form's thank-you page: a page showing a form answers an accepted post with it, byte for byte.
export { receivedPage } from './forms.pages.ts';
export { problemText } from './forms.text.ts';
export { COUNTS_EXAMPLE, CountsSchema } from './forms.embed.routes.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    forms: FormsTable;
    form_versions: FormVersionsTable;
    form_submissions: FormSubmissionsTable;
    form_confirmations: FormConfirmationsTable;
    page_counters: PageCountersTable;
  }
}

/**
 * Forms: versioned field definitions mapped to contact fields, a consent level and lists, and
 * the one submission path (validated per field, applied by a job through the contacts, consent
 * and lists services, or held until a double opt-in is confirmed).
 */
export const forms = defineModule({
  name: 'forms',
  needs: [settings, platform, consent, suppression, mail, contacts, lists, interactions, events],
  dataMap: formsDataMap,
  migrations: formsMigrations,
  // Journeys start from it: a submission applied (after its confirmation, for a double opt-in).
  events: ['form.submitted'],
  create: (core, deps) => ({
    forms: new FormsService(core.db, core.clock, {
      settings: deps.settings,
      customFields: deps.customFields,
      contacts: deps.contacts,
      consent: deps.consent,
      lists: deps.lists,
      suppressions: deps.suppressions,
      interactions: deps.interactions,
      events: deps.events,
      mail: deps.mail,
      limiter: deps.rateLimiter,
      secret: deps.secret,
      jobs: deps.jobs,
    }),
    formCounters: new FormCounters(core.db, core.clock),
  }),
  routes: (s) => [
    { prefix: '/api/v1', plugin: formsRoutes(s) },
    { prefix: '/public/v1', plugin: formsPublicRoutes(s) },
    // The embed snippet, the frame page and the counts (forms.embed.routes.ts).
    { prefix: '/api/v1', plugin: formsEmbedRoutes(s) },
    { prefix: '/public/v1', plugin: formsEmbedPublicRoutes(s) },
  ],
  jobs: (s) => ({ [FORM_QUEUE]: (payload) => s.forms.run(payload) }),
  // Submissions whose waiting changes retention removed (a double opt-in never confirmed) go too.
  daily: async (s) => {
    await s.forms.removeUnconfirmed();
  },
});
