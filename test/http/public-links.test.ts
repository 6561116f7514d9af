import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

const system = { type: 'system' as const, id: null };

/**
 * A public link (a signed token in the URL) has one refusal, whatever is wrong with it: a
 * repeated or unknown parameter, text no database holds, a path the router cannot read. Each
 * is tried on a link that is otherwise genuine, so the refusal is the malformation's alone.
 */
forEachDialect('every malformed public link gets the one refusal', (ctx) => {
  let t: TestApp;
  let exportPath: string;
  let exportId: string;
  let token: string;
  let verifyToken: string;
  before(async () => {
    t = await testApp(ctx.db);
    const c = await t.services.contacts.create({ email: 'ana@example.com' });
    const d = await t.services.accessExports.createDownload(c.id, { actor: system });
    const u = new URL(d.url);
    exportPath = u.pathname;
    exportId = d.exportId;
    token = u.searchParams.get('token')!;
    await t.app.inject({ method: 'POST', url: '/public/v1/requests', payload: { type: 'access', email: 'bo@example.com' } });
    await runJobs(t.services, [LINK_QUEUE]);
    const mail = (await t.services.mail.listOutbox({ limit: 10 })).items.find((m) => m.to === 'bo@example.com')!;
    verifyToken = decodeURIComponent(/token=(\S+)/.exec(mail.text!)![1]!);
  });
  after(async () => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const q = encodeURIComponent;

  it('the export link: HTML refusal for the page, JSON link_invalid for the file, the same bytes as a forged token', async () => {
    assert.equal((await get(`${exportPath}?token=${q(token)}`)).statusCode, 200, 'the link itself works');
    assert.equal((await get(`${exportPath}?token=${q(token)}&format=json`)).statusCode, 200);
    const forgedHtml = await get(`${exportPath}?token=forged`);
    const forgedJson = await get(`${exportPath}?token=forged&format=json`);
    assert.equal(forgedHtml.statusCode, 404);
    assert.equal(json(forgedJson).error.code, 'link_invalid');
    const before = (await t.services.audit.list({ action: 'export.download' }, 1000)).filter((e) => e.outcome === 'denied').length;
    const html = [
      `${exportPath}?token=${q(token)}&token=${q(token)}`,
      `${exportPath}?token=${q(token)}&utm_source=mail`,
      `${exportPath}?token=${q(token)}&format=json&format=json`,
      `${exportPath}?token=${q(token)}&format=xml`,
      `${exportPath}?token=${q(token)}%00`,
      `${exportPath}?token=${q(token)}&x=%00`,
      `${exportPath}%00?token=${q(token)}`,
      `/public/v1/exports/${'a'.repeat(300)}?token=${q(token)}`,
      `/public/v1/exports/%E0%A4%A?token=${q(token)}`,
      `/public/v1/exports/%ED%A0%80?token=${q(token)}`,
      `${exportPath}?token`,
      `${exportPath}?token[]=${q(token)}`,
    ];
    for (const url of html) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, `${url}: ${res.body.slice(0, 200)}`);
      assert.equal(res.body, forgedHtml.body, url);
      assert.equal(res.headers['content-type'], forgedHtml.headers['content-type'], url);
      assert.equal(res.headers['content-security-policy'], forgedHtml.headers['content-security-policy'], url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
    }
    for (const url of [
      `${exportPath}?token=${q(token)}&format=json&utm_source=mail`,
      `${exportPath}?format=json&token=${q(token)}&token=x`,
      `${exportPath}?format=json&token=a%00`,
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.body, forgedJson.body, url);
    }
    const after = (await t.services.audit.list({ action: 'export.download' }, 1000)).filter((e) => e.outcome === 'denied');
    assert.equal(after.length - before, html.length + 3, 'every refusal is audited, as the forged one is');
    assert.ok(after.some((e) => e.targetId === exportId));
  });

  it(
    'the verification pages: the invalid-link page for a repeated, ' + 'unknown or unreadable parameter, even with a genuine token',
    async () => {
      const page = (url: string) => t.app.inject({ method: 'GET', url });
      const post = (body: string, url = '/public/v1/requests/verify') =>
        t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
      const good = await page(`/public/v1/requests/verify?token=${q(verifyToken)}`);
      assert.equal(good.statusCode, 200, 'the link itself works');
      const invalid = await page('/public/v1/requests/verify?token=forged');
      assert.equal(invalid.statusCode, 400);
      for (const url of [
        `/public/v1/requests/verify?token=${q(verifyToken)}&token=${q(verifyToken)}`,
        `/public/v1/requests/verify?token=${q(verifyToken)}&utm_source=mail`,
        `/public/v1/requests/verify?token=${q(verifyToken)}%00`,
        `/public/v1/requests/verify?token[]=${q(verifyToken)}`,
      ]) {
        const res = await page(url);
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.body, invalid.body, url);
      }
      for (const [body, url] of [
        [`token=${q(verifyToken)}&token=${q(verifyToken)}`, undefined],
        [`token=${q(verifyToken)}&extra=1`, undefined],
        [`token=${q(verifyToken)}%00`, undefined],
        [`token=${q(verifyToken)}`, `/public/v1/requests/verify?token=${q(verifyToken)}`],
      ] as const) {
        const res = await post(body, url);
        assert.equal(res.statusCode, 400, `${body} ${url ?? ''}`);
        assert.equal(res.body, invalid.body);
      }
      const [c] = await t.services.requests.list({ email: 'bo@example.com' }, 10);
      assert.equal(c!.status, 'awaiting_verification', 'no malformed post confirmed the request');
      assert.equal((await post(`token=${q(verifyToken)}`)).statusCode, 200, 'the genuine post still does');
    },
  );
});
