import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { onOneDatabase } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { newId } from '../../lib/ids.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';
import { MAX_ATTEMPTS } from './engine.pipeline.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

/** A real SMTP server keeping every message it takes, raw; it refuses `temp…` recipients with 451 and `perm…` ones with 550. */
async function sink() {
  const mails: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onRcptTo(address, _session, cb) {
      const local = address.address.split('@')[0]!;
      if (local.startsWith('temp')) return cb(Object.assign(new Error('try later'), { responseCode: 451 }));
      if (local.startsWith('perm')) return cb(Object.assign(new Error('no such user'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { mails, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

onOneDatabase('the send engine through a real SMTP relay', (ctx) => {
  let t: TestApp;
  let relay: Awaited<ReturnType<typeof sink>>;
  before(async () => {
    relay = await sink();
    t = await testApp(ctx.db);
    await t.services.settings.patch({
      smtp: { host: '127.0.0.1', port: relay.port, secure: false, from: 'privacy@example.com' },
      publicBaseUrl: 'https://mail.example.com/',
    });
  });
  after(async () => {
    await t.close();
    await relay.close();
  });

  async function message(purpose: string): Promise<string> {
    const id = newId();
    const now = new Date().toISOString();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id,
        name: `M ${purpose}`,
        purpose,
        list_id: null,
        from_name: 'Zoë Shop',
        from_email: 'news@shop.example',
        reply_to: 'help@shop.example',
        subject: 'Spring ✿',
        html: '<p>Hello {{ contact.firstName }}</p><a href="{{ unsubscribe_url }}">Leave</a>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }
  const contact = async (local: string, level: number) => {
    const c = await t.services.contacts.create({ email: `${local}@example.com`, company: 'smtp', firstName: '<b>Ana</b>' });
    await t.services.consent.setLevel(c.id, level, CTX);
    return c.id;
  };
  const sendRow = (contactId: string) =>
    ctx.db.kysely.selectFrom('sends').selectAll().where('contact_id', '=', contactId).executeTakeFirstOrThrow();

  it('delivers a marketing mail with its Message-ID and one-click unsubscribe headers; a transactional one has none', async () => {
    const person = await contact('ana', 4);
    const marketing = await message('marketing');
    const c = await t.services.campaigns.start(
      marketing,
      (await t.services.segments.create({ name: 'smtp', kind: 'dynamic', filter: { field: 'company', op: '=', value: 'smtp' } })).id,
      null,
    );
    await runJobs(t.services, [PREPARE_QUEUE, BATCH_QUEUE]);
    const send = await sendRow(person);
    assert.equal(send.status, 'sent');
    assert.equal(send.campaign_id, c.id);
    assert.equal(relay.mails.length, 1);
    const mail = await simpleParser(relay.mails[0]!.raw);
    assert.deepEqual(relay.mails[0]!.to, ['ana@example.com']);
    assert.equal(mail.messageId, `<${send.id}@shop.example>`);
    assert.equal(send.smtp_message_id, mail.messageId);
    assert.equal(mail.subject, 'Spring ✿');
    assert.equal(mail.from?.value[0]?.address, 'news@shop.example');
    assert.equal(mail.from?.value[0]?.name, 'Zoë Shop');
    assert.equal(mail.replyTo?.value[0]?.address, 'help@shop.example');
    // Long header lines are folded: unfold them before reading.
    const header = (name: string) => (mail.headerLines.find((h) => h.key === name)?.line ?? '').replace(/\r\n[ \t]+/g, ' ');
    assert.match(
      header('list-unsubscribe'),
      /^List-Unsubscribe: {1,2}<https:\/\/mail\.example\.com\/public\/v1\/email\/unsubscribe\/[^>\s]+>, <mailto:[^>\s]+>$/,
    );
    assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // Rendered by the message's own template: the contact's field as text, its own signed link, and a text part.
    assert.match(String(mail.html), /Hello &lt;b&gt;Ana&lt;\/b&gt;/);
    const link = /href="([^"]+)"/.exec(String(mail.html))?.[1] ?? '';
    assert.equal(`List-Unsubscribe: <${link}>`, header('list-unsubscribe').split(',')[0]);
    assert.match(mail.text ?? '', /Hello <b>Ana<\/b>/);

    const receipt = await message('transactional');
    await t.services.sends.sendToContact(receipt, person);
    await runJobs(t.services, [BATCH_QUEUE]);
    assert.equal(relay.mails.length, 2);
    const plain = await simpleParser(relay.mails[1]!.raw);
    assert.equal(
      plain.headerLines.some((h) => h.key.startsWith('list-unsubscribe')),
      false,
    );
  });

  it('a 5xx answer fails the send with its code; a 4xx one is retried later, and failed after the last attempt', async () => {
    const m = await message('transactional');
    const perm = await contact('perm.1', 2);
    const temp = await contact('temp.1', 2);
    await t.services.sends.sendToContact(m, perm);
    await t.services.sends.sendToContact(m, temp);
    await runJobs(t.services, [BATCH_QUEUE]);
    const p = await sendRow(perm);
    assert.deepEqual([p.status, p.reason], ['failed', 'smtp_550']);
    let s = await sendRow(temp);
    assert.deepEqual([s.status, s.reason, s.attempts], ['queued', 'smtp_451', 1]);
    assert.ok(s.not_before && s.not_before > new Date().toISOString(), 'waits before the next attempt');
    // Its follow-up job waits for that time.
    const followUps = await ctx.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('queue', '=', BATCH_QUEUE)
      .where('status', '=', 'queued')
      .execute();
    assert.equal(followUps.length, 1);
    assert.equal(followUps[0]!.run_at, s.not_before);
    // The attempts run out: the last one fails it for good.
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      await ctx.db.kysely.updateTable('sends').set({ not_before: null }).where('id', '=', s.id).execute();
      await t.services.engineJobs.runBatch({ ids: [s.id] });
    }
    s = await sendRow(temp);
    assert.deepEqual([s.status, s.reason, s.attempts], ['failed', 'smtp_451', MAX_ATTEMPTS]);
    assert.equal(
      relay.mails.some((x) => x.to.some((a) => a.startsWith('temp') || a.startsWith('perm'))),
      false,
    );
  });
});
