import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

/** How many contacts a request to enter took in, and why the others were not (`below_required_level`, `holdout`, `already_in`, …). */
export interface Admission {
  entered: number;
  notEntered: Record<string, number>;
}

/**
 * What the journeys service (CRUD and states: journeys.service.ts) asks of the engine
 * (journeys.engine.ts and its jobs) when a journey's state changes, inside the transaction that
 * changes it, so the engine's jobs exist exactly when the change committed. The service knows
 * nothing of positions; the engine nothing of validation.
 */
export interface JourneyLifecycle {
  /** draft → live: admit a segment trigger's members (a job), schedule the runs. */
  started(trx: Kysely<Database>, journeyId: string): Promise<void>;
  /** paused → live: schedule the runs again (waits that ended while paused run now). */
  resumed(trx: Kysely<Database>, journeyId: string): Promise<void>;
  /** → stopped: every contact still in it exits with reason `journey_stopped`. */
  stopped(trx: Kysely<Database>, journeyId: string): Promise<void>;
  /** `POST /api/v1/journeys/{id}/contacts`: contacts entering a live journey with a manual trigger. */
  admit(journeyId: string, contactIds: readonly string[]): Promise<Admission>;
}
