import { AppError } from '../../lib/errors.ts';
import { httpUrl, identifierMarker, refOfUrl } from './interactions.ref.ts';
import type { InteractionStatsTable, InteractionsTable } from './interactions.table.ts';

export const INTERACTION_TYPES = [
  'email_sent',
  'email_delivered',
  'email_opened',
  'email_clicked',
  'email_bounced',
  'page_visited',
  'form_submitted',
  'journey_entered',
  'journey_exited',
  'custom',
] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/**
 * Behaviour is profiling (PRODUCT.md §1, level 5): stored per contact only where the gate
 * allows it. Custom events join this set unless the caller marks them `behavioural: false`.
 */
const BEHAVIOURAL: ReadonlySet<string> = new Set(['email_opened', 'email_clicked', 'page_visited']);

/** Which reference says what an event of each type acted on; custom events use their name. */
const REF_FIELD: Record<Exclude<InteractionType, 'custom'>, 'messageId' | 'pageId' | 'journeyId'> = {
  email_sent: 'messageId',
  email_delivered: 'messageId',
  email_opened: 'messageId',
  email_clicked: 'messageId',
  email_bounced: 'messageId',
  page_visited: 'pageId',
  // A form is submitted on a page; the page is what reports group by.
  form_submitted: 'pageId',
  journey_entered: 'journeyId',
  journey_exited: 'journeyId',
};

