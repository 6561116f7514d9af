import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/** Scratch tables for crash.test.ts: every execution is logged, the effect itself is guarded by the job id. */
export async function createEffectTables(db: Db<any>): Promise<void> {
  await sql`create table job_effects (job_id text primary key, worker text not null)`.execute(db.kysely);
  await sql`create table job_runs (job_id text not null, worker text not null)`.execute(db.kysely);
}

export async function dropEffectTables(db: Db<any>): Promise<void> {
  await sql`drop table if exists job_effects`.execute(db.kysely);
  await sql`drop table if exists job_runs`.execute(db.kysely);
}

/** What an idempotent handler does: however often the job runs, its effect exists once. */
export async function recordEffect(db: Db<any>, jobId: string, worker: string): Promise<void> {
  await sql`insert into job_runs (job_id, worker) values (${jobId}, ${worker})`.execute(db.kysely);
  await sql`insert into job_effects (job_id, worker) values (${jobId}, ${worker}) on conflict (job_id) do nothing`.execute(db.kysely);
}
