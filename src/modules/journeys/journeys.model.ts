import type { Goal, Graph, Tile } from './journeys.graph.ts';
import type { JourneysTable } from './journeys.table.ts';

export type JourneyState = 'draft' | 'live' | 'paused' | 'stopped';
export type Reentry = { policy: 'once' } | { policy: 'again'; after: string };

/** A problem that keeps a journey from going live; `tileId` null for the journey as a whole. */
export interface Problem {
  tileId: string | null;
  code: ProblemCode;
  message: string;
}

export type ProblemCode =
  | 'no_start'
  | 'several_starts'
  | 'duplicate_id'
  | 'unknown_next'
  | 'missing_next'
  | 'unreachable'
  | 'cycle_without_wait'
  | 'needs_more_consent'
  | 'message_wrong_purpose'
  | 'unknown_message'
  | 'unknown_segment'
  | 'unknown_form'
  | 'unknown_event'
  | 'unknown_list'
  | 'unknown_field'
  | 'bad_duration'
  | 'split_not_100'
  | 'end_missing'
  | 'unknown_purpose'
  | 'bad_condition';

/** What staff write (POST body; a PATCH gives any of it). */
export interface JourneyInput {
  name: string;
  requiredConsent: number | string;
  tiles: Tile[];
  goal?: Goal | null;
  reentry?: Reentry;
  holdoutPercent?: number;
}

/** Anonymous totals for a listing: contacts in it now, entries ended, exited and converted. */
export interface JourneyCounts {
  inJourney: number;
  done: number;
  exited: number;
  converted: number;
}

/** A journey as the API shows it. */
export interface Journey {
  id: string;
  name: string;
  state: JourneyState;
  requiredConsent: number | string;
  tiles: Tile[];
  goal: Goal | null;
  reentry: Reentry;
  holdoutPercent: number;
  version: number;
  problems: Problem[];
  counts: JourneyCounts;
  createdAt: string;
  updatedAt: string;
  liveAt: string | null;
  stoppedAt: string | null;
}

/** A journey's definition as stored (the row without its bookkeeping), what the validator and the engine read. */
export interface JourneyDefinition {
  name: string;
  requiredLevel: number | null;
  requiredPurpose: string | null;
  tiles: Tile[];
  goal: Goal | null;
  reentry: Reentry;
  holdoutPercent: number;
}

export const requiredConsentOf = (d: Pick<JourneyDefinition, 'requiredLevel' | 'requiredPurpose'>): number | string =>
  d.requiredLevel ?? d.requiredPurpose ?? 0;

/** The stored graph, read defensively: a row is ours, but a graph that does not parse is no graph rather than a 500 everywhere. */
export function graphOf(row: Pick<JourneysTable, 'graph'>): Graph {
  try {
    const g = JSON.parse(row.graph) as Partial<Graph> | null;
    return { tiles: Array.isArray(g?.tiles) ? g.tiles : [] };
  } catch {
    return { tiles: [] };
  }
}

export function definitionOf(row: JourneysTable): JourneyDefinition {
  return {
    name: row.name,
    requiredLevel: row.required_level,
    requiredPurpose: row.required_purpose,
    tiles: graphOf(row).tiles,
    goal: row.goal === null ? null : (JSON.parse(row.goal) as Goal),
    reentry: row.reentry_after === null ? { policy: 'once' } : { policy: 'again', after: row.reentry_after },
    holdoutPercent: row.holdout_percent,
  };
}

/** The definition written by staff, merged over the stored one (a PATCH gives any field). */
export function merged(current: JourneyDefinition, patch: Partial<JourneyInput>): JourneyDefinition {
  const req = patch.requiredConsent;
  return {
    name: patch.name ?? current.name,
    requiredLevel: req === undefined ? current.requiredLevel : typeof req === 'number' ? req : null,
    requiredPurpose: req === undefined ? current.requiredPurpose : typeof req === 'string' ? req : null,
    tiles: patch.tiles ?? current.tiles,
    goal: patch.goal === undefined ? current.goal : patch.goal,
    reentry: patch.reentry ?? current.reentry,
    holdoutPercent: patch.holdoutPercent ?? current.holdoutPercent,
  };
}

/** The columns a definition is stored in. */
export function definitionColumns(d: JourneyDefinition) {
  return {
    name: d.name,
    required_level: d.requiredLevel,
    required_purpose: d.requiredPurpose,
    graph: JSON.stringify({ tiles: d.tiles }),
    goal: d.goal === null ? null : JSON.stringify(d.goal),
    reentry_after: d.reentry.policy === 'again' ? d.reentry.after : null,
    holdout_percent: d.holdoutPercent,
  };
}

export function toJourney(row: JourneysTable, problems: Problem[], counts: JourneyCounts): Journey {
  const d = definitionOf(row);
  return {
    id: row.id,
    name: d.name,
    state: row.state as JourneyState,
    requiredConsent: requiredConsentOf(d),
    tiles: d.tiles,
    goal: d.goal,
    reentry: d.reentry,
    holdoutPercent: d.holdoutPercent,
    version: row.version,
    problems,
    counts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    liveAt: row.live_at,
    stoppedAt: row.stopped_at,
  };
}
