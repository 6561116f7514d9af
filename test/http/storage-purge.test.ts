import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { jobHandlers } from '../../src/services.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { assent } from '../helpers/cli.ts';
import { freshDatabase, PG_DATA, PG_URL, type ScratchDb } from '../helpers/db.ts';
import { forEachDialect } from '../helpers/db.ts';
import { transportOf } from '../helpers/mail.ts';

/*
 * Issue 9, point 10: deleting rows through SQL leaves their bytes in PostgreSQL's files (old row
 * versions of every update, index entries) until the relation is rewritten; a plain VACUUM frees
 * the space without overwriting it. The erasure must get the person's bytes out of the live
 * files within a bounded time, and the receipt must say whether that has happened.
 */

const PURGE_QUEUE = 'storage.purge';

/** Runs the product's storage purge jobs that are due (none on code that has no such queue). */
async function runPurges(t: TestApp): Promise<number> {
  const handler = jobHandlers(t.services)[PURGE_QUEUE];
  if (!handler) return 0;
  const worker = new Worker(t.services.jobs, { id: 'test-purger', queues: { [PURGE_QUEUE]: handler } });
  let total = 0;
  for (let n = await worker.runOnce(); n > 0; n = await worker.runOnce()) total += n;
  return total;
}

/**
 * Runs the purge (a day later each time) until the receipt says purged, for up to 30 s: once the
 * test's own holder has ended, a short transaction of another test file's database that began
 * before the erasure may still hold the horizon for a moment (the purge then waits, as it must),
 * and the job retries, as it does in production. Returns the last storage status seen.
 */
