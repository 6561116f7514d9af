import type { Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Database, Db } from '../database.ts';
import type { StoredEvent } from '../events/module.ts';
import { Counters, type LoadedJourney, loadJourney } from './journeys.engine.ts';
import type { JourneyEntry } from './journeys.entry.ts';
import { convert } from './journeys.goal.ts';
import type { JourneyJobs } from './journeys.jobs.ts';
import * as q from './journeys.engine.queries.ts';

/** The event a form's submission publishes (forms module). */
const FORM_SUBMITTED = 'form.submitted';

/**
 * The journeys' consumer of the event log (`events.consume('journeys', …)`): for each live
 * journey, in one transaction, an event goal converts the contacts it names wherever they are,
 * a wait-for-event tile moves its waiting contacts on (outcome `event`), and a form or event
 * trigger admits them. A dispatch may run twice: every change is conditional (a converted or
 * moved position is not moved again, an admitted contact is `already_in`), and its step keyed.
 */
export class JourneyEvents {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly entry: JourneyEntry,
    private readonly jobs: Pick<JourneyJobs, 'scheduleRuns'>,
  ) {}

  async onEvents(events: readonly StoredEvent[]): Promise<void> {
    const about = events.filter((e) => e.contactId !== null);
    if (about.length === 0) return;
    for (const row of await q.liveJourneys(this.db.kysely)) {
      const j = loadJourney(row);
      const byType = (type: string, formId?: string) => [
        ...new Set(about.filter((e) => e.type === type && (formId === undefined || e.data.formId === formId)).map((e) => e.contactId!)),
      ];
      const goal = j.goal && 'event' in j.goal ? byType(j.goal.event) : [];
      const waits = [...j.tiles.values()].flatMap((t) => (t.type === 'wait_event' ? [{ tile: t, ids: byType(t.event) }] : []));
      const trigger = j.start?.trigger;
      const entering = !trigger
        ? []
        : 'formId' in trigger
          ? byType(FORM_SUBMITTED, trigger.formId)
          : 'event' in trigger
            ? byType(trigger.event)
            : [];
      if (goal.length === 0 && entering.length === 0 && waits.every((w) => w.ids.length === 0)) continue;
      await this.db.kysely.transaction().execute(async (trx) => {
        const current = await q.journeyForWork(trx, row.id);
        if (current?.state !== 'live') return;
        const counters = new Counters();
        if (goal.length) await convert(trx, j.row.id, goal, this.clock.now().toISOString(), counters);
        let moved = 0;
        for (const w of waits) moved += await this.eventCame(trx, j, w.tile.id, w.tile.event, w.tile.next ?? '', w.ids, counters);
        const admitted = entering.length
          ? (await this.entry.admitIn(trx, loadJourney(current), entering, { countRefused: true })).entered
          : 0;
        await q.addCounters(trx, j.row.id, counters.map);
        if (moved + admitted > 0) await this.jobs.scheduleRuns(j.row.id, trx);
      });
    }
  }

  /** The awaited event came: the wait ends with outcome `event` and the contact goes on at `next`, due now (gated there). */
  private async eventCame(
    trx: Transaction<Database>,
    j: LoadedJourney,
    tileId: string,
    event: string,
    next: string,
    contactIds: string[],
    counters: Counters,
  ): Promise<number> {
    if (contactIds.length === 0) return 0;
    const at = this.clock.now().toISOString();
    const moved = await q.eventArrived(trx, j.row.id, tileId, event, next, contactIds, at);
    const fresh = await q.insertSteps(
      trx,
      moved.map((p) => ({
        journey_id: j.row.id,
        contact_id: p.contact_id,
        entry: p.entry,
        visit: p.visit,
        tile_id: tileId,
        outcome: 'event',
        reason: null,
        at,
      })),
    );
    if (fresh.size) {
      counters.add(tileId, 'done', fresh.size);
      counters.add(tileId, 'event', fresh.size);
    }
    return moved.length;
  }
}
