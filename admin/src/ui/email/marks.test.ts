// The text block's typing: marks become spans, spans become the same typing again, and whatever is
// typed (HTML, Liquid, mark characters, Unicode) stays text with the marks the user meant.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseMarks, toMarks } from './marks.ts';

describe('text marks', () => {
  it('reads bold, italic, links, escapes and paragraphs', () => {
    assert.deepEqual(parseMarks('Hello **big** *world*, [see](https://e.com/a_(b\\)) \\*not\\*.\n\nNext [x] line'), [
      [
        { text: 'Hello ' },
        { text: 'big', bold: true },
        { text: ' ' },
        { text: 'world', italic: true },
        { text: ', ' },
        { text: 'see', href: 'https://e.com/a_(b)' },
        { text: ' *not*.' },
      ],
      [{ text: 'Next [x] line' }],
    ]);
    assert.deepEqual(parseMarks('**[Unsubscribe]({{ unsubscribe_url }})**'), [
      [{ text: 'Unsubscribe', bold: true, href: '{{ unsubscribe_url }}' }],
    ]);
    assert.deepEqual(parseMarks('<b>{{ x }}</b>'), [[{ text: '<b>{{ x }}</b>' }]]);
    assert.deepEqual(parseMarks(''), []);
  });

  it('typing → spans → typing → spans gives the same spans (hostile text)', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '**',
        '*',
        '[',
        ']',
        '(',
        ')',
        '](',
        '\\',
        '\n',
        '\n\n',
        ' ',
        '<script>',
        '{{ contact.firstName }}',
        'Zoë',
        '😀',
        'https://e.com/',
      ),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const spans = parseMarks(pieces.join(''));
        assert.deepEqual(parseMarks(toMarks(spans)), spans);
      }),
      { numRuns: 1000 },
    );
  });

  it('spans made elsewhere (any text and marks) survive a trip through typing', () => {
    const span = fc.record(
      {
        text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((t) => !/\n[ \t]*\n/.test(t) && !/^\s|\s$/.test(t)),
        bold: fc.constant(true),
        italic: fc.constant(true),
        href: fc.constantFrom('https://e.com/x)y', 'mailto:a@e.com', '{{ unsubscribe_url }}'),
      },
      { requiredKeys: ['text'] },
    );
    fc.assert(
      fc.property(fc.array(fc.array(span, { minLength: 1, maxLength: 4 }), { maxLength: 3 }), (paragraphs) => {
        const typed = toMarks(paragraphs);
        const text = (ps: { text: string }[][]) => ps.map((p) => p.map((s) => s.text).join(''));
        assert.deepEqual(text(parseMarks(typed)), text(paragraphs));
      }),
      { numRuns: 500 },
    );
  });
});
