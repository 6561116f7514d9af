import { type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type { Counters } from './journeys.engine.ts';
import * as q from './journeys.engine.queries.ts';

/** Waiting contacts the goal sweep looks at per journey and tick: the rest are looked at the next tick, or when their wait ends. */
export const GOAL_SWEEP = 5_000;

/**
 * A goal met: the contacts still in the journey leave it converted, wherever they are (a tile,
 * a wait). Conditional on their being in it, and their step keyed, so a second run converts and
 * counts no one twice. Used for an event goal (the events consumer) and for a segment goal met
 * while waiting (the tick); a contact arriving at a tile is checked by the run itself.
 */
export async function convert(
  trx: Transaction<Database>,
  journeyId: string,
  contactIds: readonly string[],
  at: string,
  counters: Counters,
): Promise<number> {
  const ended = await q.endPositions(trx, journeyId, { contactIds, status: 'converted', reason: 'goal', nowIso: at });
  const fresh = await q.insertSteps(
    trx,
    ended.map((p) => ({
      journey_id: journeyId,
      contact_id: p.contact_id,
      entry: p.entry,
      visit: p.visit,
      tile_id: p.tile_id,
      outcome: 'converted',
      reason: 'goal',
      at,
    })),
  );
  if (fresh.size) counters.add('', 'converted', fresh.size);
  return fresh.size;
}

/** Contacts waiting in the journey who are members of the goal's segment (`goal`: its predicate over contacts `c`). */
export async function waitingAtGoal(
  trx: Transaction<Database>,
  journeyId: string,
  goal: RawBuilder<SqlBool>,
  limit: number,
): Promise<string[]> {
  const r = await sql<{ id: string }>`select c.id from journey_positions p join contacts c on c.id = p.contact_id
    where p.journey_id = ${journeyId} and p.status = 'waiting' and ${goal} order by c.id limit ${limit}`.execute(trx);
  return r.rows.map((x) => x.id);
}
