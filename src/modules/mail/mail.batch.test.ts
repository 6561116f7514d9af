import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify, createHash } from 'node:crypto';
import { after, before, beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import DKIM from 'nodemailer/lib/dkim';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { type ScriptedSink, startScriptedSink } from '../../../test/helpers/smtp-script-sink.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import type { BatchMail, HandOver } from './mail.sender.ts';

const admin = { source: 'admin' as const, actor: { type: 'cli', id: null } };

/** The first header field of a message (its value, unfolded lines joined as sent) and the bytes after it. */
function firstHeader(raw: Buffer): [string, Buffer] {
  const text = raw.toString('latin1');
  const end = text.search(/\r\n(?![ \t])/);
  return [text.slice(text.indexOf(':') + 1, end), raw.subarray(end + 2)];
}

forEachDialect('the batch sender', (ctx) => {
  const clock = new FakeClock('2026-04-10T12:00:00.000Z');
  let s: Services;
  let sink: ScriptedSink;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
    sink = await startScriptedSink();
  });
  after(async () => {
    await s.close();
    await sink.close();
  });
  beforeEach(async () => {
    sink.script(() => null);
    await s.settings.patch({ dataProtectionEnabled: true, smtp: sink.relay(), dkim: null });
  });

  let n = 0;
  const contactAt = async (local: string, level: number) => {
    const c = await s.contacts.create({ email: `${local}.${++n}@example.org` });
    if (level > 0) await s.consent.setLevel(c.id, level, admin);
    return c;
  };
  const mailTo = (c: { id: string; email: string }, over: Partial<BatchMail> = {}): BatchMail => ({
    sendId: newId(),
    to: c.email,
    contactId: c.id,
    subject: 'Spring offer',
    text: 'Hello\r\nthere',
    html: '<p>Hello <b>there</b></p>',
    purpose: 'marketing',
    caller: 'campaign',
    ...over,
  });
  /**
   * The hand-over an engine would do, recording what it marked and what the sink had then. With
   * `wait`, it waits (up to 2 s) for the relay to show the bytes of the group's messages: the
   * relay runs in this process and reads them only when the hand-over yields.
   */
  const recorder = (wait?: (id: string) => string) => {
    const marked: string[][] = [];
    const seen: { completed: Set<string>; streaming: Map<string, number> }[] = [];
    return {
      marked,
      seen,
      handOver: async (ids: string[], trx: Parameters<HandOver>[1]) => {
        await sql`select 1`.execute(trx);
        if (wait)
          for (const until = Date.now() + 2000; Date.now() < until; await new Promise((r) => setTimeout(r, 5))) {
            const now = sink.streaming();
            if (ids.every((id) => (now.get(wait(id)) ?? 0) > 0)) break;
          }
        marked.push(ids);
        seen.push({ completed: new Set(sink.messages().map((m) => m.to)), streaming: sink.streaming() });
      },
    };
  };

  it(
    'answers per recipient: 250 sent, 451 retry, 550 failed, refusals ' + 'by the gate, suppression and address; one mail per sent',
    async () => {
      const ok = await contactAt('ok', 4);
      const temp = await contactAt('temp', 4);
      const perm = await contactAt('perm', 4);
      const late = await contactAt('late', 4);
      const low = await contactAt('low', 3);
      const supp = await contactAt('supp', 4);
      const [hash] = await s.secret.emailHashes(supp.email);
      await sql`insert into suppressions (email_hmac, reason, request_id, created_at) values (${hash}, 'erased', null,
      ${clock.now().toISOString()})`.execute(s.db.kysely);
      sink.script((a) =>
        a.startsWith('temp') ? { rcpt: 451 } : a.startsWith('perm') ? { rcpt: 550 } : a.startsWith('late') ? { data: 554 } : null,
      );
      const items = [mailTo(ok), mailTo(temp), mailTo(perm), mailTo(late), mailTo(low), mailTo(supp), mailTo(ok, { to: 'not an address' })];
      const before = sink.messages().length;
      const r = recorder();
      const out = await s.mail.sendBatch(items, { caller: 'campaign', handOver: r.handOver });
      assert.deepEqual(
        out.map((o) => ({ ...o, ...('messageId' in o && { messageId: 'x' }) })),
        [
          { sendId: items[0]!.sendId, status: 'sent', messageId: 'x' },
          { sendId: items[1]!.sendId, status: 'retry', code: '451' },
          { sendId: items[2]!.sendId, status: 'failed', code: '550' },
          { sendId: items[3]!.sendId, status: 'failed', code: '554' },
          { sendId: items[4]!.sendId, status: 'refused', reason: 'below_required_level' },
          { sendId: items[5]!.sendId, status: 'refused', reason: 'suppressed' },
          { sendId: items[6]!.sendId, status: 'refused', reason: 'invalid_address' },
        ],
      );
      // Handed over: what reached the data stage (the refused-after-data one too), never what the relay refused before.
      assert.deepEqual(r.marked.flat().sort(), [items[0]!.sendId, items[3]!.sendId].sort());
      const got = sink.messages().slice(before);
      assert.deepEqual(
        got.map((m) => m.to),
        [ok.email],
      );
      const parsed = await simpleParser(got[0]!.raw);
      const domain = 'example.com';
      assert.equal(parsed.messageId, `<${items[0]!.sendId}@${domain}>`);
      assert.equal(out[0]!.status === 'sent' && out[0]!.messageId, `<${items[0]!.sendId}@${domain}>`);
      assert.equal(parsed.subject, 'Spring offer');
      assert.equal(parsed.text?.trim(), 'Hello\nthere');
    },
  );

  it('holds the terminator until the hand-over committed: at the hand-over the relay has the bytes and no message', async () => {
    const cs = await Promise.all(Array.from({ length: 12 }, () => contactAt('held', 4)));
    const items = cs.map((c) => mailTo(c));
    const before = sink.messages().length;
    const toOf = (id: string) => items.find((it) => it.sendId === id)!.to;
    const r = recorder(toOf);
    // The first hand-over takes a while (a slow commit), so the sends that get ready meanwhile
    // must go together in the next one, however loaded the machine is.
    let first = true;
    const handOver: typeof r.handOver = async (ids, trx) => {
      if (first) {
        first = false;
        await new Promise((done) => setTimeout(done, 300));
      }
      return r.handOver(ids, trx);
    };
    const out = await s.mail.sendBatch(items, { caller: 'campaign', handOver });
    assert.ok(out.every((o) => o.status === 'sent'));
    r.marked.forEach((ids, i) => {
      const { streaming, completed } = r.seen[i]!;
      for (const id of ids) {
        assert.ok((streaming.get(toOf(id)) ?? 0) > 0, 'the bytes are at the relay');
        assert.ok(!completed.has(toOf(id)), 'and no message yet');
      }
    });
    assert.equal(sink.messages().length - before, 12);
    assert.ok(r.marked.length < 12, `sends share hand-over transactions: ${r.marked.map((m) => m.length)}`);
  });

  it('a failed hand-over sends nothing: the relay drops the unterminated messages, the sends may go again', async () => {
    const cs = await Promise.all(Array.from({ length: 6 }, () => contactAt('nohand', 4)));
    const items = cs.map((c) => mailTo(c));
    const before = sink.messages().length;
    const out = await s.mail.sendBatch(items, {
      caller: 'campaign',
      handOver: async () => {
        throw new Error('database gone');
      },
    });
    assert.deepEqual(
      out.map((o) => o.status === 'retry' && o.code),
      items.map(() => 'handover'),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(sink.messages().length, before);
    const again = await s.mail.sendBatch(items, { caller: 'campaign', handOver: recorder().handOver });
    assert.ok(again.every((o) => o.status === 'sent'));
    assert.deepEqual(
      sink
        .messages()
        .slice(before)
        .map((m) => m.to)
        .sort(),
      cs.map((c) => c.email).sort(),
    );
  });

  it('a relay that is down: retry with the connection error, nothing handed over', async () => {
    const c = await contactAt('down', 4);
    await s.settings.patch({ smtp: { ...sink.relay(), port: 1 } });
    const r = recorder();
    const [o] = await s.mail.sendBatch([mailTo(c)], { caller: 'campaign', handOver: r.handOver });
    assert.equal(o!.status, 'retry');
    assert.match((o as { code: string }).code, /^E[A-Z]+$/);
    assert.deepEqual(r.marked, []);
  });

  it('into the outbox: the rows and the hand-over are one transaction', async () => {
    await s.settings.patch({ smtp: null });
    const cs = await Promise.all(Array.from({ length: 3 }, () => contactAt('outbox', 4)));
    const items = cs.map((c) => mailTo(c));
    const rows = async () =>
      (
        await s.db.kysely
          .selectFrom('outbox')
          .select('to_address')
          .where(
            'to_address',
            'in',
            cs.map((c) => c.email),
          )
          .execute()
      ).length;
    const failed = await s.mail.sendBatch(items, {
      caller: 'campaign',
      handOver: async () => {
        throw new Error('no');
      },
    });
    assert.deepEqual(
      failed.map((o) => o.status === 'retry' && o.code),
      items.map(() => 'handover'),
    );
    assert.equal(await rows(), 0);
    const r = recorder();
    const out = await s.mail.sendBatch(items, { caller: 'campaign', handOver: r.handOver });
    assert.deepEqual(
      out.map((o) => o.status === 'sent' && o.messageId),
      items.map((i) => `<${i.sendId}@localhost>`), // the mailFrom setting's domain: no relay, no relay `from`
    );
    assert.equal(await rows(), 3);
    assert.deepEqual(r.marked, [items.map((i) => i.sendId)]);
  });

  it('signs with DKIM when set: the same signature nodemailer makes (RSA), a valid one (Ed25519)', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    for (const [key, alg] of [
      [rsa, 'rsa-sha256'],
      [ed, 'ed25519-sha256'],
    ] as const) {
      const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const view = await s.settings.patch({ dkim: { domain: 'Example.com', selector: 'news2026', privateKey: pem } });
      assert.deepEqual(
        { ...view.dkim, dnsRecord: undefined },
        { domain: 'Example.com', selector: 'news2026', privateKeySet: true, dnsRecord: undefined },
      );
      const c = await contactAt('dkim', 4);
      const before = sink.messages().length;
      const item = mailTo(c, {
        headers: { 'List-Unsubscribe': '<https://example.com/u/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      const [o] = await s.mail.sendBatch([item], { caller: 'campaign', handOver: recorder().handOver });
      assert.equal(o!.status, 'sent');
      const raw = sink.messages()[before]!.raw;
      const parsed = await simpleParser(raw);
      assert.ok(parsed.headers.get('dkim-signature'));
      const [header, signed] = firstHeader(raw);
      const tag = (k: string) => tags[k] ?? assert.fail(`no ${k}= tag`);
      const tags: Record<string, string> = Object.fromEntries(
        header
          .replace(/\s+/g, '')
          .split(';')
          .filter(Boolean)
          .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
      );
      assert.equal(tag('d'), 'example.com');
      assert.equal(tags.s, 'news2026');
      assert.equal(tags.a, alg);
      assert.match(tag('h'), /^from:subject:date:message-id:to:mime-version:content-type:list-unsubscribe:list-unsubscribe-post$/);
      // The body hash, from the body as received, by the relaxed rule written out here.
      const body = signed.subarray(signed.indexOf('\r\n\r\n') + 4).toString('latin1');
      const canon = `${body
        .split('\r\n')
        .map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''))
        .join('\r\n')
        .replace(/(\r\n)+$/, '')}\r\n`;
      assert.equal(tags.bh, createHash('sha256').update(canon, 'latin1').digest('base64'));
      if (alg === 'rsa-sha256') {
        // nodemailer's signer over the same unsigned message: RSA PKCS#1 v1.5 is deterministic, so the signatures match.
        const theirs = await new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const out = new DKIM({ domainName: 'example.com', keySelector: 'news2026', privateKey: pem }).sign(signed);
          out.on('data', (c: Buffer) => chunks.push(c));
          out.on('end', () => resolve(Buffer.concat(chunks)));
          out.on('error', reject);
        });
        const b = (h: string) => h.replace(/\s+/g, '').match(/;b=([^;]+)$/)![1];
        const [theirHeader, rest] = firstHeader(theirs);
        assert.equal(b(header), b(theirHeader));
        assert.deepEqual(rest, signed);
      } else {
        const data = `${tag('h')
          .split(':')
          .map((f: string) => {
            const line = signed
              .toString('latin1')
              .split(/\r\n(?![ \t])/)
              .find((l) => l.toLowerCase().startsWith(`${f}:`))!;
            return `${f}:${line
              .slice(line.indexOf(':') + 1)
              .replace(/\r\n/g, '')
              .replace(/[ \t]+/g, ' ')
              .trim()}\r\n`;
          })
          .join('')}dkim-signature:${header
          .replace(/\r\n/g, '')
          .replace(/[ \t]+/g, ' ')
          .trim()
          .replace(/b=[^;]*$/, 'b=')}`;
        const sig = Buffer.from(tag('b'), 'base64');
        assert.ok(verify(null, createHash('sha256').update(data, 'latin1').digest(), createPublicKey(key.privateKey), sig));
      }
    }
    // The key is write-only and kept for the same domain and selector; another selector needs one.
    assert.deepEqual((await s.settings.patch({ dkim: { domain: 'Example.com', selector: 'news2026' } })).dkim?.privateKeySet, true);
    await assert.rejects(s.settings.patch({ dkim: { domain: 'Example.com', selector: 'other' } }), { code: 'dkim_key_invalid' });
    assert.equal(JSON.stringify(await s.settings.view()).includes('PRIVATE KEY'), false);
  });

  it('refuses a DKIM key that is not a usable PEM RSA or Ed25519 key with 422 dkim_key_invalid', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const encrypted = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    const pub = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const privateKey of [weak, ec, encrypted, pub, '', 'hello', '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----']) {
      const e = await s.settings.patch({ dkim: { domain: 'example.com', selector: 's1', privateKey } }).catch((x: unknown) => x);
      assert.equal((e as { code?: string }).code, 'dkim_key_invalid');
      assert.equal((e as { status?: number }).status, 422);
      assert.equal(JSON.stringify(e).includes('garbage'), false);
    }
  });
});
