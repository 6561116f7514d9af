import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { arfReport, dsnReport } from '../../../test/fixtures/email/dsn.samples.ts';
import { isAppError } from '../../lib/errors.ts';
import { addressFailed, fieldGroups, MAX_REPORT_BYTES, parseReport } from './dsn.parse.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'));

async function reason(raw: Buffer): Promise<string> {
  try {
    await parseReport(raw);
  } catch (e) {
    assert.ok(isAppError(e), `not an AppError: ${e}`);
    assert.equal(e.code, 'report_invalid');
    assert.equal(e.status, 422);
    return (e.details as { reason: string }).reason;
  }
  assert.fail('parsed');
}

describe('delivery status notifications (RFC 3464)', () => {
  it('a permanent failure is hard, with the recipient and the original Message-ID', async () => {
    const r = await parseReport(dsnReport({ recipient: 'Ada.Case@Example.ORG', messageId: 'send-1@assent.example' }));
    assert.deepEqual(r, {
      report: 'delivery-status',
      messageId: 'send-1@assent.example',
      problems: [{ kind: 'hard', address: 'Ada.Case@example.org', status: '5.1.1' }],
    });
  });

  it('a temporary failure and a delay are soft; a success is no problem', async () => {
    const soft = await parseReport(dsnReport({ recipient: 'a@example.org', status: '4.2.2' }));
    assert.deepEqual(soft.problems, [{ kind: 'soft', address: 'a@example.org', status: '4.2.2' }]);
    const delayed = await parseReport(dsnReport({ recipient: 'a@example.org', action: 'delayed', status: '4.4.7' }));
    assert.equal(delayed.problems[0]!.kind, 'soft');
    const delivered = await parseReport(dsnReport({ recipient: 'a@example.org', action: 'delivered', status: '2.0.0' }));
    assert.deepEqual(delivered.problems, []);
  });

  it('reads the Message-ID from returned headers only (text/rfc822-headers), and none when nothing is returned', async () => {
    const r = await parseReport(dsnReport({ recipient: 'a@example.org', messageId: 'x.y@z', returned: 'headers' }));
    assert.equal(r.messageId, 'x.y@z');
    assert.equal((await parseReport(dsnReport({ recipient: 'a@example.org' }))).messageId, null);
  });

  it('keeps Unicode addresses (RFC 6533 utf-8 type) and composes them', async () => {
    const raw = dsnReport({ recipient: 'jo\u0308rg@bu\u0308cher.example', messageId: 'm@x' }).toString().replace('RFC822;', 'utf-8;');
    const r = await parseReport(Buffer.from(raw));
    assert.equal(r.problems[0]!.address, 'jörg@bücher.example');
  });

  it('several recipients, comments, odd case and a status taken from the Diagnostic-Code', async () => {
    const raw = crlf(`MIME-Version: 1.0
Content-Type: multipart/report; report-type="Delivery-Status"; boundary=b

--b
Content-Type: Message/Delivery-Status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; <one@example.org>
ACTION: Failed (permanent)
Status: 5.2.1 (mailbox disabled)

Final-Recipient: rfc822; two@example.org
Action: failed
Status: not a status
Diagnostic-Code: smtp; 452-4.2.2 Mailbox full

Final-Recipient: x400; c=us;o=example
Action: failed
Status: 5.0.0

Final-Recipient: rfc822; three@example.org
Action: relayed
Status: 2.0.0
--b--
`);
    const r = await parseReport(raw);
    assert.deepEqual(r.problems, [
      { kind: 'hard', address: 'one@example.org', status: '5.2.1' },
      { kind: 'soft', address: 'two@example.org', status: '4.2.2' },
      { kind: 'hard', address: null, status: '5.0.0' },
    ]);
  });

  it('a base64-encoded status part is read like a plain one', async () => {
    const fields = Buffer.from(
      'Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; b@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n',
    );
    const raw = crlf(`Content-Type: multipart/report; report-type=delivery-status; boundary=b

--b
Content-Type: message/delivery-status
Content-Transfer-Encoding: base64

${fields.toString('base64')}
--b--
`);
    assert.deepEqual((await parseReport(raw)).problems, [{ kind: 'hard', address: 'b@example.org', status: '5.1.1' }]);
  });
});

describe('feedback reports (RFC 5965, ARF)', () => {
  it('abuse is a complaint with the original recipient and Message-ID', async () => {
    const r = await parseReport(arfReport({ recipient: 'user@example.com', messageId: 's-2@assent.example' }));
    assert.deepEqual(r, {
      report: 'feedback-report',
      messageId: 's-2@assent.example',
      problems: [{ kind: 'complaint', address: 'user@example.com', status: 'abuse' }],
    });
  });

  it('a redacted recipient leaves the address null; the Message-ID still names the send', async () => {
    const r = await parseReport(arfReport({ messageId: 's-3@assent.example' }));
    assert.deepEqual(r.problems, [{ kind: 'complaint', address: null, status: 'abuse' }]);
    assert.equal(r.messageId, 's-3@assent.example');
  });

  it('feedback that is not the person saying no (not-spam, auth-failure, virus) changes nothing', async () => {
    for (const feedbackType of ['not-spam', 'auth-failure', 'virus', 'other']) {
      assert.deepEqual((await parseReport(arfReport({ recipient: 'u@example.com', feedbackType }))).problems, [], feedbackType);
    }
    assert.equal((await parseReport(arfReport({ recipient: 'u@example.com', feedbackType: 'Fraud' }))).problems[0]!.kind, 'complaint');
  });
});

