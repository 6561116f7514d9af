import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { IdentifierIndex, REDACTED } from './redaction.model.ts';
import { identifiersOf, mergeIdentifiers, phoneDigits } from '../residue/residue.model.ts';

const nora = identifiersOf({
  email: 'Nora.Notewright@Example.org',
  first_name: 'Nora',
  last_name: 'Notewright',
  phone: '+44 20 7946 0123',
});

it('redacts a person from free text in every way people write them, and leaves the rest', () => {
  const ix = new IdentifierIndex(nora);
  const cases: [string, string][] = [
    ['verified by phone +44 20 7946 0123, spoke to Nora Notewright', `verified by phone ${REDACTED}, spoke to ${REDACTED}`],
    ['call 0044-20-7946-0123 or 020 7946 0123', `call ${REDACTED} or ${REDACTED}`],
    ['NOTEWRIGHT,   nora asked us to wait', `${REDACTED} asked us to wait`],
    ['Mail NORA.NOTEWRIGHT@example.ORG today', `Mail ${REDACTED} today`],
    ["Nora's picks (notewright)", `${REDACTED}'s picks (${REDACTED})`],
    ['Noration and Notewrights are other words', 'Noration and Notewrights are other words'],
    ['order 4420794601234 is a longer number', 'order 4420794601234 is a longer number'],
    ['', ''],
  ];
  for (const [text, want] of cases) assert.equal(ix.redact(text), want, text);
  // Outside the person's own rows only what names her for certain goes; her first name alone stays.
  assert.equal(ix.redact("Nora's list: nora.notewright@example.org", 'strong'), `Nora's list: ${REDACTED}`);
  assert.equal(ix.classify('Nora said hello'), 'weak');
  assert.equal(ix.classify('ring 020 7946 0123'), 'weak');
  assert.equal(ix.classify('Dear Nora  Notewright'), 'strong');
  assert.equal(ix.classify('+442079460123'), 'strong');
  assert.equal(ix.classify('Norbert Notes'), null);
});

it('redacts JSON value by value and keeps it valid JSON of the same shape', () => {
  const ix = new IdentifierIndex(nora);
  const filter = JSON.stringify({
    and: [
      { field: 'firstName', op: '=', value: 'Nora' },
      { field: 'email', op: 'in', value: ['x@example.org', 'nora.notewright@example.org'] },
      { consent: { atLeast: 3 } },
    ],
  });
  assert.deepEqual(JSON.parse(ix.redactStored(filter, 'strong')), {
    and: [
      { field: 'firstName', op: '=', value: 'Nora' },
      { field: 'email', op: 'in', value: ['x@example.org', REDACTED] },
      { consent: { atLeast: 3 } },
    ],
  });
  assert.equal(JSON.parse(ix.redactStored(filter, 'all')).and[0].value, REDACTED);
  const untouched = JSON.stringify({ a: 'nothing here', n: 1 });
  assert.equal(ix.redactStored(untouched), untouched, 'an unchanged value is returned as stored, not re-serialised');
  assert.equal(ix.redactStored('{not json, Nora Notewright'), `{not json, ${REDACTED}`);
});

it('an index without identifiers changes nothing; names with pattern characters are literal', () => {
  const empty = new IdentifierIndex({ emails: [], phones: [], names: [], weak: [] });
  assert.equal(empty.empty, true);
  assert.equal(empty.redact('anything at all'), 'anything at all');
  assert.equal(empty.classify('anything'), null);
  const odd = new IdentifierIndex(identifiersOf({ first_name: "D'Arcy (Jr.)", last_name: 'O+Brien*' }));
  assert.equal(odd.redact("met D'Arcy (Jr.) O+Brien* and DXArcy OxBrien"), `met ${REDACTED} and DXArcy OxBrien`);
});

const VOCABULARY = [
  'the',
  'case',
  'was',
  'verified',
  'by',
  'phone',
  'with',
  'asked',
  'to',
  'wait',
  'and',
  'called',
  'again',
  'Straße',
  'über',
  '—',
  '(',
  ')',
  ',',
  '😀',
];
const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzäöüéçñøß'.split(''));
const word = fc
  .tuple(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜÉ'.split('')),
    fc.array(letter, { minLength: 2, maxLength: 9 }),
    fc.constantFrom('', "'s", '-Lee'),
  )
  .map(([a, b, c]) => a + b.join('') + c)
  .filter((w) => !VOCABULARY.some((v) => v.toLowerCase() === w.toLowerCase()));
const person = fc.record({
  first: word,
  last: word,
  local: fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,12}$/),
  digits: fc.stringMatching(/^[1-9][0-9]{8,11}$/),
});
/** How people write each identifier, hostile spacing and case included. */
const writeOf = (p: { first: string; last: string; local: string; digits: string }) =>
  fc.constantFrom(
    `${p.first} ${p.last}`,
    `${p.last.toUpperCase()},\t${p.first.toLowerCase()}`,
    `${p.first}\n\n${p.last}`,
    `${p.local}@Example.ORG`,
    `+${p.digits.slice(0, 2)} ${p.digits.slice(2, 5)}-${p.digits.slice(5)}`,
    `00${p.digits}`,
    p.first,
    p.last.toLowerCase(),
  );

it('after redacting a person from their own text, nothing of them is left (property, hostile text)', () => {
  fc.assert(
    fc.property(
      fc
        .array(person, { minLength: 1, maxLength: 3 })
        .chain((people) =>
          fc.tuple(
            fc.constant(people),
            fc.array(fc.oneof(fc.constantFrom(...VOCABULARY), fc.constantFrom(...people).chain(writeOf)), { maxLength: 14 }),
            fc.constantFrom(' ', '  ', '\n', ' / '),
          ),
        ),
      ([people, parts, sep]) => {
        const ids = mergeIdentifiers(
          people.map((p) =>
            identifiersOf({ email: `${p.local}@example.org`, first_name: p.first, last_name: p.last, phone: `+${p.digits}` }),
          ),
        );
        const ix = new IdentifierIndex(ids);
        const text = parts.join(sep);
        const out = ix.redact(text);
        assert.equal(ix.classify(out), null, `${JSON.stringify(text)} -> ${JSON.stringify(out)}`);
        for (const p of people) {
          assert.ok(!out.toLowerCase().includes(`${p.local}@example.org`), out);
          assert.ok(!phoneDigits(out).includes(p.digits), out);
          for (const n of [p.first, p.last])
            assert.ok(
              !new RegExp(`(?<![\\p{L}\\p{N}])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu').test(out),
              `${n} in ${out}`,
            );
        }
        // Text that never held them is returned as it was.
        const plain = parts.filter((x) => VOCABULARY.includes(x)).join(sep);
        assert.equal(ix.redact(plain), plain);
      },
    ),
    { numRuns: 150 },
  );
});
