import { ApiFailure, api, call } from '../../api/client';

/**
 * The pages API's types, declared here from /work/specs/u-contract.md until the server's OpenAPI
 * document (admin/src/api/schema.d.ts) has them: then these become `operations[...]` types, as
 * every other screen's are, and `loose` goes.
 */
export type PageType = 'landing' | 'subscription_center' | 'forward' | 'data_request';

export interface PageInput {
  type: PageType;
  slug: string;
  title: string;
  intro: string;
  language: string;
  formId: string | null;
  published: boolean;
}

export interface SavedPage extends PageInput {
  id: string;
  /** Absolute: the installation's public base URL and `/p/{slug}`. */
  url: string;
  introHtml: string;
  views: number;
  submissions: number;
  createdAt: string;
  updatedAt: string;
}

/** Views and submissions per day, last 30 days newest first: anonymous counters (no person's data). */
export interface Counts {
  total: { views: number; submissions: number };
  days: { day: string; views: number; submissions: number }[];
}

type Answer = { data?: unknown; error?: unknown; response: Response };
type Init = { body?: unknown; params?: { query?: Record<string, string | number> } };
type Method = (path: string, init?: Init) => Promise<Answer>;

/** The typed client without its types: for routes the schema does not name yet (the 401 hook still applies). */
const untyped = api as unknown as { GET: Method; POST: Method; PATCH: Method; DELETE: Method };

export const loose = {
  /** `{data}` of a GET, or null when the route answers 404 (not on this server yet, or nothing there). */
  get: async <T>(path: string): Promise<T | null> => {
    try {
      return ((await call(untyped.GET(path))) as { data: T }).data;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) return null;
      throw e;
    }
  },
  send: async <T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const r = (await call(untyped[method](path, body === undefined ? undefined : { body }))) as { data: T } | undefined;
    return r?.data as T;
  },
};

const at = (id: string) => `/api/v1/pages/${encodeURIComponent(id)}`;

export const pagesApi = {
  /** A page of the listing; `page` (next cursor, total) when the server pages it as it pages forms. */
  list: async (cursor: string | null) =>
    (await call(untyped.GET('/api/v1/pages', cursor ? { params: { query: { cursor } } } : undefined))) as {
      data: SavedPage[];
      page?: { next: string | null; total: number; totalIsEstimate?: boolean };
    },
  page: (id: string) => loose.send<SavedPage>('GET', at(id)),
  create: (body: PageInput) => loose.send<SavedPage>('POST', '/api/v1/pages', body),
  update: (id: string, body: Partial<PageInput>) => loose.send<SavedPage>('PATCH', at(id), body),
  remove: (id: string) => loose.send<void>('DELETE', at(id)),
  preview: (body: PageInput) => loose.send<{ html: string }>('POST', '/api/v1/pages/preview', body),
  counts: (id: string) => loose.get<Counts>(`${at(id)}/counts`),
};
