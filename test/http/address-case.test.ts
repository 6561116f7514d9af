import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { FakeClock } from '../../src/lib/clock.ts';
import { hmac } from '../../src/lib/crypto.ts';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import type { Role } from '../../src/modules/users/users.model.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';
import { transportOf } from '../helpers/mail.ts';

/*
 * Issue 9, point 12: mail providers match the local part of an address without regard to case,
 * so "Ada.Case@example.org", "ada.case@example.org" and "ADA.CASE@EXAMPLE.ORG" are one person.
 * Every path that compares addresses must compare them so; the written form stays for display.
 */
forEachDialect('one address, one contact, whatever the case of its local part', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-10T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role: Role = 'admin') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const byEmail = async (email: string) =>
    json(await call('GET', `/api/v1/contacts?email=${encodeURIComponent(email)}`)).data as { id: string; email: string }[];
  const spellings = (local: string, domain = 'example.org') => [
    `${local}@${domain}`,
    `${local.toLowerCase()}@${domain}`,
    `${local.toUpperCase()}@${domain.toUpperCase()}`,
  ];

  it('the three spellings make one contact (201, 409, 409), every spelling finds it, and its written form is kept', async () => {
    const [first, ...others] = spellings('Ada.Case');
    const created = await call('POST', '/api/v1/contacts', { email: first, firstName: 'Ada' });
    assert.equal(created.statusCode, 201, created.body);
    const id = json(created).data.id;
    for (const e of others) {
      const res = await call('POST', '/api/v1/contacts', { email: e });
      assert.equal(res.statusCode, 409, `${e}: ${res.body}`);
      assert.equal(json(res).error.code, 'contact_exists');
    }
    for (const e of [first!, ...others, ' ada.CASE@Example.Org '])
      assert.deepEqual(
        (await byEmail(e)).map((c) => [c.id, c.email]),
        [[id, first]],
        e,
      );
    const prefix = json(await call('GET', `/api/v1/contacts?emailPrefix=${encodeURIComponent('ADA.C')}`)).data;
    assert.deepEqual(
      prefix.map((c: { id: string }) => c.id),
      [id],
      'the prefix search ignores case too',
    );
    assert.equal((await t.services.contacts.findByEmail('ADA.CASE@example.org'))?.id, id);
  });

  it('Unicode local parts compare by their lower-case, composed form', async () => {
    const composed = 'Zoë.Ünal@example.org';
    const created = await call('POST', '/api/v1/contacts', { email: composed });
    assert.equal(created.statusCode, 201, created.body);
    // The same letters decomposed (e + combining diaeresis) and upper-cased.
    const res = await call('POST', '/api/v1/contacts', { email: 'ZOE\u0308.U\u0308NAL@example.org' });
    assert.equal(res.statusCode, 409, res.body);
    assert.deepEqual(
      (await byEmail('zoë.ünal@EXAMPLE.org')).map((c) => c.id),
      [json(created).data.id],
    );
    // Tables linked by address find it in any case too, beyond ASCII.
    await transportOf(t.services).send({ to: 'ZOË.ÜNAL@example.org', subject: 'Hello', text: 'Hello', purpose: 'transactional' });
    await transportOf(t.services).send({ to: 'zoë.ünal.other@example.org', subject: 'Hello', text: 'Hello', purpose: 'transactional' });
    const r = await t.services.erasure.erase({ emails: ['zoe\u0308.u\u0308nal@example.org'] }, { actor: { type: 'cli', id: null } });
    assert.deepEqual([r.contacts, r.tables.outbox, r.residue], [1, 1, []]);
  });

  it('a contact may change the case of its own address, not take another contact’s address in any case', async () => {
    const a = json(await call('POST', '/api/v1/contacts', { email: 'Rita.Rename@example.org' })).data;
    const b = json(await call('POST', '/api/v1/contacts', { email: 'other.rename@example.org' })).data;
    const own = await call('PATCH', `/api/v1/contacts/${a.id}`, { email: 'rita.rename@example.org' });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(json(own).data.email, 'rita.rename@example.org', 'the new written form is what is shown');
    const taken = await call('PATCH', `/api/v1/contacts/${b.id}`, { email: 'RITA.RENAME@example.org' });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.equal(json(taken).error.code, 'contact_exists');
    const moved = await call('PATCH', `/api/v1/contacts/${a.id}`, { email: 'Rita.Moved@example.org' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(
      (await byEmail('rita.rename@example.org')).map((c) => c.id),
      [],
      'the old address is free again',
    );
    assert.equal((await call('POST', '/api/v1/contacts', { email: 'RITA.RENAME@example.org' })).statusCode, 201);
    assert.deepEqual(
      (await byEmail('rita.moved@EXAMPLE.org')).map((c) => c.id),
      [a.id],
    );
  });

  it('an erased address stays suppressed in any spelling, and an admin lifts it in any spelling', async () => {
    const c = json(await call('POST', '/api/v1/contacts', { email: 'Sue.Pressed@example.org' })).data;
    assert.equal((await call('POST', `/api/v1/contacts/${c.id}/erase`, undefined, 'privacy_officer')).statusCode, 200);
    for (const e of spellings('Sue.Pressed')) {
      const res = await call('POST', '/api/v1/contacts', { email: e });
      assert.equal(json(res).error?.code, 'suppressed', `${e}: ${res.body}`);
      assert.equal(await t.services.suppressions.isSuppressed(e), true, e);
    }
    assert.equal((await call('DELETE', `/api/v1/suppressions?email=${encodeURIComponent('SUE.PRESSED@example.org')}`)).statusCode, 204);
    assert.equal((await call('POST', '/api/v1/contacts', { email: 'sue.pressed@example.org' })).statusCode, 201);
  });

  it('suppressions and cases hashed the old way (local part as typed) are still found when typed the same way', async () => {
    // Before this change the keyed hash covered the address with only its domain lower-cased.
    const key = await t.services.secret.key();
    const legacy = hmac(key, 'email:Old.Style@example.org');
    await sql`insert into suppressions (email_hmac, reason, request_id, created_at) values (${legacy}, 'erased', null,
      '2025-01-01T00:00:00.000Z')`.execute(ctx.db.kysely);
    assert.equal((await call('POST', '/api/v1/contacts', { email: 'Old.Style@Example.org' })).statusCode, 409);
    assert.equal(await t.services.suppressions.isSuppressed(' Old.Style@example.ORG'), true);
    const id = '0190aaaa-0000-7000-8000-00000000a1d5';
    await sql`insert into requests (id, type, email, email_hmac, contact_id, status, channel, owner_id, received_at, deadline, flagged,
      created_at, updated_at)
      values (${id}, 'erasure', null, ${hmac(key, 'email:Old.Case@example.org')}, null, 'completed', 'staff', null,
        '2025-01-01T00:00:00.000Z', '2025-02-01', 0, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`.execute(ctx.db.kysely);
    const found = json(
      await call('GET', `/api/v1/requests?email=${encodeURIComponent('Old.Case@EXAMPLE.org')}`, undefined, 'privacy_officer'),
    ).data;
    assert.deepEqual(
      found.map((r: { id: string }) => r.id),
      [id],
    );
  });

  it('cases are matched to the contact and found by any spelling (GET /requests?email=)', async () => {
    const c = json(await call('POST', '/api/v1/contacts', { email: 'Rhea.Quest@example.org' })).data;
    const opened = await call(
      'POST',
      '/api/v1/requests',
      { type: 'access', email: 'RHEA.QUEST@example.org', verified: true, note: 'Identity checked by letter' },
      'privacy_officer',
    );
    assert.equal(opened.statusCode, 201, opened.body);
    const r = json(opened).data;
    assert.equal(r.contactId, c.id, 'the case names the contact whatever the spelling');
    for (const e of spellings('Rhea.Quest')) {
      const found = json(await call('GET', `/api/v1/requests?email=${encodeURIComponent(e)}`, undefined, 'privacy_officer')).data;
      assert.deepEqual(
        found.map((x: { id: string }) => x.id),
        [r.id],
        e,
      );
    }
  });

  it('the public intake’s limit per address counts every spelling of it', async () => {
    const forms = [
      'Lim.It@example.org',
      'lim.it@example.org',
      'LIM.IT@example.org',
      'Lim.IT@Example.org',
      'lIM.iT@example.org',
      'LIM.it@EXAMPLE.ORG',
      'lim.IT@example.org',
    ];
    for (const [i, email] of forms.entries()) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/public/v1/requests',
        payload: { type: 'access', email },
        remoteAddress: `10.9.0.${i + 1}`,
      });
      assert.equal(res.statusCode, 202);
      await runJobs(t.services, [LINK_QUEUE]);
    }
    // Repeats of one type join the waiting case (one case), and each accepted one mails a fresh
    // link to it once the first was mailed: the limit shows in the links mailed, five of seven.
    assert.equal((await t.services.requests.list({ email: 'lim.it@example.org' }, 500)).length, 1);
    const links = (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to.toLowerCase() === 'lim.it@example.org');
    assert.equal(links.length, 5, 'five an hour per address, however it is spelled');
  });

  it('an import matches stored contacts by any spelling and refuses a file’s repeats of one address', async () => {
    const stored = await t.services.contacts.create({ email: 'Imp.Orted@example.org', firstName: 'Ina' });
    const file = [
      'email,last_name',
      'imp.orted@example.org,Ortmann',
      'IMP.ORTED@EXAMPLE.ORG,Other',
      'New.Comer@example.org,Comer',
      'new.comer@example.org,Again',
      'NEW.COMER@example.org,Third',
    ].join('\n');
    const r = await t.services.imports.importCsv([file], { actor: { type: 'cli', id: null }, mayChangeConsent: true });
    assert.deepEqual([r.created, r.updated], [1, 1], JSON.stringify(r));
    assert.deepEqual(
      r.rejected.map((x) => [x.line, x.reason]),
      [
        [3, 'duplicate email: the file has it on line 2 already'],
        [5, 'duplicate email: the file has it on line 4 already'],
        [6, 'duplicate email: the file has it on line 4 already'],
      ],
    );
    const [again] = await byEmail('imp.orted@example.org');
    assert.deepEqual([again!.id, again!.email], [stored.id, 'Imp.Orted@example.org'], 'updated in place, written form kept');
    assert.equal((await t.services.contacts.get(stored.id)).lastName, 'Ortmann');
    assert.equal((await byEmail('new.comer@example.org')).length, 1);
    const dry = await t.services.imports.importCsv(['email\nIMP.orted@example.org\n'], {
      actor: { type: 'cli', id: null },
      mayChangeConsent: true,
      dryRun: true,
    });
    assert.deepEqual([dry.created, dry.updated], [0, 1]);
  });

  it('an erasure by any spelling covers the contact, mail to it and cases under other spellings, and leaves no residue', async () => {
    const c = await t.services.contacts.create({ email: 'Erin.Case@example.org', firstName: 'Erin', lastName: 'Casewright' });
    await transportOf(t.services).send({ to: 'ERIN.CASE@example.org', subject: 'Hello', text: 'Hello', purpose: 'transactional' });
    await transportOf(t.services).send({
      to: 'Erin.Case@example.org',
      subject: 'Hello',
      text: 'Hello',
      contactId: c.id,
      purpose: 'transactional',
    });
    await call(
      'POST',
      '/api/v1/requests',
      { type: 'access', email: 'erin.CASE@example.org', verified: true, note: 'Identity checked by letter' },
      'privacy_officer',
    );
    const r = await t.services.erasure.erase({ emails: ['erin.case@EXAMPLE.org'] }, { actor: { type: 'cli', id: null } });
    assert.equal(r.contacts, 1);
    assert.equal(r.tables.outbox, 2, JSON.stringify(r.tables));
    assert.equal(r.tables.requests, 1, JSON.stringify(r.tables));
    assert.deepEqual(r.residue, []);
    const x = await t.services.accessExports.buildForEmail('ERIN.case@example.org');
    assert.equal(x.dataHeld, false);
  });

  it('an access export by any spelling finds the contact and the messages sent to other spellings', async () => {
    const c = await t.services.contacts.create({ email: 'Ex.Port@example.org', firstName: 'Exa' });
    await transportOf(t.services).send({ to: 'EX.PORT@example.org', subject: 'Hello', text: 'Hello', purpose: 'transactional' });
    const x = await t.services.accessExports.buildForEmail('ex.port@example.org');
    assert.equal(x.subject.contactId, c.id);
    assert.equal(x.subject.email, 'Ex.Port@example.org');
    assert.equal(x.tables.outbox?.rows.length, 1);
  });
});
