import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../lib/clock.ts';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { changedFields } from './events.service.ts';

const system = { type: 'system', id: null } as const;

forEachDialect('the event log', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-04-01T08:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  /** Events (type, data, fields) published since `mark`, oldest first. */
  const since = async (mark: string) =>
    (await ctx.db.kysely.selectFrom('events').selectAll().where('id', '>', mark).orderBy('id').execute()).map((r) => ({
      type: r.type,
      contactId: r.contact_id,
      data: JSON.parse(r.data) as Record<string, unknown>,
      fields: r.fields === null ? null : (JSON.parse(r.fields) as string[]),
    }));
  const mark = async () =>
    (await ctx.db.kysely.selectFrom('events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())?.id ?? '';
  const dispatchJobs = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('queue', '=', 'events.dispatch')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('exists exactly when its change committed: a rolled-back transaction leaves no event and no dispatch job', async () => {
    const m = await mark();
    const jobs = await dispatchJobs();
    await assert.rejects(
      ctx.db.kysely.transaction().execute(async (trx) => {
        await t.services.events.publish(trx, { type: 'contact.created', contactId: null });
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    // A create refused (the address is taken) and an update refused (invalid) announce nothing.
    const c = await t.services.contacts.create({ email: 'once.ev@example.com' });
    const m2 = await mark();
    await assert.rejects(t.services.contacts.create({ email: 'ONCE.ev@example.com' }), { code: 'contact_exists' });
    await assert.rejects(t.services.contacts.update(c.id, { birthDate: 'not a date' }), { code: 'validation_failed' });
    assert.deepEqual(await since(m2), []);
    assert.deepEqual(
      (await since(m)).map((e) => e.type),
      ['contact.created'],
    );
    assert.equal(await dispatchJobs(), jobs + 1);
  });

  it('refuses a type no manifest declares', async () => {
    await assert.rejects(
      ctx.db.kysely.transaction().execute((trx) => t.services.events.publish(trx, { type: 'contact.exploded' })),
      /declared by no module/,
    );
  });

  it('contacts: created, updated with the names of the changed fields only, nothing for an update that changes nothing', async () => {
    const m = await mark();
    const c = await t.services.contacts.create({ email: 'fields.ev@example.com', firstName: 'Åsa' });
    await t.services.contacts.update(c.id, { firstName: 'Åsa' });
    await t.services.contacts.update(c.id, { firstName: 'Åse', company: 'Malmö AB', phone: null });
    const evs = await since(m);
    assert.deepEqual(
      evs.map((e) => [e.type, e.contactId, e.fields]),
      [
        ['contact.created', c.id, null],
        ['contact.updated', c.id, ['company', 'firstName']],
      ],
    );
    assert.ok(!JSON.stringify(evs).includes('Malm') && !JSON.stringify(evs).includes('Åse'));
  });

  it('consent: each ledger change is consent.changed for its contact, naming the kinds changed', async () => {
    const c = await t.services.contacts.create({ email: 'consent.ev@example.com' });
    const m = await mark();
    await t.services.consent.setLevel(c.id, 4, { source: 'api', actor: system });
    // The same level again without a notice records nothing, and announces nothing.
    await t.services.consent.setLevel(c.id, 4, { source: 'api', actor: system });
    const evs = await since(m);
    assert.deepEqual(
      evs.map((e) => [e.type, e.contactId, e.fields]),
      [['consent.changed', c.id, ['level']]],
    );
  });

  it('requests: received and fulfilled by id and type, due soon once per deadline from the daily work', async () => {
    const m = await mark();
    const r = await t.services.requestIntake.fromStaff(
      { type: 'objection', email: 'dsr.ev@example.com', verified: true, note: 'Identity checked by phone' },
      system,
      null,
    );
    await t.services.fulfil.fulfil(r.id, {}, system);
    let evs = await since(m);
    assert.deepEqual(
      evs.map((e) => [e.type, e.data]),
      [
        ['request.received', { requestId: r.id, requestType: 'objection' }],
        ['request.fulfilled', { requestId: r.id, requestType: 'objection' }],
      ],
    );
    assert.ok(!JSON.stringify(evs).includes('dsr.ev'));

    const open = await t.services.requestIntake.fromStaff(
      { type: 'access', email: 'due.ev@example.com', verified: true, note: 'Identity checked by phone' },
      system,
      null,
    );
    const m2 = await mark();
    assert.equal(await t.services.requests.announceDueSoon(), 0, 'a month away is not due soon');
    clock.set(new Date(new Date(`${open.deadline}T12:00:00Z`).getTime() - 3 * 86_400_000));
    assert.equal(await t.services.requests.announceDueSoon(), 1);
    // The tick runs every ten minutes in every process: once per deadline.
    assert.equal(await t.services.requests.announceDueSoon(), 0);
    evs = await since(m2);
    assert.deepEqual(
      evs.map((e) => [e.type, e.data]),
      [['request.due_soon', { requestId: open.id, requestType: 'access', deadline: open.deadline }]],
    );
  });

  it('imports: import.finished with counts once the last batch committed; a dry run announces nothing', async () => {
    const m = await mark();
    const csv = 'email,firstName\nimp1.ev@example.com,Ána\nimp2.ev@example.com,Bö\nnot-an-address,X\n';
    await t.services.imports.importCsv([csv], { actor: { type: 'cli', id: null }, mayChangeConsent: true, dryRun: true });
    assert.deepEqual(await since(m), []);
    await t.services.imports.importCsv([csv], { actor: { type: 'cli', id: null }, mayChangeConsent: true });
    assert.deepEqual(
      (await since(m)).map((e) => [e.type, e.data]),
      [['import.finished', { created: 2, updated: 0, rejected: 1 }]],
    );
  });
});

it('changedFields names top-level and nested keys whose values differ, and nothing else', () => {
  assert.deepEqual(
    changedFields({ a: 1, b: 'x', f: { p: 1, q: 2 }, u: 't1' }, { a: 1, b: 'y', f: { p: 1, q: 3, r: null }, u: 't2' }, ['u']),
    ['b', 'f.q', 'f.r'],
  );
  assert.deepEqual(changedFields({ a: null }, { a: null }), []);
  assert.deepEqual(changedFields({ a: [1, 2] }, { a: [2, 1] }), ['a']);
});
