import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';
import { type Counts, loose } from '../pages/types';

export type { Counts };

type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
export type Form = Json<operations['getFormsById']>['data'];
export type FormField = Form['fields'][number];
export type FormInput = { name: string; doubleOptIn: boolean; allowedOrigins: string[]; fields: FormField[] };
export type CustomField = Json<operations['getContactFields']>['data'][number];

/** What to paste into another site: a plain HTML form, or an iframe of Assent's page showing only the form. */
export interface Embed {
  html: string;
  iframe: string;
  frameUrl: string;
}

/**
 * The forms routes. Counts and embed come with the pages API (u1, issue 15): until the schema has
 * them they go through the untyped client, and a 404 (no such route yet) reads as "not available".
 */
export const formsApi = {
  list: (query: { cursor?: string; limit?: number }) => call(api.GET('/api/v1/forms', { params: { query } })),
  form: async (id: string) => (await call(api.GET('/api/v1/forms/{id}', { params: { path: { id } } }))).data,
  create: async (body: FormInput) => (await call(api.POST('/api/v1/forms', { body }))).data,
  update: async (id: string, body: FormInput) => (await call(api.PATCH('/api/v1/forms/{id}', { params: { path: { id } }, body }))).data,
  remove: (id: string) => call(api.DELETE('/api/v1/forms/{id}', { params: { path: { id } } })),
  counts: (id: string) => loose.get<Counts>(`/api/v1/forms/${encodeURIComponent(id)}/counts`),
  embed: (id: string) => loose.get<Embed>(`/api/v1/forms/${encodeURIComponent(id)}/embed`),
  customFields: async () => (await call(api.GET('/api/v1/contact-fields'))).data,
  lists: async () => (await call(api.GET('/api/v1/lists', { params: { query: { limit: 500 } } }))).data,
};
