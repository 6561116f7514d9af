import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';

const CSV = 'email,first_name,consent_level\nhttp1@example.com,Hana,2\nbroken,Bad,1\nhttp2@example.com,Hugo,\n';

forEachDialect('POST /api/v1/imports', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
    // Made on first use, which is not what this file tests: the dry run must find it made.
    await t.services.secret.key();
  });
  after(async () => t.close());

  const post = (
    query: string,
    payload: string,
    headers: Record<string, string> | undefined = { 'content-type': 'text/csv' },
    role: 'admin' | 'viewer' | 'marketer' | 'privacy_officer' = 'admin',
  ) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/imports${query}`,
      headers: { ...t.auth(role), ...(headers ?? { 'content-type': 'text/csv' }) },
      payload,
    });

  it('a dry run answers what would happen and writes nothing but its audit entry', async () => {
    const before = await dumpDatabase(ctx.db);
    const res = await post('?dryRun=true', CSV);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, {
      created: 2,
      updated: 0,
      rejected: [{ line: 3, reason: 'email: not a valid email address' }],
      ignoredColumns: [],
      dryRun: true,
    });
    const after = await dumpDatabase(ctx.db);
    assert.deepEqual({ ...after, audit_log: [] }, { ...before, audit_log: [] });
  });

  it('a marketer may import contacts but not set consent levels: such a file is refused whole', async () => {
    const before = await dumpDatabase(ctx.db);
    const res = await post('', CSV, { 'content-type': 'text/csv', 'x-request-id': 'import-req-0000' }, 'marketer');
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(json(res).error.code, 'forbidden');
    assert.match(json(res).error.message, /consent_level/);
    const after = await dumpDatabase(ctx.db);
    assert.deepEqual({ ...after, audit_log: [] }, { ...before, audit_log: [] });
    const audit = (await t.services.audit.list({ action: 'contact.import' }, 10)).filter((e) => e.requestId === 'import-req-0000');
    assert.deepEqual(
      audit.map((e) => e.outcome),
      ['denied'],
    );
    // Ignoring the column is the marketer's way through; the levels stay as they were.
    const ignored = await post(`?map=${encodeURIComponent('consent_level=-')}&dryRun=true`, CSV, undefined, 'marketer');
    assert.equal(ignored.statusCode, 200, ignored.body);
    assert.deepEqual(json(ignored).data.ignoredColumns, ['consent_level']);
  });

  it('imports the file, records the consent level with the API key as actor, and audits the import', async () => {
    const res = await post('', CSV, { 'content-type': 'text/csv; charset=utf-8', 'x-request-id': 'import-req-0001' }, 'privacy_officer');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, {
      created: 2,
      updated: 0,
      rejected: [{ line: 3, reason: 'email: not a valid email address' }],
      ignoredColumns: [],
      dryRun: false,
    });
    const hana = (await t.services.contacts.findByEmail('http1@example.com'))!;
    const [entry] = await t.services.consent.history(hana.id);
    assert.deepEqual([entry!.source, entry!.newValue, entry!.actorType], ['import', 2, 'api_key']);
    const audit = (await t.services.audit.list({ action: 'contact.import' }, 10)).filter((e) => e.requestId === 'import-req-0001');
    assert.deepEqual(
      audit.map((e) => [e.targetType, e.outcome]),
      [['import', 'ok']],
    );
  });

  it('maps columns from the query and updates by email', async () => {
    const res = await post(`?map=${encodeURIComponent('Mail=email,Nick=-')}`, 'Mail,Nick,lastName\nhttp1@example.com,hh,Hart\n');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, { created: 0, updated: 1, rejected: [], ignoredColumns: ['Nick'], dryRun: false });
    assert.equal((await t.services.contacts.findByEmail('http1@example.com'))!.lastName, 'Hart');
  });

  it('refuses any body but text/csv with 415, and a file it cannot read with 400', async () => {
    const wrong: Record<string, string>[] = [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, {}];
    for (const headers of wrong) {
      const res = await post('', headers['content-type'] === 'application/json' ? JSON.stringify({ csv: CSV }) : CSV, headers);
      assert.equal(res.statusCode, 415, `${JSON.stringify(headers)}: ${res.body}`);
      assert.equal(json(res).error.code, 'unsupported_media_type');
    }
    const noEmail = await post('', 'name,phone\nAna,123\n');
    assert.equal(noEmail.statusCode, 400);
    assert.equal(json(noEmail).error.code, 'validation_failed');
    assert.match(json(noEmail).error.message, /no email column/);
    const badMap = await post('?map=nonsense', CSV);
    assert.equal(json(badMap).error.code, 'validation_failed');
    const badFlag = await post('?dryRun=perhaps', CSV);
    assert.equal(json(badFlag).error.code, 'validation_failed');
  });

  it('roles without contact write access are refused before the body is read', async () => {
    const res = await post('', CSV, { 'content-type': 'text/csv' }, 'viewer');
    assert.equal(res.statusCode, 403);
    assert.equal(json(res).error.code, 'forbidden');
  });
});
