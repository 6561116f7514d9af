// The lead form: a lead's values survive lead → form → body (hostile titles, every custom field
// type), what cannot be sent is named at its path as the API would name it, and nothing is sent then.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { leadBody, typedField, valuesOf } from './form.ts';
import type { Lead, LeadField } from './leads.api.ts';

const field = (name: string, label: string, type: string): LeadField => ({
  id: `f-${name}`,
  name,
  label,
  type,
  personal: false,
  column: `cf_${name}`,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const FIELDS: LeadField[] = [
  field('seats', 'Seats', 'number'),
  field('größe', 'Größe', 'text'),
  field('vip', 'VIP', 'boolean'),
  field('closes', 'Closes', 'date'),
];
const title = fc.oneof(
  fc.constantFrom('Zoë’s 50 seats', '東京 office', '😀', '"><script>alert(1)</script>', '<img src=x onerror=alert(1)>'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s !== ''),
);
const lead: fc.Arbitrary<Lead> = fc.record({
  id: fc.uuid(),
  contactId: fc.uuid(),
  title,
  status: fc.constantFrom('open', 'qualified', 'won', 'lost'),
  ownerId: fc.option(fc.uuid()),
  value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((n) => (Object.is(n, -0) ? 0 : n))),
  fields: fc.record({
    seats: fc.option(fc.integer()),
    größe: fc.option(title),
    vip: fc.option(fc.boolean()),
    closes: fc.option(
      fc
        .date({ min: new Date('1900-' + '01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    ),
  }),
  createdAt: fc.constant('2026-01-01T00:00:00.000Z'),
  updatedAt: fc.constant('2026-01-01T00:00:00.000Z'),
  contact: fc.record({ id: fc.uuid(), email: fc.constant('ada@example.com'), firstName: fc.option(title), lastName: fc.constant(null) }),
});

describe('lead form', () => {
  it('gives every lead back unchanged: lead → form → body', () => {
    fc.assert(
      fc.property(lead, (l) => {
        const made = leadBody(valuesOf(l, FIELDS), FIELDS, false);
        assert.ok('body' in made, JSON.stringify(made));
        assert.deepEqual(JSON.parse(JSON.stringify(made.body)), {
          title: l.title,
          status: l.status,
          ownerId: l.ownerId,
          value: l.value,
          fields: JSON.parse(JSON.stringify(l.fields)),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('names what cannot be sent by the path the API uses, and sends nothing then', () => {
    const v = valuesOf(undefined, FIELDS);
    v.value = '12 000 €';
    v.fields.seats = 'many';
    v.fields.closes = 'soon';
    const made = leadBody(v, FIELDS, true);
    assert.ok('errors' in made);
    assert.deepEqual(Object.keys(made.errors).sort(), ['/contactId', '/fields/closes', '/fields/seats', '/title', '/value']);
  });

  it('sends a new lead with its contact, empty fields as null, and a value with spaces read as a number', () => {
    const v = { ...valuesOf(undefined, FIELDS, 'c1'), title: '  Spring order  ', value: '12 000' };
    const made = leadBody(v, FIELDS, true);
    assert.ok('body' in made);
    assert.deepEqual(made.body, {
      contactId: 'c1',
      title: 'Spring order',
      status: 'open',
      ownerId: null,
      value: 12000,
      fields: { seats: null, größe: null, vip: null, closes: null },
    });
  });

  it('types a field from its input as the contract wants it', () => {
    assert.deepEqual(typedField(field('n', '', 'number'), '4.5'), { value: 4.5 });
    assert.deepEqual(typedField(field('b', '', 'boolean'), 'false'), { value: false });
    assert.ok('error' in typedField(field('b', '', 'boolean'), 'maybe'));
    assert.deepEqual(typedField(field('t', '', 'text'), '  '), { value: null });
  });
});
