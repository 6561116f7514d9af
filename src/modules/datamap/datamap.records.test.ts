import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { loadConfig } from '../../config.ts';
import { systemClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import { recordsFacts } from '../../cli/records.facts.ts';
import { assent, assentWith } from '../../../test/helpers/cli.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';

const ORG = {
  name: 'Example Shop GmbH',
  postalAddress: 'Hauptstraße 1\n10115 Berlin',
  contactEmail: 'privacy@shop.example',
  privacyNoticeUrl: 'https://shop.example/privacy',
  dpo: { name: 'Dana Officer', email: 'dpo@shop.example' },
  supervisoryAuthority: { name: 'Berlin Data Protection Authority', url: 'https://authority.example/' },
};

forEachDialect('records of processing (Art. 30) name what the installation is configured with', (ctx) => {
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  const webhook = async (url: string, personal: boolean, status: 'active' | 'disabled') => {
    const now = new Date().toISOString();
    // Straight into the table: creating one through the service resolves the host, which a test cannot.
    await ctx.db.kysely
      .insertInto('webhooks')
      .values({
        id: newId(),
        url,
        description: null,
        events: '["contact.created"]',
        secret: 'x'.repeat(32),
        include_personal_data: personal ? 1 : 0,
        status,
        consecutive_failures: 0,
        disabled_at: null,
        disabled_reason: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  };

  it('says plainly what is not configured yet', async () => {
    const md = await assent(ctx.url, 'datamap', '--format', 'md');
    assert.equal(md.code, 0, md.stderr);
    for (const text of [
      '## Controller',
      '- name: Our organisation',
      'data-protection officer: none named',
      '## Categories of data subjects',
      '**Contacts**',
      '**People known by an email address alone**',
      '**Staff**',
      'no SMTP relay is set',
      'no webhook targets',
      '## Transfers to third countries',
      'configures no transfer to a third country',
      'is kept in the database (settings table; set `ASSENT_SECRET`',
      // SQLite keeps a key file beside the database on its own; PostgreSQL needs one configured.
      ctx.dialect === 'sqlite' ? 'outside the database (the key file beside the database)' : 'No ledger key is configured',
      '**Mail relay TLS**: no relay is set',
      'admin (0 active users)',
      '### outbox',
    ])
      assert.ok(md.stdout.includes(text), text);
  });

  it('names the controller, DPO, subjects, recipients, transfers and security measures of a configured installation', async () => {
    await s.settings.patch({
      organisation: ORG,
      smtp: { host: 'relay.mail.example', port: 465, secure: true, from: 'news@shop.example', rejectUnauthorized: false },
    });
    await webhook('https://hooks.crm.example:8443/in?token=do-not-print', true, 'active');
    await webhook('https://old.example/hook', false, 'disabled');
    await s.users.createUser({ email: 'officer@shop.example', role: 'privacy_officer', password: 'a long password 123' });
    const md = await assentWith({ ASSENT_SECRET: 's'.repeat(40), ASSENT_LEDGER_KEY: 'k'.repeat(40) }, ctx.url, 'datamap', '--format', 'md');
    assert.equal(md.code, 0, md.stderr);
    const out = md.stdout;
    for (const text of [
      '- name: Example Shop GmbH',
      '- postal address: Hauptstraße 1, 10115 Berlin',
      '- contact: privacy@shop.example',
      '- data-protection officer: Dana Officer, dpo@shop.example',
      'children among them',
      'the SMTP relay `relay.mail.example` (port 465)',
      'webhook target `hooks.crm.example:8443`: event notices carrying ids, and the contact’s current values',
      'webhook target `old.example` (disabled): event notices carrying ids, no personal values',
      'outside the EU/EEA',
      'comes from the environment (`ASSENT_SECRET`) and is not in the database',
      'scrypt',
      'Its head is authenticated with a key kept outside the database (ASSENT_LEDGER_KEY)',
      'privacy_officer (1 active user)',
      "**Mail relay TLS**: TLS from the first byte; the relay's certificate is NOT verified",
      'tables have a retention period',
      'erased addresses are kept as keyed hashes',
      'the data protection switch is on',
    ])
      assert.ok(out.includes(text), `${text}\n---\n${out.slice(0, 4000)}`);
    assert.ok(!out.includes('do-not-print') && !out.includes('/in?'), 'a target’s path and query are not printed');
    assert.ok(out.indexOf('## Controller') < out.indexOf('## Tables'), 'the Art. 30 items come before the tables');

    // The same facts from the services the CLI reads, with the switch off and a relay that checks its certificate.
    await s.settings.patch({
      dataProtectionEnabled: false,
      smtp: { host: 'relay.mail.example', port: 587, secure: false, from: 'news@shop.example' },
    });
    const again = await s.datamap.markdown(await recordsFacts(s));
    assert.ok(again.includes("STARTTLS when the relay offers it; the relay's certificate is verified"));
    assert.ok(again.includes('the data protection switch is OFF'));
  });
});
