import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { signToken } from '../../lib/signed.ts';
import {
  CENTER_TTL_MS,
  contactOfToken,
  clickOfToken,
  clickToken,
  LINK_TTL_MS,
  listUnsubscribeHeaders,
  senderDomain,
  sendOfToken,
  sendUrls,
  TOKEN,
  urlHash,
} from './links.ts';

const key = Buffer.alloc(32, 9);
const now = new Date('2026-06-01T00:00:00Z');
const SEND = '0193a000-0000-7000-8000-00000000abcd';
const CONTACT = '0193a000-0000-7000-8000-00000000c0de';
const lastSegment = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const unsubToken = (u: { unsubscribe_url: string }) => lastSegment(u.unsubscribe_url);

describe('per-send links', () => {
  it('gives a send its unsubscribe and view links, each bound to the send and its purpose', () => {
    const urls = sendUrls('https://mail.example.org/', key, SEND, now, CONTACT);
    assert.match(urls.unsubscribe_url, /^https:\/\/mail\.example\.org\/public\/v1\/email\/unsubscribe\/[A-Za-z0-9_.-]+$/);
    assert.match(urls.view_in_browser_url, /^https:\/\/mail\.example\.org\/public\/v1\/email\/view\/[A-Za-z0-9_.-]+$/);
    // The subscription center is bound to the send's contact, not to the send, for 60 days.
    assert.match(urls.subscription_center_url, /^https:\/\/mail\.example\.org\/public\/v1\/subscription\/[A-Za-z0-9_.-]+$/);
    const center = lastSegment(urls.subscription_center_url);
    assert.deepEqual(contactOfToken(key, 'subscription_center', center, now), {
      contactId: CONTACT,
      expiresAt: new Date(now.getTime() + CENTER_TTL_MS),
    });
    assert.equal(contactOfToken(key, 'portal', center, now), null);
    assert.equal(contactOfToken(key, 'subscription_center', center, new Date(now.getTime() + CENTER_TTL_MS)), null);
    assert.equal(contactOfToken(key, 'subscription_center', unsubToken(urls), now), null);
    const unsub = lastSegment(urls.unsubscribe_url);
    const view = lastSegment(urls.view_in_browser_url);
    assert.equal(sendOfToken(key, 'unsubscribe', unsub, now), SEND);
    assert.equal(sendOfToken(key, 'view', view, now), SEND);
    // Foreign: a link of one kind is refused as another, and under another secret.
    assert.equal(sendOfToken(key, 'view', unsub, now), null);
    assert.equal(sendOfToken(key, 'unsubscribe', view, now), null);
    assert.equal(sendOfToken(key, 'open', unsub, now), null);
    assert.equal(sendOfToken(Buffer.alloc(32, 1), 'unsubscribe', unsub, now), null);
    // A data-request token (another purpose signed with the same secret) is no unsubscribe link.
    assert.equal(sendOfToken(key, 'unsubscribe', signToken(key, 'dsr-verify', SEND, new Date(now.getTime() + 1e9)), now), null);
  });

  it('keeps links working for at least 60 days (400), then refuses them', () => {
    const unsub = lastSegment(sendUrls('https://m.example', key, SEND, now, CONTACT).unsubscribe_url);
    assert.ok(LINK_TTL_MS >= 60 * 86_400_000);
    assert.equal(sendOfToken(key, 'unsubscribe', unsub, new Date(now.getTime() + 399 * 86_400_000)), SEND);
    assert.equal(sendOfToken(key, 'unsubscribe', unsub, new Date(now.getTime() + LINK_TTL_MS)), null);
  });

  it('refuses any altered token', () => {
    const unsub = lastSegment(sendUrls('https://m.example', key, SEND, now, CONTACT).unsubscribe_url);
    fc.assert(
      fc.property(fc.nat({ max: unsub.length - 1 }), fc.constantFrom(...'ABCabc012_-.'), (at, c) => {
        fc.pre(unsub[at] !== c);
        const altered = unsub.slice(0, at) + c + unsub.slice(at + 1);
        assert.equal(sendOfToken(key, 'unsubscribe', altered, now), null);
      }),
      { numRuns: 300 },
    );
  });

  it('binds a click token to the send, the index and the URL hash', () => {
    const subject = { sendId: SEND, index: 7, urlHash: urlHash('https://shop.example/') };
    const t = clickToken(key, subject, now);
    assert.deepEqual(clickOfToken(key, t, now), subject);
    assert.equal(clickOfToken(key, t, new Date(now.getTime() + LINK_TTL_MS)), null);
    assert.equal(sendOfToken(key, 'unsubscribe', t, now), null);
    // A click subject of another shape, even signed, is not a click.
    assert.equal(clickOfToken(key, signToken(key, TOKEN.click, `${SEND}/x/abc`, new Date(now.getTime() + 1e9)), now), null);
    assert.equal(clickOfToken(key, signToken(key, TOKEN.click, SEND, new Date(now.getTime() + 1e9)), now), null);
  });

  it('builds RFC 8058 headers with the one-click URL and a mailto at the sender domain (token in the subject)', () => {
    const h = listUnsubscribeHeaders('https://mail.example.org', key, SEND, now, 'Shop News <news@Shop.Example>');
    assert.equal(h['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const one = String.raw`<(https://mail\.example\.org/public/v1/email/unsubscribe/([^>]+))>`;
    const mailto = String.raw`<mailto:unsubscribe@shop\.example\?subject=unsubscribe%20([^>]+)>`;
    const m = new RegExp(`^${one}, ${mailto}$`).exec(h['List-Unsubscribe']);
    assert.ok(m, h['List-Unsubscribe']);
    assert.equal(m[2], m[3]);
    assert.equal(sendOfToken(key, 'unsubscribe', m[2]!, now), SEND);
    // Without a usable sender domain there is no mailto, and the https link stands alone.
    assert.match(listUnsubscribeHeaders('https://m.example', key, SEND, now, 'nobody')['List-Unsubscribe'], /^<https:[^>]+>$/);
    assert.match(listUnsubscribeHeaders('https://m.example', key, SEND, now)['List-Unsubscribe'], /^<https:[^>]+>$/);
  });

  it('finds the sender domain in the forms a sender takes, IDNs in ASCII', () => {
    assert.equal(senderDomain('news@example.com'), 'example.com');
    assert.equal(senderDomain('"A, B" <x@Sub.Example.COM>'), 'sub.example.com');
    assert.equal(senderDomain('Bücher <info@bücher.example>'), 'xn--bcher-kva.example');
    assert.equal(senderDomain('Assent <no-reply@localhost>'), 'localhost');
    assert.equal(senderDomain('no address'), null);
    assert.equal(senderDomain('x@exa mple.com'), null);
    assert.equal(senderDomain('x@ex>ample.com'), null);
  });

  it('arrives intact through a real SMTP conversation (nodemailer to smtp-server, read by mailparser)', async () => {
    const raw: Buffer[] = [];
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          raw.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.server.address() as { port: number }).port;
      const headers = listUnsubscribeHeaders('https://mail.example.org', key, SEND, now, 'news@shop.example');
      const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await transport.sendMail({ from: 'news@shop.example', to: 'ada@example.net', subject: 'News', text: 'hello', headers });
      transport.close();
      const parsed = await simpleParser(raw[0]!);
      const line = (name: string) =>
        parsed.headerLines
          .find((l) => l.key === name)!
          .line.slice(name.length + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim();
      // Folding may break the line between the two URIs, never inside one.
      assert.equal(line('list-unsubscribe').replace(/>,\s+</, '>, <'), headers['List-Unsubscribe']);
      assert.equal(line('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
