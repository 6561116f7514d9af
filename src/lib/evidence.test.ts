import assert from 'node:assert/strict';
import { it } from 'node:test';
import { truncateIp, truncateUserAgent } from './evidence.ts';

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
