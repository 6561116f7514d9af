import { renderMarkdown } from '../../lib/markdown.ts';
import type { Counts } from '../forms/module.ts';
import type { PagesTable } from './pages.table.ts';

export const PAGE_TYPES = ['landing', 'subscription_center', 'forward', 'data_request'] as const;
export type PageType = (typeof PAGE_TYPES)[number];

/** What staff write. */
export interface PageInput {
  type: PageType;
  slug: string;
  title: string;
  intro?: string;
  language?: string;
  formId?: string | null;
  published?: boolean;
}

/** A page as the API shows it. */
export interface Page {
  id: string;
  type: PageType;
  slug: string;
  title: string;
  intro: string;
  language: string;
  formId: string | null;
  published: boolean;
  url: string;
  introHtml: string;
  views: number;
  submissions: number;
  createdAt: string;
  updatedAt: string;
}

/** A stored page, as the public side renders it. */
export interface StoredPage {
  id: string;
  type: PageType;
  slug: string;
  title: string;
  intro: string;
  language: string;
  formId: string | null;
  published: boolean;
}

/** Lower-case letters and digits, inner hyphens, 1–64 characters: safe in a URL path as it is. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const MAX_TITLE = 200;
export const MAX_INTRO = 20_000;

export const pageUrl = (publicBaseUrl: string, slug: string) => `${publicBaseUrl.replace(/\/+$/, '')}/p/${slug}`;

export function toStored(r: PagesTable): StoredPage {
  return {
    id: r.id,
    type: r.type as PageType,
    slug: r.slug,
    title: r.title,
    intro: r.intro,
    language: r.language,
    formId: r.form_id,
    published: r.published === 1,
  };
}

export function toPage(r: PagesTable, publicBaseUrl: string, counts: Counts): Page {
  return {
    ...toStored(r),
    url: pageUrl(publicBaseUrl, r.slug),
    introHtml: renderMarkdown(r.intro),
    views: counts.views,
    submissions: counts.submissions,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
