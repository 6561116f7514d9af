import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { forEachDialect, freshDatabase } from '../../test/helpers/db.ts';
import { FakeClock } from '../lib/clock.ts';
import { jobById } from './jobs.queries.ts';
import { JobQueue } from './queue.ts';

const T0 = '2026-01-15T09:00:00.000Z';
const LEASE = 30_000;

forEachDialect('job queue', (ctx) => {
  let clock: FakeClock;
  let jobs: JobQueue;
  const row = async (id: string) => {
    const r = await jobById(ctx.db.kysely as Kysely<any>, id);
    assert.ok(r, `job ${id} exists`);
    return r;
  };

  beforeEach(async () => {
    await sql`delete from jobs`.execute(ctx.db.kysely);
    clock = new FakeClock(T0);
    jobs = new JobQueue(ctx.db, clock);
  });

  it('enqueues once per idempotency key and keeps the first payload', async () => {
    const a = await jobs.enqueue('mail', { contactId: 'c1' }, { key: 'welcome:c1' });
    const b = await jobs.enqueue('mail', { contactId: 'other' }, { key: 'welcome:c1' });
    const c = await jobs.enqueue('mail', { contactId: 'c2' }, { key: 'welcome:c2' });
    assert.equal(b.id, a.id);
    assert.notEqual(c.id, a.id);
    assert.deepEqual(JSON.parse(b.payload), { contactId: 'c1' });
    assert.deepEqual(await jobs.stats('mail'), { queued: 2, running: 0, done: 0, dead: 0 });
    assert.equal(a.status, 'queued');
    assert.equal(a.attempts, 0);
    assert.equal(a.max_attempts, 5);
    assert.equal(a.run_at, T0);
  });

  it('enqueues in bulk across chunks, skipping existing and repeated keys', async () => {
    await jobs.enqueue('bulk', {}, { key: 'k1' });
    const many = Array.from({ length: 7_000 }, (_, i) => ({ payload: { i }, key: `k${i % 6_000}` }));
    const inserted = await jobs.enqueueMany('bulk', many);
    assert.equal(inserted, 5_999);
    assert.equal((await jobs.stats('bulk')).queued, 6_000);
    assert.equal(await jobs.enqueueMany('bulk', []), 0);
  });

  it('enqueues inside the caller’s transaction, and is rolled back with it', async () => {
    await assert.rejects(
      ctx.db.kysely.transaction().execute(async (trx) => {
        await jobs.enqueue('tx', { n: 1 }, { trx, key: 'tx:1' });
        await jobs.enqueueMany('tx', [{ payload: 2 }, { payload: 3 }], { trx });
        throw new Error('business write failed');
      }),
      /business write failed/,
    );
    assert.equal((await jobs.stats('tx')).queued, 0);
    await ctx.db.kysely.transaction().execute(async (trx) => {
      await jobs.enqueue('tx', { n: 1 }, { trx, key: 'tx:1' });
    });
    assert.equal((await jobs.stats('tx')).queued, 1);
  });

  it('does not hand out a job before its run_at, and does after', async () => {
    const later = new Date(Date.parse(T0) + 3_600_000);
    const job = await jobs.enqueue('later', { n: 1 }, { runAt: later });
    assert.deepEqual(await jobs.claim('later', 'w1', { limit: 10, leaseMs: LEASE }), []);
    clock.set(new Date(later.getTime() - 1));
    assert.deepEqual(await jobs.claim('later', 'w1', { limit: 10, leaseMs: LEASE }), []);
    clock.set(later);
    const claimed = await jobs.claim('later', 'w1', { limit: 10, leaseMs: LEASE });
    assert.deepEqual(
      claimed.map((j) => j.id),
      [job.id],
    );
  });

  it('claims up to the limit in run_at then id order, only from its queue, and takes a lease', async () => {
    const at = (s: number) => new Date(Date.parse(T0) - s * 1000);
    const ids: string[] = [];
    for (const s of [10, 30, 20, 30]) ids.push((await jobs.enqueue('q', { s }, { runAt: at(s) })).id);
    await jobs.enqueue('other', {}, { runAt: at(60) });
    const claimed = await jobs.claim('q', 'w1', { limit: 3, leaseMs: LEASE });
    // the two due 30 s ago (by id), then the one due 20 s ago
    assert.deepEqual(
      claimed.map((j) => j.id),
      [ids[1], ids[3], ids[2]],
    );
    for (const j of claimed) {
      assert.equal(j.status, 'running');
      assert.equal(j.locked_by, 'w1');
      assert.equal(j.locked_until, new Date(Date.parse(T0) + LEASE).toISOString());
      assert.equal(j.attempts, 1);
    }
    assert.deepEqual(await jobs.stats('q'), { queued: 1, running: 3, done: 0, dead: 0 });
    const rest = await jobs.claim('q', 'w2', { limit: 3, leaseMs: LEASE });
    assert.deepEqual(
      rest.map((j) => j.id),
      [ids[0]],
    );
    assert.deepEqual(await jobs.claim('q', 'w2', { limit: 3, leaseMs: LEASE }), []);
  });

  it('never claims more than the limit, whatever plan the database picks', async () => {
    // On a fresh, never-analysed table PostgreSQL planned the claim as a nested loop that re-ran
    // its LIMIT subquery per row: 20 asked, 40 taken. A fresh database reproduces that plan.
    const fresh = await freshDatabase(ctx.dialect);
    try {
      const q = new JobQueue(fresh.db, clock);
      await q.enqueueMany(
        'lim',
        Array.from({ length: 40 }, (_, i) => ({ payload: i })),
      );
      assert.equal((await q.claim('lim', 'w1', { limit: 20, leaseMs: LEASE })).length, 20);
      assert.deepEqual(await q.stats('lim'), { queued: 20, running: 20, done: 0, dead: 0 });
      assert.equal((await q.claim('lim', 'w2', { limit: 7, leaseMs: LEASE })).length, 7);
    } finally {
      await fresh.drop();
    }
  });

  it('lets only the lease holder complete, and only once', async () => {
    await jobs.enqueue('c', {});
    const [job] = await jobs.claim('c', 'w1', { limit: 1, leaseMs: LEASE });
    assert.ok(job);
    assert.equal(await jobs.complete(job, 'w2'), false);
    assert.equal(await jobs.fail(job, 'w2', 'nope'), false);
    assert.equal((await row(job.id)).status, 'running');
    clock.advance(1_000);
    assert.equal(await jobs.complete(job, 'w1'), true);
    assert.equal(await jobs.complete(job, 'w1'), false);
    assert.equal(await jobs.fail(job, 'w1', 'late'), false);
    const done = await row(job.id);
    assert.equal(done.status, 'done');
    assert.equal(done.finished_at, new Date(Date.parse(T0) + 1_000).toISOString());
    assert.equal(done.updated_at, done.finished_at);
    assert.equal(done.locked_by, null);
    assert.equal(done.last_error, null);
  });

  it('recovers an expired lease; the late holder is refused even if it re-claims the job itself', async () => {
    await jobs.enqueue('r', {});
    const [first] = await jobs.claim('r', 'w1', { limit: 1, leaseMs: LEASE });
    assert.ok(first);
    clock.advance(LEASE);
    assert.equal(await jobs.recoverExpired(), 0, 'a lease is good up to its end');
    clock.advance(1);
    assert.equal(await jobs.recoverExpired(), 1);
    const recovered = await row(first.id);
    assert.equal(recovered.status, 'queued');
    assert.equal(recovered.locked_by, null);
    assert.equal(recovered.locked_until, null);
    assert.equal(recovered.run_at, clock.now().toISOString());
    assert.equal(recovered.last_error, 'lease_expired');

    const [second] = await jobs.claim('r', 'w1', { limit: 1, leaseMs: LEASE });
    assert.ok(second);
    assert.equal(second.id, first.id);
    assert.equal(second.attempts, 2);
    assert.equal(await jobs.complete(first, 'w1'), false, 'attempt 1 cannot finish attempt 2');
    assert.equal(await jobs.heartbeat(first, 'w1', LEASE), false);
    assert.equal(await jobs.complete(second, 'w1'), true);
  });

  it('buries a job whose lease lapses once its attempts are spent', async () => {
    await jobs.enqueue('r', {}, { maxAttempts: 1 });
    const [job] = await jobs.claim('r', 'w1', { limit: 1, leaseMs: 1_000 });
    assert.ok(job);
    clock.advance(1_001);
    assert.equal(await jobs.recoverExpired(), 1);
    const dead = await row(job.id);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.finished_at, clock.now().toISOString());
    assert.deepEqual(await jobs.claim('r', 'w2', { limit: 1, leaseMs: 1_000 }), []);
  });

  it('keeps a lease alive with heartbeats, for its holder only', async () => {
    await jobs.enqueue('h', {});
    const [job] = await jobs.claim('h', 'w1', { limit: 1, leaseMs: 1_000 });
    assert.ok(job);
    clock.advance(900);
    assert.equal(await jobs.heartbeat(job, 'w2', 1_000), false);
    assert.equal(await jobs.heartbeat(job, 'w1', 1_000), true);
    clock.advance(900);
    assert.equal(await jobs.recoverExpired(), 0);
    assert.equal((await row(job.id)).locked_until, new Date(Date.parse(T0) + 1_900).toISOString());
    clock.advance(101);
    assert.equal(await jobs.recoverExpired(), 1);
  });

  it('retries with growing backoff, then stops at max_attempts', async () => {
    const job = await jobs.enqueue('f', {}, { maxAttempts: 3 });
    let previousRunAt = job.run_at;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [claimed] = await jobs.claim('f', 'w1', { limit: 1, leaseMs: LEASE });
      assert.ok(claimed, `claimable for attempt ${attempt}`);
      assert.equal(claimed.attempts, attempt);
      assert.equal(await jobs.fail(claimed, 'w1', `smtp_down: attempt ${attempt}`), true);
      const after = await row(job.id);
      assert.equal(after.last_error, `smtp_down: attempt ${attempt}`);
      assert.equal(after.locked_by, null);
      if (attempt < 3) {
        assert.equal(after.status, 'queued');
        const delay = Date.parse(after.run_at) - clock.now().getTime();
        const base = 2 ** attempt * 1000;
        assert.ok(delay >= base && delay <= base * 1.1, `backoff ${delay} ms after attempt ${attempt}`);
        assert.ok(after.run_at > previousRunAt);
        previousRunAt = after.run_at;
        assert.deepEqual(await jobs.claim('f', 'w1', { limit: 1, leaseMs: LEASE }), [], 'not before the backoff');
        clock.set(after.run_at);
      } else {
        assert.equal(after.status, 'dead');
        assert.equal(after.attempts, 3);
        assert.equal(after.finished_at, clock.now().toISOString());
      }
    }
    clock.advance(24 * 3_600_000);
    assert.deepEqual(await jobs.claim('f', 'w1', { limit: 1, leaseMs: LEASE }), []);
    assert.deepEqual(await jobs.stats('f'), { queued: 0, running: 0, done: 0, dead: 1 });
  });

  it('truncates last_error to 500 characters', async () => {
    await jobs.enqueue('t', {});
    const [job] = await jobs.claim('t', 'w1', { limit: 1, leaseMs: LEASE });
    assert.ok(job);
    await jobs.fail(job, 'w1', 'x'.repeat(2_000));
    assert.equal((await row(job.id)).last_error?.length, 500);
  });

  it('completes a batch, fenced per job', async () => {
    await jobs.enqueueMany(
      'b',
      Array.from({ length: 5 }, (_, i) => ({ payload: { i } })),
    );
    const claimed = await jobs.claim('b', 'w1', { limit: 5, leaseMs: 1_000 });
    assert.equal(claimed.length, 5);
    // one job's lease lapses and another worker takes it over
    const stolen = claimed[2]!;
    clock.advance(1_001);
    await ctx.db.kysely.updateTable('jobs').set({ locked_until: clock.now().toISOString() }).where('id', '!=', stolen.id).execute();
    assert.equal(await jobs.recoverExpired(), 1);
    const [retaken] = await jobs.claim('b', 'w2', { limit: 5, leaseMs: 1_000 });
    assert.equal(retaken?.id, stolen.id);
    assert.equal(await jobs.completeMany(claimed, 'w1'), 4);
    assert.equal((await row(stolen.id)).status, 'running');
    assert.deepEqual(await jobs.stats('b'), { queued: 0, running: 1, done: 4, dead: 0 });
  });

  it('counts per status, for one queue or all', async () => {
    await jobs.enqueueMany('s1', [{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    await jobs.enqueue('s2', {});
    const [a, b] = await jobs.claim('s1', 'w', { limit: 2, leaseMs: LEASE });
    assert.ok(a && b);
    await jobs.complete(a, 'w');
    assert.deepEqual(await jobs.stats('s1'), { queued: 1, running: 1, done: 1, dead: 0 });
    assert.deepEqual(await jobs.stats(), { queued: 2, running: 1, done: 1, dead: 0 });
  });

  it('rejects nonsense limits', async () => {
    await assert.rejects(jobs.claim('q', 'w', { limit: 0, leaseMs: LEASE }), RangeError);
    await assert.rejects(jobs.claim('q', 'w', { limit: 1, leaseMs: 0 }), RangeError);
    await assert.rejects(jobs.enqueue('q', {}, { maxAttempts: 0 }), RangeError);
    await assert.rejects(jobs.enqueue('', {}), RangeError);
  });
});
