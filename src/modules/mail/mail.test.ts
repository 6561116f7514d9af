import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, it } from 'node:test';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { FakeClock } from '../../lib/clock.ts';
import { isAppError, type ErrorCode } from '../../lib/errors.ts';
import { isId, newId } from '../../lib/ids.ts';
import { SettingsService } from '../settings/settings.service.ts';
import type { MailMessage } from './mail.model.ts';
import { MailService } from './mail.service.ts';
import { deleteOutboxTo } from './outbox.queries.ts';

interface Received {
  mailFrom: string | null;
  rcptTo: string[];
  user: string | undefined;
  parsed: ParsedMail;
}

/** A real SMTP server on a loopback port that keeps what it is given. */
interface Sink {
  port: number;
  received: Received[];
  /** Client connections currently open. */
  open(): number;
  close(): Promise<void>;
}

async function startSink(auth?: { user: string; pass: string }): Promise<Sink> {
  const received: Received[] = [];
  let open = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    onConnect(_session, cb) {
      open++;
      cb();
    },
    onClose() {
      open--;
    },
    onAuth(a, _session, cb) {
      if (auth && a.username === auth.user && a.password === auth.pass) cb(null, { user: a.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      // Real relays quote the address in a refusal; the service must not pass it on.
      if (address.address.startsWith('nobody')) cb(Object.assign(new Error(`No such user <${address.address}>`), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (parsed) => {
          const mailFrom = session.envelope.mailFrom;
          received.push({
            mailFrom: mailFrom ? mailFrom.address : null,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            user: session.user,
            parsed,
          });
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, received, open: () => open, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<Error> {
  let caught: unknown;
  await assert.rejects(p, (e) => {
    caught = e;
    return isAppError(e) && e.code === code;
  });
  return caught as Error;
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): EmailAddress | undefined {
  const obj = Array.isArray(a) ? a[0] : a;
  return obj?.value[0];
}

const RELAY_USER = 'relay-user';
const RELAY_PASS = 'relay-secret';

forEachDialect('mail', (ctx) => {
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  let settings: SettingsService;
  let mail: MailService;
  let sink: Sink;
  let plainSink: Sink;

  const outboxCount = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const useRelay = (port: number, extra: { user?: string; password?: string; from?: string } = {}) =>
    settings.patch({ smtp: { host: '127.0.0.1', port, secure: false, from: extra.from ?? 'Assent News <news@example.org>', ...extra } });

  before(async () => {
    settings = new SettingsService(ctx.db, clock);
    await settings.ensureDefaults();
    mail = new MailService(ctx.db, settings, clock);
    sink = await startSink({ user: RELAY_USER, pass: RELAY_PASS });
    plainSink = await startSink();
  });

  after(async () => {
    await mail.close();
    await sink.close();
    await plainSink.close();
  });

  it('keeps messages in the outbox when no relay is set, and lists them newest first with the wire fields only', async () => {
    await settings.patch({ smtp: null });
    await ctx.db.kysely.deleteFrom('outbox').execute();
    const sent: { id: string; at: string }[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      const r = await mail.send({
        to: `Reader.${i}@Example.ORG`,
        subject: `Issue ${i}`,
        text: `text ${i}`,
        ...(i % 2 === 0 && { html: `<p>${i}</p>` }),
        purpose: 'marketing',
      });
      assert.equal(r.transport, 'outbox');
      assert.equal(r.messageId, undefined);
      assert.ok(isId(r.id));
      sent.push({ id: r.id, at: clock.now().toISOString() });
    }

    const pages: string[][] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await mail.listOutbox({ limit: 2, ...(cursor !== undefined && { cursor }) });
      for (const item of page.items) assert.deepEqual(Object.keys(item).sort(), ['createdAt', 'html', 'id', 'subject', 'text', 'to']);
      pages.push(page.items.map((x) => x.id));
      if (page.next === null) break;
      cursor = page.next;
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 1],
    );
    assert.deepEqual(pages.flat(), sent.map((s) => s.id).reverse());

    const newest = (await mail.listOutbox({ limit: 1 })).items[0];
    assert.deepEqual(newest, {
      id: sent[4]!.id,
      to: 'Reader.4@example.org',
      subject: 'Issue 4',
      text: 'text 4',
      html: '<p>4</p>',
      createdAt: sent[4]!.at,
    });
    assert.deepEqual(await mail.getOutboxItem(sent[1]!.id), {
      id: sent[1]!.id,
      to: 'Reader.1@example.org',
      subject: 'Issue 1',
      text: 'text 1',
      html: null,
      createdAt: sent[1]!.at,
    });

    const row = await ctx.db.kysely.selectFrom('outbox').selectAll().where('id', '=', sent[0]!.id).executeTakeFirstOrThrow();
    assert.equal(row.from_address, 'Assent <no-reply@localhost>');
    assert.equal(row.purpose, 'marketing');
    assert.deepEqual(JSON.parse(row.headers), {});
  });

  it('answers not_found, invalid_cursor and validation_failed for bad outbox reads', async () => {
    await rejectsWith(mail.getOutboxItem(newId()), 'not_found');
    await rejectsWith(mail.getOutboxItem('not-an-id'), 'not_found');
    await rejectsWith(mail.listOutbox({ limit: 2, cursor: 'garbage' }), 'invalid_cursor');
    await rejectsWith(mail.listOutbox({ limit: 0 }), 'validation_failed');
  });

  it("erases outbox rows by recipient address and leaves other people's", async () => {
    await settings.patch({ smtp: null });
    await mail.send({ to: 'erase.me@example.org', subject: 'one', text: 'x' });
    await mail.send({ to: 'Erase.Me@EXAMPLE.org', subject: 'two', text: 'x' });
    await mail.send({ to: 'keep.me@example.org', subject: 'three', text: 'x' });
    const before = await outboxCount();
    assert.equal(await deleteOutboxTo(ctx.db.kysely, 'erase.me@example.org'), 1);
    assert.equal(await deleteOutboxTo(ctx.db.kysely, 'Erase.Me@example.org'), 1);
    assert.equal(await outboxCount(), before - 2);
    const left = await ctx.db.kysely.selectFrom('outbox').select('to_address').where('to_address', 'like', '%.me@%').execute();
    assert.deepEqual(
      left.map((r) => r.to_address),
      ['keep.me@example.org'],
    );
  });

  it(
    'delivers through the relay with sender, recipient, subject, ' + 'bodies and custom headers, and stores nothing in the outbox',
    async () => {
      await useRelay(sink.port, { user: RELAY_USER, password: RELAY_PASS });
      const before = { outbox: await outboxCount(), received: sink.received.length };

      const r = await mail.send({
        to: 'Reader@Example.org',
        subject: 'Spring news — grüße',
        text: 'Hello in text',
        html: '<p>Hello in <b>html</b></p>',
        headers: { 'List-Unsubscribe': '<https://example.org/u/abc>', 'X-Assent-Campaign': 'spring-2026' },
        purpose: 'marketing',
      });
      assert.equal(r.transport, 'smtp');
      assert.ok(isId(r.id));
      assert.equal(typeof r.messageId, 'string');

      assert.equal(sink.received.length, before.received + 1);
      const got = sink.received.at(-1)!;
      assert.equal(got.user, RELAY_USER);
      assert.equal(got.mailFrom, 'news@example.org');
      assert.deepEqual(got.rcptTo, ['Reader@example.org']);
      assert.deepEqual(firstAddress(got.parsed.from), { name: 'Assent News', address: 'news@example.org' });
      assert.equal(firstAddress(got.parsed.to)?.address, 'Reader@example.org');
      assert.equal(got.parsed.subject, 'Spring news — grüße');
      assert.equal(got.parsed.text?.trim(), 'Hello in text');
      assert.equal(got.parsed.html, '<p>Hello in <b>html</b></p>');
      assert.equal(got.parsed.messageId, r.messageId);
      const line = (name: string) => got.parsed.headerLines.find((h) => h.key === name)?.line;
      assert.equal(line('list-unsubscribe'), 'List-Unsubscribe: <https://example.org/u/abc>');
      assert.equal(line('x-assent-campaign'), 'X-Assent-Campaign: spring-2026');

      await mail.send({
        to: 'reader@example.org',
        from: 'Sales <sales@example.org>',
        subject: 'From someone else',
        html: '<p>only html</p>',
      });
      assert.equal(sink.received.length, before.received + 2);
      assert.equal(sink.received.at(-1)!.mailFrom, 'sales@example.org');

      assert.equal(await outboxCount(), before.outbox);
    },
  );

  it('builds a new transport when the relay settings change and closes the old pool', async () => {
    await useRelay(sink.port, { user: RELAY_USER, password: RELAY_PASS });
    await mail.send({ to: 'reader@example.org', subject: 'via the first relay', text: 'one' });
    assert.ok(sink.open() > 0, 'the pool keeps its connection open between sends');

    const before = { sink: sink.received.length, plain: plainSink.received.length };
    await settings.patch({ smtp: { host: '127.0.0.1', port: plainSink.port, secure: false, from: 'Plain <plain@example.org>' } });
    await mail.send({ to: 'reader@example.org', subject: 'via the second relay', text: 'two' });
    assert.equal(plainSink.received.length, before.plain + 1);
    assert.equal(sink.received.length, before.sink);
    assert.equal(plainSink.received.at(-1)!.mailFrom, 'plain@example.org');

    for (let waited = 0; sink.open() > 0 && waited < 3000; waited += 25) await new Promise((r) => setTimeout(r, 25));
    assert.equal(sink.open(), 0, 'the old pool closed its connection');
  });

  it('fails with mail_failed when the relay refuses the credentials or the recipient, without naming the recipient', async () => {
    const before = { outbox: await outboxCount(), received: sink.received.length };

    await useRelay(sink.port, { user: RELAY_USER, password: 'wrong-password' });
    const authErr = await rejectsWith(mail.send({ to: 'secret.person@example.org', subject: 'hello', text: 'x' }), 'mail_failed');
    assert.doesNotMatch(authErr.message + JSON.stringify((authErr as { details?: unknown }).details), /secret\.person/);

    await useRelay(sink.port, { user: RELAY_USER, password: RELAY_PASS });
    const rcptErr = await rejectsWith(mail.send({ to: 'nobody.secret@example.org', subject: 'hello', text: 'x' }), 'mail_failed');
    assert.doesNotMatch(rcptErr.message + JSON.stringify((rcptErr as { details?: unknown }).details), /nobody\.secret/);
    assert.match(rcptErr.message, /550/, 'the SMTP status is kept');

    assert.equal(sink.received.length, before.received);
    assert.equal(await outboxCount(), before.outbox);
  });

  it('fails with mail_failed within seconds when the relay cannot be reached', async () => {
    await useRelay(await closedPort());
    const t0 = performance.now();
    await rejectsWith(mail.send({ to: 'reader@example.org', subject: 'hello', text: 'x' }), 'mail_failed');
    assert.ok(performance.now() - t0 < 5000, 'a refused connection fails at once, not after a long timeout');
  });

  it('sends once under a key into the outbox, however often and however concurrently it is asked', async () => {
    await settings.patch({ smtp: null });
    const key = `test:outbox:${newId()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => mail.sendOnce(key, { to: 'once@example.org', subject: 'once', text: 'x' })),
    );
    assert.equal(results.filter((r) => r.sent).length, 1);
    assert.ok(results.every((r) => r.sent || r.earlier === 'done'));
    const rows = await ctx.db.kysely.selectFrom('outbox').select('id').where('to_address', '=', 'once@example.org').execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(await mail.sendOnce(key, { to: 'once@example.org', subject: 'once', text: 'x' }), { sent: false, earlier: 'done' });
    const invalid = `test:invalid:${newId()}`;
    await rejectsWith(mail.sendOnce(invalid, { to: 'not an address', subject: 'x', text: 'x' }), 'validation_failed');
    assert.equal(
      await ctx.db.kysely.selectFrom('side_effects').select('key').where('key', '=', invalid).executeTakeFirst(),
      undefined,
      'an invalid message records nothing',
    );
  });

  it('sends once under a key through a relay: again after a refusal, never after the relay took it or a send that may have', async () => {
    await useRelay(plainSink.port);
    const before = plainSink.received.length;
    const key = `test:relay:${newId()}`;
    assert.equal((await mail.sendOnce(key, { to: 'relay.once@example.org', subject: 'once', text: 'x' })).sent, true);
    assert.deepEqual(await mail.sendOnce(key, { to: 'relay.once@example.org', subject: 'once', text: 'x' }), {
      sent: false,
      earlier: 'done',
    });
    assert.equal(plainSink.received.length, before + 1);

    // A refusal (a reply code) or a relay that cannot be reached: certainly not sent, so a retry sends.
    const refusedKey = `test:refused:${newId()}`;
    await rejectsWith(mail.sendOnce(refusedKey, { to: 'nobody@example.org', subject: 'x', text: 'x' }), 'mail_failed');
    const unreachable = `test:unreachable:${newId()}`;
    await useRelay(await closedPort());
    await rejectsWith(mail.sendOnce(unreachable, { to: 'later@example.org', subject: 'x', text: 'x' }), 'mail_failed');
    const status = async (k: string) =>
      (await ctx.db.kysely.selectFrom('side_effects').select('status').where('key', '=', k).executeTakeFirst())?.status;
    assert.equal(await status(refusedKey), 'failed');
    assert.equal(await status(unreachable), 'failed');
    await useRelay(plainSink.port);
    assert.equal((await mail.sendOnce(unreachable, { to: 'later@example.org', subject: 'x', text: 'x' })).sent, true);
    assert.equal(plainSink.received.filter((r) => r.rcptTo.includes('later@example.org')).length, 1);

    // Recorded and never finished: the process died before the relay answered. Not sent again.
    const cut = `test:cut:${newId()}`;
    await ctx.db.kysely
      .insertInto('side_effects')
      .values({ key: cut, status: 'pending', created_at: clock.now().toISOString(), updated_at: clock.now().toISOString() })
      .execute();
    assert.deepEqual(await mail.sendOnce(cut, { to: 'cut@example.org', subject: 'x', text: 'x' }), { sent: false, earlier: 'pending' });
    assert.equal(plainSink.received.filter((r) => r.rcptTo.includes('cut@example.org')).length, 0);
  });

  const malformed: [string, Partial<MailMessage>][] = [
    ['a line break in the subject', { subject: 'Hello\r\nBcc: x@y.example' }],
    ['a bare LF in the subject', { subject: 'Hello\nBcc: x@y.example' }],
    ['a line break in a header value', { headers: { 'X-Note': 'a\r\nBcc: x@y.example' } }],
    ['a header that would add a recipient', { headers: { BCC: 'x@y.example' } }],
    ['a header name with a colon', { headers: { 'X-A: b': 'c' } }],
    ['two recipients', { to: 'a@example.org, b@example.org' }],
    ['a line break in the recipient', { to: 'a@example.org\r\nBcc: x@y.example' }],
    ['a recipient without a domain', { to: 'reader' }],
    ['a sender list', { from: 'a@example.org, b@example.org' }],
    ['no body', { text: undefined, html: '  ' }],
    ['a subject past the limit', { subject: 'x'.repeat(999) }],
  ];

  for (const mode of ['outbox', 'smtp'] as const) {
    it(`rejects header injection and malformed messages with validation_failed, storing and sending nothing (${mode})`, async () => {
      if (mode === 'smtp') await useRelay(sink.port, { user: RELAY_USER, password: RELAY_PASS });
      else await settings.patch({ smtp: null });
      const before = { outbox: await outboxCount(), received: sink.received.length };
      const good: MailMessage = { to: 'reader@example.org', subject: 'Hello', text: 'body' };
      for (const [what, change] of malformed) {
        const err = await rejectsWith(mail.send({ ...good, ...change } as MailMessage), 'validation_failed').catch((e: unknown) => {
          throw new Error(`${what}: ${String(e)}`);
        });
        assert.doesNotMatch(JSON.stringify((err as { details?: unknown }).details), /x@y\.example|a@example\.org/, what);
      }
      assert.equal(sink.received.length, before.received);
      assert.equal(await outboxCount(), before.outbox);
      // The same message without the fault goes through, so the rejections above are the checks at work.
      assert.equal((await mail.send(good)).transport, mode);
    });
  }
});
