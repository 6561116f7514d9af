import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const SYSTEM = { source: 'api' as const, actor: { type: 'system', id: null } };

// Issue 12 point 4: events name their contact by address; unknown addresses are counted anonymously only.
forEachDialect('ingest by email', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());
  const ingest = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/interactions', headers: t.auth('marketer'), payload });
  const rowsOf = async (id: string) =>
    (await ctx.db.kysely.selectFrom('interactions').select(['contact_id', 'type']).where('contact_id', '=', id).execute()).length;
  const counted = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('interaction_stats')
          .select((eb) => eb.fn.sum<number>('count').as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );

  it('resolves addresses in the batch, stores only with profiling consent, counts unknown ones anonymously', async () => {
    const profiled = await t.services.contacts.create({ email: 'Ana.Profiled@Example.com' });
    await t.services.consent.setLevel(profiled.id, 5, SYSTEM);
    const plain = await t.services.contacts.create({ email: 'bo@example.com' });
    const before = await counted();
    const res = await ingest({
      events: [
        { type: 'page_visited', email: 'ana.profiled@EXAMPLE.com', url: 'https://shop.example/a' },
        { type: 'page_visited', email: ' Ana.Profiled@example.com ', url: 'https://shop.example/b' },
        { type: 'page_visited', email: 'bo@example.com', url: 'https://shop.example/a' },
        { type: 'email_sent', email: 'BO@example.com' },
        { type: 'page_visited', email: 'nobody@example.com', url: 'https://shop.example/a' },
        { type: 'email_sent', email: 'nobody.else@example.com' },
        { type: 'page_visited', contactId: plain.id, url: 'https://shop.example/c' },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, { accepted: 7, stored: 3, unlinked: 4 });
    assert.equal(await rowsOf(profiled.id), 2, 'behaviour kept for the contact with profiling consent');
    assert.equal(await rowsOf(plain.id), 1, 'only the operational event: no profiling consent');
    assert.equal((await counted()) - before, 7, 'every event counted, the unknown addresses too');
    // Nothing about an unknown address is kept: no contact, no row naming it.
    const dump = JSON.stringify(await ctx.db.kysely.selectFrom('interactions').selectAll().execute());
    assert.doesNotMatch(dump, /nobody/);
    assert.equal((await t.services.contacts.list({ email: 'nobody@example.com' }, 10)).length, 0);
  });

  it('refuses a batch naming a contact both ways, neither way, or by a malformed address, writing nothing', async () => {
    const c = await t.services.contacts.create({ email: 'both@example.com' });
    const before = await counted();
    for (const [bad, path] of [
      [{ type: 'email_sent', email: 'both@example.com', contactId: c.id }, '/contactId'],
      [{ type: 'email_sent' }, '/contactId'],
      [{ type: 'email_sent', email: 'not an address' }, '/email'],
      [{ type: 'email_sent', email: 'ü@' }, '/email'],
    ] as const) {
      const res = await ingest({ events: [{ type: 'email_sent', email: 'both@example.com' }, bad] });
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      const err = json(res).error;
      assert.equal(err.code, 'validation_failed');
      assert.match(JSON.stringify(err.details), new RegExp(path), JSON.stringify(err.details));
    }
    for (const email of ['', 'x'.repeat(255)]) assert.equal((await ingest({ type: 'email_sent', email })).statusCode, 400);
    assert.equal(await counted(), before);
  });
});
