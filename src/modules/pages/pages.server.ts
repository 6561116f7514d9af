import { type PageShell, pageShell } from '../../http/public-page.ts';
import type { CounterTarget, FormCounters } from '../forms/module.ts';
import { type PageRequest, type PageTypeDef, type PageTypeDeps, pageTypes } from './page-types.ts';
import type { PageInput, PageType, StoredPage } from './pages.model.ts';
import { notFound, type PageAnswer } from './pages.render.ts';
import type { PagesService } from './pages.service.ts';

/** The request as the routes hand it over. */
export type Visit = Omit<PageRequest, 'page' | 'shell' | 'preview'>;

/**
 * Serves the pages at /p/{slug}: finds the published page, speaks its language, counts the view
 * (anonymously: which page and form, which day), and lets the page's type answer. The editor's
 * preview renders through the same types, so it shows what the address would serve.
 */
export class PageServer {
  private readonly types: Record<PageType, PageTypeDef>;

  constructor(
    private readonly deps: PageTypeDeps & {
      pages: Pick<PagesService, 'published' | 'check'>;
      counters: Pick<FormCounters, 'count'>;
    },
  ) {
    this.types = pageTypes(deps);
  }

  /** The shell of a page: its own language, the organisation it names. */
  private async shellOf(page: StoredPage): Promise<PageShell> {
    return { lang: page.language, organisation: (await this.deps.settings.get()).organisation };
  }

  /** The one 404: in the browser's language, as no page names one. */
  async notFound(req: Parameters<typeof pageShell>[0]): Promise<PageAnswer> {
    return notFound(pageShell(req, (await this.deps.settings.get()).organisation));
  }

  /** `count`: false for a HEAD (a link checker's), which is not a view. */
  async get(slug: string, visit: Visit, req: Parameters<typeof pageShell>[0], count = true): Promise<PageAnswer> {
    const page = await this.deps.pages.published(slug);
    if (!page) return this.notFound(req);
    const counted: CounterTarget[] = [{ kind: 'page', id: page.id }];
    if (page.type === 'landing' && page.formId) counted.push({ kind: 'form', id: page.formId });
    if (count) await this.deps.counters.count(counted, 'views');
    return this.types[page.type].render({ ...visit, page, shell: await this.shellOf(page), preview: false });
  }

  async post(slug: string, visit: Visit, req: Parameters<typeof pageShell>[0]): Promise<PageAnswer> {
    const page = await this.deps.pages.published(slug);
    if (!page) return this.notFound(req);
    return this.types[page.type].post({ ...visit, page, shell: await this.shellOf(page), preview: false });
  }

  /** The whole page as /p/{slug} would serve it, for input not stored (checked as a save would check it, but for the slug's uniqueness). */
  async preview(input: PageInput): Promise<string> {
    const checked = await this.deps.pages.check(input);
    const page: StoredPage = { ...checked, id: 'preview' };
    const a = await this.types[page.type].render({
      page,
      shell: await this.shellOf(page),
      preview: true,
      token: null,
      body: {},
      ip: '',
      userAgent: null,
      headers: {},
    });
    return a.html;
  }
}