export const MAX_BATCH = 10_000;
export const MAX_URL = 2000;
export const MAX_PROPERTIES_BYTES = 2048;
/** The properties object is level 1; an object or array inside it level 2, and so on. */
export const MAX_PROPERTIES_DEPTH = 3;
export const CUSTOM_NAME = '^[a-z][a-z0-9_.-]{0,63}$';
const CUSTOM_NAME_RE = new RegExp(CUSTOM_NAME);
/** Clients' clocks run ahead a little; further ahead is a bug, not an event. */
const MAX_FUTURE_MS = 5 * 60_000;
const EARLIEST = Date.UTC(2000, 0, 1);
/** Campaign attribution is the one part of a query string worth keeping per contact. */
const CAMPAIGN_PARAMS = new Set(['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);

/** One event as callers send it. */
export interface EventInput {
  type: InteractionType;
  /** The contact, or instead its `email` (resolved by address key in the batch). */
  contactId?: string;
  email?: string;
  /** ISO-8601 date-time with an offset; defaults to the time of ingest. */
  at?: string;
  messageId?: string;
  journeyId?: string;
  pageId?: string;
  url?: string;
  /** Custom events only, and required for them. */
  name?: string;
  /** Custom events only; unclassified events count as behaviour (privacy by default). */
  behavioural?: boolean;
  properties?: Record<string, unknown>;
}

/** An event checked and turned into what gets written: its row values and its counter key. */
export interface PreparedEvent {
  row: Omit<InteractionsTable, 'id'>;
  behavioural: boolean;
  day: string;
  statRef: string;
}

export interface Interaction {
  id: string;
  contactId: string;
  type: string;
  name: string | null;
  ref: string | null;
  messageId: string | null;
  journeyId: string | null;
  pageId: string | null;
  url: string | null;
  properties: Record<string, unknown> | null;
  at: string;
}

export interface StatRow {
  day: string;
  type: string;
  ref: string;
  count: number;
}

/** A problem with one event: its place inside the event and why. */
export class EventProblem {
  constructor(
    readonly path: string,
    readonly message: string,
  ) {}
}

/** The error for a batch with a bad event: `details.index` names it, `details.path` the field inside it. */
export function invalidEvent(index: number, p: EventProblem): AppError {
  return new AppError('validation_failed', `event ${index} is invalid: ${p.path.slice(1) || 'event'} ${p.message}`, {
    index,
    path: p.path,
    message: p.message,
  });
}

const isBehavioural = (e: Pick<EventInput, 'type' | 'behavioural'>): boolean =>
  BEHAVIOURAL.has(e.type) || (e.type === 'custom' && e.behavioural !== false);

/**
 * A URL as kept per contact (no credentials, no fragment, only campaign parameters: the rest
 * of a query string often carries addresses or tokens) and without any query (`base`; the
 * counters' reference is derived from it by `refOfUrl`).
 */
export function cleanUrl(raw: string): { kept: string; base: string } | null {
  if (raw.length > MAX_URL) return null;
  const u = httpUrl(raw);
  if (!u) return null;
  const base = u.origin + u.pathname;
  const kept = new URLSearchParams();
  for (const [k, v] of u.searchParams) if (CAMPAIGN_PARAMS.has(k)) kept.append(k, v);
  const query = kept.toString();
  return { base, kept: query ? `${base}?${query}` : base };
}

const AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/i;

/** Milliseconds since the epoch of an RFC 3339 date-time, or null when it names no real instant. */
function parseAt(s: string): number | null {
  const m = AT.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || sec > 59) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset;
}

function depthOf(v: unknown, level: number): number {
  if (v === null || typeof v !== 'object') return level - 1;
  let max = level;
  for (const x of Array.isArray(v) ? v : Object.values(v)) max = Math.max(max, depthOf(x, level + 1));
  return max;
}

/** The stored JSON of an event's properties, or a problem; an empty object is stored as none. */
function serialiseProperties(p: Record<string, unknown> | undefined): string | null | EventProblem {
  if (p === undefined) return null;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return new EventProblem('/properties', 'must be an object');
  const text = JSON.stringify(p);
  if (Buffer.byteLength(text) > MAX_PROPERTIES_BYTES)
    return new EventProblem('/properties', `at most ${MAX_PROPERTIES_BYTES} bytes as JSON`);
  if (depthOf(p, 1) > MAX_PROPERTIES_DEPTH) return new EventProblem('/properties', `nested at most ${MAX_PROPERTIES_DEPTH} levels deep`);
  return text === '{}' ? null : text;
}

/** Checks what a schema cannot (cross-field rules, URL, time window, size) and builds the row. */
export function prepareEvent(e: EventInput & { contactId: string }, now: number): PreparedEvent | EventProblem {
  const custom = e.type === 'custom';
  if (custom && e.name === undefined) return new EventProblem('/name', 'a custom event needs a name');
  if (!custom && e.name !== undefined) return new EventProblem('/name', 'only custom events have a name');
  if (!custom && e.behavioural !== undefined) return new EventProblem('/behavioural', 'only custom events are classified by the caller');
  if (custom && !CUSTOM_NAME_RE.test(e.name!))
    return new EventProblem('/name', 'lower-case letters, digits, _ . - (at most 64), starting with a letter');
  // The name is counted anonymously and kept after every erasure: it names a kind of event, never someone.
  if (custom && identifierMarker(e.name!))
    return new EventProblem('/name', 'names a kind of event: no long numbers, ids or tokens (put those in properties)');

  let atMs = now;
  if (e.at !== undefined) {
    const parsed = parseAt(e.at);
    if (parsed === null) return new EventProblem('/at', 'an ISO-8601 date-time with an offset, such as 2026-01-15T09:00:00Z');
    if (parsed < EARLIEST) return new EventProblem('/at', 'before 2000');
    if (parsed > now + MAX_FUTURE_MS) return new EventProblem('/at', 'in the future');
    atMs = parsed;
  }

  let url: { kept: string; base: string } | null = null;
  if (e.url !== undefined) {
    url = cleanUrl(e.url);
    if (!url) return new EventProblem('/url', `an absolute http(s) URL of at most ${MAX_URL} characters`);
  }

  const properties = serialiseProperties(e.properties);
  if (properties instanceof EventProblem) return properties;

  const ref = e.type === 'custom' ? e.name! : (e[REF_FIELD[e.type]] ?? (url ? refOfUrl(url.base) : null));
  const at = new Date(atMs).toISOString();
  return {
    row: {
      contact_id: e.contactId,
      type: e.type,
      name: custom ? e.name! : null,
      ref,
      message_id: e.messageId ?? null,
      journey_id: e.journeyId ?? null,
      page_id: e.pageId ?? null,
      url: url?.kept ?? null,
      properties,
      at,
    },
    behavioural: isBehavioural(e),
    day: at.slice(0, 10),
    // The counters' key column cannot be null.
    statRef: ref ?? '',
  };
}

/** Counts per (day, type, ref), sorted so concurrent upserts take row locks in one order. */
export function countEvents(events: PreparedEvent[]): InteractionStatsTable[] {
  const counts = new Map<string, InteractionStatsTable>();
  for (const e of events) {
    const key = `${e.day}\u0000${e.row.type}\u0000${e.statRef}`;
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { day: e.day, type: e.row.type, ref: e.statRef, count: 1 });
  }
  return [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

export function toInteraction(r: InteractionsTable): Interaction {
  return {
    id: r.id,
    contactId: r.contact_id,
    type: r.type,
    name: r.name,
    ref: r.ref,
    messageId: r.message_id,
    journeyId: r.journey_id,
    pageId: r.page_id,
    url: r.url,
    properties: r.properties === null ? null : (JSON.parse(r.properties) as Record<string, unknown>),
    at: r.at,
  };
}
