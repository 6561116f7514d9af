import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { forEachDialect } from '../../test/helpers/db.ts';
import { connect } from '../db/connect.ts';
import { FakeClock, systemClock } from '../lib/clock.ts';
import type { JobRow } from './jobs.model.ts';
import { jobById } from './jobs.queries.ts';
import { JobQueue } from './queue.ts';
import { Worker } from './worker.ts';

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Records what complete() answered, so a test can see a worker's late completion refused. */
class SpyQueue extends JobQueue {
  completions: { id: string; ok: boolean }[] = [];
  override async complete(job: JobRow, workerId: string): Promise<boolean> {
    const ok = await super.complete(job, workerId);
    this.completions.push({ id: job.id, ok });
    return ok;
  }
}

forEachDialect('job worker', (ctx) => {
  beforeEach(async () => {
    await sql`delete from jobs`.execute(ctx.db.kysely);
  });

  it('two workers on separate connections run 1,000 jobs exactly once each', async () => {
    await sql`create table job_effects (job_id text primary key, worker text not null)`.execute(ctx.db.kysely);
    const conns = [connect(ctx.url, { poolSize: 4 }), connect(ctx.url, { poolSize: 4 })];
    try {
      await new JobQueue(ctx.db, systemClock).enqueueMany(
        'race',
        Array.from({ length: 1_000 }, (_, i) => ({ payload: { i } })),
      );
      const calls = new Map<string, number>();
      const ran = { A: 0, B: 0 };
      const workers = (['A', 'B'] as const).map((name, k) => {
        const db = conns[k]!;
        return new Worker(new JobQueue(db, systemClock), {
          id: name,
          batchSize: 25,
          concurrency: 4,
          leaseMs: 60_000,
          pollMs: 10,
          queues: {
            race: async (_payload, job) => {
              calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
              ran[name]++;
              // a plain insert: a second execution of any job fails on the primary key
              await sql`insert into job_effects (job_id, worker) values (${job.id}, ${name})`.execute(db.kysely);
            },
          },
        });
      });
      const probe = new JobQueue(ctx.db, systemClock);
      for (const w of workers) w.start();
      try {
        await until('all jobs done', async () => (await probe.stats('race')).done === 1_000);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }

      assert.deepEqual(await probe.stats('race'), { queued: 0, running: 0, done: 1_000, dead: 0 });
      const effects = await sql<{ n: number; distinct_jobs: number }>`
        select count(*) as n, count(distinct job_id) as distinct_jobs from job_effects`.execute(ctx.db.kysely);
      assert.deepEqual(
        effects.rows.map((r) => ({ n: Number(r.n), d: Number(r.distinct_jobs) })),
        [{ n: 1_000, d: 1_000 }],
      );
      assert.equal(calls.size, 1_000);
      assert.deepEqual([...new Set(calls.values())], [1], 'no handler ran twice');
      const attempts = await ctx.db.kysely.selectFrom('jobs').select('attempts').distinct().execute();
      assert.deepEqual(
        attempts.map((r) => r.attempts),
        [1],
        'no job was claimed twice',
      );
      assert.ok(ran.A > 0 && ran.B > 0, `both workers competed (A ${ran.A}, B ${ran.B})`);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
      await sql`drop table job_effects`.execute(ctx.db.kysely);
    }
  });

  it('a stalled worker’s job is recovered and completed by another; the stalled one’s late complete is refused', async () => {
    const clock = new FakeClock();
    const job = await new JobQueue(ctx.db, clock).enqueue('slow', { n: 1 });
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const hasStarted = new Promise<void>((r) => (started = r));
    const qa = new SpyQueue(ctx.db, clock);
    const a = new Worker(qa, {
      id: 'A',
      leaseMs: 60_000,
      queues: {
        slow: async () => {
          started();
          await stalled;
        },
      },
    });
    const seenByB: { payload: unknown; attempts: number }[] = [];
    const qb = new SpyQueue(ctx.db, clock);
    const b = new Worker(qb, {
      id: 'B',
      leaseMs: 60_000,
      queues: { slow: async (payload, j) => void seenByB.push({ payload, attempts: j.attempts }) },
    });

    const aRound = a.runOnce();
    await Promise.race([hasStarted, aRound.then(() => assert.fail('A finished its round without running the job'))]);
    assert.equal(await b.runOnce(), 0, 'the lease is respected while it lasts');
    clock.advance(60_001);
    assert.equal(await b.runOnce(), 1);
    assert.deepEqual(seenByB, [{ payload: { n: 1 }, attempts: 2 }]);
    const finished = await jobById(ctx.db.kysely as Kysely<any>, job.id);
    assert.equal(finished?.status, 'done');

    clock.advance(5_000);
    release();
    assert.equal(await aRound, 1);
    assert.deepEqual(qa.completions, [{ id: job.id, ok: false }]);
    assert.deepEqual(qb.completions, [{ id: job.id, ok: true }]);
    assert.deepEqual(await jobById(ctx.db.kysely as Kysely<any>, job.id), finished, 'the late completion changed nothing');
  });

  it('a handler that always throws is retried with backoff, then dead after max_attempts', async () => {
    const clock = new FakeClock();
    const queue = new JobQueue(ctx.db, clock);
    const job = await queue.enqueue('flaky', {}, { maxAttempts: 3 });
    let calls = 0;
    const w = new Worker(queue, {
      queues: {
        flaky: async () => {
          calls++;
          throw Object.assign(new Error('relay refused'), { code: 'smtp_refused' });
        },
      },
    });
    const runAts: string[] = [];
    for (let i = 1; i <= 3; i++) {
      assert.equal(await w.runOnce(), 1, `attempt ${i} runs`);
      const row = await jobById(ctx.db.kysely as Kysely<any>, job.id);
      assert.ok(row);
      assert.equal(row.last_error, 'smtp_refused: relay refused');
      if (i < 3) {
        assert.equal(row.status, 'queued');
        assert.ok(row.run_at > clock.now().toISOString(), 'the retry waits');
        assert.equal(await w.runOnce(), 0, 'not before the backoff');
        runAts.push(row.run_at);
        clock.set(row.run_at);
      } else {
        assert.equal(row.status, 'dead');
        assert.equal(row.attempts, 3);
      }
    }
    const gaps = [Date.parse(runAts[0]!) - Date.parse('2026-01-15T09:00:00.000Z'), Date.parse(runAts[1]!) - Date.parse(runAts[0]!)];
    assert.ok(gaps[1]! > gaps[0]!, `backoff grows: ${gaps.join(' ms, ')} ms`);
    clock.advance(86_400_000);
    assert.equal(await w.runOnce(), 0);
    assert.equal(calls, 3);
  });

  it('runs a batch with bounded concurrency and stops after finishing it', async () => {
    const queue = new JobQueue(ctx.db, systemClock);
    await queue.enqueueMany(
      'bounded',
      Array.from({ length: 30 }, (_, i) => ({ payload: i })),
    );
    let active = 0;
    let maxActive = 0;
    let started = 0;
    const w = new Worker(queue, {
      batchSize: 10,
      concurrency: 3,
      pollMs: 10,
      queues: {
        bounded: async () => {
          started++;
          active++;
          maxActive = Math.max(maxActive, active);
          await sleep(30);
          active--;
        },
      },
    });
    w.start();
    await until('the first handler', async () => started > 0);
    await w.stop();
    assert.equal(maxActive, 3);
    assert.equal(started, 10);
    assert.deepEqual(await queue.stats('bounded'), { queued: 20, running: 0, done: 10, dead: 0 });
  });

  it('heartbeats keep the leases of a batch alive past the lease length, so no one else takes them', async () => {
    const queue = new JobQueue(ctx.db, systemClock);
    await queue.enqueueMany('long', [{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    const leaseMs = 400;
    let stolen = 0;
    let started!: () => void;
    const hasStarted = new Promise<void>((r) => (started = r));
    const owner = new Worker(queue, {
      id: 'owner',
      batchSize: 3,
      concurrency: 1,
      leaseMs,
      queues: {
        long: async () => {
          started();
          await sleep(300);
        },
      },
    });
    const rival = new Worker(queue, { id: 'rival', leaseMs, queues: { long: async () => void stolen++ } });
    const round = owner.runOnce();
    await Promise.race([hasStarted, round]);
    let racing = true;
    const rivalLoop = (async () => {
      while (racing) {
        await rival.runOnce();
        await sleep(50);
      }
    })();
    try {
      assert.equal(await round, 3);
    } finally {
      racing = false;
      await rivalLoop;
    }
    assert.equal(stolen, 0);
    const rows = await ctx.db.kysely.selectFrom('jobs').select(['status', 'attempts']).where('queue', '=', 'long').execute();
    assert.deepEqual(
      rows,
      [1, 2, 3].map(() => ({ status: 'done', attempts: 1 })),
    );
  });
});
