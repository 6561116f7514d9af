import { dsr } from '../dsr/module.ts';
import { forms } from '../forms/module.ts';
import { forward } from '../forward/module.ts';
import { lists } from '../lists/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { portal } from '../portal/module.ts';
import { settings } from '../settings/module.ts';
import { pagesDataMap } from './pages.data-map.ts';
import { pagesMigrations } from './pages.migrations.ts';
import { pagesPublicRoutes } from './pages.public.routes.ts';
import { pagesRoutes } from './pages.routes.ts';
import { PageServer } from './pages.server.ts';
import { PagesService } from './pages.service.ts';
import type { PagesTable } from './pages.table.ts';

export type { ForwardPort } from './page-types.ts';
export type { Page, PageInput, PageType } from './pages.model.ts';
export type { PagesService } from './pages.service.ts';

declare module '../database.ts' {
  interface Database {
    pages: PagesTable;
  }
}

/**
 * Pages served by Assent at /p/{slug} (issue 15 point 2): a landing page over a form, the
 * data-request page over the public intake, the subscription center inside a page's title and
 * intro, and forward to a friend (the forward module's page inside a page's title and intro).
 * Counted anonymously through the forms' counters.
 */
export const pages = defineModule({
  name: 'pages',
  needs: [settings, platform, lists, forms, dsr, portal, forward],
  dataMap: pagesDataMap,
  migrations: pagesMigrations,
  create: (core, deps) => {
    const pages = new PagesService(core.db, core.clock, { forms: deps.forms, counters: deps.formCounters, settings: deps.settings });
    const pageServer = new PageServer({
      clock: core.clock,
      pages,
      counters: deps.formCounters,
      forms: deps.forms,
      lists: deps.lists,
      settings: deps.settings,
      secret: deps.secret,
      requestIntake: deps.requestIntake,
      subscriptionCenter: deps.subscriptionCenter,
      forward: deps.forward,
    });
    return { pages, pageServer };
  },
  routes: (s) => [
    { prefix: '/api/v1', plugin: pagesRoutes(s) },
    { prefix: '/p', plugin: pagesPublicRoutes(s) },
  ],
});
