import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import { loadConfig } from '../../../config.ts';
import { systemClock } from '../../../lib/clock.ts';
import type { AppError } from '../../../lib/errors.ts';
import { createLogger } from '../../../lib/log.ts';
import { createServices, type Services } from '../../../services.ts';
import { CLI_ACTOR } from '../../audit/audit.model.ts';
import {
  buildPerson,
  ERASE_ME,
  fileScan,
  prepareWorld,
  rawScan,
  rowsOf,
  STAYS,
  type Person,
} from '../../../../test/fixtures/dsr/erasure.fixture.ts';
import { identifiersOf } from '../residue/residue.model.ts';
import { transportOf } from '../../../../test/helpers/mail.ts';

const other = (p: Person, tag: string): Person => ({
  ...p,
  email: p.email.replace('@', `.${tag}@`),
  phone: p.phone.replace(/\d$/, String(tag.length % 10)),
  lastName: `${p.lastName}${tag}`,
});

forEachDialect('erasure', (ctx) => {
  let s: Services;
  let world: { listId: string; segmentId: string };
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    world = await prepareWorld(s);
  });

  it('erases a person from every table of the data map, leaves another untouched, and leaves no trace', async () => {
    const stays = await buildPerson(s, STAYS, world);
    const gone = await buildPerson(s, ERASE_ME, world, { interactions: 50 });
    // Statistics copy values: gather them now so the erasure has to deal with them.
    await sql`analyze`.execute(ctx.db.kysely);

    const before = await rowsOf(s, { contactId: gone.contactId, email: ERASE_ME.email });
    const empty = Object.entries(before)
      .filter(([, rows]) => rows.length === 0)
      .map(([t]) => t);
    assert.deepEqual(
      empty,
      [],
      'the person has rows in every subject-linked table (add data for a new table to test/fixtures/dsr/erasure.fixture.ts)',
    );
    const staysBefore = await rowsOf(s, { contactId: stays.contactId, email: STAYS.email });
    const stubsBefore = (await s.ledger.verify()).stubs;

    const r = await s.erasure.erase({ contactIds: [gone.contactId] }, { actor: CLI_ACTOR, requestIds: [gone.requestId] });

    assert.deepEqual(r.residue, []);
    assert.equal(r.contacts, 1);
    assert.deepEqual(r.tables, {
      bulk_targets: 1,
      contacts: 1,
      contact_emails: 1,
      consent_ledger: 4,
      // What the event log said about the person: created, each consent change, their lead's creation and their
      // interactions recorded (one batch).
      events: 7,
      list_members: 1,
      interactions: 50,
      segment_members: 1,
      outbox: 1,
      requests: 1,
      tasks: 1,
      exports: 1,
      entity_pets: 1,
      entity_visits: 1,
      sends: 1,
      email_bounces: 1,
      undeliverable_addresses: 1,
      // A submission made, and the changes of one waiting for a double opt-in (by address).
      form_submissions: 1,
      form_confirmations: 1,
      // A forward the person made, and the address it went to (theirs).
      forward_recipients: 1,
      forward_messages: 1,
      // Where they wait in a journey, their path, and a task about them (the journey's counters stay).
      journey_positions: 1,
      journey_steps: 1,
      journey_tasks: 1,
      // Their sales lead, with its custom field values (columns of the row), and its score (the model stays).
      leads: 1,
      lead_scores: 1,
    });
    assert.deepEqual(await rawScan(ctx.db, ERASE_ME), []);
    assert.deepEqual(fileScan(ctx.db, ERASE_ME), []);

    const after = await rowsOf(s, { contactId: gone.contactId, email: ERASE_ME.email });
    assert.deepEqual(Object.values(after).flat(), [], 'nothing links to the person any more');
    assert.deepEqual(await rowsOf(s, { contactId: stays.contactId, email: STAYS.email }), staysBefore);
    assert.ok((await rawScan(ctx.db, STAYS)).includes('contacts'), 'the raw scan does see a person who is there');

    const v = await s.ledger.verify();
    assert.equal(v.ok, true, JSON.stringify(v.problem));
    assert.equal(v.stubs - stubsBefore, 4);

    const kept = await ctx.db.kysely.selectFrom('requests').selectAll().where('id', '=', gone.requestId).executeTakeFirstOrThrow();
    assert.equal(kept.email, null);
    assert.equal(kept.contact_id, null);
    assert.equal(kept.email_hmac, await s.secret.emailHash(ERASE_ME.email));
    assert.equal(kept.flagged, 0);
    const pet = await sql<Record<string, unknown>>`select * from entity_pets where f_species = 'cat' and contact_id is null`.execute(
      ctx.db.kysely,
    );
    assert.equal(pet.rows.length, 1, 'the anonymised entity row stays without its link');

    const receipt = await s.erasure.receipt(r.receipts[0]!.id);
    assert.equal(receipt.requestId, gone.requestId);
    assert.deepEqual(receipt.tables, r.tables);
    assert.deepEqual(receipt.residue, []);
    assert.deepEqual(receipt.actor, { type: 'cli', id: null });
    const audit = await s.audit.list({ action: 'erasure.execute' }, 10);
    assert.equal(audit.filter((e) => e.targetId === receipt.id).length, 1);

    await assert.rejects(s.contacts.create({ email: ERASE_ME.email }), (e: AppError) => e.code === 'suppressed');
    await assert.rejects(
      s.contacts.create({ email: ERASE_ME.email.replace('example.org', 'EXAMPLE.ORG') }),
      (e: AppError) => e.code === 'suppressed',
    );
    await assert.rejects(s.contacts.update(stays.contactId, { email: ERASE_ME.email }), (e: AppError) => e.code === 'suppressed');
    await s.suppressions.lift(ERASE_ME.email);
    await assert.rejects(s.suppressions.lift(ERASE_ME.email), (e: AppError) => e.code === 'not_found');
    const back = await s.contacts.create({ email: ERASE_ME.email });
    await s.contacts.delete(back.id);
    assert.equal(await s.suppressions.isSuppressed(ERASE_ME.email), true, 'deleting a contact is erasing it, suppression included');
    await s.suppressions.lift(ERASE_ME.email);
  });

  it('the residue scan finds identifiers planted in an undeclared table, and flags the case naming table and column', async () => {
    const p = other(ERASE_ME, 'plant');
    const { contactId, requestId } = await buildPerson(s, p, world);
    await sql`create table scratch_notes (id text primary key, body text, phone_seen text, shout text, n integer)`.execute(ctx.db.kysely);
    try {
      await sql`insert into scratch_notes values ('a', ${`mail from ${p.email} today`}, ${p.phone.replace('+', '00').replace(/ /g, '-')},
        ${`${p.firstName} ${p.lastName}`.toUpperCase()}, 1)`.execute(ctx.db.kysely);
      // On SQLite the planted values are live data in the file too, so its bytes are a hit as well.
      const file = ctx.dialect === 'sqlite' ? [`file:${basename(ctx.db.target.location)}`] : [];
      const expected = [...file, 'scratch_notes.body', 'scratch_notes.phone_seen', 'scratch_notes.shout'];

      const r = await s.erasure.erase({ emails: [p.email] }, { actor: CLI_ACTOR, requestIds: [requestId] });
      assert.deepEqual(r.residue, expected);
      assert.equal(r.contacts, 1);
      assert.equal((await s.erasure.receipt(r.receipts[0]!.id)).residue?.join(), expected.join());
      const req = await ctx.db.kysely
        .selectFrom('requests')
        .select(['flagged', 'flag_detail'])
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      assert.equal(req.flagged, 1);
      for (const hit of expected) assert.ok(req.flag_detail?.includes(hit), req.flag_detail ?? '');
      assert.ok(!req.flag_detail?.includes(p.email));
      assert.equal((await ctx.db.kysely.selectFrom('contacts').select('id').where('id', '=', contactId).execute()).length, 0);
      // The scanner on its own, as an operator would run it again later.
      assert.deepEqual(
        await s.erasure.scanner.scanDatabase(
          identifiersOf({ email: p.email, phone: p.phone, first_name: p.firstName, last_name: p.lastName }),
        ),
        expected,
      );
    } finally {
      await sql`drop table scratch_notes`.execute(ctx.db.kysely);
    }
    assert.deepEqual(await rawScan(ctx.db, p), []);
  });

  it('erases a batch with one statement per table per transaction, and scans once', async () => {
    const people = ['b1', 'b2', 'b3'].map((t) => other(ERASE_ME, t));
    const ids = [];
    for (const p of people) ids.push((await buildPerson(s, p, world)).contactId);
    const stays = other(STAYS, 'bulk');
    const kept = await buildPerson(s, stays, world);
    const keptRows = await rowsOf(s, { contactId: kept.contactId, email: stays.email });

    const r = await s.erasure.erase({ contactIds: ids }, { actor: CLI_ACTOR, batchSize: 2, suppress: false });
    assert.equal(r.receipts.length, 2, 'one receipt per batch transaction');
    assert.equal(r.contacts, 3);
    assert.equal(r.tables.contacts, 3);
    assert.equal(r.tables.interactions, 9);
    assert.deepEqual(r.residue, []);
    for (const p of people) {
      assert.deepEqual(await rawScan(ctx.db, p), []);
      assert.equal(await s.suppressions.isSuppressed(p.email), false, 'suppression switched off for this erasure');
    }
    assert.deepEqual(fileScan(ctx.db, people[0]!), []);
    assert.deepEqual(await rowsOf(s, { contactId: kept.contactId, email: stays.email }), keptRows);
    assert.equal((await s.ledger.verify()).ok, true);
  });

  it('erases an address that never became a contact, and honours the suppression setting', async () => {
    const email = 'never.contact.5d1e@example.org';
    await transportOf(s).send({ to: email, subject: 'Your request', text: 'We received it.' });
    await s.settings.patch({ suppressErasedAddresses: false });
    try {
      const r = await s.erasure.erase({ emails: [email] }, { actor: CLI_ACTOR });
      assert.deepEqual(r.tables, { outbox: 1 });
      assert.equal(r.contacts, 0);
      assert.equal(await s.suppressions.isSuppressed(email), false);
    } finally {
      await s.settings.patch({ suppressErasedAddresses: true });
    }
    await s.erasure.erase({ emails: [email] }, { actor: CLI_ACTOR });
    assert.equal(await s.suppressions.isSuppressed(email), true);
    await assert.rejects(
      s.erasure.erase({ contactIds: ['01900000-0000-7000-8000-00000000dead'] }, { actor: CLI_ACTOR }),
      (e: AppError) => e.code === 'not_found',
    );
  });
});
