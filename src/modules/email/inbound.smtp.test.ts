import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, it } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import { arfReport, dsnReport } from '../../../test/fixtures/email/dsn.samples.ts';
import { contactAt, counts, plantSend } from '../../../test/fixtures/email/sends.ts';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { MAX_REPORT_BYTES } from './dsn.parse.ts';
import { listUnsubscribeHeaders } from './links.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

forEachDialect('the SMTP endpoint for bounces and complaints', (ctx) => {
  let t: TestApp;
  let port: number;
  let client: Transporter;
  before(async () => {
    t = await testApp(ctx.db);
    assert.equal(await t.services.bounceInbound.start(), null, 'off by default');
    await t.services.settings.patch({ bounceInbound: { port: await freePort(), host: '127.0.0.1' } });
    port = (await t.services.bounceInbound.start())!;
    // A mail server handing over what came back: a real SMTP conversation, the report as the message.
    client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  });
  after(async () => {
    client.close();
    await t.services.bounceInbound.stop();
    await t.close();
  });

  const deliver = (raw: Buffer) => client.sendMail({ envelope: { from: '', to: ['bounces@assent.example'] }, raw });

  it('receives a DSN over SMTP and makes the address undeliverable', async () => {
    const c = await contactAt(t, 'smtp.hard@example.org', 4);
    const s = await plantSend(t, c.id);
    const info = await deliver(dsnReport({ recipient: 'smtp.hard@example.org', messageId: s.header }));
    assert.match(info.response ?? '', /^250/);
    assert.equal(await t.services.bounces.isUndeliverable('SMTP.Hard@example.org'), true);
    assert.deepEqual(await counts(t, s.campaignId!), { 'bounced:5.1.1': 1 });
    const [b] = await t.services.bounces.list({ contactId: c.id }, 10);
    assert.deepEqual([b!.source, b!.kind, b!.sendId], ['smtp', 'hard', s.sendId]);
  });

  it('receives an ARF complaint over SMTP and lowers the level with a ledger entry `complaint`', async () => {
    const c = await contactAt(t, 'smtp.complaint@example.org', 4);
    const s = await plantSend(t, c.id);
    await deliver(arfReport({ messageId: s.header }));
    const last = (await t.services.ledger.history(c.id)).at(-1)!;
    assert.deepEqual([last.oldValue, last.newValue, last.source, last.actorType], [4, 3, 'complaint', 'system']);
  });

  it(
    'reads the List-Unsubscribe mailto: the mail its client writes ' + 'leaves as the one-click POST does; a forged token changes nothing',
    async () => {
      const c = await contactAt(t, 'smtp.leaves@example.org', 4);
      const s = await plantSend(t, c.id);
      const headers = listUnsubscribeHeaders(
        'https://' + 'mail.example.com/',
        await t.services.secret.key(),
        s.sendId,
        new Date(),
        'news@shop.example',
      );
      const mailto = /<mailto:([^?>]+)\?subject=([^>]+)>/.exec(headers['List-Unsubscribe'])!;
      assert.equal(mailto[1], 'unsubscribe@shop.example');
      const write = (subject: string) =>
        client.sendMail({ from: 'smtp.leaves@example.org', to: mailto[1], subject, text: 'Sent from my phone' });
      const before = (await t.services.ledger.history(c.id)).length;
      // A forged token, and one of another purpose's shape: 250 all the same, nothing changes.
      assert.match((await write(`unsubscribe ${'A'.repeat(40)}.${'b'.repeat(43)}`)).response ?? '', /^250/);
      assert.equal((await t.services.ledger.history(c.id)).length, before);
      // What a mail client writes from the mailto: the subject decoded from the URL.
      const info = await write(decodeURIComponent(mailto[2]!));
      assert.match(info.response ?? '', /^250/);
      const last = (await t.services.ledger.history(c.id)).at(-1)!;
      assert.deepEqual([last.oldValue, last.newValue, last.source, last.actorType], [4, 3, 'unsubscribe', 'message']);
      assert.equal((await t.services.ledger.history(c.id)).length, before + 1);
    },
  );

  it('acts only on reports naming one of our sends: an address alone (no authentication here) changes nothing', async () => {
    const c = await contactAt(t, 'smtp.forged@example.org', 5);
    const info = await deliver(dsnReport({ recipient: 'smtp.forged@example.org' }));
    // Taken like any other: the sender learns nothing about which sends exist.
    assert.match(info.response ?? '', /^250/);
    await deliver(arfReport({ recipient: 'smtp.forged@example.org', messageId: '01900000-0000-7000-8000-000000000000@assent.example' }));
    assert.equal(await t.services.bounces.isUndeliverable('smtp.forged@example.org'), false);
    assert.equal((await t.services.ledger.history(c.id)).at(-1)!.newValue, 5);
    assert.equal((await t.services.bounces.list({ contactId: c.id }, 10)).length, 0);
  });

  it('refuses an unreadable message (550) and one past 1 MiB (552), and keeps serving', async () => {
    await assert.rejects(deliver(Buffer.from('Subject: hello\r\n\r\nJust a message.\r\n')), (e: any) => e.responseCode === 550);
    const big = Buffer.concat([dsnReport({ recipient: 'big@example.org' }), Buffer.alloc(MAX_REPORT_BYTES, 0x61)]);
    await assert.rejects(deliver(big), (e: any) => e.responseCode === 552);
    const c = await contactAt(t, 'smtp.after@example.org', 4);
    const s = await plantSend(t, c.id);
    await deliver(dsnReport({ recipient: 'smtp.after@example.org', messageId: s.header }));
    assert.equal(await t.services.bounces.isUndeliverable('smtp.after@example.org'), true);
  });
});
