import { catalogue } from '../../i18n/catalogue.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Db } from '../database.ts';
import type { Counts, DayCounts, Form, FormCounters, FormsService } from '../forms/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { MAX_INTRO, MAX_TITLE, PAGE_TYPES, type Page, type PageInput, SLUG, type StoredPage, toPage, toStored } from './pages.model.ts';
import * as q from './pages.queries.ts';
import type { PagesTable } from './pages.table.ts';

interface Problem {
  path: string;
  message: string;
}

/** A primary key or unique index refused the row (PostgreSQL 23505, SQLite's constraint codes). */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
const slugTaken = () => new AppError('conflict', 'another page has this slug', [{ path: '/slug', message: 'another page has this slug' }]);

/**
 * Public pages (`/p/{slug}`): what staff write — type, slug, title, Markdown intro, language, a
 * landing page's form, published or not — checked whole before it is stored.
 */
export class PagesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deps: {
      forms: Pick<FormsService, 'live'>;
      counters: Pick<FormCounters, 'totals' | 'of' | 'remove'>;
      settings: Pick<SettingsService, 'get'>;
    },
  ) {}

  async create(input: PageInput): Promise<Page> {
    const page = await this.check(input);
    const now = this.clock.now().toISOString();
    const row: PagesTable = {
      id: newId(),
      slug: page.slug,
      type: page.type,
      title: page.title,
      intro: page.intro,
      language: page.language,
      form_id: page.formId,
      published: page.published ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    if (await q.pageBySlug(this.db.kysely, row.slug)) throw slugTaken();
    try {
      await q.insertPage(this.db.kysely, row);
    } catch (e) {
      // Another page took the slug between the look and the insert.
      throw isUniqueViolation(e) ? slugTaken() : e;
    }
    return this.get(row.id);
  }

  async get(id: string): Promise<Page> {
    const row = await q.pageById(this.db.kysely, id);
    if (!row) throw new AppError('not_found', 'no such page');
    return (await this.toPages([row]))[0]!;
  }

  async list(limit: number, after?: string): Promise<Page[]> {
    return this.toPages(await q.listPages(this.db.kysely, limit, after));
  }

  async total(): Promise<{ total: number; isEstimate: boolean }> {
    return { total: await q.countPages(this.db.kysely), isEstimate: false };
  }

  /** Changes what is given (never the type); the page as it would then be is checked whole. */
  async update(id: string, patch: Partial<PageInput>): Promise<Page> {
    const row = await q.pageById(this.db.kysely, id);
    if (!row) throw new AppError('not_found', 'no such page');
    const current = toStored(row);
    if (patch.type !== undefined && patch.type !== current.type)
      throw new AppError('page_invalid', 'the page is not valid', [{ path: '/type', message: 'a page’s type cannot change' }]);
    const next = await this.check({
      type: current.type,
      slug: patch.slug ?? current.slug,
      title: patch.title ?? current.title,
      intro: patch.intro ?? current.intro,
      language: patch.language ?? current.language,
      formId: patch.formId === undefined ? current.formId : patch.formId,
      published: patch.published ?? current.published,
    });
    if (next.slug !== current.slug) {
      const other = await q.pageBySlug(this.db.kysely, next.slug);
      if (other && other.id !== id) throw slugTaken();
    }
    try {
      await q.updatePage(this.db.kysely, id, {
        slug: next.slug,
        title: next.title,
        intro: next.intro,
        language: next.language,
        form_id: next.formId,
        published: next.published ? 1 : 0,
        updated_at: this.clock.now().toISOString(),
      });
    } catch (e) {
      throw isUniqueViolation(e) ? slugTaken() : e;
    }
    return this.get(id);
  }

  /** Deletes the page and its counters; its address then answers the generic 404. */
  async delete(id: string): Promise<void> {
    const gone = await q.deletePage(this.db.kysely, id);
    if (Number(gone.numDeletedRows) !== 1) throw new AppError('not_found', 'no such page');
    await this.deps.counters.remove({ kind: 'page', id });
  }

  /** A published page by its slug; null for an unknown or unpublished one (one answer for both). */
  async published(slug: string): Promise<StoredPage | null> {
    const row = await q.pageBySlug(this.db.kysely, slug);
    return row && row.published === 1 ? toStored(row) : null;
  }

  async counts(id: string): Promise<{ total: Counts; days: DayCounts[] }> {
    await this.get(id);
    return this.deps.counters.of({ kind: 'page', id });
  }

  /**
   * The page as it would be stored, or `page_invalid` naming every problem: the slug's form, the
   * title, the intro's length, a language the catalogue has, and the form — a landing page shows
   * a live one, the other types none.
   */
  async check(input: PageInput): Promise<StoredPage & { intro: string }> {
    const problems: Problem[] = [];
    if (!(PAGE_TYPES as readonly string[]).includes(input.type))
      problems.push({ path: '/type', message: `one of ${PAGE_TYPES.join(', ')}` });
    if (!SLUG.test(input.slug))
      problems.push({ path: '/slug', message: 'lower-case letters, digits and hyphens (not first or last), at most 64' });
    const title = input.title.trim();
    if (!title || title.length > MAX_TITLE) problems.push({ path: '/title', message: `1 to ${MAX_TITLE} characters` });
    const intro = input.intro ?? '';
    if (intro.length > MAX_INTRO) problems.push({ path: '/intro', message: `at most ${MAX_INTRO} characters` });
    const language = (input.language ?? 'en').toLowerCase();
    if (!catalogue.has(language)) problems.push({ path: '/language', message: `one of ${catalogue.languages().join(', ')}` });
    const formId = input.formId ?? null;
    if (input.type === 'landing') {
      if (formId === null) problems.push({ path: '/formId', message: 'a landing page shows a form' });
      else {
        const form = await this.liveForm(formId);
        // (No form has a field named like the page's own hidden field: the forms' check reserves the name.)
        if (!form) problems.push({ path: '/formId', message: 'no such form (or it is archived)' });
      }
    } else if (formId !== null) problems.push({ path: '/formId', message: 'only a landing page shows a form' });
    if (problems.length) throw new AppError('page_invalid', 'the page is not valid', problems);
    return { id: '', type: input.type, slug: input.slug, title, intro, language, formId, published: input.published ?? false };
  }

  private async liveForm(formId: string): Promise<Form | null> {
    try {
      return await this.deps.forms.live(formId);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return null;
      throw e;
    }
  }

  private async toPages(rows: PagesTable[]): Promise<Page[]> {
    const base = (await this.deps.settings.get()).publicBaseUrl;
    const totals = await this.deps.counters.totals(
      'page',
      rows.map((r) => r.id),
    );
    return rows.map((r) => toPage(r, base, totals.get(r.id)!));
  }
}
