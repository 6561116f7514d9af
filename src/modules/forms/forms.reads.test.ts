// A submission reads the settings and the custom fields once, and anew each time: what another
// process changed is what the next submission uses (nothing is kept between requests).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import { type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';

forEachDialect('form submissions read settings anew', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  /** Another process on the same database: its own services, nothing shared in memory. */
  let other: Services;
  let formId: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    other = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await t.services.customFields.define({ name: 'shoe_size', type: 'number', personal: false });
    formId = (
      await t.services.forms.create({
        name: 'Sign-up',
        fields: [
          { name: 'email', label: 'Email', maps: 'email', required: true },
          { name: 'shoe', label: 'Shoe size', maps: 'custom.shoe_size' },
        ],
      })
    ).id;
  });
  after(async () => t.close());

  const expiresOf = async (email: string) =>
    (await ctx.db.kysely.selectFrom('form_confirmations').select('expires_at').where('email', '=', email).executeTakeFirstOrThrow())
      .expires_at;
  const submit = (email: string, shoe: string, origin?: string) =>
    t.services.forms.submit(formId, { email, shoe }, { ip: '203.0.113.9', userAgent: 'test', origin: origin ?? null });

  it('a link lifetime set through another process applies to the next submission', async () => {
    await other.settings.patch({ formConfirmationDays: 3 });
    await submit('three@example.org', '41');
    assert.equal(await expiresOf('three@example.org'), '2026-03-13T12:00:00.000Z');
    await other.settings.patch({ formConfirmationDays: 9 });
    await submit('nine@example.org', '41');
    assert.equal(await expiresOf('nine@example.org'), '2026-03-19T12:00:00.000Z');
  });

  it('the public address set through another process is the origin accepted next', async () => {
    await other.settings.patch({ publicBaseUrl: 'https://one.example.org' });
    await submit('origin1@example.org', '41', 'https://one.example.org');
    await other.settings.patch({ publicBaseUrl: 'https://two.example.org' });
    await assert.rejects(submit('origin2@example.org', '41', 'https://one.example.org'), { code: 'forbidden' });
    await submit('origin3@example.org', '41', 'https://two.example.org');
  });

  it('a custom field defined through another process is known to the next submission, with its type', async () => {
    await submit('hat0@example.org', '41');
    await other.customFields.define({ name: 'hat_size', type: 'number', personal: false });
    const form = await t.services.forms.get(formId);
    await t.services.forms.update(formId, { fields: [...form.fields, { name: 'hat', label: 'Hat size', maps: 'custom.hat_size' }] });
    const post = (email: string, hat: string) =>
      t.services.forms.submit(formId, { email, shoe: '41', hat }, { ip: '203.0.113.9', userAgent: 'test', origin: null });
    await post('hat1@example.org', '57');
    await assert.rejects(post('hat2@example.org', 'large'), { code: 'validation_failed' });
  });
});
