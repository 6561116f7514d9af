import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { isTimeZone } from '../../src/lib/time-zones.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

// A contact's own time zone (issue 14 point 3): written, validated, imported, exported, filtered like its country.
forEachDialect('contact time zone', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: t.auth('admin'), ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('is stored in its usual spelling, cleared with null or an empty value, and refused when Intl does not know it', async () => {
    const made = await call('POST', '/api/v1/contacts', { email: 'tz1@example.com', timeZone: ' america/new_york ' });
    assert.equal(made.statusCode, 201, made.body);
    const c = json(made).data;
    assert.equal(c.timeZone, 'America/New_York');
    assert.equal(json(await call('GET', `/api/v1/contacts/${c.id}`)).data.timeZone, 'America/New_York');
    // A current name ICU lists under an older alias is kept as written.
    assert.equal(json(await call('PATCH', `/api/v1/contacts/${c.id}`, { timeZone: 'Asia/Kolkata' })).data.timeZone, 'Asia/Kolkata');
    assert.equal(json(await call('PATCH', `/api/v1/contacts/${c.id}`, { timeZone: '' })).data.timeZone, null);
    assert.equal(json(await call('PATCH', `/api/v1/contacts/${c.id}`, { timeZone: 'Europe/Lisbon' })).data.timeZone, 'Europe/Lisbon');
    assert.equal(json(await call('PATCH', `/api/v1/contacts/${c.id}`, { timeZone: null })).data.timeZone, null);
    assert.equal(json(await call('POST', '/api/v1/contacts', { email: 'tz0@example.com' })).data.timeZone, null);

    const before = await dumpDatabase(ctx.db);
    for (const bad of ['Mars/Olympus', '+01:00', 'Europe/ Berlin', 'Europe/Berlin\u0000', '../../etc/passwd', 'x'.repeat(64)]) {
      const res = await call('POST', '/api/v1/contacts', { email: 'tz2@example.com', timeZone: bad });
      assert.equal(res.statusCode, 400, bad);
      assert.deepEqual(
        json(res).error.details.map((d: { path: string }) => d.path),
        ['/timeZone'],
        bad,
      );
    }
    assert.equal((await call('PATCH', `/api/v1/contacts/${c.id}`, { timeZone: 'Nowhere/Land' })).statusCode, 400);
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('property: any text as a time zone is stored as a zone Intl knows, or refused naming the field', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 70 }), fc.constantFrom('UTC', 'utc', 'Etc/GMT-14', 'ASIA/TOKYO')),
        async (tz) => {
          const res = await call('POST', '/api/v1/contacts', { email: `tzp${n++}@example.com`, timeZone: tz });
          if (res.statusCode === 201) {
            const stored = json(res).data.timeZone;
            assert.ok(stored === null ? tz.trim() === '' : isTimeZone(stored), JSON.stringify(tz));
          } else {
            assert.equal(res.statusCode, 400, res.body);
            assert.equal(json(res).error.code, 'validation_failed');
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('imports under its own column (any spelling of the header), rejects an unknown zone by line, and filters segments', async () => {
    const csv = 'email,Time Zone\ntzi1@example.com,europe/berlin\ntzi2@example.com,Atlantis/Capital\ntzi3@example.com,\n';
    const r = await t.services.imports.importCsv([csv], { actor: { type: 'cli', id: null }, mayChangeConsent: true });
    assert.equal(r.created, 2);
    assert.deepEqual(
      r.rejected.map((x) => x.line),
      [3],
    );
    assert.match(r.rejected[0]!.reason, /Time Zone: an IANA time zone/);
    assert.equal((await t.services.contacts.findByEmail('tzi1@example.com'))!.timeZone, 'Europe/Berlin');
    assert.equal((await t.services.contacts.findByEmail('tzi3@example.com'))!.timeZone, null);

    const seg = await call('POST', '/api/v1/segments', {
      name: 'Berlin time',
      kind: 'dynamic',
      filter: { field: 'timeZone', op: '=', value: 'Europe/Berlin' },
    });
    assert.equal(seg.statusCode, 201, seg.body);
    const members = json(await call('GET', `/api/v1/segments/${json(seg).data.id}/members`)).data;
    assert.deepEqual(
      members.map((m: { email: string }) => m.email),
      ['tzi1@example.com'],
    );
  });
});
