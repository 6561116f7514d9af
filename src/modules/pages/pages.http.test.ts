import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { parseDocument } from 'htmlparser2';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';
import { t as say } from '../../i18n/catalogue.ts';
import { FakeClock } from '../../lib/clock.ts';
import { escapeHtml } from '../../lib/html.ts';
import { newId } from '../../lib/ids.ts';
import { LINK_QUEUE } from '../dsr/requests/requests.intake.ts';
import { FORWARD_TTL_MS, forwardUrl, subscriptionCenterUrl } from '../email/links.ts';
import { FORWARD_QUEUE } from '../forward/forward.service.ts';
import type { FieldDef } from '../forms/forms.model.ts';
import { FORM_QUEUE } from '../forms/forms.service.ts';

const BASE = 'https://pages.example.org';
const ORIGIN = { origin: BASE };
const FORM_POST = { 'content-type': 'application/x-www-form-urlencoded' };
const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;\'"';

let ipSeq = 0;
/** A fresh client address per call, so the per-client limits only count where a test means them to. */
const nextIp = () => `10.${Math.floor(++ipSeq / 250) % 250}.${ipSeq % 250}.9`;

/** What two answers must share to be "the same answer": status, body and every header but the per-request ones. */
function shape(res: LightMyRequestResponse) {
  const { date: _d, 'x-request-id': _r, ...headers } = res.headers;
  return { status: res.statusCode, body: res.body, headers };
}
const hiddenField = (body: string) => /name="form" value="([^"]+)"/.exec(body)?.[1] ?? '';
const encode = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
  return p.toString();
};

