import type { Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Database, Db } from '../database.ts';
import { Counters, loadJourney } from './journeys.engine.ts';
import type { JourneyEntry } from './journeys.entry.ts';
import type { JourneyJobs } from './journeys.jobs.ts';
import * as q from './journeys.engine.queries.ts';
import type { Admission, JourneyLifecycle } from './journeys.lifecycle.ts';

/**
 * The engine's side of a journey's state changes (journeys.lifecycle.ts), each inside the
 * service's transaction, so the engine's jobs exist exactly when the change committed.
 */
export class EngineLifecycle implements JourneyLifecycle {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly entry: JourneyEntry,
    private readonly jobs: Pick<JourneyJobs, 'scheduleRuns' | 'startAdmission'>,
  ) {}

  async started(trx: Transaction<Database>, journeyId: string): Promise<void> {
    const row = await q.journeyRow(trx, journeyId);
    if (!row) return;
    const start = loadJourney(row).start;
    if (start && 'segmentId' in start.trigger) await this.jobs.startAdmission(journeyId, 'live', trx);
    await this.jobs.scheduleRuns(journeyId, trx);
  }

  async resumed(trx: Transaction<Database>, journeyId: string): Promise<void> {
    await this.jobs.scheduleRuns(journeyId, trx);
  }

  /** Every contact still in it exits (`journey_stopped`), with its step and counters; a run still holding some is waited for. */
  async stopped(trx: Transaction<Database>, journeyId: string): Promise<void> {
    const at = this.clock.now().toISOString();
    const ended = await q.endPositions(trx, journeyId, { status: 'exited', reason: 'journey_stopped', nowIso: at });
    const fresh = await q.insertSteps(
      trx,
      ended.map((p) => ({
        journey_id: journeyId,
        contact_id: p.contact_id,
        entry: p.entry,
        visit: p.visit,
        tile_id: p.tile_id,
        outcome: 'exited',
        reason: 'journey_stopped',
        at,
      })),
    );
    const counters = new Counters();
    for (const p of ended)
      if (fresh.has(p.contact_id)) {
        counters.add(p.tile_id, 'exited:journey_stopped');
        counters.add('', 'exited:journey_stopped');
      }
    await q.addCounters(trx, journeyId, counters.map);
  }

  /**
   * Contacts entering a live journey with a manual trigger (the route checks both and answers
   * 409 `journey_state`; here a journey not live, or not manual, lets nobody in).
   */
  async admit(journeyId: string, contactIds: readonly string[]): Promise<Admission> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const row = await q.journeyForWork(trx, journeyId);
      const j = row ? loadJourney(row) : null;
      if (!j?.start || !('manual' in j.start.trigger)) return { entered: 0, notEntered: { journey_not_manual: new Set(contactIds).size } };
      const a = await this.entry.admitIn(trx, j, contactIds, { countRefused: true });
      if (a.entered > 0) await this.jobs.scheduleRuns(journeyId, trx);
      return a;
    });
  }
}
