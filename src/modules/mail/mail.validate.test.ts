import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newId } from '../../lib/ids.ts';
import { checkMessage } from './mail.validate.ts';

const FROM = 'Assent <no-reply@localhost>';

it("accepts a well-formed message, normalising the recipient's domain and keeping the rest as given", () => {
  const contactId = newId();
  const r = checkMessage(
    {
      to: '  Ann.Lee@Example.COM ',
      subject: 'Hi',
      html: '<p>x</p>',
      headers: { 'List-Unsubscribe': '<mailto:u@example.com>' },
      contactId,
      purpose: 'consent_request',
    },
    FROM,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.message, {
    to: 'Ann.Lee@example.com',
    from: FROM,
    subject: 'Hi',
    text: null,
    html: '<p>x</p>',
    headers: { 'List-Unsubscribe': '<mailto:u@example.com>' },
    contactId,
    purpose: 'consent_request',
  });
});

it('names each faulty field, and never its value', () => {
  const r = checkMessage(
    {
      to: 'ann@example.com\nBcc: eve@example.net',
      subject: 'Secret\rsubject',
      text: '',
      headers: { 'Reply-To': 'ok@example.com', cc: 'eve@example.net' },
      contactId: 'ann',
      purpose: 'Marketing!',
    },
    'Ann <ann@example.com>, Eve <eve@example.net>',
  );
  assert.ok(!r.ok);
  assert.deepEqual(r.problems.map((p) => p.path).sort(), ['/contactId', '/from', '/headers/cc', '/purpose', '/subject', '/text', '/to']);
  assert.doesNotMatch(JSON.stringify(r.problems), /ann@|eve@|Secret/);
});

it('allows a tab in a header value but no other control character', () => {
  const base = { to: 'a@example.com', subject: 'x', text: 'y' };
  assert.ok(checkMessage({ ...base, headers: { 'X-A': 'one\ttwo' } }, FROM).ok);
  assert.ok(!checkMessage({ ...base, headers: { 'X-A': 'one\u0000two' } }, FROM).ok);
  for (const c of ['\u0000', '\u000b', '\u007f', '\u0085'])
    assert.ok(!checkMessage({ ...base, subject: `a${c}b` }, FROM).ok, JSON.stringify(c));
  assert.ok(checkMessage({ ...base, subject: 'Grüße — ünïcode ✓' }, FROM).ok);
});
