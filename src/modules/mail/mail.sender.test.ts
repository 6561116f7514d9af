import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import { CALLERS } from '../consent/gate.rule.ts';
import { DEFAULT_SETTINGS } from '../settings/settings.defaults.ts';

const admin = { source: 'admin' as const, actor: { type: 'cli', id: null } };
const PURPOSES = Object.keys(DEFAULT_SETTINGS.purposes);

forEachDialect('the gated sender', (ctx) => {
  const clock = new FakeClock('2026-04-10T12:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });
  after(async () => s.close());
  beforeEach(async () => {
    await s.settings.patch({ dataProtectionEnabled: true });
  });

  const outboxTo = async (to: string) =>
    (await s.db.kysely.selectFrom('outbox').select(['contact_id', 'purpose']).where('to_address', '=', to).execute()).map((r) => ({
      contactId: r.contact_id,
      purpose: r.purpose,
    }));
  const contactAt = async (email: string, level: number) => {
    const c = await s.contacts.create({ email });
    if (level > 0) await s.consent.setLevel(c.id, level, admin);
    return c;
  };
  const suppress = async (email: string) => {
    const [hash] = await s.secret.emailHashes(email);
    await sql`insert into suppressions (email_hmac, reason, request_id, created_at) values (${hash}, 'erased', null,
      ${clock.now().toISOString()})`.execute(s.db.kysely);
    assert.equal(await s.suppressions.isSuppressed(email), true);
  };

  it('sends what the gate allows for every caller and purpose, to a contact and to an address no contact holds', async () => {
    const contacts = [
      await contactAt('level0@example.org', 0),
      await contactAt('level3@example.org', 3),
      await contactAt('level5@example.org', 5),
    ];
    let n = 0;
    for (const caller of CALLERS)
      for (const purpose of PURPOSES) {
        for (const c of contacts) {
          const to = `${c.email}`;
          const before = (await outboxTo(to)).length;
          const gate = await s.consent.check(c.id, purpose, { caller });
          const d = await s.mail.send({ to, subject: 'Hello', text: 'x', purpose, caller, contactId: c.id });
          assert.equal(d.sent, gate.allowed, `${c.email} ${purpose} ${caller}`);
          if (!d.sent) assert.equal('reason' in d && d.reason, gate.reason);
          assert.equal((await outboxTo(to)).length, before + (gate.allowed ? 1 : 0));
          n++;
        }
        const to = `nobody.${caller}.${purpose}@example.org`;
        const gate = await s.consent.checkUnknown(purpose, { caller });
        const d = await s.mail.send({ to, subject: 'Hello', text: 'x', purpose, caller, contactId: null });
        assert.equal(d.sent, gate.allowed, `no contact ${purpose} ${caller}`);
        assert.deepEqual(await outboxTo(to), gate.allowed ? [{ contactId: null, purpose }] : []);
        n++;
      }
    assert.equal(n, CALLERS.length * PURPOSES.length * 4);
  });

  it('an address no contact holds is level 0: only `requested` reaches it, from a caller answering the person', async () => {
    const send = (purpose: string, caller: (typeof CALLERS)[number]) =>
      s.mail.send({ to: 'stranger@example.org', subject: 'Hi', text: 'x', purpose, caller, contactId: null });
    assert.deepEqual(await send('transactional', 'form'), { sent: false, reason: 'below_required_level' });
    assert.deepEqual(await send('marketing', 'campaign'), { sent: false, reason: 'below_required_level' });
    assert.deepEqual(await send('requested', 'journey'), { sent: false, reason: 'purpose_not_for_caller' });
    assert.equal((await send('requested', 'data_request')).sent, true);
    assert.deepEqual(await outboxTo('stranger@example.org'), [{ contactId: null, purpose: 'requested' }]);
  });

  it('a contact that no longer exists is asked about as an address no contact holds', async () => {
    const d = await s.mail.send({
      to: 'gone@example.org',
      subject: 'Hi',
      text: 'x',
      purpose: 'marketing',
      caller: 'campaign',
      contactId: '01900000-0000-7000-8000-000000000000',
    });
    assert.deepEqual(d, { sent: false, reason: 'below_required_level' });
    const r = await s.mail.send({
      to: 'gone@example.org',
      subject: 'Hi',
      text: 'x',
      purpose: 'requested',
      caller: 'data_request',
      contactId: '01900000-0000-7000-8000-000000000000',
    });
    assert.equal(r.sent, true);
    assert.deepEqual(await outboxTo('gone@example.org'), [{ contactId: null, purpose: 'requested' }]);
  });

  it('a suppressed address receives nothing, data protection off included, but answers to its own request', async () => {
    await s.settings.patch({ dataProtectionEnabled: false });
    await suppress('Erased.Person@example.org');
    for (const caller of CALLERS)
      for (const purpose of PURPOSES.filter((p) => p !== 'requested')) {
        const d = await s.mail.send({ to: 'erased.person@EXAMPLE.org', subject: 'Hi', text: 'x', purpose, caller, contactId: null });
        assert.deepEqual(d, { sent: false, reason: 'suppressed' }, `${purpose} ${caller}`);
      }
    assert.deepEqual(await outboxTo('erased.person@EXAMPLE.org'), []);
    // An erased person may still ask what is held about them, and be answered.
    const d = await s.mail.send({
      to: 'erased.person@EXAMPLE.org',
      subject: 'Confirm',
      text: 'x',
      purpose: 'requested',
      caller: 'data_request',
      contactId: null,
    });
    assert.equal(d.sent, true);
    // The check is the gate's and suppression's together: a suppressed address is refused for what the gate refuses too.
    await s.settings.patch({ dataProtectionEnabled: true });
    assert.deepEqual(
      await s.mail.send({
        to: 'erased.person@example.org',
        subject: 'Hi',
        text: 'x',
        purpose: 'marketing',
        caller: 'campaign',
        contactId: null,
      }),
      { sent: false, reason: 'below_required_level' },
    );
  });

  it('under a key, a message goes once; a refusal sends nothing and records nothing', async () => {
    const c = await contactAt('keyed@example.org', 4);
    const msg = { to: c.email, subject: 'Offer', text: 'x', purpose: 'marketing', caller: 'campaign' as const, contactId: c.id };
    assert.equal((await s.mail.send(msg, 'send:keyed:1')).sent, true);
    assert.deepEqual(await s.mail.send(msg, 'send:keyed:1'), { sent: false, earlier: 'done' });
    await s.consent.setLevel(c.id, 1, admin);
    assert.deepEqual(await s.mail.send(msg, 'send:keyed:2'), { sent: false, reason: 'below_required_level' });
    await s.consent.setLevel(c.id, 4, admin);
    assert.equal((await s.mail.send(msg, 'send:keyed:2')).sent, true, 'a refused send left its key free');
    assert.equal((await outboxTo(c.email)).length, 2);
  });
});