interface El {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: El[];
  data?: string;
}
/** Every element of a page, in document order. */
function elements(html: string): El[] {
  const out: El[] = [];
  const walk = (n: El) => {
    if (n.type === 'tag' || n.type === 'script' || n.type === 'style') out.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(parseDocument(html) as unknown as El);
  return out;
}
const textOf = (n: El): string => (n.type === 'text' ? (n.data ?? '') : (n.children ?? []).map(textOf).join(''));

forEachDialect('pages', (ctx) => {
  const clock = new FakeClock('2026-04-01T10:00:00.000Z');
  let t: TestApp;
  let listId: string;
  let formId: string;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role = 'marketer' as const) =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });

  const fields = (): FieldDef[] => [
    { name: 'email', label: 'Your email', maps: 'email', required: true, type: 'email' },
    { name: 'first_name', label: 'First name', maps: 'firstName', maxLength: 40 },
    {
      name: 'consent',
      label: 'What may we send you?',
      maps: 'consentLevel',
      type: 'radio',
      levels: [
        { level: 3, notice: 'The newsletters you choose, until you unsubscribe.' },
        { level: 4, notice: 'Newsletters and offers by email.' },
      ],
    },
    { name: 'topics', label: 'Send me bread news', maps: 'lists', type: 'checkbox', listIds: [listId] },
  ];

  async function newPage(extra: Record<string, unknown> = {}): Promise<{ id: string; slug: string; url: string }> {
    const r = await api('POST', '/api/v1/pages', {
      type: 'landing',
      slug: `spring-${newId().slice(-8)}`,
      title: 'Spring bread',
      intro: 'Fresh **bread**.',
      language: 'en',
      formId,
      published: true,
      ...extra,
    });
    assert.equal(r.statusCode, 201, r.body);
    return json(r).data;
  }

  const visit = (slug: string, query = '', headers: Record<string, string> = {}, remoteAddress = nextIp()) =>
    t.app.inject({ method: 'GET', url: `/p/${slug}${query}`, headers, remoteAddress });
  const post = (slug: string, fields: Record<string, string | string[]>, headers: Record<string, string> = ORIGIN, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/p/${slug}${query}`,
      headers: { ...FORM_POST, ...headers },
      payload: encode(fields),
      remoteAddress: nextIp(),
    });
  /** Opens the page and posts its form as a browser would: the page's hidden field, from the page's origin. */
  const submitVia = async (slug: string, fields: Record<string, string | string[]>, query = '') => {
    const page = await visit(slug, query);
    assert.equal(page.statusCode, 200, page.body);
    return post(slug, { form: hiddenField(page.body), ...fields }, ORIGIN, query);
  };

  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: `${BASE}/` });
    listId = (await t.services.lists.create({ name: 'Bread news' })).id;
    formId = (await t.services.forms.create({ name: 'Sign-up', allowedOrigins: ['https://shop.example'], fields: fields() })).id;
  });
  after(async () => t.close());

  describe('the API', () => {
    it('creates, reads, lists, changes and deletes a page', async () => {
      const p = await newPage({ intro: '# Hello\nSee [shop](https://shop.example) *now*' });
      const got = json(await api('GET', `/api/v1/pages/${p.id}`)).data;
      assert.equal(got.url, `${BASE}/p/${p.slug}`);
      assert.equal(got.type, 'landing');
      assert.equal(got.formId, formId);
      assert.equal(got.published, true);
      assert.equal(got.views, 0);
      assert.equal(got.submissions, 0);
      assert.equal(
        got.introHtml,
        '<h2>Hello</h2>\n<p>See <a href="https://shop.example" rel="noopener noreferrer">shop</a> <em>now</em></p>',
      );
      const all = json(await api('GET', '/api/v1/pages?limit=500')).data as { id: string }[];
      assert.ok(all.some((x) => x.id === p.id));
      const changed = await api('PATCH', `/api/v1/pages/${p.id}`, { title: 'Summer bread', published: false });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(json(changed).data.title, 'Summer bread');
      assert.equal((await visit(p.slug)).statusCode, 404, 'unpublished');
      assert.equal((await api('DELETE', `/api/v1/pages/${p.id}`)).statusCode, 204);
      assert.equal((await api('GET', `/api/v1/pages/${p.id}`)).statusCode, 404);
      assert.equal((await api('DELETE', `/api/v1/pages/${p.id}`)).statusCode, 404);
    });

    it('refuses each invalid field with page_invalid at its path, and stores nothing', async () => {
      const good = { type: 'landing', slug: 'a-good-one', title: 'T', formId, language: 'en' };
      const cases: [Record<string, unknown>, string][] = [
        [{ ...good, slug: 'Has-Capitals' }, '/slug'],
        [{ ...good, slug: '-leading' }, '/slug'],
        [{ ...good, slug: 'trailing-' }, '/slug'],
        [{ ...good, slug: 'a'.repeat(65) }, '/slug'],
        [{ ...good, slug: 'sp ace' }, '/slug'],
        [{ ...good, title: '' }, '/title'],
        [{ ...good, title: '   ' }, '/title'],
        [{ ...good, title: 'x'.repeat(201) }, '/title'],
        [{ ...good, intro: 'x'.repeat(20_001) }, '/intro'],
        [{ ...good, language: 'xx' }, '/language'],
        [{ ...good, formId: null }, '/formId'],
        [{ ...good, formId: newId() }, '/formId'],
        [{ ...good, type: 'data_request' }, '/formId'],
        [{ ...good, type: 'blog' }, '/type'],
        [{ ...good, colour: 'red' }, '/colour'],
        [{ type: 'landing', title: 'T', formId }, '/slug'],
      ];
      // A form cannot have a field named like the page's hidden field, so no page can show one.
      await assert.rejects(
        t.services.forms.create({ name: 'Clash', fields: [fields()[0]!, { name: 'form', label: 'Form', maps: 'company' }] }),
        (e: { code?: string; details?: { path: string }[] }) =>
          e.code === 'form_invalid' && e.details!.some((d) => d.path === '/fields/1/name'),
      );
      const before = await dumpDatabase(ctx.db);
      for (const [body, path] of cases) {
        const r = await api('POST', '/api/v1/pages', body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${r.body}`);
        const err = json(r).error;
        assert.equal(err.code, 'page_invalid', r.body);
        assert.ok(
          (err.details as { path: string }[]).some((d) => d.path === path),
          `${path} in ${JSON.stringify(err.details)}`,
        );
      }
      const p = await newPage();
      const patched = await api('PATCH', `/api/v1/pages/${p.id}`, { type: 'data_request' });
      assert.equal(json(patched).error.code, 'page_invalid');
      assert.equal(json(patched).error.details[0].path, '/type');
      assert.equal(json(await api('PATCH', `/api/v1/pages/${p.id}`, { slug: 'BAD' })).error.details[0].path, '/slug');
      assert.equal(json(await api('PATCH', `/api/v1/pages/${p.id}`, { formId: null })).error.details[0].path, '/formId');
      await api('DELETE', `/api/v1/pages/${p.id}`);
      const after = await dumpDatabase(ctx.db);
      for (const d of [before, after]) {
        delete d.audit_log;
        delete d.rate_limits;
      }
      assert.deepEqual(after, before);
    });

    it('answers 409 conflict for a slug taken, on create and on change', async () => {
      const a = await newPage();
      const b = await newPage();
      const again = await api('POST', '/api/v1/pages', { type: 'data_request', slug: a.slug, title: 'Other' });
      assert.equal(again.statusCode, 409);
      assert.equal(json(again).error.code, 'conflict');
      assert.equal(json(again).error.details[0].path, '/slug');
      const moved = await api('PATCH', `/api/v1/pages/${b.id}`, { slug: a.slug });
      assert.equal(moved.statusCode, 409);
      assert.equal((await api('PATCH', `/api/v1/pages/${a.id}`, { slug: a.slug })).statusCode, 200, 'its own slug is no conflict');
    });

    it('previews the page as /p/{slug} serves it, without storing or counting, and checks it as a save does', async () => {
      const p = await newPage();
      const served = await visit(p.slug);
      const before = await dumpDatabase(ctx.db);
      const r = await api('POST', '/api/v1/pages/preview', {
        type: 'landing',
        slug: p.slug,
        title: 'Spring bread',
        intro: 'Fresh **bread**.',
        formId,
      });
      assert.equal(r.statusCode, 200, r.body);
      const html = json(r).data.html as string;
      // The same page but for the hidden field, which a preview does not sign.
      assert.equal(html.replace(/name="form" value="[^"]*"/, ''), served.body.replace(/name="form" value="[^"]*"/, ''));
      const after = await dumpDatabase(ctx.db);
      delete before.audit_log;
      delete after.audit_log;
      assert.deepEqual(after, before, 'nothing stored or counted');
      const bad = await api('POST', '/api/v1/pages/preview', { type: 'landing', slug: 'x', title: '' });
      assert.equal(json(bad).error.code, 'page_invalid');
      const center = await api('POST', '/api/v1/pages/preview', { type: 'subscription_center', slug: 'x', title: 'Yours', language: 'de' });
      assert.match(json(center).data.html, /<html lang="de">/);
      assert.match(json(center).data.html, /<h1>Yours<\/h1>/);
    });
  });

  describe('a landing page at /p/{slug}', () => {
    it('states a field’s problem in the page’s language', async () => {
      const p = await newPage({ language: 'de' });
      const r = await submitVia(p.slug, { email: 'not an address' });
      assert.equal(r.statusCode, 400, r.body);
      assert.ok(r.body.includes(escapeHtml(say('de', 'forms.problem.email'))), r.body);
      assert.ok(!r.body.includes('not an email address'), 'not the check’s English');
    });

    it('shows the title, the intro, every field with its label, the consent notices, the honeypot and the hidden field', async () => {
      const p = await newPage({ language: 'de', intro: 'Fresh **bread**.' });
      const r = await visit(p.slug);
      assert.equal(r.statusCode, 200);
      assert.match(r.headers['content-type'] as string, /^text\/html/);
      assert.match(r.headers['content-security-policy'] as string, /form-action 'self'/);
      assert.match(r.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
      assert.equal(r.headers['referrer-policy'], 'same-origin');
      assert.equal(r.headers['x-frame-options'], 'DENY');
      const els = elements(r.body);
      assert.equal(els.find((e) => e.name === 'html')!.attribs!.lang, 'de');
      assert.equal(textOf(els.find((e) => e.name === 'h1')!), 'Spring bread');
      assert.ok(r.body.includes('<p>Fresh <strong>bread</strong>.</p>'));
      assert.ok(!els.some((e) => e.name === 'script'), 'no script');
      const form = els.find((e) => e.name === 'form')!;
      assert.equal(form.attribs!.method, 'post');
      assert.equal(form.attribs!.action, `${BASE}/p/${p.slug}`);
      const labelled = new Set(els.filter((e) => e.name === 'label').map((e) => e.attribs!.for));
      for (const input of els.filter((e) => (e.name === 'input' && e.attribs!.type !== 'hidden') || e.name === 'select'))
        assert.ok(labelled.has(input.attribs!.id!), `input ${input.attribs!.name} has a label`);
      const email = els.find((e) => e.attribs?.name === 'email')!;
      assert.equal(email.attribs!.type, 'email');
      assert.ok('required' in email.attribs!);
      const radios = els.filter((e) => e.attribs?.name === 'consent');
      assert.deepEqual(
        radios.map((x) => x.attribs!.type),
        ['radio', 'radio'],
      );
      for (const radio of radios) {
        const notice = els.find((e) => e.attribs?.id === radio.attribs!['aria-describedby'])!;
        assert.match(textOf(notice), /newsletters/i, 'each level has its notice beside it');
      }
      assert.equal(els.find((e) => e.attribs?.name === 'topics')!.attribs!.type, 'checkbox');
      const trap = els.find((e) => e.attribs?.name === 'website')!;
      assert.equal(trap.attribs!.tabindex, '-1');
      const box = els.find((e) => e.children?.includes(trap))!;
      assert.equal(box.attribs!['aria-hidden'], 'true');
      assert.match(box.attribs!.style!, /left:-10000px/);
      assert.ok(hiddenField(r.body).length > 20);
    });

    it('takes a submission: the contact, the level raised with the notice shown, the list joined', async () => {
      const p = await newPage();
      assert.equal((await t.app.inject({ method: 'HEAD', url: `/p/${p.slug}`, remoteAddress: nextIp() })).statusCode, 200);
      const r = await submitVia(p.slug, { email: 'ana@example.org', first_name: 'Ana', consent: '4', topics: listId });
      assert.equal(r.statusCode, 200, r.body);
      await runJobs(t.services, [FORM_QUEUE]);
      const c = (await t.services.contacts.findByEmail('ana@example.org'))!;
      assert.equal(c.consentLevel, 4);
      assert.equal(c.firstName, 'Ana');
      const history = await t.services.ledger.history(c.id);
      assert.ok(history.some((h) => h.source === 'form' && h.notice?.text === 'Newsletters and offers by email.'));
      assert.ok((await t.services.lists.memberships(c.id)).some((m) => m.listId === listId));
      const counts = json(await api('GET', `/api/v1/pages/${p.id}/counts`)).data;
      assert.deepEqual(counts.total, { views: 1, submissions: 1 });
      assert.equal(counts.days.length, 30);
      assert.deepEqual(counts.days[0], { day: '2026-04-01', views: 1, submissions: 1 });
      const page = json(await api('GET', `/api/v1/pages/${p.id}`)).data;
      assert.equal(page.views, 1);
      assert.equal(page.submissions, 1);
    });

    it('answers a known, an unknown and a suppressed address and a filled honeypot with the same bytes', async () => {
      const p = await newPage();
      await t.services.contacts.create({ email: 'known@example.org' });
      // An erased contact's address is suppressed.
      await t.services.contacts.delete((await t.services.contacts.create({ email: 'suppressed@example.org' })).id);
      const answers = [
        await submitVia(p.slug, { email: 'known@example.org', consent: '3' }),
        await submitVia(p.slug, { email: 'unknown@example.org', consent: '3' }),
        await submitVia(p.slug, { email: 'suppressed@example.org', consent: '3' }),
        await submitVia(p.slug, { email: 'robot@example.org', consent: '3', website: 'https://spam.example' }),
      ];
      for (const a of answers.slice(1)) assert.deepEqual(shape(a), shape(answers[0]!));
      assert.equal(answers[0]!.statusCode, 200);
      await runJobs(t.services, [FORM_QUEUE]);
      assert.equal(await t.services.contacts.findByEmail('robot@example.org'), null, 'the honeypot created nothing');
    });

    it('shows each problem next to its field, keeps the values typed (escaped), and sums them up at the top', async () => {
      const p = await newPage();
      const r = await submitVia(p.slug, { email: 'not-an-address', first_name: HOSTILE.slice(0, 40), consent: '9' });
      assert.equal(r.statusCode, 400);
      const els = elements(r.body);
      const email = els.find((e) => e.attribs?.name === 'email')!;
      assert.equal(email.attribs!['aria-invalid'], 'true');
      const message = els.find((e) => e.attribs?.id === email.attribs!['aria-describedby'])!;
      assert.equal(textOf(message), 'not an email address');
      assert.equal(email.attribs!.value, 'not-an-address', 'the value typed is kept');
      const first = els.find((e) => e.attribs?.name === 'first_name')!;
      assert.equal(first.attribs!.value, HOSTILE.slice(0, 40), 'kept, as text');
      assert.ok(!els.some((e) => e.name === 'script' || e.name === 'img'), 'markup typed stays text');
      const consent = els.find((e) => e.attribs?.name === 'consent')!;
      assert.equal(consent.attribs!['aria-invalid'], 'true');
      const summary = els.find((e) => e.attribs?.class === 'summary')!;
      const links = elements(`<div>${r.body.slice(r.body.indexOf('class="summary"'))}`)
        .filter((e) => e.name === 'a')
        .map((e) => e.attribs!.href);
      assert.ok(summary);
      assert.ok(links.includes(`#${email.attribs!.id}`));
      assert.ok(links.includes(`#${consent.attribs!.id}`));
      assert.ok(hiddenField(r.body), 'a fresh hidden field to send again');
    });

    it('refuses a post without a genuine hidden field or from another origin with a 403 page, and stores nothing', async () => {
      const p = await newPage();
      const other = await newPage();
      const page = await visit(p.slug);
      const field = hiddenField(page.body);
      const otherField = hiddenField((await visit(other.slug)).body);
      const body = { email: 'csrf@example.org', consent: '4' };
      const cases: [string, () => Promise<LightMyRequestResponse>][] = [
        ['no field', () => post(p.slug, body)],
        ['forged field', () => post(p.slug, { ...body, form: `${field.slice(0, -4)}AAAA` })],
        ['another page’s field', () => post(p.slug, { ...body, form: otherField })],
        ['another origin', () => post(p.slug, { ...body, form: field }, { origin: 'https://evil.example' })],
        ['Origin null', () => post(p.slug, { ...body, form: field }, { origin: 'null' })],
        ['no Origin nor Referer', () => post(p.slug, { ...body, form: field }, {})],
        ['a foreign Referer', () => post(p.slug, { ...body, form: field }, { referer: 'https://evil.example/x' })],
        [
          'an expired field',
          async () => {
            clock.advance(2 * 3600_000 + 1000);
            try {
              return await post(p.slug, { ...body, form: field });
            } finally {
              clock.set('2026-04-01T10:00:00.000Z');
            }
          },
        ],
      ];
      let first: ReturnType<typeof shape> | null = null;
      for (const [name, run] of cases) {
        const before = await dumpDatabase(ctx.db);
        const r = await run();
        assert.equal(r.statusCode, 403, `${name}: ${r.body.slice(0, 300)}`);
        assert.match(r.body, /reload the page/i, name);
        await runJobs(t.services, [FORM_QUEUE]);
        const after = await dumpDatabase(ctx.db);
        delete before.rate_limits;
        delete after.rate_limits;
        assert.deepEqual(after, before, name);
        first ??= shape(r);
        assert.deepEqual(shape(r), first, `${name}: one answer for every refusal`);
      }
      assert.equal((await post(p.slug, { ...body, form: field }, { referer: `${BASE}/p/${p.slug}` })).statusCode, 200, 'a Referer of ours');
    });

    it('answers an unknown slug, an unpublished page, a malformed address and a page whose form is gone with one 404', async () => {
      const unpublished = await newPage({ published: false });
      const throwaway = (await t.services.forms.create({ name: 'Gone', fields: [fields()[0]!] })).id;
      const orphan = await newPage({ formId: throwaway });
      assert.equal((await visit(orphan.slug)).statusCode, 200);
      await t.services.forms.delete(throwaway);
      assert.equal(json(await api('GET', `/api/v1/pages/${orphan.id}`)).data.formId, null, 'the page says its form is gone');
      const ref = await visit('no-such-page');
      assert.equal(ref.statusCode, 404);
      for (const url of [
        `/p/${unpublished.slug}`,
        `/p/${orphan.slug}`,
        '/p/UPPER',
        `/p/${'a'.repeat(80)}`,
        '/p/%E0%A4%A',
        '/p/no-such-page?t=a&t=b',
      ]) {
        const r = await t.app.inject({ method: 'GET', url, remoteAddress: nextIp() });
        assert.deepEqual(shape(r), shape(ref), url);
      }
      const posted = await post(unpublished.slug, { email: 'x@example.org' });
      assert.deepEqual(shape(posted), shape(ref));
    });

    it('shows markup in every page and form field as text', async () => {
      const lid = (await t.services.lists.create({ name: `List ${HOSTILE}` })).id;
      const hostileForm = (
        await t.services.forms.create({
          name: `Form ${HOSTILE}`,
          fields: [
            { name: 'email', label: `Email ${HOSTILE}`, maps: 'email', required: true },
            { name: 'pick', label: `Pick ${HOSTILE}`, maps: 'lastName', type: 'select', choices: [`a${HOSTILE}`] },
            { name: 'c', label: `Level ${HOSTILE}`, maps: 'consentLevel', levels: [{ level: 3, notice: `Notice ${HOSTILE}` }] },
            { name: 'l', label: `Lists ${HOSTILE}`, maps: 'lists', listIds: [lid] },
          ],
        })
      ).id;
      const p = await newPage({ formId: hostileForm, title: `Title ${HOSTILE}`, intro: `Intro ${HOSTILE} [x](javascript:alert(1))` });
      const r = await visit(p.slug);
      assert.equal(r.statusCode, 200);
      const els = elements(r.body);
      assert.ok(!els.some((e) => e.name === 'script' || e.name === 'img'), 'no markup of anyone’s');
      assert.ok(!els.some((e) => Object.keys(e.attribs ?? {}).some((a) => a.startsWith('on'))), 'no handler attribute');
      assert.ok(!els.some((e) => /javascript:/i.test(e.attribs?.href ?? '')), 'no script link');
      assert.equal(textOf(els.find((e) => e.name === 'h1')!), `Title ${HOSTILE}`);
      const text = textOf({ type: 'root', children: els.filter((e) => e.name === 'main') });
      for (const shown of [`Email ${HOSTILE}`, `Notice ${HOSTILE}`, `List ${HOSTILE}`, `Lists ${HOSTILE}`, `Intro ${HOSTILE}`])
        assert.ok(text.includes(shown), shown);
      const embed = json(await api('GET', `/api/v1/forms/${hostileForm}/embed`)).data;
      const snippet = elements(embed.html);
      assert.ok(!snippet.some((e) => e.name === 'script' || e.name === 'img' || e.name === 'style'));
      assert.ok(textOf({ type: 'root', children: snippet }).includes(`Notice ${HOSTILE}`));
      assert.ok(!elements(embed.iframe).some((e) => e.name === 'script' || e.name === 'img'));
    });
  });

  describe('a data-request page', () => {
    it('takes a request through the public intake: the same answer, a case waiting for its link', async () => {
      const r0 = await api('POST', '/api/v1/pages', { type: 'data_request', slug: 'my-data', title: 'Your data', published: true });
      assert.equal(r0.statusCode, 201, r0.body);
      const page = await visit('my-data');
      const els = elements(page.body);
      assert.deepEqual(
        els.filter((e) => e.attribs?.name === 'type').map((e) => e.attribs!.value),
        ['access', 'rectification', 'erasure', 'objection'],
      );
      const labelled = new Set(els.filter((e) => e.name === 'label').map((e) => e.attribs!.for));
      for (const input of els.filter((e) => e.name === 'input' && e.attribs!.type !== 'hidden'))
        assert.ok(labelled.has(input.attribs!.id!), `input ${input.attribs!.name} has a label`);
      await t.services.contacts.create({ email: 'dr-known@example.org' });
      const known = await post('my-data', { form: hiddenField(page.body), type: 'erasure', email: 'dr-known@example.org' });
      const unknown = await post('my-data', { form: hiddenField(page.body), type: 'erasure', email: 'dr-unknown@example.org' });
      assert.equal(known.statusCode, 200, known.body);
      assert.deepEqual(shape(unknown), shape(known));
      const cases = await t.services.requests.list({ email: 'dr-unknown@example.org' }, 10);
      assert.equal(cases.length, 1);
      assert.equal(cases[0]!.type, 'erasure');
      assert.equal(cases[0]!.channel, 'public');
      await runJobs(t.services, [LINK_QUEUE]);
      const mail = (await t.services.mail.listOutbox({ limit: 100 })).items.find((m) => m.to === 'dr-unknown@example.org');
      assert.ok(mail, 'the verification link is mailed as for any public request');
    });

    it('shows problems next to their fields, and refuses a post without the hidden field', async () => {
      await api('POST', '/api/v1/pages', { type: 'data_request', slug: 'my-data-2', title: 'Your data', published: true });
      const page = await visit('my-data-2');
      const r = await post('my-data-2', { form: hiddenField(page.body), type: 'sell', email: `x${HOSTILE}` });
      assert.equal(r.statusCode, 400);
      const els = elements(r.body);
      const email = els.find((e) => e.attribs?.name === 'email')!;
      assert.equal(email.attribs!['aria-invalid'], 'true');
      assert.ok(email.attribs!['aria-describedby']!.split(' ').includes('f-email-error'));
      assert.equal(email.attribs!.value, `x${HOSTILE}`);
      assert.ok(!els.some((e) => e.name === 'script' || e.name === 'img'));
      assert.ok(els.some((e) => e.attribs?.id === 'f-type-error'));
      const before = await t.services.requests.list({ email: 'nofield@example.org' }, 10);
      assert.equal((await post('my-data-2', { type: 'access', email: 'nofield@example.org' })).statusCode, 403);
      assert.deepEqual(await t.services.requests.list({ email: 'nofield@example.org' }, 10), before);
    });
  });

  describe('language and limits', () => {
    it('speaks the page’s language, whatever the browser asks', async () => {
      await api('POST', '/api/v1/pages', {
        type: 'data_request',
        slug: 'meine-daten',
        title: 'Ihre Daten',
        language: 'de',
        published: true,
      });
      const r = await visit('meine-daten', '', { 'accept-language': 'en' });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /<html lang="de">/);
      assert.match(r.body, /Was sollen wir für Sie tun\?/);
      assert.match(r.body, /Meine Daten löschen/);
      const english = await visit('my-data', '', { 'accept-language': 'de' });
      assert.match(english.body, /<html lang="en">/);
      assert.match(english.body, /What would you like us to do\?/);
      // The 404 names no page, so it speaks the browser's language.
      assert.match((await visit('nirgends', '', { 'accept-language': 'de' })).body, /Seite nicht gefunden/);
    });

    it('limits each client address, answering with a page', async () => {
      const ip = '192.0.2.77';
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i < 121; i++) last = await visit('my-data', '', {}, ip);
      assert.equal(last!.statusCode, 429);
      assert.match(last!.headers['content-type'] as string, /^text\/html/);
      assert.ok(Number(last!.headers['retry-after']) > 0);
      assert.equal((await visit('my-data', '', {}, '192.0.2.78')).statusCode, 200, 'another client is not limited');
    });
  });

  describe('a subscription-center page', () => {
    it('shows the person’s center under the page’s title and intro, posting to the center; the refusal without a valid link', async () => {
      await api('POST', '/api/v1/pages', {
        type: 'subscription_center',
        slug: 'prefs',
        title: 'Your choices',
        intro: 'Choose *freely*.',
        published: true,
      });
      const c = await t.services.contacts.create({ email: 'sc@example.org' });
      const url = subscriptionCenterUrl(BASE, await t.services.secret.key(), c.id, new Date(clock.now().getTime() + 86_400_000));
      const token = url.split('/').at(-1)!;
      const r = await visit('prefs', `?t=${token}`);
      assert.equal(r.statusCode, 200, r.body);
      const els = elements(r.body);
      assert.equal(textOf(els.find((e) => e.name === 'h1')!), 'Your choices');
      assert.ok(r.body.includes('<em>freely</em>'));
      const form = els.find((e) => e.name === 'form')!;
      assert.equal(form.attribs!.action, `${BASE}/public/v1/subscription/${token}?lang=en`);
      // The center's own post route takes the form as it is.
      const saved = await t.app.inject({
        method: 'POST',
        url: `/public/v1/subscription/${token}`,
        headers: { ...FORM_POST, origin: BASE },
        payload: encode({ form: hiddenField(r.body), level: '2' }),
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal((await t.services.contacts.get(c.id)).consentLevel, 2);
      const refusal = await t.app.inject({ method: 'GET', url: `/public/v1/subscription/forged.token.x.y` });
      assert.deepEqual(
        shape(await post('prefs', { level: '1' }, ORIGIN, `?t=${token}`)),
        shape(await visit('no-such-page')),
        'its form posts to the center',
      );
      for (const q of ['', '?t=forged', `?t=${token.slice(0, -2)}xx`]) {
        const bad = await visit('prefs', q);
        assert.equal(bad.statusCode, 404, q);
        assert.equal(bad.body, refusal.body, `${q}: the portal's refusal`);
      }
    });
  });

  describe('a forward page', () => {
    it(
      'forwards the campaign message the person got to a friend once, ' + 'through the forward module; the refusal without a valid link',
      async () => {
        const r0 = await api('POST', '/api/v1/pages', {
          type: 'forward',
          slug: 'tell-a-friend',
          title: 'Tell a friend',
          intro: 'Share *it*.',
          published: true,
        });
        assert.equal(r0.statusCode, 201, r0.body);
        // A campaign's send to a person with marketing consent, as the engine leaves one.
        const now = clock.now().toISOString();
        const messageId = newId();
        const campaignId = newId();
        const sendId = newId();
        await t.services.db.kysely
          .insertInto('messages')
          .values({
            id: messageId,
            name: 'Summer',
            purpose: 'marketing',
            list_id: null,
            from_name: 'The Shop',
            from_email: 'news@shop.example',
            reply_to: null,
            subject: 'Summer offers',
            html: '<html><body><p>Sale</p><a href="{{ unsubscribe_url }}">Leave</a></body></html>',
            text: null,
            blocks: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await t.services.db.kysely
          .insertInto('campaigns')
          .values({ id: campaignId, message_id: messageId, segment_id: newId(), status: 'done', recipients: 1, created_at: now })
          .execute();
        const c = await t.services.contacts.create({ email: 'fw-sender@example.org', firstName: 'Ana' });
        await t.services.consent.setLevel(c.id, 4, { source: 'admin', actor: { type: 'user', id: null } });
        await t.services.db.kysely
          .insertInto('sends')
          .values({
            id: sendId,
            message_id: messageId,
            contact_id: c.id,
            origin: `campaign:${campaignId}`,
            campaign_id: campaignId,
            purpose: 'marketing',
            status: 'sent',
            reason: null,
            tracked: 0,
            attempts: 1,
            not_before: null,
            smtp_message_id: `<${sendId}@shop.example>`,
            queued_at: now,
            sent_at: now,
            updated_at: now,
          })
          .execute();
        const key = await t.services.secret.key();
        const token = forwardUrl(BASE, key, { contactId: c.id, sendId }, new Date(clock.now().getTime() + FORWARD_TTL_MS))
          .split('/')
          .at(-1)!;

        const page = await visit('tell-a-friend', `?t=${token}`);
        assert.equal(page.statusCode, 200, page.body);
        assert.equal(textOf(elements(page.body).find((e) => e.name === 'h1')!), 'Tell a friend');
        assert.ok(page.body.includes('<em>it</em>') && page.body.includes('Summer offers'), 'the intro, and the message named');
        const friend = 'pal@friends.example';
        const fields = { form: hiddenField(page.body), friendEmail: friend, note: '<b>look</b>' };
        const sent = await post('tell-a-friend', fields, ORIGIN, `?t=${token}`);
        assert.equal(sent.statusCode, 200, sent.body);
        const again = await post('tell-a-friend', fields, ORIGIN, `?t=${token}`);
        assert.deepEqual(shape(again), shape(sent), 'a repeat gets the same answer');
        await runJobs(t.services, [FORWARD_QUEUE]);
        const mails = (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to === friend);
        assert.equal(mails.length, 1, 'the friend gets the message once');
        assert.ok(mails[0]!.html!.includes('Sale') && mails[0]!.html!.includes('&lt;b&gt;look&lt;/b&gt;'), 'the message, the note as text');
        const contacts = await t.services.db.kysely.selectFrom('contacts').select('id').where('email', '=', friend).execute();
        assert.deepEqual(contacts, [], 'no contact is made for the friend');

        // No link, a forged one, or another origin: nothing is sent.
        assert.equal((await visit('tell-a-friend')).statusCode, 404);
        assert.equal((await visit('tell-a-friend', '?t=forged.token.x.y')).statusCode, 404);
        const foreign = await post(
          'tell-a-friend',
          { ...fields, friendEmail: 'other@friends.example' },
          { origin: 'https://' + 'evil.example' },
          `?t=${token}`,
        );
        assert.equal(foreign.statusCode, 403);
        const preview = await api('POST', '/api/v1/pages/preview', { type: 'forward', slug: 'tell-a-friend', title: 'Tell a friend' });
        assert.match(json(preview).data.html, /<h1>Tell a friend<\/h1>/, 'the preview shows the page');
      },
    );
  });

  describe('embedding and counting', () => {
    it('gives a snippet posting to the public endpoint, and a frame page only the allowed origins may frame', async () => {
      const r = await api('GET', `/api/v1/forms/${formId}/embed`);
      assert.equal(r.statusCode, 200, r.body);
      const e = json(r).data;
      assert.equal(e.frameUrl, `${BASE}/public/v1/forms/${formId}/frame`);
      const form = elements(e.html).find((x) => x.name === 'form')!;
      assert.equal(form.attribs!.action, `${BASE}/public/v1/forms/${formId}`);
      assert.equal(form.attribs!.method, 'post');
      assert.ok(
        elements(e.html).some((x) => x.attribs?.name === 'website'),
        'the honeypot',
      );
      assert.equal(elements(e.iframe).find((x) => x.name === 'iframe')!.attribs!.src, e.frameUrl);
      const frame = await t.app.inject({ method: 'GET', url: `/public/v1/forms/${formId}/frame`, remoteAddress: nextIp() });
      assert.equal(frame.statusCode, 200);
      assert.equal(frame.headers['x-frame-options'], undefined);
      assert.match(frame.headers['content-security-policy'] as string, /frame-ancestors https:\/\/shop\.example;/);
      const closed = (await t.services.forms.create({ name: 'Closed', fields: [fields()[0]!] })).id;
      const shut = await t.app.inject({ method: 'GET', url: `/public/v1/forms/${closed}/frame`, remoteAddress: nextIp() });
      assert.match(shut.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
      // Its post, answered inside the frame, may be framed by the same origins.
      const posted = await t.app.inject({
        method: 'POST',
        url: `/public/v1/forms/${formId}`,
        headers: { ...FORM_POST, origin: BASE, 'sec-fetch-dest': 'iframe' },
        payload: encode({ email: 'framed@example.org' }),
        remoteAddress: nextIp(),
      });
      assert.equal(posted.statusCode, 200, posted.body);
      assert.equal(posted.headers['x-frame-options'], undefined);
      assert.match(posted.headers['content-security-policy'] as string, /frame-ancestors https:\/\/shop\.example;/);
      assert.equal((await api('GET', `/api/v1/forms/${newId()}/embed`)).statusCode, 404);
    });

    it('counts a form’s submissions however posted, the same for a known and an unknown address', async () => {
      const f = (await t.services.forms.create({ name: 'Counted', fields: [fields()[0]!] })).id;
      await t.services.contacts.create({ email: 'counted-known@example.org' });
      for (const email of ['counted-known@example.org', 'counted-new@example.org'])
        assert.equal(
          (
            await t.app.inject({
              method: 'POST',
              url: `/public/v1/forms/${f}`,
              payload: { email },
              remoteAddress: nextIp(),
            })
          ).statusCode,
          200,
        );
      const c = json(await api('GET', `/api/v1/forms/${f}/counts`)).data;
      assert.deepEqual(c.total, { views: 0, submissions: 2 });
      const p = await newPage({ formId: f });
      await submitVia(p.slug, { email: 'counted-page@example.org' });
      const after = json(await api('GET', `/api/v1/forms/${f}/counts`)).data;
      assert.deepEqual(after.total, { views: 1, submissions: 3 });
      assert.deepEqual(json(await api('GET', `/api/v1/pages/${p.id}/counts`)).data.total, { views: 1, submissions: 1 });
      const rows = (await dumpDatabase(ctx.db)).page_counters as string[];
      assert.doesNotMatch(JSON.stringify(rows), /@|10\.\d+\./, 'no address, no network in the counters');
    });
  });
});
