import type { Goal, Tile, TileType, Trigger } from '../../../../src/modules/journeys/journeys.graph.ts';
import { api, call } from '../../api/client';
import { loose } from '../pages/types';

/**
 * The journeys API's types, declared here from /work/specs/journeys-contract.md until the server's
 * OpenAPI document (admin/src/api/schema.d.ts) has them: then these become `operations[...]` types,
 * as every other screen's are. The graph's own types are the server's (journeys.graph.ts, types only).
 */
export type { Goal, Tile, TileType, Trigger };

export type JourneyState = 'draft' | 'live' | 'paused' | 'stopped';

/** A level 0–5, or a purpose's name from the settings (`marketing`, `profiling`, …). */
export type RequiredConsent = number | string;

export type Reentry = { policy: 'once' } | { policy: 'again'; after: string };

/** A rule the graph breaks, on a tile (tileId) or on the journey as a whole (tileId null). */
export interface Problem {
  tileId: string | null;
  code: string;
  message: string;
}

export interface JourneyInput {
  name: string;
  requiredConsent: RequiredConsent;
  tiles: Tile[];
  goal: Goal | null;
  reentry: Reentry;
  holdoutPercent: number;
}

export interface Journey extends JourneyInput {
  id: string;
  state: JourneyState;
  version: number;
  problems: Problem[];
  createdAt: string;
  updatedAt: string;
  liveAt: string | null;
  stoppedAt: string | null;
}

/** In the listing: the journey with its counts (contacts in it now, done, exited, converted). */
export interface JourneyListed extends Journey {
  counts?: { inJourney: number; done: number; exited: number; converted: number };
}

export interface TileStats {
  entered: number;
  done: number;
  waiting: number;
  exited: Record<string, number>;
  outcomes: Record<string, number>;
}

/** Anonymous counters (they survive erasure); `waiting` and `inJourney` are counted from the positions now. */
export interface Stats {
  entered: number;
  holdout: number;
  converted: number;
  done: number;
  notEntered: Record<string, number>;
  exited: Record<string, number>;
  inJourney: number;
  tiles: Record<string, TileStats>;
}

export type PositionStatus = 'active' | 'waiting' | 'done' | 'exited' | 'converted' | 'holdout';

/** One of a contact's journeys (its page's section). */
export interface ContactJourney {
  journeyId: string;
  name: string;
  status: PositionStatus;
  tileId: string;
  entry: number;
  exitReason: string | null;
  enteredAt: string;
  endedAt: string | null;
}

export interface Step {
  entry: number;
  visit: number;
  tileId: string;
  /** The tile's type in the graph now; null if the tile was removed since. */
  tileType: TileType | null;
  outcome: string;
  reason: string | null;
  at: string;
}

/** A contact's path through one journey: where it is, and each step taken. */
export interface Path {
  journeyId: string;
  contactId: string;
  entry: number;
  status: PositionStatus;
  tileId: string;
  dueAt: string | null;
  exitReason: string | null;
  enteredAt: string;
  endedAt: string | null;
  steps: Step[];
}

/** A 400 `journey_invalid`'s details, and a 409 `journey_in_use`'s. */
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

type ListRoute = (
  path: string,
  init: { params: { query: Record<string, string | number> } },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
/** The typed client's GET without its types, for a route the schema does not name yet (the 401 hook still applies). */
const listRoute: ListRoute = (path, init) => (api as unknown as { GET: ListRoute }).GET(path, init);

const at = (id: string) => `/api/v1/journeys/${encodeURIComponent(id)}`;

export const journeysApi = {
  /** A page of the listing; `page.next` is the next page's cursor. */
  list: async (cursor: string | null) =>
    (await call(listRoute('/api/v1/journeys', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }))) as {
      data: JourneyListed[];
      page?: { next: string | null; total?: number };
    },
  journey: (id: string) => loose.send<Journey>('GET', at(id)),
  create: (body: JourneyInput) => loose.send<Journey>('POST', '/api/v1/journeys', body),
  update: (id: string, body: Partial<JourneyInput> & { state?: JourneyState }) => loose.send<Journey>('PATCH', at(id), body),
  remove: (id: string) => loose.send<void>('DELETE', at(id)),
  stats: (id: string) => loose.get<Stats>(`${at(id)}/stats`),
  path: (id: string, contactId: string) => loose.get<Path>(`${at(id)}/contacts/${encodeURIComponent(contactId)}`),
  ofContact: (contactId: string) => loose.get<ContactJourney[]>(`/api/v1/contacts/${encodeURIComponent(contactId)}/journeys`),
};
