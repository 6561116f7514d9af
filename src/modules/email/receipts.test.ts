import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import type { ChangeContext } from '../consent/module.ts';
import { formatDateTime } from '../../i18n/catalogue.ts';
import { RECEIPT_QUEUE } from './receipts.service.ts';

const person: ChangeContext['actor'] = { type: 'anonymous', id: null };
const staff: ChangeContext['actor'] = { type: 'user', id: null };

forEachDialect('consent receipts', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const work = () => runJobs(t.services, ['events.dispatch', RECEIPT_QUEUE]);
  const outboxTo = async (address: string) => (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to === address);

  it('off by default: a change the person made sends nothing', async () => {
    assert.equal((await t.services.settings.get()).consentReceipts, false);
    const c = await t.services.contacts.create({ email: 'off@example.org' });
    await t.services.consent.setLevel(c.id, 3, { source: 'form', actor: person, notice: 'Sign me up' });
    await work();
    assert.deepEqual(await outboxTo('off@example.org'), []);
  });

  it('a change the person made reaches the outbox once: what changed, when, the notice shown', async () => {
    await t.services.settings.patch({ consentReceipts: true });
    const c = await t.services.contacts.create({ email: 'Self.Made@example.org' });
    const notice = 'Yes, send me offers by email. You can leave at any time with one click.';
    const { entry } = await t.services.consent.setLevel(c.id, 4, { source: 'form', actor: person, notice });
    await work();
    // A dispatch run again (its worker died after the consumer), and the job run again (after the mail left): still one.
    const [event] = await t.services.db.kysely
      .selectFrom('events')
      .select('id')
      .where('contact_id', '=', c.id)
      .where('type', '=', 'consent.changed')
      .execute();
    await t.services.receipts.onEvents([(await t.services.events.get(event!.id))!]);
    await work();
    await t.services.receipts.run({ event: event!.id });
    const mails = await outboxTo('Self.Made@example.org');
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Your consent settings were changed');
    const text = mails[0]!.text!;
    assert.match(text, /Consent level: from "\(none\)" \(0\) to "Marketing" \(4\)/);
    assert.ok(text.includes(`made on ${formatDateTime('en', new Date(entry!.at), 'UTC')} (UTC)`), 'when, written out');
    assert.ok(text.endsWith('This message was sent by Our organisation.'), 'the organisation, and nothing it has not set');
    assert.ok(text.includes(notice), 'the notice shown');
    assert.ok(!text.includes('Self.Made@example.org'), 'the address is not repeated');
    // Sent as an answer to the person's own action: purpose requested (kept on the outbox row).
    const row = await t.services.db.kysely
      .selectFrom('outbox')
      .select(['purpose', 'contact_id'])
      .where('id', '=', mails[0]!.id)
      .executeTakeFirst();
    assert.deepEqual(row, { purpose: 'requested', contact_id: c.id });
  });

  it('not after a staff change, an import or a complaint', async () => {
    const c = await t.services.contacts.create({ email: 'staff.made@example.org' });
    for (const source of ['admin', 'api', 'import', 'complaint', 'system'] as const)
      await t.services.consent.setLevel(c.id, source === 'admin' ? 4 : 2, { source, actor: staff, notice: `changed by ${source}` });
    await work();
    assert.deepEqual(await outboxTo('staff.made@example.org'), []);
  });

  it('one receipt per change: a list joined in the subscription center, in German for a German contact', async () => {
    const c = await t.services.contacts.create({ email: 'liste@example.org', language: 'de' });
    const list = await t.services.lists.create({ name: 'Wochenbrief' });
    await t.services.lists.join(c.id, list.id, { source: 'subscription_center', actor: person, notice: 'Wöchentliche Neuigkeiten' });
    await t.services.consent.setLevel(c.id, 3, { source: 'subscription_center', actor: person });
    await work();
    const mails = await outboxTo('liste@example.org');
    assert.equal(mails.length, 2);
    // Each names its own change and notice, nothing of the other.
    const join = mails.map((m) => m.text!).filter((x) => x.includes('Liste abonniert: "Wochenbrief"'));
    const level = mails.map((m) => m.text!).filter((x) => x.includes('Einwilligungsstufe: von "(none)" (0) zu "Subscriptions" (3)'));
    assert.equal(join.length, 1);
    assert.equal(level.length, 1);
    assert.ok(join[0]!.includes('Wöchentliche Neuigkeiten') && !join[0]!.includes('Einwilligungsstufe'), join[0]);
    assert.ok(level[0]!.includes('kein Hinweistext') && !level[0]!.includes('Wochenbrief'), level[0]);
    assert.ok(mails.every((m) => m.subject === 'Ihre Einwilligung wurde geändert'));
  });

  it(
    'names the organisation, where to write and its privacy notice, ' + 'and says when in its time zone, in the contact’s language',
    async () => {
      await t.services.settings.patch({
        timeZone: 'Europe/Berlin',
        organisation: {
          name: '<b>Shop & Co</b>',
          postalAddress: null,
          contactEmail: 'privacy@shop.example',
          privacyNoticeUrl: 'https://shop.example/privacy',
          dpo: null,
          supervisoryAuthority: null,
        },
      });
      try {
        const de = await t.services.contacts.create({ email: 'zeit@example.org', language: 'de-AT' });
        const { entry } = await t.services.consent.setLevel(de.id, 2, { source: 'page', actor: person, notice: 'Ja' });
        const en = await t.services.contacts.create({ email: 'time@example.org', language: 'fr' });
        await t.services.consent.setLevel(en.id, 2, { source: 'page', actor: person, notice: 'Yes' });
        await work();
        const [german] = await outboxTo('zeit@example.org');
        const [english] = await outboxTo('time@example.org');
        assert.equal(german!.subject, 'Ihre Einwilligung wurde geändert', 'de-AT speaks German');
        const when = formatDateTime('de', new Date(entry!.at), 'Europe/Berlin');
        assert.match(when, /^\d{1,2}\. \p{L}+ \d{4}/u);
        assert.ok(german!.text!.includes(`Einwilligung vom ${when} (Europe/Berlin)`), german!.text!);
        assert.ok(
          german!.text!.endsWith(
            'Diese Nachricht wurde von <b>Shop & Co</b> gesendet.\nFragen zu Ihren Daten: privacy@shop.example\n' +
              'Datenschutzhinweise: https://shop.example/privacy',
          ),
          german!.text!,
        );
        assert.equal(english!.subject, 'Your consent settings were changed', 'a language the catalogue lacks gets English');
        assert.ok(english!.text!.includes('This message was sent by <b>Shop & Co</b>.\nQuestions about your data: privacy@shop.example'));
      } finally {
        await t.services.settings.patch({
          timeZone: 'UTC',
          organisation: {
            name: 'Our organisation',
            postalAddress: null,
            contactEmail: null,
            privacyNoticeUrl: null,
            dpo: null,
            supervisoryAuthority: null,
          },
        });
      }
    },
  );

  it('a person erased before the job runs gets nothing', async () => {
    const c = await t.services.contacts.create({ email: 'gone.soon@example.org' });
    await t.services.consent.setLevel(c.id, 2, { source: 'page', actor: person });
    await runJobs(t.services, ['events.dispatch']);
    await t.services.erasure.erase({ contactIds: [c.id] }, { actor: { type: 'system', id: null } });
    await work();
    assert.deepEqual(await outboxTo('gone.soon@example.org'), []);
  });
});
