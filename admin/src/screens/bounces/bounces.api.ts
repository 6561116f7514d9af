import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
export type Bounce = Json<operations['getBounces']>['data'][number];
export type Undeliverable = Json<operations['getUndeliverable']>['data'][number];

/** The bounce routes; the search text and the address travel in the query and body the API asks for, never in the console's URL. */
export const bouncesApi = {
  bounces: (query: { kind?: Bounce['kind']; cursor?: string; limit?: number }) => call(api.GET('/api/v1/bounces', { params: { query } })),
  undeliverable: (query: { q?: string; cursor?: string; limit?: number }) => call(api.GET('/api/v1/undeliverable', { params: { query } })),
  clear: async (email: string) => (await call(api.POST('/api/v1/undeliverable/clear', { body: { email } }))).data,
};
