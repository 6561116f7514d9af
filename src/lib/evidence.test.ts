import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { throttleClient, truncateIp, truncateUserAgent } from './evidence.ts';

it('zeroes the last IPv4 octet and the last 80 bits of IPv6', () => {
  assert.equal(truncateIp('203.0.113.77'), '203.0.113.0');
  assert.equal(truncateIp('::ffff:198.51.100.9'), '198.51.100.0');
  assert.equal(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348'), '2001:db8:85a3::');
  assert.equal(truncateIp('2001:db8::1'), '2001:db8::');
  assert.equal(truncateIp('fe80::1%eth0'), 'fe80::');
  assert.equal(truncateIp('::1'), '::');
  assert.equal(truncateIp('2001:db8:1:2::ffff:10.1.2.3'), '2001:db8:1::');
  assert.equal(truncateIp('not an ip'), null);
  assert.equal(truncateIp(''), null);
});

it('cuts user agents and strips control characters', () => {
  assert.equal(truncateUserAgent('a'.repeat(500))!.length, 200);
  assert.equal(truncateUserAgent('Mozilla/5.0\r\nX-Evil: 1'), 'Mozilla/5.0  X-Evil: 1');
  assert.equal(truncateUserAgent('   '), null);
});

// Issue 12 point 6: the client a login throttle counts against.
it('a throttle client is an IPv4 address whole and an IPv6 address by its /64, whatever the spelling', () => {
  assert.equal(throttleClient('203.0.113.77'), '203.0.113.77');
  assert.equal(throttleClient('::ffff:203.0.113.77'), '203.0.113.77');
  assert.equal(throttleClient('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(throttleClient('2001:DB8:1:2::ffff:10.1.2.3'), '2001:db8:1:2::/64');
  assert.equal(throttleClient('fe80::1%eth0'), 'fe80::/64');
  assert.equal(throttleClient(undefined), '');
  const group = fc.integer({ min: 0, max: 0xffff });
  const groups = fc.array(group, { minLength: 8, maxLength: 8 });
  const spell = (g: number[], upper: boolean) => g.map((x) => (upper ? x.toString(16).toUpperCase() : x.toString(16))).join(':');
  fc.assert(
    fc.property(groups, groups, fc.boolean(), (a, b, upper) => {
      const sameNet = [...a.slice(0, 4), ...b.slice(4)];
      assert.equal(throttleClient(spell(a, upper)), throttleClient(spell(sameNet, !upper)));
      const differs = a.slice(0, 4).some((x, i) => x !== b[i]);
      assert.equal(throttleClient(spell(a, false)) !== throttleClient(spell(b, false)), differs);
    }),
  );
  // Anything else is taken as given, never thrown on.
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => typeof throttleClient(s) === 'string'));
});