describe('bad input is a 422 with a reason, never a crash', () => {
  it('names why', async () => {
    assert.equal(await reason(Buffer.alloc(0)), 'empty');
    assert.equal(await reason(Buffer.alloc(MAX_REPORT_BYTES + 1, 0x61)), 'too_large');
    assert.equal(await reason(crlf('Subject: hello\n\nJust text.\n')), 'not_a_report');
    const mdn = crlf('Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n--b\n\nx\n--b--\n');
    assert.equal(await reason(mdn), 'unsupported_report_type');
    const noPart = crlf(
      'Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n--b--\n',
    );
    assert.equal(await reason(noPart), 'missing_report_part');
    const noRcpt = crlf(
      'Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\n' +
        'Reporting-MTA: dns; x\n--b--\n',
    );
    assert.equal(await reason(noRcpt), 'malformed_report');
    const noType = arfReport({ recipient: 'u@example.com' })
      .toString()
      .replace(/Feedback-Type: abuse\r\n/, '');
    assert.equal(await reason(Buffer.from(noType)), 'malformed_report');
    // The parts are cut off: the report part never arrives.
    assert.equal(await reason(dsnReport({ recipient: 'a@example.org' }).subarray(0, 420)), 'missing_report_part');
  });

  it('a report just under the limit, most of it the returned message, is read', async () => {
    const big = dsnReport({ recipient: 'a@example.org', messageId: 'big@x' })
      .toString()
      .replace('Hello.\r\n', `${'x'.repeat(998)}\r\n`.repeat(1000));
    assert.ok(big.length < MAX_REPORT_BYTES && big.length > 900_000);
    const r = await parseReport(Buffer.from(big));
    assert.equal(r.messageId, 'big@x');
    assert.equal(r.problems[0]!.kind, 'hard');
  });

  it('too many parts, a huge header block and deep nesting are refused, not followed', async () => {
    const many =
      `Content-Type: multipart/report; report-type=delivery-status; ` +
      `boundary=b\n\n${'--b\nContent-Type: text/plain\n\nx\n'.repeat(200)}--b--\n`;
    assert.equal(await reason(crlf(many)), 'unreadable');
    const head = `Content-Type: multipart/report; report-type=delivery-status\nX-Long: ${'a'.repeat(100_000)}\n\nx\n`;
    assert.equal(await reason(crlf(head)), 'unreadable');
    let nested = 'x\n';
    for (let i = 0; i < 500; i++) nested = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${nested}--b${i}--\n`;
    const deep = `Content-Type: multipart/report; report-type=delivery-status; boundary=top\n\n--top\n${nested}--top--\n`;
    assert.ok(['unreadable', 'missing_report_part'].includes(await reason(crlf(deep))));
  });

  it("a report cut off right after a part's `Content-Type:` is refused, not a crash (found by the property below)", async () => {
    const dsn = dsnReport({ recipient: 'a@example.org', messageId: 'm@x' });
    const cut = dsn.subarray(0, dsn.indexOf('content-type:') + 'content-type:'.length);
    assert.equal(await reason(cut), 'missing_report_part');
  });

  it('hostile bytes, Unicode, NULs and truncations: a report or report_invalid, nothing else', async () => {
    const dsn = dsnReport({ recipient: 'a@example.org', messageId: 'm@x' });
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
      fc.string({ unit: 'grapheme', maxLength: 500 }).map((s) => Buffer.from(s)),
      fc.nat({ max: dsn.length }).map((n) => dsn.subarray(0, n)),
      fc
        .tuple(fc.nat({ max: dsn.length - 1 }), fc.string({ unit: 'binary', maxLength: 40 }))
        .map(([at, s]) => Buffer.concat([dsn.subarray(0, at), Buffer.from(s), dsn.subarray(at)])),
    );
    await fc.assert(
      fc.asyncProperty(arb, async (raw) => {
        try {
          const r = await parseReport(raw);
          for (const p of r.problems) assert.ok(p.address === null || !/[\s<>]/.test(p.address));
        } catch (e) {
          assert.ok(isAppError(e) && e.code === 'report_invalid', String(e));
        }
      }),
      { numRuns: 400 },
    );
  });
});

it('field groups: folded lines are unfolded, names compared without case, junk lines skipped', () => {
  const g = fieldGroups('A: 1\r\n  more\r\nnot a field\r\nb: 2\r\nB: 3\r\n\r\n\r\nC:4');
  assert.deepEqual(
    g.map((m) => Object.fromEntries(m)),
    [{ a: ['1 more'], b: ['2', '3'] }, { c: ['4'] }],
  );
});

describe('which hard bounces say the address failed (RFC 3463)', () => {
  it('5.1.x but 5.1.7 and 5.1.8, 5.2.1 and 5.4.4; no other status', () => {
    for (const yes of ['5.1.0', '5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10', '5.2.1', '5.4.4'])
      assert.equal(addressFailed(yes), true, yes);
    for (const no of ['5.1.7', '5.1.8', '5.2.2', '5.2.3', '5.2.0', '5.4.1', '5.3.4', '5.5.0', '5.6.0', '5.7.1', '5.0.0', '4.1.1', '2.1.5'])
      assert.equal(addressFailed(no), false, no);
  });

  it('is total: any string is an answer, never an exception, and garbage is never a failed address', () => {
    const shaped = (s: string) => (/^5\.1\.(0|[1-9]\d{0,2})$/.test(s) && s !== '5.1.7' && s !== '5.1.8') || s === '5.2.1' || s === '5.4.4';
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.stringMatching(/^[0-9. x-]{0,12}$/),
          fc.stringMatching(/^5\.[0-9]{1,4}\.[0-9]{1,4}$/),
        ),
        (s) => {
          const answer = addressFailed(s);
          assert.equal(typeof answer, 'boolean');
          assert.equal(answer, shaped(s), JSON.stringify(s));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
