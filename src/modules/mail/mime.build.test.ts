import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildSync } from './mime.build.ts';

/**
 * Text that stresses MIME encoding: Unicode (astral too), control characters, bare CR and LF, trailing blanks, long lines, '=' and dots.
 */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom('a', ' ' + '', '\t', '\r', '\n', '\r\n', '=', '.', 'é', '😀', '\u0000', '-', 'x'.repeat(80)),
    maxLength: 60,
  }),
  fc.constant(''),
  fc.constant(`${'a'.repeat(200)} \n`),
  fc.constant('Ünïcödé '.repeat(400)),
  // Larger than the QP encoder's 64 KB slice, which is where a one-shot encoding would differ.
  fc.constant(`${'é '.repeat(40_000)}=\r\n.`),
);

const message = fc.record(
  {
    subject: hostile,
    fromName: fc.string({ unit: 'grapheme', maxLength: 40 }),
    text: hostile,
    html: hostile,
    replyTo: fc.constantFrom('reply@example.com', '"Ärger, Ltd." <reply@example.org>'),
    header: fc.string({ unit: 'grapheme', maxLength: 120 }),
  },
  { requiredKeys: ['subject', 'fromName'] },
);

function compose(m: { subject: string; fromName: string; text?: string; html?: string; replyTo?: string; header?: string }) {
  return new MailComposer({
    from: { name: m.fromName, address: 'news@example.com' },
    to: 'person@example.net',
    subject: m.subject,
    ...(m.text !== undefined && { text: m.text }),
    ...(m.html !== undefined && { html: m.html }),
    ...(m.replyTo !== undefined && { replyTo: m.replyTo }),
    headers: m.header !== undefined ? { 'List-Unsubscribe': m.header } : {},
    messageId: '<id@example.com>',
    date: new Date('2026-03-01T10:00:00Z'),
    // The same boundaries in both trees.
    baseBoundary: 'fixed',
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
}

it('builds the same bytes as nodemailer’s stream, for any content', async () => {
  await fc.assert(
    fc.asyncProperty(message, async (m) => {
      const sync = buildSync(compose(m));
      assert.ok(sync, 'a message of text parts is built synchronously');
      const streamed = await compose(m).build();
      assert.equal(sync.toString('latin1'), streamed.toString('latin1'));
    }),
    { numRuns: 300 },
  );
});

it('a synchronously built message parses back to what was given', async () => {
  const m = { subject: 'Grüße 😀 = Angebot', fromName: 'Läden, "Müller"', text: 'Zeile 1\n.\nZeile 3 ', html: '<p>Hallo Ünïcödé</p>' };
  const parsed = await simpleParser(buildSync(compose(m))!);
  assert.equal(parsed.subject, m.subject);
  assert.equal(parsed.from?.value[0]?.name, m.fromName);
  assert.equal(parsed.text, m.text);
  assert.equal(parsed.html, m.html);
});

it('leaves trees it does not handle to the stream', () => {
  const raw = new MailComposer({ raw: 'Subject: x\r\n\r\nbody' }).compile();
  assert.equal(buildSync(raw), null);
  const withTransform = compose({ subject: 's', fromName: '', text: 't' });
  withTransform.transform(() => undefined as never);
  assert.equal(buildSync(withTransform), null);
});
