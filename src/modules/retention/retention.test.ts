import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { jobHandlers, scheduleDaily } from '../../services.ts';
import { Worker } from '../../jobs/worker.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import { CLI_ACTOR } from '../audit/audit.model.ts';
import { transportOf } from '../../../test/helpers/mail.ts';

forEachDialect('retention', (ctx) => {
  const clock = new FakeClock('2026-04-10T12:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  const outboxCount = async () => Number((await sql<{ n: number }>`select count(*) as n from outbox`.execute(ctx.db.kysely)).rows[0]!.n);

  it('deletes rows past the declared period, keeps the rest, previews without deleting, and audits each run', async () => {
    await transportOf(s).send({ to: 'old@example.com', subject: 'Old', text: 'x' });
    clock.advance(20 * 86_400_000);
    await transportOf(s).send({ to: 'new@example.com', subject: 'New', text: 'y' });
    clock.advance(11 * 86_400_000); // the first is 31 days old, the second 11
    const preview = await s.retention.run({ dryRun: true, actor: CLI_ACTOR });
    assert.equal(preview.find((p) => p.table === 'outbox')!.rows, 1);
    assert.equal(await outboxCount(), 2, 'a dry run deletes nothing');
    const done = await s.retention.run({ actor: CLI_ACTOR });
    assert.equal(done.find((p) => p.table === 'outbox')!.rows, 1);
    assert.deepEqual(
      (await s.mail.listOutbox()).items.map((i) => i.subject),
      ['New'],
    );
    const audits = await s.audit.list({ action: 'retention.run' }, 10);
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.actorType, 'cli');
  });

  it('covers any table the data map gives a retention policy, with no code of its own', async () => {
    await sql`create table scratch_visits (id text primary key, seen_at text)`.execute(ctx.db.kysely);
    s.datamap.addProvider(async () => [
      {
        name: 'scratch_visits',
        description: 'test',
        subjectLink: null,
        purposes: ['operations'],
        retention: { after: 'P1M', from: 'seen_at' },
        columns: [
          { name: 'id', category: 'system.id', personal: false, erase: 'keep', exported: false },
          { name: 'seen_at', category: 'system.time', personal: false, erase: 'keep', exported: false },
        ],
      },
    ]);
    const now = clock.now();
    await sql`insert into scratch_visits values ('a', ${new Date(now.getTime() - 40 * 86_400_000).toISOString()}), ('b',
      ${new Date(now.getTime() - 5 * 86_400_000).toISOString()}), ('c', null)`.execute(ctx.db.kysely);
    const done = await s.retention.run({ actor: CLI_ACTOR });
    assert.equal(done.find((p) => p.table === 'scratch_visits')!.rows, 1);
    const left = (await sql<{ id: string }>`select id from scratch_visits order by id`.execute(ctx.db.kysely)).rows.map((r) => r.id);
    assert.deepEqual(left, ['b', 'c']);
  });

  it('is scheduled once a day however often scheduling runs, and the worker carries it out', async () => {
    await scheduleDaily(s);
    await scheduleDaily(s);
    const jobs = await ctx.db.kysely.selectFrom('jobs').selectAll().where('queue', '=', 'retention').execute();
    assert.equal(jobs.length, 1);
    clock.set(jobs[0]!.run_at);
    const worker = new Worker(s.jobs, { queues: jobHandlers(s) });
    assert.equal(await worker.runOnce(), 1);
    assert.equal((await s.jobs.stats('retention')).done, 1);
    assert.equal((await s.audit.list({ action: 'retention.run' }, 10)).filter((a) => a.actorType === 'system').length, 1);
  });
});

forEachDialect('retention job run again', (ctx) => {
  const clock = new FakeClock('2026-05-20T12:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  it('records one run however often the job runs (a worker that died after the run leaves it to run again)', async () => {
    await scheduleDaily(s);
    const [job] = await ctx.db.kysely.selectFrom('jobs').selectAll().where('queue', '=', 'retention').execute();
    clock.set(job!.run_at);
    const [claimed] = await s.jobs.claim('retention', 'first', { limit: 1, leaseMs: 1_000 });
    const handler = jobHandlers(s).retention!;
    // The first worker ran it and died before completing the job; the lease lapsed and another ran it again.
    await handler(JSON.parse(claimed!.payload), claimed!);
    clock.advance(2_000);
    await s.jobs.recoverExpired();
    const [again] = await s.jobs.claim('retention', 'second', { limit: 1, leaseMs: 1_000 });
    assert.equal(again?.id, claimed!.id);
    await handler(JSON.parse(again!.payload), again!);
    assert.equal(await s.jobs.complete(again!, 'second'), true);
    assert.equal((await s.audit.list({ action: 'retention.run' }, 10)).length, 1);
  });
});
