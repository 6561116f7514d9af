/*
 * Queries that take a list whose size a caller decides must not bind one variable per element:
 * a statement takes at most 32,766 (SQLite) or 65,535 (PostgreSQL). Each is called here with
 * more elements than either database would bind, and must answer as it does for a few.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { inList } from '../src/db/in-list.ts';
import { loadConfig } from '../src/config.ts';
import { FakeClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { createLogger } from '../src/lib/log.ts';
import { noticesByHashes, stubContactsEntries } from '../src/modules/consent/ledger.queries.ts';
import { planErasure } from '../src/modules/dsr/erasure/erasure.model.ts';
import { eraseRows, flagRequests, insertReceipts, requestEmails, setReceiptResidue } from '../src/modules/dsr/erasure/erasure.queries.ts';
import { createServices, type Services } from '../src/services.ts';
import { forEachDialect } from './helpers/db.ts';
import { transportOf } from './helpers/mail.ts';
import { contactsByIds } from '../src/modules/contact-records/module.ts';

/** More than PostgreSQL's 65,535 (and so SQLite's 32,766). */
const N = 70_000;
const system = { type: 'system' as const, id: null };
const NOW = '2026-03-10T12:00:00.000Z';

/** `n` ids no row has, with `real` spread among them. */
function among(real: string[], n = N): string[] {
  const out = Array.from({ length: n - real.length }, () => newId());
  real.forEach((r, i) => out.splice(Math.floor(((i + 1) * out.length) / (real.length + 1)), 0, r));
  return out;
}

forEachDialect('caller-sized lists bind a bounded number of variables', (ctx) => {
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, new FakeClock(NOW), createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  it('inList: a list of any length, text or numbers, means what a short one means', async () => {
    const k = ctx.db.kysely;
    const texts = among(['b', 'd']);
    const numbers = Array.from({ length: N }, (_, i) => i * 0.5);
    const r = await sql<{
      t: string;
    }>`select t from (select 'a' as t union all select 'b' union all select 'd') x where ${inList(ctx.dialect, sql.ref('t'), texts)}
      order by t`.execute(k);
    assert.deepEqual(
      r.rows.map((x) => x.t),
      ['b', 'd'],
    );
    const n = await sql<{
      v: number;
    }>`select v from (select 2.5 as v union all select 3 union all select -1) x where
      ${inList(ctx.dialect, sql.ref('v'), numbers, 'float8')} order by v`.execute(k);
    assert.deepEqual(
      n.rows.map((x) => Number(x.v)),
      [2.5, 3],
    );
    assert.equal(
      (await sql`select 1 as one where ${inList(ctx.dialect, sql.lit(1), [])}`.execute(k)).rows.length,
      0,
      'an empty list is false',
    );
  });

  it('contacts by ids', async () => {
    const a = await s.contacts.create({ email: 'many.a@example.org' });
    const b = await s.contacts.create({ email: 'many.b@example.org' });
    const found = await contactsByIds(ctx.db.kysely, among([a.id, b.id]));
    assert.deepEqual(found.map((c) => c.id).sort(), [a.id, b.id].sort());
  });

  it('ledger: notices by hashes, and stubs for many people', async () => {
    const a = await s.contacts.create({ email: 'many.ledger@example.org' });
    await s.consent.setLevel(a.id, 3, { source: 'api', actor: system, notice: 'Notice for the bound test' });
    const hash = (await s.ledger.history(a.id))[0]!.notice!.hash;
    const notices = await noticesByHashes(ctx.db.kysely, among([hash]));
    assert.deepEqual(
      notices.map((x) => x.hash),
      [hash],
    );
    const stubbed = await ctx.db.kysely.transaction().execute((trx) => stubContactsEntries(trx, among([a.id]), NOW));
    assert.equal(stubbed.length, 1, 'the one entry became a stub, and its seq is returned for the erasure record');
  });

  it('erasure: rows by contact id and by address', async () => {
    const c = await s.contacts.create({ email: 'many.c@example.org' });
    await transportOf(s).send({ to: 'many.c@example.org', subject: 'One', text: 'x', contactId: c.id });
    await transportOf(s).send({ to: 'other.address@example.org', subject: 'Two', text: 'x', contactId: c.id });
    await transportOf(s).send({ to: 'no.contact@example.org', subject: 'Three', text: 'x' });
    await transportOf(s).send({ to: 'bystander@example.org', subject: 'Four', text: 'x' });
    const outbox = planErasure(await s.datamap.getMap()).find((p) => p.table === 'outbox')!;
    assert.deepEqual([outbox.link.kind, outbox.contactRefs], ['email', ['contact_id']]);
    const emails = among(['many.c@example.org', 'no.contact@example.org']).map((x) => (x.includes('@') ? x : `${x}@example.net`));
    const n = await ctx.db.kysely.transaction().execute((trx) => eraseRows(trx, outbox, among([c.id]), emails));
    assert.equal(n, 3, 'by address, by contact id, and the address no contact holds');
    assert.deepEqual(
      (await ctx.db.kysely.selectFrom('outbox').select('to_address').execute()).map((r) => r.to_address),
      ['bystander@example.org'],
    );
  });

  it('erasure: the cases an erasure answers', async () => {
    const requestId = newId();
    await ctx.db.kysely
      .insertInto('requests')
      .values({
        id: requestId,
        type: 'erasure',
        email: 'case@example.org',
        email_hmac: await s.secret.emailHash('case@example.org'),
        contact_id: null,
        status: 'verified',
        channel: 'api',
        owner_id: null,
        received_at: NOW,
        deadline: '2026-12-31',
        extended_at: null,
        extension_reason: null,
        verified_at: NOW,
        completed_at: null,
        flagged: 0,
        flag_detail: null,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    assert.deepEqual(await requestEmails(ctx.db.kysely, among([requestId])), ['case@example.org']);
    await flagRequests(ctx.db.kysely, among([requestId]), 'residue in x.y', NOW);
    assert.equal(
      (await ctx.db.kysely.selectFrom('requests').select('flagged').where('id', '=', requestId).executeTakeFirstOrThrow()).flagged,
      1,
    );
  });

  it('erasure: receipts, a row each, and their residue', async () => {
    // Enough rows that one variable per value exceeds both limits (10 columns each).
    const receipts = Array.from({ length: 10_000 }, () => ({
      id: newId(),
      request_id: null,
      at: NOW,
      actor_type: 'system',
      actor_id: null,
      tables: '{}',
      residue: null,
      storage_status: null,
      storage_purged_at: null,
      storage_verification: null,
    }));
    await ctx.db.kysely.transaction().execute((trx) => insertReceipts(trx, receipts));
    await setReceiptResidue(ctx.db.kysely, among(receipts.map((r) => r.id)), ['x.y']);
    const stored = await ctx.db.kysely.selectFrom('erasure_receipts').select(['residue']).execute();
    assert.equal(stored.length, receipts.length);
    assert.ok(stored.every((r) => r.residue === '["x.y"]'));
  });
});
