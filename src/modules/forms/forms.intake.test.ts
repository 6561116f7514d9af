// The group commit of public submissions (forms.intake.ts): batches stored whole or not at all,
// limits taken for a batch in one statement yet counted as if the hits came one by one, shared by
// two processes on one database, and a process killed mid-batch leaving no answered submission
// unstored.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import { newId } from '../../lib/ids.ts';
import { type Accepted, Batcher, type FormIntake } from './forms.intake.ts';
import { FORM_QUEUE, PER_ADDRESS, PER_CLIENT } from './forms.service.ts';

describe('Batcher', () => {
  it('hands the items of one moment to one flush, each caller its own result', async () => {
    const flushes: number[][] = [];
    const b = new Batcher<number, number>(async (xs) => {
      flushes.push(xs);
      return xs.map((x) => x * 10);
    }, 5);
    assert.deepEqual(await Promise.all([b.add(1), b.add(2), b.add(3)]), [10, 20, 30]);
    assert.deepEqual(flushes, [[1, 2, 3]]);
  });

  it('flushes at once when full, and the rest later', async () => {
    const flushes: number[][] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        flushes.push(xs);
        return xs;
      },
      1000,
      2,
    );
    const t0 = Date.now();
    await Promise.all([b.add(1), b.add(2)]);
    assert.ok(Date.now() - t0 < 500, 'a full batch does not wait');
    await Promise.all([b.add(3), b.add(4), b.add(5)].slice(0, 2));
    assert.deepEqual(flushes, [
      [1, 2],
      [3, 4],
    ]);
  });

  it('a failed flush rejects every caller of its batch with its error', async () => {
    const b = new Batcher<number, number>(async () => {
      throw new Error('commit failed');
    });
    const all = await Promise.allSettled([b.add(1), b.add(2), b.add(3)]);
    assert.deepEqual(
      all.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'resolved')),
      ['commit failed', 'commit failed', 'commit failed'],
    );
  });
});

forEachDialect('form intake (group commit)', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  /** Another process on the same database: its own services and batches, nothing shared in memory. */
  let other: Services;
  let formId: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    other = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    formId = (
      await t.services.forms.create({ name: 'Sign-up', fields: [{ name: 'email', label: 'Email', maps: 'email', required: true }] })
    ).id;
  });
  after(async () => {
    await other.mail.close();
    await other.erasure.close();
    await t.close();
  });

  const count = async (table: 'form_submissions' | 'form_confirmations') =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom(table)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const jobs = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('jobs')
          .select((e) => e.fn.countAll().as('n'))
          .where('queue', '=', FORM_QUEUE)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const stored = async (email: string) =>
    !!(await ctx.db.kysely.selectFrom('form_confirmations').select('id').where('email', '=', email).executeTakeFirst());

  it('a batch whose commit fails stores none of it, and every request of it gets the error', async () => {
    const [s0, c0, j0] = [await count('form_submissions'), await count('form_confirmations'), await jobs()];
    const intake = (t.services.forms as unknown as { intake: FormIntake }).intake;
    const now = clock.now().toISOString();
    const item = (n: number, confirmationId = newId()): Accepted => {
      const id = newId();
      return {
        addressKey: `key-${n}`,
        trapped: false,
        counted: [],
        submission: {
          id,
          form_id: formId,
          version: 1,
          contact_id: null,
          created_at: now,
          ip_prefix: null,
          user_agent: null,
          confirmed_at: null,
        },
        confirmation: {
          id: confirmationId,
          submission_id: id,
          token_hash: null,
          email: `b${n}@example.org`,
          changes: '{}',
          created_at: now,
          expires_at: now,
        },
      };
    };
    // Four accepted in the same moment, one batch; the last's waiting changes take the first's
    // id, so their insert fails after the batch's limit counts and submission rows are written.
    const first = item(1);
    const results = await Promise.allSettled([
      intake.accept(first),
      intake.accept(item(2)),
      intake.accept(item(3)),
      intake.accept(item(4, first.confirmation.id)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected', 'rejected'],
    );
    assert.deepEqual([await count('form_submissions'), await count('form_confirmations'), await jobs()], [s0, c0, j0]);
    for (const n of [1, 2, 3, 4]) assert.equal(await stored(`b${n}@example.org`), false);
    // The next batch is not affected.
    await t.services.forms.submit(formId, { email: 'after@example.org' }, { ip: '10.7.0.9' });
    assert.equal(await stored('after@example.org'), true);
  });

  it('two processes share the client limit: exactly its budget of concurrent hits get through', async () => {
    const ip = '198.51.100.77';
    const hits = PER_CLIENT.max + 12;
    const results = await Promise.allSettled(
      Array.from({ length: hits }, (_, i) =>
        (i % 2 ? other : t.services).forms.submit(formId, { email: `ip${i}@example.org` }, { ip, origin: null }),
      ),
    );
    const through = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'rate_limited');
    assert.equal(through, PER_CLIENT.max);
    assert.equal(refused.length, hits - PER_CLIENT.max);
    assert.ok((refused[0] as PromiseRejectedResult).reason.details.retryAfter >= 1);
  });

  it('two processes share the address limit: exactly its budget stored, the rest answered alike and dropped', async () => {
    const before = await count('form_submissions');
    const tries = PER_ADDRESS.max + 7;
    // Each from its own client; the address is the same, its domain spelled in different case.
    const results = await Promise.allSettled(
      Array.from({ length: tries }, (_, i) =>
        (i % 2 ? other : t.services).forms.submit(
          formId,
          { email: i % 3 ? 'same@Example.ORG' : 'same@example.org' },
          { ip: `10.8.1.${i}` },
        ),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(tries).fill('fulfilled'),
    );
    assert.equal((await count('form_submissions')) - before, PER_ADDRESS.max);
  });

  it('within one batch, hits on one key are counted in arrival order', async () => {
    const got = await t.services.rateLimiter.hitMany({ scope: 'test:order', max: 2, windowMs: 60_000 }, ['a', 'b', 'a', 'a', 'b']);
    assert.deepEqual(
      got.map((g) => g.count),
      [1, 1, 2, 3, 2],
    );
    const again = await t.services.rateLimiter.hitMany({ scope: 'test:order', max: 2, windowMs: 60_000 }, ['a', 'c']);
    assert.deepEqual(
      again.map((g) => g.count),
      [4, 1],
    );
    // The window over, counting starts again.
    clock.advance(61_000);
    const fresh = await t.services.rateLimiter.hitMany({ scope: 'test:order', max: 2, windowMs: 60_000 }, ['a', 'a']);
    assert.deepEqual(
      fresh.map((g) => g.count),
      [1, 2],
    );
  });

  it('a process killed while submitting leaves every answered submission stored, and each batch whole', async () => {
    const answered: string[] = [];
    const child = fork(new URL('forms.intake.child.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, DATABASE_URL: ctx.url, FORM_ID: formId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { ok?: string }) => {
        if (m.ok) answered.push(m.ok);
        // Killed well into its run, with batches in flight.
        if (answered.length >= 300) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was killed`)));
    });
    child.kill('SIGKILL');
    await exited;
    const emails = new Set(
      (await ctx.db.kysely.selectFrom('form_confirmations').select('email').where('email', 'like', 'crash%').execute()).map((r) => r.email),
    );
    const missing = answered.filter((e) => !emails.has(e));
    assert.deepEqual(missing, []);
    // Whole batches only: every submission has its waiting changes and its job.
    assert.equal(await count('form_submissions'), await count('form_confirmations'));
    assert.equal(await count('form_submissions'), await jobs());
  });
});
