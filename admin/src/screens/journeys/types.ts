import type { Goal, Tile, TileType, Trigger } from '../../../../src/modules/journeys/journeys.graph.ts';
import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

/**
 * The journeys API's types, from the server's OpenAPI document (schema.d.ts); the graph's tiles are
 * the server's own types (journeys.graph.ts, types only), which name each tile type's fields exactly.
 */
export type { Goal, Tile, TileType, Trigger };

type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
type Created<O> = O extends { responses: { 201: { content: { 'application/json': infer J } } } } ? J : never;
type Stored = Json<operations['getJourneysById']>['data'];

export type JourneyState = Stored['state'];
/** What a PATCH may ask of the state (nothing goes back to draft). */
export type StateChange = Exclude<JourneyState, 'draft'>;
export type RequiredConsent = Stored['requiredConsent'];
export type Reentry = Stored['reentry'];
/** A rule the graph breaks, on a tile (tileId) or on the journey as a whole (tileId null). */
export type Problem = Stored['problems'][number];
/** A journey, its tiles typed as the server's graph. */
export type Journey = Omit<Stored, 'tiles' | 'goal'> & { tiles: Tile[]; goal: Goal | null };
export type JourneyListed = Journey;
export type JourneyInput = Pick<Journey, 'name' | 'requiredConsent' | 'tiles' | 'goal' | 'reentry' | 'holdoutPercent'>;
export type Stats = Json<operations['getJourneysByIdStats']>['data'];
export type TileStats = Stats['tiles'][string];
export type Path = Json<operations['getJourneysByIdContactsByContactId']>['data'];
export type Step = Path['steps'][number];
export type ContactJourney = Json<operations['getContactsByIdJourneys']>['data'][number];
export type PositionStatus = 'active' | 'waiting' | 'done' | 'exited' | 'converted' | 'holdout';

/** A 400 `journey_invalid`'s details, and a 409 `journey_in_use`'s (the error envelope's details are not typed by route). */
export interface InvalidDetail {
  path?: string;
  tileId: string | null;
  code: string;
  message: string;
}
export interface InUseDetail {
  tileId: string;
  contacts: number;
}

const asJourney = (j: Stored): Journey => j as unknown as Journey;
/** The body as the schema types it (its tile union is TypeBox's; the graph's types say the same more exactly). */
type Body = operations['postJourneys']['requestBody'] extends { content: { 'application/json': infer B } } ? B : never;
const asBody = <T>(b: T) => b as unknown as Body;
const path = (id: string) => ({ params: { path: { id } } });

/** Answers 404 as null: a contact that never entered a journey has no path in it. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

export const journeysApi = {
  /** A page of the listing; `page.next` is the next page's cursor. */
  list: async (cursor: string | null) => {
    const r = await call(api.GET('/api/v1/journeys', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
    return { ...r, data: r.data.map(asJourney) };
  },
  journey: async (id: string) => asJourney((await call(api.GET('/api/v1/journeys/{id}', path(id)))).data),
  create: async (body: JourneyInput) =>
    asJourney(((await call(api.POST('/api/v1/journeys', { body: asBody(body) }))) as Created<operations['postJourneys']>).data),
  update: async (id: string, body: Partial<JourneyInput> & { state?: StateChange }) =>
    asJourney((await call(api.PATCH('/api/v1/journeys/{id}', { ...path(id), body: asBody(body) }))).data),
  remove: (id: string) => call(api.DELETE('/api/v1/journeys/{id}', path(id))),
  stats: async (id: string) => (await call(api.GET('/api/v1/journeys/{id}/stats', path(id)))).data,
  path: async (id: string, contactId: string) =>
    orNull(call(api.GET('/api/v1/journeys/{id}/contacts/{contactId}', { params: { path: { id, contactId } } })).then((r) => r.data)),
  ofContact: async (contactId: string) => (await call(api.GET('/api/v1/contacts/{id}/journeys', path(contactId)))).data,
};
