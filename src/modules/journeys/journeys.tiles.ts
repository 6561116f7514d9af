import { createHash } from 'node:crypto';
import type { RawBuilder, SqlBool, Transaction } from 'kysely';
import { parseDuration } from '../../lib/duration.ts';
import { newId } from '../../lib/ids.ts';
import { firstInstantAtOrAfter, isTimeZone, wallMs, wallTime } from '../../lib/time-zones.ts';
import type { ChangeContext } from '../consent/module.ts';
import type { ContactInput, ContactsService } from '../contacts/module.ts';
import type { Database } from '../database.ts';
import type { SendService } from '../email/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { Tile } from './journeys.graph.ts';
import { didSinceEntering, insertTasks, matching } from './journeys.engine.queries.ts';

/**
 * What each tile type does, for a group of contacts at once (journeys.engine.ts groups them):
 * `decide` says where each goes (a condition's yes or no, a split's branch, a wait's due time)
 * before any step is recorded, and `act` does the tile's work for the contacts whose step was
 * recorded by this run (an email's send rows and batch jobs, list changes, tasks, field
 * changes), in the run's transaction. One query or statement per group, never one per contact,
 * except update_contact, which goes through the contacts service (ledger, events) per contact.
 */

/** Everything a tile needs that is read before the run's transaction (on SQLite nothing may be read beside it). */
export interface Prepared {
  /** Compiled condition filters, by tile id. */
  filters: Map<string, RawBuilder<SqlBool>>;
  /** The goal segment's members as a predicate, or null (no segment goal, or its segment is gone). */
  goal: RawBuilder<SqlBool> | null;
  /** Lists the list tiles name that exist. */
  lists: Set<string>;
  /** The contacts service's context, when an update_contact tile exists. */
  contactCtx: Awaited<ReturnType<ContactsService['context']>> | null;
}

export interface TileDeps {
  sends: Pick<SendService, 'queueInTransaction'>;
  lists: Pick<ListsService, 'joinMany' | 'leaveMany'>;
  contacts: Pick<ContactsService, 'updateIn'>;
}

export interface TileRun {
  trx: Transaction<Database>;
  journeyId: string;
  now: Date;
  timeZone: string;
  prepared: Prepared;
  deps: TileDeps;
}

/** Where a contact goes from a tile: the outcome recorded on its step, and the next tile or a wait. */
export type Decision =
  | { outcome: string; next: string }
  | { outcome: 'done'; end: true }
  | { outcome: 'waiting'; until: Date; waitEvent: string | null }
  | { outcome: 'exited' | 'converted'; reason: string };

/** A number 0 ≤ n < 10,000 from a hash of the parts: stable per contact, no Math.random. */
export function stableBucket(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) % 10_000;
}

/** In the holdout: a stable share of `percent` % of the contacts. */
export const inHoldout = (journeyId: string, contactId: string, percent: number) =>
  percent > 0 && stableBucket('holdout', journeyId, contactId) < percent * 100;

/** The branch a split sends a contact down: its bucket in the percentages' running sum. */
export function splitBranch(journeyId: string, tileId: string, contactId: string, percents: readonly number[]): number {
  const b = stableBucket('split', journeyId, tileId, contactId);
  let sum = 0;
  for (let i = 0; i < percents.length; i++) {
    sum += percents[i]! * 100;
    if (b < sum) return i;
  }
  return percents.length - 1;
}

