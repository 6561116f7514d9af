import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { FakeClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const SITE = 'https://www.bakery.example';
const FIELDS = [{ name: 'email', label: 'Email', maps: 'email', required: true, type: 'email' }];
/** Everything of an answer but the per-request headers. */
const shape = (r: LightMyRequestResponse) => {
  const { date: _d, 'x-request-id': _x, ...headers } = r.headers;
  return { status: r.statusCode, headers, body: r.body };
};

/**
 * A form embedded on the organisation's site (issue 15, points 2 and 3): a fetch() from one of the
 * form's `allowedOrigins` gets its preflight answered and can read the answer; any other origin,
 * and any origin for an unknown form, gets no CORS header, the same answer either way.
 */
forEachDialect('CORS for forms', (ctx) => {
  let t: TestApp;
  let formId: string;
  let ip = 0;
  before(async () => {
    t = await testApp(ctx.db, { clock: new FakeClock('2026-03-10T12:00:00.000Z') });
    await t.services.settings.patch({ publicBaseUrl: 'https://assent.example.org' });
    formId = (await t.services.forms.create({ name: 'Sign-up', allowedOrigins: [SITE], fields: FIELDS as never })).id;
  });
  after(async () => t.close());

  const preflight = (origin: string, id = formId) =>
    t.app.inject({
      method: 'OPTIONS',
      url: `/public/v1/forms/${id}`,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const post = (payload: unknown, origin: string) =>
    t.app.inject({
      method: 'POST',
      url: `/public/v1/forms/${formId}`,
      payload: payload as object,
      headers: { origin, 'content-type': 'application/json' },
      remoteAddress: `10.5.0.${++ip}`,
    });

  it('answers the preflight of an allowed origin in full', async () => {
    for (const origin of [SITE, SITE.toUpperCase()]) {
      const ok = await preflight(origin);
      assert.equal(ok.statusCode, 204);
      assert.equal(ok.headers['access-control-allow-origin'], origin, 'the origin echoed');
      assert.equal(ok.headers['access-control-allow-methods'], 'POST');
      assert.equal(ok.headers['access-control-allow-headers'], 'content-type');
      assert.equal(ok.headers['access-control-max-age'], '600');
      assert.equal(ok.headers.vary, 'Origin');
    }
  });

  it('answers a refused origin and an unknown or archived form the same way: no CORS header', async () => {
    const refused = shape(await preflight('https://evil.example'));
    assert.equal(refused.status, 204);
    assert.equal(refused.headers.vary, 'Origin');
    for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers'])
      assert.equal(refused.headers[h], undefined, h);
    for (const origin of ['https://www.bakery.example.evil.example', 'http://www.bakery.example', 'null'])
      assert.deepEqual(shape(await preflight(origin)), refused, origin);
    for (const id of [newId(), 'not-an-id', 'x'.repeat(300)])
      assert.deepEqual(shape(await preflight('https://evil.example', id)), refused, id);
    // An unknown form allows no origin, even one some other form allows.
    const unknown = shape(await preflight(SITE, newId()));
    assert.deepEqual(unknown, refused);
    const archived = (await t.services.forms.create({ name: 'Old', allowedOrigins: [SITE], fields: FIELDS as never })).id;
    await t.services.forms.delete(archived);
    assert.deepEqual(shape(await preflight(SITE, archived)), refused);
  });

  it('a JSON POST from an allowed origin can be read by the page, a refusal too; from elsewhere it cannot', async () => {
    const ok = await post({ email: 'lena@example.org' }, SITE);
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['access-control-allow-origin'], SITE);
    assert.equal(ok.headers.vary, 'Origin');
    assert.equal(JSON.parse(ok.body).data.status, 'received');
    const invalid = await post({ email: 'nope' }, SITE);
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.headers['access-control-allow-origin'], SITE, 'the page can show why');
    const elsewhere = await post({ email: 'sam@example.org' }, 'https://evil.example');
    assert.equal(elsewhere.statusCode, 403, 'a post from a site the form does not allow is refused');
    assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
    // Taken back at once when the form stops allowing the site.
    await t.services.forms.update(formId, { allowedOrigins: [] });
    assert.equal((await preflight(SITE)).headers['access-control-allow-origin'], undefined);
    assert.equal((await post({ email: 'lena@example.org' }, SITE)).headers['access-control-allow-origin'], undefined);
  });
});
