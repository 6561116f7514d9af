import type { Selectable } from 'kysely';
import type { JobsTable } from './jobs.table.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'dead'];

/** A job as stored: `payload` is JSON text, timestamps are ISO-8601 UTC text. */
export type JobRow = Selectable<JobsTable>;

export type JobStats = Record<JobStatus, number>;

/** last_error is an operator's hint, not a log: bounded so a runaway message cannot bloat the table. */
const MAX_ERROR_LENGTH = 500;

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60 * 60 * 1_000;
const JITTER = 0.1;

/**
 * 2^attempts seconds, capped at an hour, stretched by up to 10% so jobs that failed together
 * (an outage) do not all come back in the same instant.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(BASE_DELAY_MS * 2 ** Math.max(0, attempts), MAX_DELAY_MS);
  return Math.round(base * (1 + JITTER * random()));
}

export function truncateError(message: string): string {
  return message.length > MAX_ERROR_LENGTH ? message.slice(0, MAX_ERROR_LENGTH) : message;
}

export { describeError } from '../lib/safe-error.ts';