async function purgeUntilDone(t: TestApp, clock: FakeClock, receiptId: string) {
  const end = Date.now() + 30_000;
  for (;;) {
    clock.advance(24 * 3600_000);
    await runPurges(t);
    const storage = (await t.services.erasure.receipt(receiptId)).storage;
    if (storage?.status !== 'pending' || Date.now() > end) return storage;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every file of the database's directory (base/<oid>), searched for each needle, ASCII case ignored. */
function bytesFound(dir: string, needles: string[]): string[] {
  const fold = (b: Buffer) => {
    const out = Buffer.from(b);
    for (let i = 0; i < out.length; i++) if (out[i]! >= 0x41 && out[i]! <= 0x5a) out[i]! += 0x20;
    return out;
  };
  const wanted = needles.map((n) => ({ n, b: fold(Buffer.from(n)) }));
  const hits: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (!statSync(p).isFile()) continue;
    const bytes = fold(readFileSync(p));
    for (const w of wanted) if (bytes.includes(w.b)) hits.push(`${f}: ${w.n}`);
  }
  return hits;
}

/**
 * When bytes are found: which relation each file is (a live file, or one no relation owns), and
 * what the purge recorded for it, so that a failure in a loaded run says where to look.
 */
async function whose(scratch: ScratchDb, hits: string[]): Promise<string> {
  const files = [...new Set(hits.map((h) => Number(h.split(':')[0])))];
  const lines: string[] = [];
  for (const f of files) {
    const rel = (
      await sql<{
        name: string;
        kind: string;
        owner: string | null;
      }>`select c.oid::regclass::text as name, c.relkind::text as kind, (select t.oid::regclass::text from pg_class t where
        t.reltoastrelid = c.oid or t.oid = (select indrelid from pg_index where indexrelid = c.oid)) as owner
        from pg_class c where pg_relation_filenode(c.oid) = ${f}`.execute(scratch.db.kysely)
    ).rows[0];
    lines.push(`${f}: ${rel ? `${rel.name} (${rel.kind}${rel.owner ? ` of ${rel.owner}` : ''})` : 'no relation owns this file'}`);
  }
  const purges = (
    await sql<{ relation: string; due_at: string; done_at: string | null; outcome: string | null }>`
      select relation, due_at, done_at, outcome from storage_purges order by relation`.execute(scratch.db.kysely)
  ).rows;
  const jobs = (
    await sql<{ key: string; status: string; attempts: number; last_error: string | null }>`
      select idempotency_key as key, status, attempts, last_error from jobs where queue = ${PURGE_QUEUE} order by 1`.execute(
      scratch.db.kysely,
    )
  ).rows;
  return [
    ...lines,
    'purges:',
    ...purges.map((p) => `  ${p.relation} due ${p.due_at} done ${p.done_at}: ${p.outcome}`),
    'jobs:',
    ...jobs.map((j) => `  ${j.key} ${j.status} x${j.attempts}${j.last_error ? `: ${j.last_error}` : ''}`),
  ].join('\n');
}

const tag = Date.now().toString(36);
const PERSON = {
  first: `Wilhelmina${tag}`,
  last: `Vanishwright${tag}`,
  email: `Wil.Vanish.${tag}@example.org`,
  moved: `wil.moved.${tag}@example.net`,
  phone: '+44 20 7946 0958',
};

describe('on PostgreSQL, an erasure leaves none of the person’s bytes in the database’s files once the purge has run', {
  skip: !PG_URL ? 'PostgreSQL not available' : !PG_DATA ? 'DATABASE_URL names an outside server: its files cannot be read here' : false,
}, () => {
  let scratch: ScratchDb;
  let t: TestApp;
  const clock = new FakeClock('2026-04-01T09:00:00.000Z');

  before(async () => {
    scratch = await freshDatabase('postgres');
    // Lets the purge verify the rewritten pages itself, as a server that allows it would.
    await sql`create extension if not exists pageinspect`.execute(scratch.db.kysely);
    t = await testApp(scratch.db, { clock });
  });
  after(async () => {
    await t?.close();
    await scratch?.drop();
  });

  it('purges the partitions and tables that held the person, says so on the receipt, and leaves no byte behind', async () => {
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: 'admin' | 'privacy_officer' = 'admin') =>
      t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
    const entity = await call('POST', '/api/v1/entities', {
      name: 'parcels',
      linked: true,
      erase: 'anonymise',
      fields: [
        { name: 'ship_to', type: 'text', personal: true },
        { name: 'weight', type: 'number', personal: false },
      ],
    });
    assert.equal(entity.statusCode, 201, entity.body);
    const created = await call('POST', '/api/v1/contacts', {
      email: PERSON.email,
      firstName: PERSON.first,
      lastName: PERSON.last,
      phone: PERSON.phone,
      company: 'Acme',
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = json(created).data.id;
    // Three profile updates, one of them of the address: old row versions everywhere.
    for (const patch of [{ company: 'Acme Ltd' }, { email: PERSON.moved }, { country: 'GB', language: 'en' }])
      assert.equal((await call('PATCH', `/api/v1/contacts/${id}`, patch)).statusCode, 200);
    const actor = { type: 'api_key', id: null } as const;
    for (const level of [3, 5])
      await t.services.consent.setLevel(id, level, {
        source: 'form',
        actor,
        notice: 'Newsletter and offers',
        evidence: { ip: '203.0.113.9', userAgent: `Mozilla/5.0 (${PERSON.last})` },
      });
    await t.services.interactions.ingest([
      { type: 'page_visited', contactId: id, url: 'https://shop.example.com/cart' },
      { type: 'custom', name: 'parcel.sent', contactId: id, properties: { to: `${PERSON.first} ${PERSON.last}` } },
    ]);
    assert.equal(
      (
        await call(
          'POST',
          '/api/v1/entities/parcels/records',
          { contactId: id, fields: { ship_to: `${PERSON.first} ${PERSON.last}, 1 Purge Lane`, weight: 2.5 } },
          'privacy_officer',
        )
      ).statusCode,
      201,
    );
    await transportOf(t.services).send({
      to: PERSON.moved,
      subject: `Hello ${PERSON.first}`,
      text: `Dear ${PERSON.first} ${PERSON.last}`,
      contactId: id,
      purpose: 'transactional',
    });
    // Someone else, who stays, shares the tables.
    await t.services.contacts.create({ email: `stays.${tag}@example.org`, lastName: 'Bleibtreu' });

    const erased = await call('POST', `/api/v1/contacts/${id}/erase`, undefined, 'privacy_officer');
    assert.equal(erased.statusCode, 200, erased.body);
    const receipt = json(erased).data;
    assert.deepEqual(receipt.residue, []);

    clock.advance(3600_000);
    await runPurges(t);
    const unfinished = (
      await sql<{
        status: string;
        last_error: string | null;
      }>`select status, last_error from jobs where queue = ${PURGE_QUEUE} and status <> 'done'`.execute(scratch.db.kysely)
    ).rows;
    assert.deepEqual(unfinished, [], 'every purge job ran to its end');

    await sql`checkpoint`.execute(scratch.db.kysely);
    const oid = (await sql<{ oid: number }>`select oid from pg_database where datname = current_database()`.execute(scratch.db.kysely))
      .rows[0]!.oid;
    const needles = [PERSON.last, PERSON.first, PERSON.email, PERSON.moved, PERSON.email.toLowerCase(), PERSON.phone];
    const hits = bytesFound(join(PG_DATA!, 'base', String(oid)), needles);
    assert.deepEqual(hits, [], `no file of the database holds the erased person’s bytes\n${await whose(scratch, hits)}`);

    assert.equal(receipt.storage?.status, 'pending', 'the receipt said the purge was pending until it ran');
    const after = json(await call('GET', `/api/v1/erasures/${receipt.id}`, undefined, 'privacy_officer')).data;
    assert.equal(after.storage.status, 'purged', JSON.stringify(after.storage));
    assert.ok(after.storage.purgedAt >= receipt.at, 'records when');
    assert.match(after.storage.verification, /VACUUM FULL/);
    assert.match(after.storage.verification, /pageinspect/);
    assert.doesNotMatch(JSON.stringify(after), new RegExp(`${PERSON.last}|${tag}@`, 'i'));
  });
});

describe('on PostgreSQL, the purge waits for snapshots older than the erasure', {
  skip: !PG_URL ? 'PostgreSQL not available' : !PG_DATA ? 'DATABASE_URL names an outside server: its files cannot be read here' : false,
}, () => {
  let scratch: ScratchDb;
  let t: TestApp;
  const clock = new FakeClock('2026-05-01T09:00:00.000Z');
  before(async () => {
    scratch = await freshDatabase('postgres');
    t = await testApp(scratch.db, { clock });
    t.services.erasure.purges.horizonWaitMs = 300;
  });
  after(async () => {
    await t?.close();
    await scratch?.drop();
  });

  it(
    'a transaction that could still see the erased rows holds the purge back (the rewrite would copy them); once it ends the purge ' +
      'completes',
    async () => {
      const who = { email: `Old.Snapshot.${tag}@example.org`, last: `Snapshotter${tag}` };
      const c = await t.services.contacts.create({ email: who.email, lastName: who.last });
      await t.services.contacts.update(c.id, { company: 'Keeps Rows' });
      const reader = new pg.Client({ connectionString: scratch.url });
      await reader.connect();
      try {
        await reader.query('begin isolation level repeatable read');
        await reader.query('select count(*) from contacts');
        const r = await t.services.erasure.erase({ contactIds: [c.id] }, { actor: { type: 'cli', id: null } });
        const receipt = r.receipts[0]!;
        clock.advance(3600_000);
        await runPurges(t);
        assert.equal(
          (await t.services.erasure.receipt(receipt.id)).storage?.status,
          'pending',
          'not purged while an older snapshot is open',
        );
        await reader.query('commit');
        const done = await purgeUntilDone(t, clock, receipt.id);
        assert.equal(done?.status, 'purged', JSON.stringify(done));
        await sql`checkpoint`.execute(scratch.db.kysely);
        const oid = (await sql<{ oid: number }>`select oid from pg_database where datname = current_database()`.execute(scratch.db.kysely))
          .rows[0]!.oid;
        assert.deepEqual(bytesFound(join(PG_DATA!, 'base', String(oid)), [who.email, who.last]), []);
      } finally {
        await reader.end();
      }
    },
  );
});

describe('on PostgreSQL, the purge waits for transactions of other databases that began before the erasure', {
  skip: !PG_URL ? 'PostgreSQL not available' : !PG_DATA ? 'DATABASE_URL names an outside server: its files cannot be read here' : false,
}, () => {
  let scratch: ScratchDb;
  let other: ScratchDb;
  let t: TestApp;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  before(async () => {
    scratch = await freshDatabase('postgres');
    other = await freshDatabase('postgres');
    await sql`create extension if not exists pageinspect`.execute(scratch.db.kysely);
    t = await testApp(scratch.db, { clock });
    t.services.erasure.purges.horizonWaitMs = 300;
  });
  after(async () => {
    await t?.close();
    await scratch?.drop();
    await other?.drop();
  });

  it(
    'a transaction in another database of the server holds every snapshot here back (its id is running): the purge waits for ' +
      'it, then leaves no byte behind',
    async () => {
      // Another application on the same server, or another tenant: a write transaction that stays open.
      const writer = new pg.Client({ connectionString: other.url });
      await writer.connect();
      try {
        await writer.query('begin');
        await writer.query('create table busy (n int)');
        await writer.query('select pg_current_xact_id()');
        const who = { email: `Other.Db.${tag}@example.org`, last: `Elsewhere${tag}` };
        const c = await t.services.contacts.create({ email: who.email, lastName: who.last });
        await t.services.contacts.update(c.id, { company: 'Keeps Rows Too' });
        const r = await t.services.erasure.erase({ contactIds: [c.id] }, { actor: { type: 'cli', id: null } });
        const receipt = r.receipts[0]!;
        clock.advance(3600_000);
        await runPurges(t);
        const held = (await t.services.erasure.receipt(receipt.id)).storage;
        assert.equal(held?.status, 'pending', `not purged while the other database's transaction runs: ${JSON.stringify(held)}`);
        await writer.query('commit');
        const done = await purgeUntilDone(t, clock, receipt.id);
        assert.equal(done?.status, 'purged', JSON.stringify(done));
        await sql`checkpoint`.execute(scratch.db.kysely);
        const oid = (await sql<{ oid: number }>`select oid from pg_database where datname = current_database()`.execute(scratch.db.kysely))
          .rows[0]!.oid;
        const hits = bytesFound(join(PG_DATA!, 'base', String(oid)), [who.email, who.last]);
        assert.deepEqual(hits, [], await whose(scratch, hits));
      } finally {
        await writer.end();
      }
    },
  );
});

forEachDialect('erasure receipts say where the storage purge stands', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  it(
    ctx.dialect === 'sqlite'
      ? 'SQLite: purged at erasure time (secure_delete and a checkpoint), and said so'
      : 'PostgreSQL: pending until the purge job has run, then purged with the time',
    async () => {
      const c = await t.services.contacts.create({ email: `receipt.${tag}@example.org`, lastName: 'Quittung' });
      const r = await t.services.erasure.erase({ contactIds: [c.id] }, { actor: { type: 'cli', id: null } });
      const receipt = r.receipts[0]!;
      const storage = (receipt as { storage?: { status: string; purgedAt: string | null; verification: string | null } }).storage;
      if (ctx.dialect === 'sqlite') {
        assert.equal(storage?.status, 'purged');
        assert.ok(storage!.purgedAt! >= receipt.at, 'when the checkpoint after the commit was done');
        assert.match(storage?.verification ?? '', /secure_delete/);
        return;
      }
      assert.deepEqual([storage?.status, storage?.purgedAt], ['pending', null]);
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/erasures/${receipt.id}`, headers: t.auth('privacy_officer') });
      assert.equal(json(res).data.storage.status, 'pending');
    },
  );

  it('erasures within one window share one rewrite per relation; the CLI says where the purge stands', async () => {
    const a = await t.services.contacts.create({ email: `window.a.${tag}@example.org` });
    const b = await t.services.contacts.create({ email: `window.b.${tag}@example.org` });
    await t.services.erasure.erase({ contactIds: [a.id] }, { actor: { type: 'cli', id: null } });
    await t.services.erasure.erase({ contactIds: [b.id] }, { actor: { type: 'cli', id: null } });
    const cli = await assent(ctx.url, 'dsr', 'erase', `window.c.${tag}@example.org`);
    assert.equal(cli.code, 0, cli.stderr);
    if (ctx.dialect === 'sqlite') {
      assert.match(cli.stdout, /^storage purged at \S+: SQLite: secure_delete/m);
      assert.equal(
        (await sql<{ n: number }>`select count(*) as n from jobs where queue = ${PURGE_QUEUE}`.execute(ctx.db.kysely)).rows[0]!.n,
        0,
        'SQLite needs no purge job',
      );
      return;
    }
    assert.match(cli.stdout, /^storage purge pending/m);
    // Both contacts' registry rows and rows live in partitions; each relation has one job per window, whoever asked.
    const jobs = (
      await sql<{ key: string }>`select idempotency_key as key from jobs where queue = ${PURGE_QUEUE} and status = 'queued'`.execute(
        ctx.db.kysely,
      )
    ).rows.map((r) => r.key);
    assert.equal(new Set(jobs).size, jobs.length);
    // This test's window is the newest (an earlier test's purge held back by a short transaction of
    // another database is requeued for a later window of its own, so it may still be queued here).
    const window = jobs
      .map((k) => k.split(':').slice(2).join(':'))
      .sort()
      .at(-1);
    const relations = jobs.filter((k) => k.split(':').slice(2).join(':') === window).map((k) => k.split(':')[1]);
    assert.ok(relations.length > 0, 'the window has its jobs');
    assert.equal(new Set(relations).size, relations.length, 'no relation is rewritten twice in one window');
    const rows = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from storage_purges where relation = 'outbox' or relation like 'contacts$p%'`.execute(ctx.db.kysely)
    ).rows[0]!.n;
    assert.ok(rows >= 2, 'each receipt waits for its relations');
  });
});
