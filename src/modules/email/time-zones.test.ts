import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { isTimeZone } from '../../lib/time-zones.ts';
import { COUNTRY_TIME_ZONES, contactTimeZone } from './time-zones.ts';

it('every ISO 3166-1 country has a zone Intl knows', () => {
  const codes = Object.keys(COUNTRY_TIME_ZONES);
  assert.equal(codes.length, 249);
  for (const c of codes) assert.match(c, /^[A-Z]{2}$/);
  for (const [c, z] of Object.entries(COUNTRY_TIME_ZONES)) assert.ok(isTimeZone(z), `${c} ${z}`);
  // Several zones: the capital's.
  assert.equal(COUNTRY_TIME_ZONES.US, 'America/New_York');
  assert.equal(COUNTRY_TIME_ZONES.RU, 'Europe/Moscow');
  assert.equal(COUNTRY_TIME_ZONES.AU, 'Australia/Sydney');
  assert.equal(COUNTRY_TIME_ZONES.BR, 'America/Sao_Paulo');
  assert.equal(COUNTRY_TIME_ZONES.PT, 'Europe/Lisbon');
});

it("a contact's own zone wins over its country's, which wins over the installation's", () => {
  const installation = 'Europe/Berlin';
  assert.equal(contactTimeZone({ timeZone: 'Asia/Tokyo', country: 'US', installation }), 'Asia/Tokyo');
  assert.equal(contactTimeZone({ timeZone: null, country: 'US', installation }), 'America/New_York');
  assert.equal(contactTimeZone({ timeZone: null, country: 'us', installation }), 'America/New_York');
  assert.equal(contactTimeZone({ timeZone: null, country: null, installation }), 'Europe/Berlin');
  // Values no rule knows fall through rather than fail the send.
  assert.equal(contactTimeZone({ timeZone: 'Mars/Olympus', country: 'XX', installation }), 'Europe/Berlin');
  assert.equal(contactTimeZone({ timeZone: '', country: '', installation }), 'Europe/Berlin');
});

it('property: hostile zone and country values always give a zone Intl knows', () => {
  fc.assert(
    fc.property(fc.option(fc.string({ unit: 'binary' })), fc.option(fc.string({ maxLength: 3 })), (timeZone, country) => {
      assert.ok(isTimeZone(contactTimeZone({ timeZone, country, installation: 'UTC' })));
    }),
  );
});