/** `at` plus an ISO-8601 duration, months and years in calendar terms (UTC), the rest exactly. */
export function addDuration(at: Date, iso: string): Date | null {
  const d = parseDuration(iso);
  if (!d) return null;
  const t = new Date(at.getTime());
  if (d.years || d.months) {
    const months = t.getUTCMonth() + d.months + 12 * d.years;
    const year = t.getUTCFullYear() + Math.floor(months / 12);
    const month = ((months % 12) + 12) % 12;
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    t.setUTCFullYear(year, month, Math.min(t.getUTCDate(), last));
  }
  return new Date(t.getTime() + ((d.weeks * 7 + d.days) * 86_400 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000);
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * When a wait tile ends for a contact arriving `now`: `duration` after now, or `until` a time of
 * day (its next occurrence after now) or a date-time, read in the installation's time zone
 * unless it names its own offset. A time already past ends the wait at once.
 */
export function waitUntil(tile: { duration?: string; until?: string }, now: Date, zone: string): Date {
  const tz = isTimeZone(zone) ? zone : 'UTC';
  if (tile.duration) return addDuration(now, tile.duration) ?? now;
  const until = tile.until ?? '';
  const tod = TIME_OF_DAY.exec(until);
  if (tod) {
    const w = wallTime(tz, now);
    const minutes = Number(tod[1]) * 60 + Number(tod[2]);
    for (let day = 0; day <= 2; day++) {
      const at = firstInstantAtOrAfter(tz, Date.UTC(w.year, w.month - 1, w.day + day) + minutes * 60_000);
      if (at.getTime() > now.getTime()) return at;
    }
    return now;
  }
  const local = LOCAL_DATE_TIME.exec(until);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    const wall = wallMs({ year: +y!, month: +mo!, day: +d!, hour: +(h ?? 0), minute: +(mi ?? 0), second: +(s ?? 0) });
    const at = firstInstantAtOrAfter(tz, wall);
    return at.getTime() > now.getTime() ? at : now;
  }
  const t = Date.parse(until);
  return Number.isFinite(t) && t > now.getTime() ? new Date(t) : now;
}

/** The contact fields an update_contact tile names by their API name; any other name is a custom field. */
const STANDARD_FIELDS = new Set(['email', 'firstName', 'lastName', 'phone', 'company', 'country', 'language', 'timeZone', 'birthDate']);

/** A contact at a tile: what the engine hands a tile. */
export interface AtTile {
  contactId: string;
}

/** Where each contact goes from `tile` (for those the gate and the goal let through). */
export async function decide(run: TileRun, tile: Tile, group: readonly AtTile[]): Promise<Map<string, Decision>> {
  const out = new Map<string, Decision>();
  const ids = group.map((g) => g.contactId);
  switch (tile.type) {
    case 'end':
      for (const id of ids) out.set(id, { outcome: 'done', end: true });
      break;
    case 'wait': {
      const until = waitUntil(tile, run.now, run.timeZone);
      for (const id of ids) out.set(id, { outcome: 'waiting', until, waitEvent: null });
      break;
    }
    case 'wait_event': {
      const until = addDuration(run.now, tile.timeout) ?? run.now;
      for (const id of ids) out.set(id, { outcome: 'waiting', until, waitEvent: tile.event });
      break;
    }
    case 'condition': {
      let yes: Set<string>;
      if (tile.did) yes = await didSinceEntering(run.trx, run.journeyId, ids, tile.did);
      else {
        const pred = run.prepared.filters.get(tile.id);
        yes = pred ? await matching(run.trx, ids, pred) : new Set();
      }
      for (const id of ids) out.set(id, yes.has(id) ? { outcome: 'yes', next: tile.yes ?? '' } : { outcome: 'no', next: tile.no ?? '' });
      break;
    }
    case 'split': {
      const percents = tile.branches.map((b) => b.percent);
      for (const id of ids) {
        const i = splitBranch(run.journeyId, tile.id, id, percents);
        out.set(id, { outcome: `branch:${i}`, next: tile.branches[i]!.next ?? '' });
      }
      break;
    }
    case 'list':
      for (const id of ids)
        out.set(
          id,
          run.prepared.lists.has(tile.listId) ? { outcome: 'done', next: tile.next ?? '' } : { outcome: 'exited', reason: 'list_deleted' },
        );
      break;
    default:
      for (const id of ids) out.set(id, { outcome: 'done', next: tile.next ?? '' });
  }
  return out;
}

/** The ledger's record of a change a journey made: source `journey`, the journey as actor. */
export const journeyChange = (journeyId: string): ChangeContext => ({ source: 'journey', actor: { type: 'journey', id: journeyId } });

/**
 * The tile's work for the contacts whose step this run recorded (`ids`). `entries` gives each
 * contact's entry (an email's origin names it, so a re-entry mails again and a repeat never).
 */
export async function act(run: TileRun, tile: Tile, ids: readonly string[], entries: ReadonlyMap<string, number>): Promise<void> {
  if (ids.length === 0) return;
  switch (tile.type) {
    case 'email':
      await run.deps.sends.queueInTransaction(
        run.trx,
        ids.map((contactId) => ({
          messageId: tile.messageId,
          contactId,
          origin: `journey:${run.journeyId}:${tile.id}:${entries.get(contactId) ?? 1}`,
        })),
      );
      break;
    case 'list':
      if (tile.action === 'join') await run.deps.lists.joinMany(run.trx, tile.listId, [...ids], journeyChange(run.journeyId));
      else await run.deps.lists.leaveMany(run.trx, tile.listId, [...ids], journeyChange(run.journeyId));
      break;
    case 'task': {
      const at = run.now.toISOString();
      await insertTasks(
        run.trx,
        ids.map((contactId) => ({
          id: newId(run.now.getTime()),
          journey_id: run.journeyId,
          tile_id: tile.id,
          contact_id: contactId,
          assignee_role: tile.role,
          assignee_user_id: null,
          lead_id: null,
          source_key: null,
          title: tile.title ?? tile.id,
          status: 'open',
          created_at: at,
          done_at: null,
        })),
      );
      break;
    }
    case 'update_contact': {
      const ctx = run.prepared.contactCtx;
      if (!ctx) throw new Error('update_contact without the contacts context');
      // Per contact: the contacts service validates the value and writes the ledger and the event.
      // A standard field by its API name, else a custom field (validation allows only those, never consent).
      const patch: ContactInput = STANDARD_FIELDS.has(tile.field)
        ? ({ [tile.field]: tile.value } as ContactInput)
        : { customFields: { [tile.field]: tile.value } };
      for (const id of ids) await run.deps.contacts.updateIn(run.trx, id, patch, journeyChange(run.journeyId), ctx);
      break;
    }
    default:
      break;
  }
}
