import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, json, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';

// The `emailRules` setting: none by default, validated whole, refused without changing anything.
forEachDialect('email rules setting', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const patch = (body: unknown) =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth('admin'), payload: body as object });
  const rules = async () => json(await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth('admin') })).data.emailRules;

  it('a new installation has no caps and no quiet hours, and drops deferred sends of a cancelled campaign', async () => {
    assert.deepEqual(await rules(), { frequencyCaps: [], quietHours: null, dropDeferredWhenCancelled: true });
  });

  it('takes caps and quiet hours, and answers them back', async () => {
    const next = {
      frequencyCaps: [
        { purpose: 'marketing', max: 3, window: 'P7D' },
        { purpose: 'subscription', max: 1, window: 'PT12H' },
      ],
      quietHours: { start: '21:00', end: '08:00' },
      dropDeferredWhenCancelled: false,
    };
    const res = await patch({ emailRules: next });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data.emailRules, next);
    assert.deepEqual(await rules(), next);
    assert.deepEqual((await t.services.settings.get()).emailRules, next);
    // An installation's own purpose can be capped once it exists (in the same request too).
    const own = await patch({
      purposes: { ...(await t.services.settings.get()).purposes, newsletter_b2b: 4 },
      emailRules: { ...next, frequencyCaps: [{ purpose: 'newsletter_b2b', max: 2, window: 'P1M' }] },
    });
    assert.equal(own.statusCode, 200, own.body);
  });

  it('refuses bad rules naming the field, and changes nothing', async () => {
    const kept = await rules();
    const ok = { frequencyCaps: [], quietHours: null, dropDeferredWhenCancelled: true };
    const cap = (c: object) => ({ ...ok, frequencyCaps: [{ purpose: 'marketing', max: 3, window: 'P7D', ...c }] });
    const cases: [unknown, string][] = [
      [cap({ window: 'P0D' }), '/emailRules/frequencyCaps/0/window'],
      [cap({ window: 'PT30S' }), '/emailRules/frequencyCaps/0/window'],
      [cap({ window: 'P2Y' }), '/emailRules/frequencyCaps/0/window'],
      [cap({ window: '7 days' }), '/emailRules/frequencyCaps/0/window'],
      [cap({ window: '' }), '/emailRules/frequencyCaps/0/window'],
      [cap({ max: 0 }), '/emailRules/frequencyCaps/0/max'],
      [cap({ max: 2.5 }), '/emailRules/frequencyCaps/0/max'],
      [cap({ purpose: 'transactional' }), '/emailRules/frequencyCaps/0/purpose'],
      [cap({ purpose: 'requested' }), '/emailRules/frequencyCaps/0/purpose'],
      [cap({ purpose: 'no_such_purpose' }), '/emailRules/frequencyCaps/0/purpose'],
      [cap({ purpose: 'Marketing ' }), '/emailRules/frequencyCaps/0/purpose'],
      [cap({ extra: 1 }), '/emailRules/frequencyCaps/0'],
      [{ ...ok, quietHours: { start: '24:00', end: '08:00' } }, '/emailRules/quietHours'],
      [{ ...ok, quietHours: { start: '9:00', end: '08:00' } }, '/emailRules/quietHours'],
      [{ ...ok, quietHours: { start: '21:00' } }, '/emailRules/quietHours'],
      [{ ...ok, quietHours: { start: '21:00', end: '21:00' } }, '/emailRules/quietHours'],
      [{ ...ok, dropDeferredWhenCancelled: 'yes' }, '/emailRules/dropDeferredWhenCancelled'],
      [{ frequencyCaps: [] }, '/emailRules'],
      [null, '/emailRules'],
    ];
    for (const [value, path] of cases) {
      const res = await patch({ emailRules: value });
      assert.equal(res.statusCode, 400, `${JSON.stringify(value)}: ${res.body}`);
      const err = json(res).error;
      assert.equal(err.code, 'validation_failed');
      const paths: string[] = (err.details ?? []).map((d: { path: string }) => d.path);
      assert.ok(
        paths.some((p) => p.startsWith(path)),
        `${JSON.stringify(value)} names ${path}: ${JSON.stringify(paths)}`,
      );
    }
    assert.deepEqual(await rules(), kept);
  });
});
