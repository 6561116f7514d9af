import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { holdCheckpoints } from '../../db/checkpoint-hold.ts';
import { connect } from '../../db/connect.ts';
import { newId } from '../../lib/ids.ts';
import type { Database } from '../database.ts';
import { PREPARE_QUEUE } from './engine.jobs.ts';
import { HandOverTaken, handOverSends } from './send.queries.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

// The hand-over is the one write between a message's bytes at the relay and its terminator: all
// of a group become sent and counted, or (another run took one) none, on both databases, and on
// PostgreSQL also against a run in another connection that holds the rows.
forEachDialect('the hand-over of sends to the relay', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  let n = 0;
  /** A campaign of `size` contacts prepared (its sends queued), not sent. */
  async function prepared(size: number): Promise<{ campaignId: string; sendIds: string[] }> {
    const company = `h${n++}-${newId().slice(-6)}`;
    for (let i = 0; i < size; i++) {
      const c = await t.services.contacts.create({ email: `${company}.${i}@example.com`, company });
      await t.services.consent.setLevel(c.id, 4, CTX);
    }
    const seg = await t.services.segments.create({
      name: `S ` + `${company}`,
      kind: 'dynamic',
      filter: { field: 'company', op: '=', value: company },
    });
    const now = new Date().toISOString();
    const messageId = newId();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id: messageId,
        name: `M ${company}`,
        purpose: 'marketing',
        list_id: null,
        from_name: null,
        from_email: 'news@example.com',
        reply_to: null,
        subject: 'Hi',
        html: '<a href="{{ unsubscribe_url }}">leave</a>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const campaign = await t.services.campaigns.start(messageId, seg.id, null);
    await runJobs(t.services, [PREPARE_QUEUE]);
    const sends = await ctx.db.kysely.selectFrom('sends').select('id').where('campaign_id', '=', campaign.id).orderBy('id').execute();
    assert.equal(sends.length, size);
    return { campaignId: campaign.id, sendIds: sends.map((s) => s.id) };
  }
  const items = (ids: string[]) => ids.map((id, i) => ({ id, messageId: `<${id}@example.com>`, tracked: i % 2 }));
  const rows = (ids: string[]) =>
    ctx.db.kysely
      .selectFrom('sends')
      .select(['id', 'status', 'smtp_message_id', 'tracked', 'attempts', 'sent_at'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();
  const sentCount = async (campaignId: string) =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('campaign_counts')
          .select('n')
          .where('campaign_id', '=', campaignId)
          .where('outcome', '=', 'sent')
          .where('reason', '=', '')
          .executeTakeFirst()
      )?.n ?? 0,
    );

  it('marks every send of the group sent, with its Message-ID and tracking, and counts them once', async () => {
    const { campaignId, sendIds } = await prepared(3);
    const at = '2026-12-05T10:00:00.000Z';
    await handOverSends(ctx.db, ctx.db.kysely, items(sendIds), at, campaignId);
    const after = await rows(sendIds);
    assert.deepEqual(
      after.map((r) => [r.status, r.smtp_message_id, r.tracked, r.attempts, r.sent_at]),
      sendIds.map((id, i) => ['sent', `<${id}@example.com>`, i % 2, 1, at]),
    );
    assert.equal(await sentCount(campaignId), 3);
  });

  it('moves none of a group one of whose sends another run took, and counts nothing', async () => {
    const { campaignId, sendIds } = await prepared(4);
    await handOverSends(ctx.db, ctx.db.kysely, items([sendIds[2]!]), new Date().toISOString(), campaignId);
    await assert.rejects(handOverSends(ctx.db, ctx.db.kysely, items(sendIds), new Date().toISOString(), campaignId), HandOverTaken);
    assert.deepEqual(
      (await rows(sendIds)).map((r) => r.status),
      ['queued', 'queued', 'sent', 'queued'],
    );
    assert.equal(await sentCount(campaignId), 1);
    // The rest can still go.
    await handOverSends(ctx.db, ctx.db.kysely, items([sendIds[0]!, sendIds[1]!, sendIds[3]!]), new Date().toISOString(), campaignId);
    assert.equal(await sentCount(campaignId), 4);
  });

  it('joins the caller’s transaction, and a taken send rolls back the caller’s writes too', async () => {
    const { campaignId, sendIds } = await prepared(2);
    await handOverSends(ctx.db, ctx.db.kysely, items([sendIds[1]!]), new Date().toISOString(), campaignId);
    await assert.rejects(
      ctx.db.kysely.transaction().execute(async (trx) => {
        await trx.updateTable('campaigns').set({ ended_at: 'marker' }).where('id', '=', campaignId).execute();
        await handOverSends(ctx.db, trx, items(sendIds), new Date().toISOString(), campaignId);
      }),
      HandOverTaken,
    );
    const c = await ctx.db.kysely.selectFrom('campaigns').select('ended_at').where('id', '=', campaignId).executeTakeFirstOrThrow();
    assert.notEqual(c.ended_at, 'marker');
    assert.deepEqual(
      (await rows(sendIds)).map((r) => r.status),
      ['queued', 'sent'],
    );
  });

  it(
    'on SQLite, commits without running the automatic checkpoint, ' + 'which would hold the terminators back; the next commit runs it',
    async (tc) => {
      const raw = ctx.db.sqlite;
      if (!raw) return tc.skip('PostgreSQL has no checkpoint in its commits');
      const { campaignId, sendIds } = await prepared(2);
      // The log's frames and how many of them are copied into the file: the WAL index's header (mxFrame)
      // and its checkpoint info (nBackfill), as SQLite lays them out in the -shm file.
      // Read by another process: closing a descriptor of the file here would drop this process's
      // POSIX locks on it, SQLite's among them.
      const wal = (): { frames: number; copied: number } =>
        JSON.parse(
          execFileSync(process.execPath, [
            '-e',
            'const b = require("fs").readFileSync(process.argv[1]); ' +
              'console.log(JSON.stringify({ frames: b.readUInt32LE(16), copied: b.readUInt32LE(96) }))',
            `${raw.name}-shm`,
          ]).toString(),
        );
      // The log grows over the automatic checkpoint's mark (1,000 pages) while checkpoints are held.
      const held = holdCheckpoints(raw);
      const touch = raw.prepare('update campaigns set ended_at = ? where id = ?');
      for (let i = 0; i < 1200; i++) touch.run(`x${i}`, campaignId);
      held();
      const before = wal();
      assert.ok(before.frames - before.copied > 1000, `the log is over the mark: ${JSON.stringify(before)}`);
      await handOverSends(ctx.db, ctx.db.kysely, items(sendIds), new Date().toISOString(), campaignId);
      const during = wal();
      assert.ok(during.frames > before.frames, 'the hand-over wrote to the log');
      assert.equal(during.copied, before.copied, 'no checkpoint ran in the hand-over’s commit');
      assert.deepEqual(
        (await rows(sendIds)).map((r) => r.status),
        ['sent', 'sent'],
      );
      await new Promise((r) => setImmediate(r));
      assert.equal(Number(raw.pragma('wal_autocheckpoint', { simple: true })), 1000, 'the setting is back');
      touch.run('y', campaignId);
      const next = wal();
      assert.equal(next.copied, next.frames, 'the next commit checkpointed the whole log');
    },
  );

  it('two runs handing over the same sends at once, from two connections: one moves them all, the other nothing', async (tc) => {
    if (ctx.dialect !== 'postgres') return tc.skip('SQLite has one writer: its runs cannot overlap');
    const { campaignId, sendIds } = await prepared(5);
    const other = connect<Database>(ctx.url, { poolSize: 2 });
    try {
      // The first run holds the rows in an open transaction while the second asks for them.
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let firstDone!: Promise<unknown>;
      const locked = new Promise<void>((ready) => {
        firstDone = other.kysely.transaction().execute(async (trx) => {
          await handOverSends(ctx.db, trx, items(sendIds), new Date().toISOString(), campaignId);
          ready();
          await held;
        });
      });
      await locked;
      const second = handOverSends(ctx.db, ctx.db.kysely, items(sendIds.slice(1, 4)), new Date().toISOString(), campaignId).then(
        () => 'moved',
        (e: unknown) => (e instanceof HandOverTaken ? 'taken' : e),
      );
      // The second waits on the rows' locks, not on anything else.
      await new Promise((r) => setTimeout(r, 200));
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(other.kysely);
      assert.ok(waiting.rows[0]!.n >= 1, 'the second run waits for the first one’s row locks');
      release();
      await firstDone;
      assert.equal(await second, 'taken');
      assert.ok((await rows(sendIds)).every((r) => r.status === 'sent' && r.attempts === 1));
      assert.equal(await sentCount(campaignId), 5);
    } finally {
      await other.close();
    }
  });
});
