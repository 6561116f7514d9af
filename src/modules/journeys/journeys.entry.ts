import type { Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { ConsentService } from '../consent/module.ts';
import type { Database } from '../database.ts';
import type { SettingsService } from '../settings/module.ts';
import { parseDuration } from '../../lib/duration.ts';
import { Counters, type LoadedJourney } from './journeys.engine.ts';
import { basePurpose, requiredLevel, tilePurpose } from './journeys.purposes.ts';
import * as q from './journeys.engine.queries.ts';
import type { Admission } from './journeys.lifecycle.ts';
import type { JourneyPositionsTable } from './journeys.table.ts';
import { addDuration, inHoldout } from './journeys.tiles.ts';

export interface AdmitOptions {
  /**
   * Count the gate's refusals in `not_entered:<reason>` (being in it already, or having been,
   * is no event and never counted). Off for the tick that admits a
   * segment's new members, which asks again every time for the members still refused.
   */
  countRefused: boolean;
}

/**
 * Admission (issue 16, points 2 and 4): who of these contacts enters a live journey now, in the
 * caller's transaction. Per contact: in it already → `already_in`; entered before and the
 * policy is once → `already_entered`; again-after and the period since its last stay ended not
 * passed → `reentry_wait`; the gate refuses the start tile's purpose at the journey's required
 * level → its reason (a child never enters a journey needing profiling: the gate's
 * `child_never_profiled`); in the holdout (a stable hash) → a position `holdout` that never runs;
 * else a position `active` at the start tile's successor, due now, its start step recorded and
 * `entered` counted. Positions are inserted (or a re-entry's row updated) conditionally, so two
 * admissions of the same contact at once let it in once.
 */
export class JourneyEntry {
  constructor(
    private readonly clock: Clock,
    private readonly settings: Pick<SettingsService, 'get'>,
    private readonly consent: Pick<ConsentService, 'checkMany'>,
  ) {}

  async admitIn(trx: Transaction<Database>, j: LoadedJourney, contactIds: readonly string[], opts: AdmitOptions): Promise<Admission> {
    const notEntered: Record<string, number> = {};
    const refuse = (reason: string) => {
      notEntered[reason] = (notEntered[reason] ?? 0) + 1;
    };
    const ids = [...new Set(contactIds)].sort();
    const start = j.start;
    if (j.row.state !== 'live' || !start) {
      for (const _ of ids) refuse('journey_not_live');
      return { entered: 0, notEntered };
    }
    const now = this.clock.now();
    const at = now.toISOString();
    const existing = new Map((await q.positionsOf(trx, j.row.id, ids)).map((p) => [p.contact_id, p]));
    const after = j.row.reentry_after && parseDuration(j.row.reentry_after) ? j.row.reentry_after : null;
    const candidates: string[] = [];
    for (const id of ids) {
      const p = existing.get(id);
      if (!p) candidates.push(id);
      else if (p.status === 'active' || p.status === 'waiting') refuse('already_in');
      else if (p.status === 'holdout') refuse('holdout');
      else if (!after) refuse('already_entered');
      else if ((addDuration(new Date(p.ended_at ?? p.updated_at), after)?.getTime() ?? Number.POSITIVE_INFINITY) > now.getTime())
        refuse('reentry_wait');
      else candidates.push(id);
    }
    const settings = await this.settings.get(trx);
    const base = basePurpose(j.req, settings.purposes);
    const answers = await this.consent.checkMany(candidates, tilePurpose(start, new Map(), base) ?? base, {
      caller: 'journey',
      atLeast: requiredLevel(j.req, settings.purposes),
      trx,
    });
    const counters = new Counters();
    const fresh: JourneyPositionsTable[] = [];
    const again: q.PositionWrite[] = [];
    const held: JourneyPositionsTable[] = [];
    for (const id of candidates) {
      const a = answers.get(id);
      if (!a) {
        refuse('unknown_contact');
        continue;
      }
      if (!a.allowed) {
        refuse(a.reason);
        if (opts.countRefused) counters.add('', `not_entered:${a.reason}`);
        continue;
      }
      const p = existing.get(id);
      if (!p && inHoldout(j.row.id, id, j.row.holdout_percent)) {
        held.push(position(j.row.id, id, 1, 'holdout', start.id, 0, null, at));
        continue;
      }
      if (!p) fresh.push(position(j.row.id, id, 1, 'active', start.next ?? '', 1, at, at));
      else
        again.push({
          contact_id: id,
          was: { status: p.status, entry: p.entry, visit: p.visit },
          set: {
            entry: p.entry + 1,
            status: 'active',
            tile_id: start.next ?? '',
            visit: 1,
            due_at: at,
            wait_event: null,
            exit_reason: null,
            ended_at: null,
            entered_at: at,
          },
        });
    }
    const heldIn = await q.insertPositions(trx, held);
    for (const _ of heldIn) refuse('holdout');
    if (heldIn.size) counters.add('', 'holdout', heldIn.size);
    const inserted = await q.insertPositions(trx, fresh);
    const reentered = await q.writePositions(trx, j.row.id, again, at);
    // Those a concurrent admission took first are in it already.
    for (let i = inserted.size + reentered.size; i < fresh.length + again.length; i++) refuse('already_in');
    const entries = new Map<string, number>();
    for (const id of inserted) entries.set(id, 1);
    for (const w of again) if (reentered.has(w.contact_id)) entries.set(w.contact_id, w.set.entry);
    // The start step (visit 0): the path begins there.
    await q.insertSteps(
      trx,
      [...entries].map(([contactId, entry]) => ({
        journey_id: j.row.id,
        contact_id: contactId,
        entry,
        visit: 0,
        tile_id: start.id,
        outcome: 'done',
        reason: null,
        at,
      })),
    );
    if (entries.size) {
      counters.add('', 'entered', entries.size);
      counters.add(start.id, 'entered', entries.size);
      counters.add(start.id, 'done', entries.size);
    }
    await q.addCounters(trx, j.row.id, counters.map);
    return { entered: entries.size, notEntered };
  }
}

function position(
  journeyId: string,
  contactId: string,
  entry: number,
  status: string,
  tileId: string,
  visit: number,
  dueAt: string | null,
  at: string,
): JourneyPositionsTable {
  return {
    journey_id: journeyId,
    contact_id: contactId,
    entry,
    status,
    tile_id: tileId,
    visit,
    due_at: dueAt,
    wait_event: null,
    entered_at: at,
    updated_at: at,
    exit_reason: null,
    ended_at: status === 'holdout' ? at : null,
  };
}
