/**
 * A journey's graph as stored (journeys.graph, JSON) and as the API takes it: `tiles`, each with
 * an id unique in the journey and a type; each names its successor(s) by id. The start tile is
 * the one of type `start`. Types only here: the API's schema is journeys.schemas.ts, the rules a
 * graph must keep are journeys.validate.ts, the engine that runs it is journeys.engine.ts.
 */

/**
 * How contacts come in: members of a segment (when it goes live, and optionally those who join
 * later), a form's submissions, an event of a type, or the API.
 */
export type Trigger = { segmentId: string; joinLater?: boolean } | { formId: string } | { event: string } | { manual: true };

interface TileBase {
  /** 1–40 characters of `[A-Za-z0-9_-]`, unique in the journey. */
  id: string;
  /** A name staff give the tile in the designer (free text, optional). */
  title?: string;
  /** Where the designer draws it; the engine ignores it. */
  position?: { x: number; y: number };
}

export interface StartTile extends TileBase {
  type: 'start';
  trigger: Trigger;
  next?: string;
}
export interface EmailTile extends TileBase {
  type: 'email';
  messageId: string;
  next?: string;
}
/** Waits `duration` (ISO-8601: `PT2S`, `P3D`), or `until` a time of day (`HH:MM`) or a date-time, in the installation's time zone. */
export interface WaitTile extends TileBase {
  type: 'wait';
  duration?: string;
  until?: string;
  next?: string;
}
/** Waits for an event of a type about the contact; `next` when it comes, `timeoutNext` when `timeout` passes first. */
export interface WaitEventTile extends TileBase {
  type: 'wait_event';
  event: string;
  timeout: string;
  next?: string;
  timeoutNext?: string;
}
/**
 * A segment filter on the contact (`filter`, the segments module's tree) or "did X since entering" (`did`: an interaction type, optionally
 * a ref).
 */
export interface ConditionTile extends TileBase {
  type: 'condition';
  filter?: unknown;
  did?: { type: string; ref?: string };
  yes?: string;
  no?: string;
}
/** A/B: percentages summing to 100, stable per contact. */
export interface SplitTile extends TileBase {
  type: 'split';
  branches: { percent: number; next?: string }[];
}
/** Sets one field of the contact (a standard or custom field; never consent, which only the person changes). */
export interface UpdateContactTile extends TileBase {
  type: 'update_contact';
  field: string;
  value: string | number | boolean | null;
  next?: string;
}
export interface ListTile extends TileBase {
  type: 'list';
  action: 'join' | 'leave';
  listId: string;
  next?: string;
}
/** A task for the members of a role (the sales follow-up, the privacy team's look). */
export interface TaskTile extends TileBase {
  type: 'task';
  role: 'admin' | 'marketer' | 'privacy_officer' | 'viewer';
  next?: string;
}
export interface EndTile extends TileBase {
  type: 'end';
}

export type Tile =
  | StartTile
  | EmailTile
  | WaitTile
  | WaitEventTile
  | ConditionTile
  | SplitTile
  | UpdateContactTile
  | ListTile
  | TaskTile
  | EndTile;
export type TileType = Tile['type'];

export interface Graph {
  tiles: Tile[];
}

/** A goal ends the journey for a contact from any tile when met, counted as a conversion. */
export type Goal = { segmentId: string } | { event: string };

/** Every tile a tile may go to next, in order (a condition's yes then no, a split's branches, a wait-for-event's event then timeout). */
export function successors(t: Tile): string[] {
  return outputs(t).flatMap((o) => (o.next === undefined ? [] : [o.next]));
}

/**
 * A tile's outputs, by name (`next`, `yes`, `no`, `timeoutNext`, `branches/<i>`), each with the tile it leads to or none yet (a draft's).
 */
export function outputs(t: Tile): { output: string; next: string | undefined }[] {
  switch (t.type) {
    case 'end':
      return [];
    case 'condition':
      return [
        { output: 'yes', next: t.yes },
        { output: 'no', next: t.no },
      ];
    case 'split':
      return t.branches.map((b, i) => ({ output: `branches/${i}`, next: b.next }));
    case 'wait_event':
      return [
        { output: 'next', next: t.next },
        { output: 'timeoutNext', next: t.timeoutNext },
      ];
    default:
      return [{ output: 'next', next: t.next }];
  }
}

/** Tiles where a contact stays for a while (a cycle must pass one, and a live edit must keep those holding contacts). */
export function isWaiting(t: Tile): t is WaitTile | WaitEventTile {
  return t.type === 'wait' || t.type === 'wait_event';
}
