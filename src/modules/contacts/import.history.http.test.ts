import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { renderExportHtml } from '../dsr/access-export/access-export.html.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';

const NOTICE = 'Yes, send me the monthly newsletter. — Formulaire « Été 2019 »';

forEachDialect('POST /api/v1/imports: consent history from another system', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const post = (csv: string, role: 'admin' | 'privacy_officer' | 'marketer' = 'privacy_officer', query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/imports${query}`,
      headers: { ...t.auth(role), 'content-type': 'text/csv' },
      payload: csv,
    });
  const history = async (email: string) => {
    const c = (await t.services.contacts.findByEmail(email))!;
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}/consent/history`, headers: t.auth('privacy_officer') });
    assert.equal(res.statusCode, 200, res.body);
    return json(res).data as Record<string, unknown>[];
  };

  it('writes the level with its original date, source and notice, marked as imported, and the chain verifies', async () => {
    const csv =
      'email;consentLevel;consentDate;consentSource;consentNotice\r\n' +
      `hist1@example.com;4;2019-06-14T09:30:00+02:00;Old CRM web form;"${NOTICE}"\r\n` +
      'hist2@example.com;3;2020-01-31;;\r\n' +
      'hist3@example.com;2;;;\r\n';
    const res = await post(csv);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data.rejected, []);
    const [one] = await history('hist1@example.com');
    assert.equal(one!.kind, 'level');
    assert.equal(one!.newValue, 4);
    assert.equal(one!.source, 'import');
    assert.deepEqual(one!.imported, { at: '2019-06-14T07:30:00.000Z', source: 'Old CRM web form' });
    assert.equal((one!.notice as { text: string }).text, NOTICE);
    // The entry's own time is when it was recorded here: the chain keeps its order.
    assert.ok((one!.at as string) > '2026-01-01' || (one!.at as string) > (one!.imported as { at: string }).at);
    const [two] = await history('hist2@example.com');
    assert.deepEqual([two!.newValue, two!.imported, two!.notice], [3, { at: '2020-01-31T00:00:00.000Z', source: null }, null]);
    const [three] = await history('hist3@example.com');
    assert.deepEqual([three!.newValue, three!.imported], [2, null]);
    const v = await t.services.ledger.verify();
    assert.equal(v.ok, true, JSON.stringify(v.problem));
    // The level in force is the imported one.
    const c = (await t.services.contacts.findByEmail('hist1@example.com'))!;
    assert.equal(c.consentLevel, 4);
    // The person's access export carries the original date and source, in the document and on its page.
    const doc = json(await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}/export`, headers: t.auth('privacy_officer') }));
    assert.deepEqual(doc.consentHistory[0].imported, { at: '2019-06-14T07:30:00.000Z', source: 'Old CRM web form' });
    const page = renderExportHtml(doc);
    assert.ok(
      page.includes('imported; given <time datetime="2019-06-14T07:30:00.000Z">14 June 2019 at 07:30 UTC</time> (Old CRM web form)'),
      'the page says when and where it was given, the date as a date',
    );
  });

  it('a changed original date is caught by verification (the content hash covers it)', async () => {
    await t.services.db.kysely
      .updateTable('consent_ledger')
      .set({ original_at: '2001-01-01T00:00:00.000Z' })
      .where('original_source', '=', 'Old CRM web form')
      .execute();
    const v = await t.services.ledger.verify();
    assert.equal(v.ok, false);
    assert.equal(v.problem?.problem, 'content_altered');
    await t.services.db.kysely
      .updateTable('consent_ledger')
      .set({ original_at: '2019-06-14T07:30:00.000Z' })
      .where('original_source', '=', 'Old CRM web form')
      .execute();
    assert.equal((await t.services.ledger.verify()).ok, true);
  });

  it('an erasure makes the imported entry a stub (its history gone) and the chain still verifies', async () => {
    const c = (await t.services.contacts.findByEmail('hist1@example.com'))!;
    await t.services.erasure.erase({ contactIds: [c.id] }, { actor: { type: 'system', id: null } });
    const rows = await t.services.db.kysely.selectFrom('consent_ledger').selectAll().where('original_source', 'is not', null).execute();
    assert.deepEqual(
      rows.map((r) => r.original_source),
      [],
    );
    assert.equal((await t.services.ledger.verify()).ok, true);
  });

  it('rejects rows whose history cannot be recorded, naming the column, and refuses such columns without a level column', async () => {
    const csv =
      'email,consentLevel,consentDate,consentSource\n' +
      'bad1@example.com,3,14/06/2019,x\n' +
      'bad2@example.com,3,2999-01-01,x\n' +
      'bad3@example.com,,2019-01-01,x\n' +
      'bad4@example.com,3,,x\n' +
      `bad5@example.com,3,2019-02-30,x\n` +
      `bad6@example.com,3,2019-01-01,${'s'.repeat(201)}\n` +
      'ok7@example.com,1,2019-01-01T10:00:00Z,x\n';
    const res = await post(csv);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      (json(res).data.rejected as { line: number; reason: string }[]).map((r) => [r.line, r.reason.split(':')[0]]),
      [
        [2, 'consentDate'],
        [3, 'consent history'],
        [4, 'consent history (date, source, notice) needs a consent level in the same row'],
        [5, 'consent history needs its original date (the consentDate column)'],
        [6, 'consentDate'],
        [7, 'consentSource'],
      ],
    );
    assert.equal(json(res).data.created, 1);
    const noLevel = await post('email,consentDate\nx@example.com,2019-01-01\n');
    assert.equal(noLevel.statusCode, 400);
    assert.equal(json(noLevel).error.code, 'validation_failed');
    assert.match(json(noLevel).error.message, /consentLevel column/);
  });

  it('history columns decide consent: a marketer is refused the file whole', async () => {
    const before = await dumpDatabase(ctx.db);
    const res = await post('email,consentLevel,consentSource,consentDate\nm1@example.com,3,x,2019-01-01\n', 'marketer');
    assert.match(json(res).error.message, /consentSource/);
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(json(res).error.code, 'forbidden');
    const after = await dumpDatabase(ctx.db);
    assert.deepEqual({ ...after, audit_log: [] }, { ...before, audit_log: [] });
  });
});
