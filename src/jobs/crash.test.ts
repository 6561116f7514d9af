import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { forEachDialect } from '../../test/helpers/db.ts';
import { FakeClock, systemClock } from '../lib/clock.ts';
import { createEffectTables, dropEffectTables, recordEffect } from '../../test/fixtures/jobs/crash-effects.fixture.ts';
import { JobQueue } from './queue.ts';
import { Worker } from './worker.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const JOBS = 40;
const LEASE_MS = 2_000;

forEachDialect('job runner survives SIGKILL', (ctx) => {
  it('a worker killed mid-batch loses no job, and guarded side effects happen once', async () => {
    const db = ctx.db;
    await createEffectTables(db);
    let child: ChildProcess | undefined;
    try {
      await new JobQueue(db, systemClock).enqueueMany(
        'crash',
        Array.from({ length: JOBS }, (_, i) => ({ payload: { i } })),
      );
      child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/fixtures/jobs/crash-child.fixture.ts', ctx.url, 'crash', String(LEASE_MS)],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr?.on('data', (c) => (stderr += c));
      const exited = once(child, 'exit');

      // Its handlers record their effect and then sleep: once four runs are recorded, four jobs are mid-handler.
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (child.exitCode !== null) assert.fail(`the child exited early (${child.exitCode}): ${stderr}`);
        const runs = await sql<{ n: number }>`select count(*) as n from job_runs`.execute(db.kysely);
        if (Number(runs.rows[0]?.n) >= 4) break;
        if (Date.now() > deadline) assert.fail(`the child never got going: ${stderr}`);
        await sleep(20);
      }
      child.kill('SIGKILL');
      const [, signal] = await exited;
      assert.equal(signal, 'SIGKILL');

      const held = await db.kysely.selectFrom('jobs').select(['id', 'status', 'locked_by']).where('status', '=', 'running').execute();
      const heldIds = new Set(held.map((r) => r.id));
      const startedRuns = await sql<{ job_id: string }>`select job_id from job_runs`.execute(db.kysely);
      assert.equal(held.length, 20, 'the whole batch was claimed when the child died');
      assert.ok(held.every((r) => r.locked_by === 'crash-child'));
      assert.ok(startedRuns.rows.length >= 4);
      assert.ok(
        startedRuns.rows.every((r) => heldIds.has(r.job_id)),
        'the child died with started handlers unfinished',
      );
      assert.equal((await new JobQueue(db, systemClock).stats('crash')).done, 0);

      // Another worker, with the clock past the dead child's lease, picks everything up.
      const clock = new FakeClock(new Date(Date.now() + LEASE_MS + 1_000));
      const queue = new JobQueue(db, clock);
      const rescuer = new Worker(queue, {
        id: 'rescuer',
        batchSize: 50,
        leaseMs: LEASE_MS,
        queues: { crash: async (_payload, job) => recordEffect(db, job.id, 'rescuer') },
      });
      let rounds = 0;
      while ((await rescuer.runOnce()) > 0) rounds++;
      assert.ok(rounds >= 1);

      assert.deepEqual(await queue.stats('crash'), { queued: 0, running: 0, done: JOBS, dead: 0 });
      const jobs = await db.kysely.selectFrom('jobs').select(['id', 'attempts']).where('queue', '=', 'crash').execute();
      for (const j of jobs) assert.equal(j.attempts, heldIds.has(j.id) ? 2 : 1, `attempts of ${j.id}`);

      const effects = await sql<{ job_id: string; n: number }>`
        select job_id, count(*) as n from job_effects group by job_id order by job_id`.execute(db.kysely);
      assert.deepEqual(
        effects.rows.map((r) => [r.job_id, Number(r.n)]),
        jobs
          .map((j) => j.id)
          .sort()
          .map((id) => [id, 1]),
        'one effect per job',
      );
      const runs = await sql<{ n: number }>`select count(*) as n from job_runs`.execute(db.kysely);
      assert.equal(Number(runs.rows[0]?.n), JOBS + startedRuns.rows.length, 'the interrupted handlers ran again (at-least-once)');
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await dropEffectTables(db);
    }
  });
});
