import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import { IN_JOURNEY } from './journeys.queries.ts';

type Q = Kysely<Database>;

/**
 * What happened in journeys, read side (issue 16 point 6): counts from the anonymous counters
 * (journey_counters, which outlive erasure), contacts in a journey now from the positions, and a
 * contact's path from its position and step records. The engine writes all of them.
 */

export interface TileStats {
  entered: number;
  done: number;
  waiting: number;
  exited: Record<string, number>;
  outcomes: Record<string, number>;
}

export interface JourneyStats {
  entered: number;
  holdout: number;
  converted: number;
  done: number;
  notEntered: Record<string, number>;
  exited: Record<string, number>;
  inJourney: number;
  tiles: Record<string, TileStats>;
}

const emptyTile = (): TileStats => ({ entered: 0, done: 0, waiting: 0, exited: {}, outcomes: {} });

/** A journey's counters, and its positions in the journey now by tile. `tileIds`: tiles drawn even without counts. */
export async function journeyStats(db: Q, journeyId: string, tileIds: readonly string[]): Promise<JourneyStats> {
  const [counters, holders] = await Promise.all([
    db.selectFrom('journey_counters').select(['tile_id', 'counter', 'n']).where('journey_id', '=', journeyId).execute(),
    db
      .selectFrom('journey_positions')
      .select(['tile_id', (e) => e.fn.countAll<number>().as('n')])
      .where('journey_id', '=', journeyId)
      .where('status', 'in', IN_JOURNEY)
      .groupBy('tile_id')
      .execute(),
  ]);
  const s: JourneyStats = { entered: 0, holdout: 0, converted: 0, done: 0, notEntered: {}, exited: {}, inJourney: 0, tiles: {} };
  const tile = (id: string) => {
    if (!Object.hasOwn(s.tiles, id)) s.tiles[id] = emptyTile();
    return s.tiles[id]!;
  };
  for (const id of tileIds) tile(id);
  for (const c of counters) {
    const n = Number(c.n);
    const [kind, reason] = splitCounter(c.counter);
    if (c.tile_id === '') {
      if (kind === 'not_entered' && reason !== null) s.notEntered[reason] = (s.notEntered[reason] ?? 0) + n;
      else if (kind === 'exited' && reason !== null) s.exited[reason] = (s.exited[reason] ?? 0) + n;
      else if (kind === 'entered' || kind === 'holdout' || kind === 'converted' || kind === 'done') s[kind] += n;
      continue;
    }
    const t = tile(c.tile_id);
    if (kind === 'exited' && reason !== null) t.exited[reason] = (t.exited[reason] ?? 0) + n;
    else if (kind === 'entered' || kind === 'done') t[kind] += n;
    else t.outcomes[c.counter] = (t.outcomes[c.counter] ?? 0) + n;
  }
  for (const h of holders) {
    const n = Number(h.n);
    tile(h.tile_id).waiting += n;
    s.inJourney += n;
  }
  return s;
}

/** `exited:below_required_level` → [`exited`, `below_required_level`]; `branch:1` stays an outcome (its kind is not a reason's). */
function splitCounter(counter: string): [string, string | null] {
  const i = counter.indexOf(':');
  if (i < 0) return [counter, null];
  const kind = counter.slice(0, i);
  return kind === 'exited' || kind === 'not_entered' ? [kind, counter.slice(i + 1)] : [counter, null];
}

/** Listing totals for many journeys at once: contacts in each now (positions), and the journey counters done/exited/converted. */
export async function countsOf(db: Q, journeyIds: readonly string[]) {
  const out = new Map<string, { inJourney: number; done: number; exited: number; converted: number }>();
  for (const id of journeyIds) out.set(id, { inJourney: 0, done: 0, exited: 0, converted: 0 });
  if (journeyIds.length === 0) return out;
  const [counters, holders] = await Promise.all([
    db
      .selectFrom('journey_counters')
      .select(['journey_id', 'counter', 'n'])
      .where('journey_id', 'in', journeyIds)
      .where('tile_id', '=', '')
      .where((e) => e.or([e('counter', 'in', ['done', 'converted']), e('counter', 'like', 'exited:%')]))
      .execute(),
    db
      .selectFrom('journey_positions')
      .select(['journey_id', (e) => e.fn.countAll<number>().as('n')])
      .where('journey_id', 'in', journeyIds)
      .where('status', 'in', IN_JOURNEY)
      .groupBy('journey_id')
      .execute(),
  ]);
  for (const c of counters) {
    const o = out.get(c.journey_id)!;
    if (c.counter === 'done') o.done += Number(c.n);
    else if (c.counter === 'converted') o.converted += Number(c.n);
    else o.exited += Number(c.n);
  }
  for (const h of holders) out.get(h.journey_id)!.inJourney = Number(h.n);
  return out;
}

export const positionOf = (db: Q, journeyId: string, contactId: string) =>
  db.selectFrom('journey_positions').selectAll().where('journey_id', '=', journeyId).where('contact_id', '=', contactId).executeTakeFirst();

/** A contact's steps in a journey, every entry, in the order taken. */
export const stepsOf = (db: Q, journeyId: string, contactId: string) =>
  db
    .selectFrom('journey_steps')
    .selectAll()
    .where('journey_id', '=', journeyId)
    .where('contact_id', '=', contactId)
    .orderBy('entry')
    .orderBy('visit')
    .execute();

/** Every journey a contact is or was in, the latest entered first. */
export const journeysOfContact = (db: Q, contactId: string) =>
  db
    .selectFrom('journey_positions as p')
    .innerJoin('journeys as j', 'j.id', 'p.journey_id')
    .select(['p.journey_id', 'j.name', 'p.status', 'p.tile_id', 'p.entry', 'p.exit_reason', 'p.entered_at', 'p.ended_at'])
    .where('p.contact_id', '=', contactId)
    .orderBy('p.entered_at', 'desc')
    .orderBy('p.journey_id')
    .execute();
