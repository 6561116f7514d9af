// The form builder's working copy: what it sends is what the server's own rules accept (forms.model.ts
// checkFields, originOf), for any label typed, including markup, Unicode and the honeypot's name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SLUG, slugFrom } from '../pages/words.ts';
import { type Draft, emailField, move, nameFromLabel, newField, plain, readOrigins, remap, toDraft, toInput, uniqueName } from './draft.ts';

// The server's own rules, loaded by a path the console's typecheck does not follow: forms.model.ts and
// forms.service.ts bring the server's types (the database, fastify) that the console's tsconfig has not got.
const server = (path: string) => import(new URL(`../../../../src/modules/forms/${path}`, import.meta.url).href);
const { checkFields, FIELD_NAME } = (await server('forms.model.ts')) as {
  checkFields: (fields: unknown[], custom: unknown[], lists: ReadonlySet<string>) => unknown[];
  FIELD_NAME: RegExp;
};
const { originOf } = (await server('forms.service.ts')) as { originOf: (s: string) => string | null };

const label = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', 'website', 'Website!', '<b>Your</b> name', '123 go', 'Zoë Ærø', '😀', '___', 'e-mail', 'ß'),
);

describe('form builder draft', () => {
  it('suggests an input name the server accepts from any label, never the honeypot', () => {
    fc.assert(
      fc.property(label, (l) => {
        const n = nameFromLabel(l);
        assert.match(n, FIELD_NAME);
        assert.notEqual(n, 'website');
      }),
      { numRuns: 2000 },
    );
    assert.equal(nameFromLabel('<b>Your</b> first name'), 'b_your_b_first_name');
    assert.equal(nameFromLabel('Zoë’s company'), 'zoe_s_company');
  });

  it('a form built from added fields with any labels passes the server’s field rules', () => {
    fc.assert(
      fc.property(fc.array(label, { maxLength: 12 }), (labels) => {
        const d: Draft = toDraft();
        for (const l of labels) {
          const f = newField(d.fields);
          const others = d.fields.map((x) => x.name);
          d.fields.push({ ...f, label: l.trim() === '' ? 'x' : l, name: uniqueName(nameFromLabel(l), others) });
        }
        const input = toInput(d);
        assert.deepEqual(checkFields(input.fields, [], new Set()), []);
        // Saved and reopened, the same form: the builder tells a changed form from an unchanged one by this.
        assert.deepEqual(toInput(toDraft(input)), input);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps only what each kind of field carries', () => {
    const consent = remap({ ...newField([emailField()]), choices: ['a'], pattern: '' }, 'consentLevel');
    assert.equal(consent.type, 'radio');
    assert.deepEqual(consent.levels, []);
    assert.equal(consent.choices, undefined);
    const lists = remap(consent, 'lists');
    assert.equal(lists.levels, undefined);
    assert.deepEqual(lists.listIds, []);
    const back = remap(lists, 'firstName');
    assert.equal(back.type, 'text');
    assert.equal(back.listIds, undefined);
    const input = toInput({
      name: ' N ',
      doubleOptIn: false,
      origins: '',
      fields: [emailField(), { ...back, pattern: ' ', maxLength: 0 }],
    });
    assert.deepEqual(input.fields[1], { name: back.name, label: back.label, maps: 'firstName', required: false, type: 'text' });
    assert.equal(input.name, 'N');
    assert.equal(input.fields[0]!.required, true);
  });

  it('says the server’s messages plainly', () => {
    assert.equal(plain('must NOT have fewer than 1 characters'), 'Fill this in');
    assert.equal(plain('must NOT have more than 200 characters'), 'At most 200 characters');
    assert.equal(plain('not a valid regular expression'), 'Not a valid regular expression');
  });

  it('moves a field one place, and nothing past either end', () => {
    assert.deepEqual(move(['a', 'b', 'c'], 2, -1), ['a', 'c', 'b']);
    assert.deepEqual(move(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(move(['a', 'b', 'c'], 2, 1), ['a', 'b', 'c']);
  });

  it('reads origins one per line as the server keeps them, and names each line that is not one', () => {
    const r = readOrigins(
      'https://Shop.example/\n\n  http://localhost:8080 \nshop.example\nhttps://a.example/path\njavascript:alert(1)\nhttps://u:p@a.example',
    );
    assert.deepEqual(r.origins, ['https://shop.example', 'http://localhost:8080']);
    assert.deepEqual(
      r.problems.map((p) => p.split(':')[0]),
      ['Line 4', 'Line 5', 'Line 6', 'Line 7'],
    );
    fc.assert(
      fc.property(fc.webUrl(), fc.string({ maxLength: 20 }), (url, junk) => {
        const { origins } = readOrigins(`${url}\n${junk}`);
        for (const o of origins) assert.equal(originOf(o), o, 'the server keeps what the builder sends as it is');
      }),
      { numRuns: 500 },
    );
  });

  it('suggests a page address the API accepts from any title (or none)', () => {
    fc.assert(
      fc.property(label, (t) => {
        const s = slugFrom(t);
        assert.ok(s === '' || SLUG.test(s), s);
      }),
      { numRuns: 2000 },
    );
    assert.equal(slugFrom('Spring <b>sale</b> für alle'), 'spring-b-sale-b-fur-alle');
    assert.equal(slugFrom('Straße'), 'strasse');
  });
});
