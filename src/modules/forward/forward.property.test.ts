import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { DomUtils, parseDocument } from 'htmlparser2';
import { isAppError } from '../../lib/errors.ts';
import { isValidEmail } from '../../lib/email.ts';
import { cleanNote, forwardMail } from './forward.message.ts';
import { checkInput, NOTE_MAX } from './forward.service.ts';

const COPY = {
  subject: 'News',
  html: '<html><head><title>x</title></head><body class="b"><p id="original">The message</p></body></html>',
  text: 'The message',
  from: undefined,
};

// Hostile text: markup, entities, quotes, Unicode (astral, combining, RTL), control characters, empty.
const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom('', ' ', '<script>alert(1)</script>', '</div><img src=x onerror=alert(1)>', '&amp;&lt;', '"\'`', '\u202e\u0000\r\n'),
  fc
    .array(fc.constantFrom('<', '>', '&', '"', "'", '/', 'a', 'é', '𝒜', '\n', '\u0007', 'script', ' '), { maxLength: 40 })
    .map((a) => a.join('')),
);

it('whatever the sender’s name and note hold, the friend’s copy shows them as text in a frame of our own elements only', () => {
  fc.assert(
    fc.property(hostile, fc.option(hostile), (name, rawNote) => {
      const note = cleanNote(rawNote);
      const out = forwardMail(COPY, { lang: 'en', senderFirstName: name, note, organisation: 'The <Shop> & Co' });
      const doc = parseDocument(out.html);
      const body = DomUtils.findOne((e) => e.name === 'body', doc.children)!;
      const frame = body.children.find((n) => n.type === 'tag')!;
      // The frame holds only the elements it is made of, and the original message follows it untouched.
      const tags = DomUtils.findAll(() => true, [frame]).map((e) => e.name);
      assert.ok(
        tags.every((t) => t === 'div' || t === 'p' || t === 'br'),
        tags.join(','),
      );
      assert.equal(DomUtils.findAll((e) => e.name === 'p' && e.attribs.id === 'original', doc.children).length, 1);
      const text = DomUtils.textContent(frame);
      const shown = name.trim() || 'Someone';
      assert.ok(text.includes(`${shown} thought you would like this`), 'the name arrives as the text it was');
      if (note) assert.ok(text.includes(note.replace(/\n/g, '')), 'the note arrives as the text it was');
      assert.ok(text.includes('The <Shop> & Co sent you this message once'));
      assert.ok(out.text.endsWith('The message'));
    }),
    { numRuns: 300 },
  );
});

it('an input is either refused naming its fields, or gives a valid address and a note within the limit', () => {
  fc.assert(
    fc.property(
      fc.oneof(hostile, fc.emailAddress()),
      fc.option(fc.oneof(hostile, fc.string({ unit: 'grapheme', minLength: 495, maxLength: 510 }))),
      (email, note) => {
        try {
          const r = checkInput({ friendEmail: email, ...(note === null ? {} : { note }) });
          assert.ok(isValidEmail(r.friend));
          assert.ok(r.note === null || ([...r.note].length <= NOTE_MAX && r.note.trim() === r.note && r.note !== ''));
          assert.doesNotMatch(r.note ?? '', /[\u0000-\u0009\u000b-\u001f\u007f]/);
        } catch (e) {
          assert.ok(isAppError(e) && e.code === 'validation_failed', String(e));
          for (const d of e.details as { path: string }[]) assert.ok(['/friendEmail', '/note'].includes(d.path));
        }
      },
    ),
    { numRuns: 500 },
  );
});
