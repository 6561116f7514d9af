import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { type FieldDef, readSubmission } from './forms.model.ts';
import { FORM_QUEUE } from './forms.service.ts';

const LIST_A = '01938a70-2b4c-7d11-8e2f-00000000000a';
const LIST_B = '01938a70-2b4c-7d11-8e2f-00000000000b';
const FIELDS: FieldDef[] = [
  { name: 'email', label: 'Email', maps: 'email', required: true },
  { name: 'first_name', label: 'First name', maps: 'firstName', maxLength: 200 },
  { name: 'level', label: 'Level', maps: 'consentLevel', levels: [{ level: 3, notice: 'N3' }] },
  { name: 'topics', label: 'Topics', maps: 'lists', listIds: [LIST_A] },
];

/** Hostile text: any Unicode, markup, empty, whitespace. */
const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '\u0000', '\ud800', '3', LIST_A, LIST_B),
);
const anyValue = fc.oneof(
  hostile,
  fc.array(hostile, { maxLength: 4 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.object({ maxDepth: 1 }),
);

describe('reading a submission', () => {
  it('never throws on anything posted, and what it accepts is only what the form offers', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('first_name', 'level', 'topics', 'website', 'other', '__proto__'), anyValue),
        // Mostly a valid address, so the other fields are read to the end.
        fc.oneof({ weight: 4, arbitrary: fc.constant('ada@example.org') }, { weight: 1, arbitrary: anyValue }),
        (rest, email) => {
          const posted: Record<string, unknown> = { ...rest, email };
          const r = readSubmission(FIELDS, posted, []);
          if (Array.isArray(r)) {
            assert.ok(r.length > 0);
            for (const p of r) assert.match(p.path, /^\/(email|first_name|level|topics)$/);
            return;
          }
          assert.equal(r.email, 'ada@example.org');
          accepted++;
          for (const l of r.lists) assert.equal(l.listId, LIST_A);
          if (r.level) assert.deepEqual(r.level, { level: 3, notice: 'N3' });
          assert.deepEqual(
            Object.keys(r.profile).filter((k) => k !== 'firstName'),
            [],
          );
          if (r.profile.firstName !== undefined) assert.equal(r.profile.firstName, String(posted.first_name).trim());
        },
      ),
      { numRuns: 2000 },
    );
    assert.ok(accepted > 50, `only ${accepted} submissions were accepted: the property saw too few`);
  });
});

forEachDialect('form submissions over hostile text', (ctx) => {
  let t: TestApp;
  let formId: string;
  let n = 0;
  before(async () => {
    t = await testApp(ctx.db);
    const list = await t.services.lists.create({ name: 'Hostile news' });
    const fields = FIELDS.map((f) => (f.maps === 'lists' ? { ...f, listIds: [list.id] } : f));
    formId = (await t.services.forms.create({ name: 'Hostile', fields })).id;
  });
  after(async () => t.close());

  it('answers 200 or a 400 naming a field, never more; stores accepted text exactly, as text', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (firstName, level) => {
        const email = `hostile${++n}@example.org`;
        const r = await t.app.inject({
          method: 'POST',
          url: `/public/v1/forms/${formId}`,
          payload: { email, first_name: firstName, level },
          remoteAddress: `10.9.${n % 250}.${Math.floor(n / 250)}`,
        });
        assert.ok(r.statusCode === 200 || r.statusCode === 400, `${r.statusCode} ${r.body}`);
        if (r.statusCode === 400) {
          const e = json(r).error;
          assert.ok(e.code === 'validation_failed', r.body);
          return;
        }
        await runJobs(t.services, [FORM_QUEUE]);
        const c = (await t.services.contacts.findByEmail(email))!;
        assert.ok(c, 'the contact exists');
        assert.equal(c.firstName, firstName.trim() === '' ? null : firstName.trim());
        assert.equal(c.consentLevel, level.trim() === '3' ? 3 : 0);
      }),
      { numRuns: 40 },
    );
  });
});
