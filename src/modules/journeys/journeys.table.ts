/** A journey: its graph and settings. Configuration, no person's data. */
export interface JourneysTable {
  id: string;
  name: string;
  /** `draft`, `live`, `paused` or `stopped`. */
  state: string;
  /** The requirement as a level (0–5), or null when a purpose names it. */
  required_level: number | null;
  /** The requirement as a purpose (its level from the settings in force), or null when a level names it. */
  required_purpose: string | null;
  /** JSON: the tiles (journeys.model.ts). Configuration only: ids, names of messages, durations; never a person's value. */
  graph: string;
  /** JSON or null: the goal, `{"segmentId"}` or `{"event"}`. */
  goal: string | null;
  /** Null: a contact enters once. An ISO-8601 duration: again, that long after its last entry ended. */
  reentry_after: string | null;
  /** Share (0–50 %) of the contacts who would enter that never do, stable per contact: the holdout for measuring lift. */
  holdout_percent: number;
  /** Bumped at every change of the graph. */
  version: number;
  created_at: string;
  updated_at: string;
  /** When it first went live. */
  live_at: string | null;
  stopped_at: string | null;
}

/**
 * Where a contact is in a journey: one row per (journey, contact), re-used by a re-entry
 * (`entry` counts). Waits are timestamps (`due_at`), so a restart loses none.
 */
export interface JourneyPositionsTable {
  journey_id: string;
  contact_id: string;
  /** 1 for the first entry, counted up by each re-entry. */
  entry: number;
  /** `active` (its tile is due at due_at), `waiting` (a wait or wait-for-event until due_at), `done`, `exited`, `converted`, `holdout`. */
  status: string;
  /** The tile it runs next (active, waiting), or the tile where it ended. */
  tile_id: string;
  /** Steps taken in this entry: with the journey, contact, entry and tile, the key of its next step. */
  visit: number;
  /** When its tile is due; null once it ended. */
  due_at: string | null;
  /** The event type a wait-for-event tile waits for; null otherwise. */
  wait_event: string | null;
  entered_at: string;
  updated_at: string;
  /** Why it exited (a gate reason, `goal`, `stopped`, …); null while in the journey or when it ended normally. */
  exit_reason: string | null;
  ended_at: string | null;
}

/**
 * A contact's path: one row per step taken, keyed by (journey, contact, entry, visit), so a step is recorded once whatever runs it twice.
 */
export interface JourneyStepsTable {
  journey_id: string;
  contact_id: string;
  entry: number;
  visit: number;
  tile_id: string;
  /** `done`, `waiting`, `exited`, `converted`, `yes`/`no` (a condition), `branch:<n>` (a split), `event`/`timeout` (wait-for-event). */
  outcome: string;
  /** The exit's reason (a gate reason, `goal`, …), or null. */
  reason: string | null;
  at: string;
}

/** Anonymous counts per journey and tile (`''` for the journey itself): they survive erasure. */
export interface JourneyCountersTable {
  journey_id: string;
  tile_id: string;
  /** `entered`, `done`, `exited:<reason>`, `converted`, `holdout`, `not_entered:<reason>`, `yes`, `no`, `branch:<n>`, … */
  counter: string;
  n: number;
}

/** Work for a user that a task tile made: follow a lead up, look at a person's request. */
export interface JourneyTasksTable {
  id: string;
  /** The journey and tile that made it; null for a task an event made (a lead became sales-ready). */
  journey_id: string | null;
  tile_id: string | null;
  contact_id: string;
  /** The role whose members see the task (`marketer`, `privacy_officer`, `admin`, `viewer`); null for one user's task. */
  assignee_role: string | null;
  /** The one user whose task it is (a lead's owner), besides the role's members; null when only the role's. */
  assignee_user_id: string | null;
  /** The lead it is about, when it is about one. */
  lead_id: string | null;
  /** What made it, once (`lead.sales_ready:<leadId>:<modelId>`): unique, so a redelivered event makes no second task. */
  source_key: string | null;
  /** The tile's title, typed by staff: free text. */
  title: string;
  /** `open` or `done`. */
  status: string;
  created_at: string;
  done_at: string | null;
}
