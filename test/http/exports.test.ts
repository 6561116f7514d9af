import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { FakeClock } from '../../src/lib/clock.ts';
import { signToken } from '../../src/lib/signed.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { assent } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';
import { transportOf } from '../helpers/mail.ts';

const system = { type: 'system' as const, id: null };
const DAY = 86_400_000;

forEachDialect('access export downloads', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  let contactId: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: 'https://privacy.example.com/' });
    const c = await t.services.contacts.create({ email: 'ana@example.com', firstName: '<script>alert("x")</script>', lastName: `O'Brien` });
    contactId = c.id;
    await t.services.consent.setLevel(c.id, 4, { source: 'form', actor: system, notice: 'Offers by email <b>weekly</b>' });
  });
  after(async () => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url: url.replace('https://privacy.example.com', '') });
  const refused = async (url: string, what: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 404, `${what}: ${res.body}`);
    return res;
  };

  it('gives a signed link that opens the readable page and the JSON copy until it expires', async () => {
    const d = await t.services.accessExports.createDownload(contactId, { actor: system });
    assert.match(d.url, /^https:\/\/privacy\.example\.com\/public\/v1\/exports\/[0-9a-f-]{36}\?token=/);
    assert.equal(d.expiresAt, '2026-03-17T12:00:00.000Z');

    const html = await get(d.url);
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    assert.match(String(html.headers['content-security-policy']), /default-src 'none'; style-src 'unsafe-inline'/);
    assert.equal(html.headers['cache-control'], 'no-store');
    assert.equal(html.headers['referrer-policy'], 'no-referrer');
    assert.doesNotMatch(html.body, /<script|<b>/);
    assert.ok(html.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.body.includes('O&#39;Brien'));
    assert.ok(html.body.includes('Offers by email &lt;b&gt;weekly&lt;/b&gt;'), 'the notice shown is in the page');

    const href = /href="(\?token=[^"]+)"/.exec(html.body)![1]!.replace(/&amp;/g, '&');
    const file = await get(`/public/v1/exports/${d.exportId}${href}`);
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers['content-disposition']), /^attachment; filename="personal-data-[0-9a-f-]{36}\.json"$/);
    const doc = json(file);
    assert.equal(doc.schema, 'assent.access-export');
    assert.equal(doc.subject.contactId, contactId);
    assert.equal(doc.tables.contacts.rows[0].first_name, '<script>alert("x")</script>');
    assert.equal(doc.consentHistory[0].notice.text, 'Offers by email <b>weekly</b>');

    const downloads = (await t.services.audit.list({ action: 'export.download' }, 100)).filter((e) => e.targetId === d.exportId);
    assert.equal(downloads.length, 2);
    assert.ok(downloads.every((e) => e.actorType === 'anonymous' && e.outcome === 'ok' && e.targetType === 'export'));
    assert.equal((await t.services.audit.list({ action: 'export.create' }, 100)).filter((e) => e.targetId === d.exportId).length, 1);

    clock.advance(7 * DAY - 1);
    assert.equal((await get(d.url)).statusCode, 200, 'still open a moment before expiry');
    clock.advance(1);
    await refused(d.url, 'expired');
    clock.advance(-7 * DAY);
  });

  it('refuses forged, altered, misdirected and removed links with one answer that tells nothing', async () => {
    const a = await t.services.accessExports.createDownload(contactId, { actor: system });
    const b = await t.services.accessExports.createDownload(null, { email: 'ana@example.com', actor: system });
    const tokenOf = (url: string) => decodeURIComponent(new URL(url).searchParams.get('token')!);
    const key = await t.services.secret.key();
    const far = new Date(clock.now().getTime() + 365 * DAY);
    const flip = (s: string) => s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    const bodies = new Set<string>();
    for (const [what, url] of [
      ['no token', `/public/v1/exports/${a.exportId}`],
      ['signature altered', `/public/v1/exports/${a.exportId}?token=${encodeURIComponent(flip(tokenOf(a.url)))}`],
      ["another export's token", `/public/v1/exports/${a.exportId}?token=${encodeURIComponent(tokenOf(b.url))}`],
      [
        'token for another use',
        `/public/v1/exports/${a.exportId}?token=${encodeURIComponent(signToken(key, 'email-verification', a.exportId, far))}`,
      ],
      [
        'signed with another key',
        `/public/v1/exports/${a.exportId}?` +
          `token=${encodeURIComponent(signToken(Buffer.from('x'.repeat(32)), 'export-download', a.exportId, far))}`,
      ],
      [
        'unknown id',
        `/public/v1/exports/01900000-0000-7000-8000-000000000000?` +
          `token=${encodeURIComponent(signToken(key, 'export-download', '01900000-0000-7000-8000-000000000000', far))}`,
      ],
      ['malformed id', `/public/v1/exports/..%2Fetc?token=x`],
    ] as const) {
      for (const format of ['json', 'html']) {
        const res = await refused(`${url}${url.includes('?') ? '&' : '?'}format=${format}`, `${what} (${format})`);
        bodies.add(res.body);
        if (format === 'json') assert.equal(json(res).error.code, 'link_invalid');
        else assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
      }
    }
    assert.equal(bodies.size, 2, 'one JSON and one HTML answer for every refusal');

    // A link still within its signed expiry, to an export already past its stored one (or removed), is refused too.
    const longLived = `/public/v1/exports/${a.exportId}?token=${encodeURIComponent(signToken(key, 'export-download', a.exportId, far))}`;
    assert.equal((await get(longLived)).statusCode, 200);
    await sql`update exports set expires_at = ${clock.now().toISOString()} where id = ${a.exportId}`.execute(ctx.db.kysely);
    await refused(longLived, 'stored expiry passed');
    await sql`delete from exports where id = ${b.exportId}`.execute(ctx.db.kysely);
    await refused(b.url, 'removed');

    const denials = await t.services.audit.list({ action: 'export.download' }, 1000);
    assert.ok(denials.some((e) => e.outcome === 'denied' && e.targetId === a.exportId));
  });

  it('an address no contact holds gets a link only to what is held under it, and erasure by address takes the copy', async () => {
    await assert.rejects(t.services.accessExports.createDownload(null, { email: 'stranger@example.com', actor: system }), {
      code: 'not_found',
    });
    // A message sent to an address no contact holds is data about its owner: exported, linked by address.
    await transportOf(t.services).send({
      to: 'Passer.By@Example.com',
      subject: 'Your receipt',
      text: 'Thank you',
      purpose: 'transactional',
    });
    const d = await t.services.accessExports.createDownload(null, { email: 'Passer.By@EXAMPLE.com', actor: system });
    const row = await ctx.db.kysely.selectFrom('exports').selectAll().where('id', '=', d.exportId).executeTakeFirstOrThrow();
    assert.deepEqual([row.email, row.contact_id], ['Passer.By@example.com', null]);
    const doc = JSON.parse(row.json);
    assert.equal(doc.dataHeld, true);
    assert.equal(doc.tables.outbox.rows.length, 1);
    await t.services.erasure.erase({ emails: ['Passer.By@example.com'] }, { actor: system, suppress: false });
    assert.equal(
      await ctx.db.kysely.selectFrom('exports').select('id').where('id', '=', d.exportId).executeTakeFirst(),
      undefined,
      'the stored copy went with the rest',
    );
  });

  it('staff read the export directly; roles without exports access are refused', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${contactId}/export`, headers: t.auth('privacy_officer') });
    assert.equal(res.statusCode, 200, res.body);
    const doc = json(res);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.subject, { contactId, email: 'ana@example.com', contactIds: [contactId] });
    assert.equal(doc.tables.contacts.columns.last_name.category, 'contact.identity.name');
    assert.equal(doc.tables.contacts.rows[0].last_name, `O'Brien`);
    for (const role of ['viewer', 'marketer'] as const)
      assert.equal(
        (await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${contactId}/export`, headers: t.auth(role) })).statusCode,
        403,
      );
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/contacts/01900000-0000-7000-8000-000000000000/export',
      headers: t.auth('admin'),
    });
    assert.equal(missing.statusCode, 404);
  });

  it('assent dsr export writes the file, says when nothing is held, and is audited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-export-'));
    try {
      const out = join(dir, 'ana.json');
      const r = await assent(ctx.url, 'dsr', 'export', 'ana@example.com', '--out', out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote .*ana\.json: \d+ records/);
      assert.equal(statSync(out).mode & 0o077, 0, 'readable by its owner only');
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(doc.subject.contactId, contactId);

      const page = join(dir, 'ana.html');
      assert.equal((await assent(ctx.url, 'dsr', 'export', 'ana@example.com', '--out', page, '--format', 'html')).code, 0);
      assert.match(readFileSync(page, 'utf8'), /^<!doctype html>/);

      const none = join(dir, 'none.json');
      const n = await assent(ctx.url, 'dsr', 'export', 'nobody@example.com', '--out', none);
      assert.equal(n.code, 0, n.stderr);
      assert.match(n.stdout, /no data held/);
      assert.equal(JSON.parse(readFileSync(none, 'utf8')).dataHeld, false);

      const audited = (await t.services.audit.list({ action: 'contact.export' }, 100)).filter((e) => e.actorType === 'cli');
      assert.equal(audited.length, 3);
      assert.equal(audited.filter((e) => e.targetId === contactId).length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
