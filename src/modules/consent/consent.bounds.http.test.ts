import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';

/** A date-time the format accepts, of `length` characters: more fraction digits make it longer. */
const dateTime = (length: number) => `2026-11-01T00:00:00.${'0'.repeat(length - 21)}Z`;

// The OpenAPI contract bounds every string a request takes; a date-time is at most 40 characters
// (an offset and nanoseconds fit in 35). Longer ones were read before, whatever their length.
forEachDialect('consent routes: the bounds of a date-time in the query', (ctx) => {
  let t: TestApp;
  let contactId: string;
  before(async () => {
    t = await testApp(ctx.db);
    contactId = (await t.services.contacts.create({ email: 'bounds@example.com' })).id;
  });
  after(async () => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth('viewer') });

  for (const route of ['consent?at=', 'consent/check?purpose=marketing&at=']) {
    it(`GET /contacts/{id}/${route.split('?')[0]}: 40 characters are read, 41 refused as validation_failed naming \`at\``, async () => {
      assert.equal(dateTime(40).length, 40);
      const ok = await get(`/api/v1/contacts/${contactId}/${route}${dateTime(40)}`);
      assert.equal(ok.statusCode, 200, ok.body);

      const long = await get(`/api/v1/contacts/${contactId}/${route}${dateTime(41)}`);
      assert.equal(long.statusCode, 400, long.body);
      const error = json(long).error;
      assert.equal(error.code, 'validation_failed');
      assert.ok(
        error.details.some((d: { in: string; path: string }) => d.in === 'querystring' && d.path === '/at'),
        JSON.stringify(error.details),
      );
    });
  }
});
