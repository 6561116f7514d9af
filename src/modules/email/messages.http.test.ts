import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { newId } from '../../lib/ids.ts';
import type { Role } from '../users/users.model.ts';
import { templateRenderStep } from './template.step.ts';

const SYSTEM = { source: 'api' as const, actor: { type: 'system' as const, id: null } };
const UNKNOWN = '01938a70-2b4c-7d11-8e2f-000000000000';

const MARKETING = {
  name: 'Spring newsletter',
  purpose: 'marketing',
  subject: 'Spring is here, {{ contact.firstName | default: "friend" }}',
  html:
    '<style>p { color: red }</style><p>Hi {{ contact.firstName }} ({{ contact.shoe_size }})</p>' +
    '<a href="{{ unsubscribe_url }}">Leave</a>',
};

/** A real SMTP server that parses what it receives. */
async function startSink(): Promise<{ port: number; received: ParsedMail[]; close(): Promise<void> }> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, _session, cb) {
      simpleParser(stream).then(
        (p) => {
          received.push(p);
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

forEachDialect('messages', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
    await t.services.settings.patch({ publicBaseUrl: 'https://mail.example.com/' });
    await t.services.customFields.define({ name: 'shoe_size', type: 'number', personal: false });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role: Role = 'marketer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const create = async (body: object = MARKETING) => {
    const r = await call('POST', '/api/v1/messages', body);
    assert.equal(r.statusCode, 201, r.body);
    return json(r).data;
  };
  const errorOf = (r: Awaited<ReturnType<typeof call>>) => ({ status: r.statusCode, ...json(r).error });

  describe('writing', () => {
    it('creates, reads, changes and deletes a message; addresses are normalised, blocks kept as given', async () => {
      const list = await t.services.lists.create({ name: `News ${newId()}` });
      const blocks = { version: 1, rows: [{ type: 'heading', text: 'Hi {{ contact.firstName }}', emoji: '😀' }] };
      const m = await create({
        ...MARKETING,
        listId: list.id,
        fromName: 'The "Bakery", Inc.',
        fromEmail: ' News@Bakery.EXAMPLE.com ',
        replyTo: 'hello@example.com',
        blocks,
      });
      assert.equal(m.fromEmail, 'News@bakery.example.com');
      assert.equal(m.listId, list.id);
      assert.deepEqual(m.blocks, blocks);
      assert.equal(m.text, null);
      assert.equal(m.createdAt, m.updatedAt);
      assert.deepEqual(json(await call('GET', `/api/v1/messages/${m.id}`, undefined, 'viewer')).data, m);

      const changed = await call('PATCH', `/api/v1/messages/${m.id}`, { name: 'Spring news', listId: null, blocks: null });
      assert.equal(changed.statusCode, 200, changed.body);
      const after = json(changed).data;
      assert.deepEqual(
        { name: after.name, listId: after.listId, blocks: after.blocks, html: after.html },
        { name: 'Spring news', listId: null, blocks: null, html: m.html },
      );
      assert.ok(after.updatedAt >= m.updatedAt);

      assert.equal((await call('DELETE', `/api/v1/messages/${m.id}`)).statusCode, 204);
      assert.equal(errorOf(await call('GET', `/api/v1/messages/${m.id}`)).code, 'not_found');
      assert.equal(errorOf(await call('DELETE', `/api/v1/messages/${m.id}`)).code, 'not_found');
      assert.equal(errorOf(await call('PATCH', `/api/v1/messages/${UNKNOWN}`, { name: 'x' })).code, 'not_found');
    });

    it('refuses purpose requested, unknown purposes, unknown lists, bad addresses and oversize parts', async () => {
      const cases: [object, string][] = [
        [{ purpose: 'requested' }, '/purpose'],
        [{ purpose: 'no_such_purpose' }, '/purpose'],
        [{ listId: UNKNOWN }, '/listId'],
        [{ fromEmail: 'not an address' }, '/fromEmail'],
        [{ replyTo: 'a@b' }, '/replyTo'],
        [{ fromName: 'Bakery' }, '/fromName'],
        [{ fromName: 'Line\nbreak', fromEmail: 'a@example.com' }, '/fromName'],
        [{ name: '   ' }, '/name'],
        [{ subject: 'x'.repeat(501) }, '/subject'],
        [{ html: `${MARKETING.html}${'é'.repeat(262_144)}` }, '/html'],
        [{ text: `{{ unsubscribe_url }}${'x'.repeat(512 * 1024)}` }, '/text'],
        [{ blocks: { big: 'x'.repeat(256 * 1024) } }, '/blocks'],
      ];
      for (const [patch, path] of cases) {
        const r = await call('POST', '/api/v1/messages', { ...MARKETING, ...patch });
        const e = errorOf(r);
        assert.equal(e.status, 400, `${path}: ${r.body.slice(0, 300)}`);
        assert.equal(e.code, 'validation_failed');
        assert.ok(JSON.stringify(e.details).includes(`"${path}`), `${path}: ${JSON.stringify(e.details)}`);
      }
      assert.equal(json(await call('GET', '/api/v1/messages?q=Spring+newsletter&limit=500')).data.length, 0, 'nothing was stored');
    });

    it('answers template errors with 422 and the line and column, and stores nothing', async () => {
      const r = await call('POST', '/api/v1/messages', { ...MARKETING, html: `${MARKETING.html}\n<p>{{ contact.frist_name }}</p>` });
      assert.deepEqual(errorOf(r), {
        status: 422,
        code: 'template_invalid',
        message: json(r).error.message,
        details: { path: '/html', line: 2, column: 7, message: 'unknown variable contact.frist_name' },
      });
      const syntax = errorOf(await call('POST', '/api/v1/messages', { ...MARKETING, subject: 'Hi {{ contact.firstName ' }));
      assert.equal(syntax.code, 'template_invalid');
      assert.equal(syntax.details.path, '/subject');
      const include = errorOf(
        await call('POST', '/api/v1/messages', { ...MARKETING, text: "{{ unsubscribe_url }}{% include '/etc/passwd' %}" }),
      );
      assert.deepEqual([include.status, include.code, include.details.path], [422, 'template_invalid', '/text']);

      const leave = errorOf(await call('POST', '/api/v1/messages', { ...MARKETING, html: '<p>Buy now</p>' }));
      assert.deepEqual([leave.status, leave.code, leave.details.path], [422, 'missing_subscription_link', '/html']);
      // Transactional mail needs no leaving link.
      await create({ ...MARKETING, purpose: 'transactional', html: '<p>Your receipt</p>' });

      // A change is checked as the whole message would be: nothing stored on failure.
      const m = await create();
      const bad = await call('PATCH', `/api/v1/messages/${m.id}`, { html: '<p>{{ unsubscribe_url }}{% if %}</p>' });
      assert.equal(errorOf(bad).code, 'template_invalid');
      const drop = await call('PATCH', `/api/v1/messages/${m.id}`, { html: '<p>no link</p>' });
      assert.equal(errorOf(drop).code, 'missing_subscription_link');
      const toMarketing = await create({ ...MARKETING, purpose: 'transactional', html: '<p>Receipt</p>' });
      assert.equal(
        errorOf(await call('PATCH', `/api/v1/messages/${toMarketing.id}`, { purpose: 'subscription' })).code,
        'missing_subscription_link',
      );
      assert.deepEqual(json(await call('GET', `/api/v1/messages/${m.id}`)).data, m);
    });

    it('a template that would loop for ever is refused within the time limit, and the server keeps answering', async () => {
      const loop = '{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}';
      const started = performance.now();
      const [refused, health] = await Promise.all([
        call('POST', '/api/v1/messages', { ...MARKETING, html: `${MARKETING.html}${loop}` }),
        t.app.inject({ method: 'GET', url: '/health' }),
      ]);
      assert.deepEqual(
        [refused.statusCode, json(refused).error.code, json(refused).error.details.path],
        [422, 'template_invalid', '/html'],
      );
      assert.match(json(refused).error.details.message, /limit exceeded/);
      assert.ok(performance.now() - started < 3000, `${performance.now() - started} ms`);
      assert.equal(health.statusCode, 200);
    });

    it('lists most recently changed first, searches names without case or accents, and pages with a cursor', async () => {
      const tag = newId().slice(-6);
      const made = [];
      for (const name of [`Café ${tag} one`, `CAFE ${tag} two`, `Other ${tag}`]) made.push(await create({ ...MARKETING, name }));
      await new Promise((r) => setTimeout(r, 5));
      await call('PATCH', `/api/v1/messages/${made[0].id}`, { subject: 'Changed {{ contact.email }}' });
      const found = json(await call('GET', `/api/v1/messages?q=${encodeURIComponent(`cafe ${tag}`)}`, undefined, 'privacy_officer'));
      assert.deepEqual(
        found.data.map((m: { id: string }) => m.id),
        [made[0].id, made[1].id],
      );
      assert.equal(found.page.total, 2);
      const first = json(await call('GET', `/api/v1/messages?q=${tag}&limit=2`));
      assert.equal(first.data.length, 2);
      assert.ok(first.page.next);
      const second = json(await call('GET', `/api/v1/messages?q=${tag}&limit=2&cursor=${first.page.next}`));
      assert.deepEqual(
        [...first.data, ...second.data].map((m: { id: string }) => m.id),
        [made[0].id, made[2].id, made[1].id],
      );
      assert.equal(second.page.next, null);
      assert.equal(errorOf(await call('GET', '/api/v1/messages?cursor=bm9wZQ')).code, 'invalid_cursor');
    });

    it('marketers and admins write; privacy officers and viewers read', async () => {
      const m = await create();
      for (const role of ['viewer', 'privacy_officer'] as const) {
        assert.equal((await call('POST', '/api/v1/messages', MARKETING, role)).statusCode, 403);
        assert.equal((await call('PATCH', `/api/v1/messages/${m.id}`, { name: 'x' }, role)).statusCode, 403);
        assert.equal((await call('DELETE', `/api/v1/messages/${m.id}`, undefined, role)).statusCode, 403);
        assert.equal((await call('GET', `/api/v1/messages/${m.id}`, undefined, role)).statusCode, 200);
      }
      assert.equal((await call('PATCH', `/api/v1/messages/${m.id}`, { name: 'By admin' }, 'admin')).statusCode, 200);
      const audit = await t.services.audit.list({ action: 'message.update', targetId: m.id }, 10);
      assert.deepEqual(
        audit.map((a) => [a.outcome, a.targetType]),
        [
          ['ok', 'message'],
          ['denied', 'message'],
          ['denied', 'message'],
        ],
      );
    });

    it('a message that sends or a campaign name cannot be deleted (409 message_in_use)', async () => {
      const now = new Date().toISOString();
      const sent = await create();
      const c = await t.services.contacts.create({ email: `in-use-${newId()}@example.com` });
      await ctx.db.kysely
        .insertInto('sends')
        .values({
          id: newId(),
          message_id: sent.id,
          contact_id: c.id,
          origin: `direct:${newId()}`,
          campaign_id: null,
          purpose: 'marketing',
          status: 'refused',
          reason: 'level_too_low',
          tracked: 0,
          attempts: 0,
          not_before: null,
          smtp_message_id: null,
          queued_at: now,
          sent_at: null,
          updated_at: now,
        })
        .execute();
      const campaigned = await create();
      await ctx.db.kysely
        .insertInto('campaigns')
        .values({
          id: newId(),
          message_id: campaigned.id,
          segment_id: newId(),
          status: 'preparing',
          recipients: 0,
          created_by: null,
          created_at: now,
          started_at: null,
          ended_at: null,
        })
        .execute();
      for (const m of [sent, campaigned]) {
        const r = await call('DELETE', `/api/v1/messages/${m.id}`);
        assert.deepEqual([r.statusCode, json(r).error.code], [409, 'message_in_use']);
        assert.equal((await call('GET', `/api/v1/messages/${m.id}`)).statusCode, 200);
      }
    });
  });

  describe('preview', () => {
    it("renders with the contact's fields and gives the gate's answer and the tracking decision", async () => {
      const m = await create();
      const expect = [
        { level: 4, allowed: true, reason: 'allowed', tracking: false },
        { level: 5, allowed: true, reason: 'allowed', tracking: true },
        { level: 3, allowed: false, tracking: false },
      ];
      for (const e of expect) {
        const c = await t.services.contacts.create({
          email: `p${e.level}-${newId()}@example.com`,
          firstName: '<script>alert(1)</script> {{ 7*7 }}',
          customFields: { shoe_size: 41 },
        });
        await t.services.consent.setLevel(c.id, e.level, SYSTEM);
        const r = await call('POST', `/api/v1/messages/${m.id}/preview`, { contactId: c.id }, 'viewer');
        assert.equal(r.statusCode, 200, r.body);
        const p = json(r).data;
        assert.equal(p.gate.allowed, e.allowed, `level ${e.level}`);
        if (e.reason) assert.equal(p.gate.reason, e.reason);
        assert.equal(p.gate.effectiveLevel, e.level);
        assert.equal(p.tracking, e.tracking, `level ${e.level}`);
        assert.equal(p.subject, 'Spring is here, <script>alert(1)</script> {{ 7*7 }}');
        assert.equal(
          p.html,
          '<p style="color: red;">Hi &lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} (41)</p>' +
            '<a href="https://mail.example.com/public/v1/email/unsubscribe/preview">Leave</a>',
        );
        assert.match(p.text, /^Hi <script>alert\(1\)<\/script> \{\{ 7\*7 \}\} \(41\)/);
        assert.match(p.text, /Leave \[https:\/\/mail\.example\.com\/public\/v1\/email\/unsubscribe\/preview\]/);
        const audit = await t.services.audit.list({ action: 'message.preview', targetId: c.id }, 10);
        assert.deepEqual(
          audit.map((a) => a.targetType),
          ['contact'],
          'the preview is an audit entry naming the contact',
        );
      }
      const unknown = await call('POST', `/api/v1/messages/${m.id}/preview`, { contactId: UNKNOWN });
      assert.equal(errorOf(unknown).code, 'not_found');
    });

    it('a child is never tracked, and without guardian consent is refused', async () => {
      const m = await create();
      const guardian = await t.services.contacts.create({ email: `g-${newId()}@example.com` });
      await t.services.consent.setLevel(guardian.id, 5, SYSTEM);
      const child = await t.services.contacts.create({ email: `c-${newId()}@example.com`, isChild: true, guardianId: guardian.id });
      await t.services.consent.setLevel(child.id, 5, SYSTEM);
      const refused = json(await call('POST', `/api/v1/messages/${m.id}/preview`, { contactId: child.id })).data;
      assert.deepEqual([refused.gate.allowed, refused.gate.effectiveLevel, refused.tracking], [false, 0, false]);
      await t.services.consent.setGuardianConsent(child.id, true, SYSTEM);
      const capped = json(await call('POST', `/api/v1/messages/${m.id}/preview`, { contactId: child.id })).data;
      assert.deepEqual([capped.gate.allowed, capped.gate.effectiveLevel, capped.tracking], [true, 4, false]);
    });
  });

  describe('the send pipeline’s render step', () => {
    it('compiles a stored message once and renders it per recipient with the send’s links', async () => {
      const m = await create();
      const row = (await ctx.db.kysely.selectFrom('messages').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow())!;
      const render = await templateRenderStep(t.services.messages).compile(row);
      const links = {
        unsubscribe_url: 'https://mail.example.com/public/v1/email/unsubscribe/tok?a=1&b=2',
        subscription_center_url: 'https://mail.example.com/c',
        view_in_browser_url: 'https://mail.example.com/v',
        forward_url: 'https://mail.example.com/f',
      };
      const base = {
        id: newId(),
        email: 'r@example.com',
        lastName: null,
        phone: null,
        company: null,
        country: null,
        language: null,
        birthDate: null,
      };
      const out = render({ ...base, firstName: '<b>Ana</b>', customFields: { shoe_size: 38 } }, links);
      assert.equal(out.subject, 'Spring is here, <b>Ana</b>');
      assert.equal(
        out.html,
        '<p style="color: red;">Hi &lt;b&gt;Ana&lt;/b&gt; (38)</p>' +
          '<a href="https://mail.example.com/public/v1/email/unsubscribe/tok?a=1&amp;b=2">Leave</a>',
      );
      assert.match(out.text ?? '', /Leave \[https:\/\/mail\.example\.com\/public\/v1\/email\/unsubscribe\/tok\?a=1&b=2\]/);
      assert.equal(render({ ...base, firstName: null, customFields: {} }, links).subject, 'Spring is here, friend');
      // A stored marketing message without a leaving link (written around the API) is never rendered for sending.
      await assert.rejects(
        templateRenderStep(t.services.messages).compile({ ...row, html: '<p>Hello</p>' }),
        (e: { code?: string }) => e.code === 'missing_subscription_link',
      );
    });
  });

  describe('test send', () => {
    it('goes to the outbox without a relay, as the sample contact, whatever the message purpose', async () => {
      const m = await create();
      const r = await call('POST', `/api/v1/messages/${m.id}/test`, { to: 'Staff@Example.com' });
      assert.equal(r.statusCode, 202, r.body);
      const d = json(r).data;
      assert.equal(d.transport, 'outbox');
      const item = await t.services.mail.getOutboxItem(d.id);
      assert.equal(item.to, 'Staff@example.com');
      assert.equal(item.subject, '[Test] Spring is here, Sample');
      assert.match(item.html ?? '', /Hi Sample \(42\)/);
      assert.match(item.text ?? '', /unsubscribe\/preview/);
      assert.equal(errorOf(await call('POST', `/api/v1/messages/${m.id}/test`, { to: 'nope' })).code, 'validation_failed');
      assert.equal((await call('POST', `/api/v1/messages/${m.id}/test`, { to: 'a@example.com' }, 'viewer')).statusCode, 403);
    });

    it('goes through the SMTP relay as the chosen contact, with the sender, Reply-To and "[Test] " subject', async () => {
      const sink = await startSink();
      try {
        await t.services.settings.patch({ smtp: { host: '127.0.0.1', port: sink.port, secure: false, from: 'relay@example.com' } });
        const m = await create({ ...MARKETING, fromName: 'Bäckerei "Süd"', fromEmail: 'news@example.com', replyTo: 'reply@example.com' });
        // Level 0: the gate would refuse this contact marketing, but the test goes to staff, not to them.
        const c = await t.services.contacts.create({ email: `zero-${newId()}@example.com`, firstName: 'Zoë' });
        const r = await call('POST', `/api/v1/messages/${m.id}/test`, { to: 'staff@example.com', contactId: c.id });
        assert.equal(r.statusCode, 202, r.body);
        assert.equal(json(r).data.transport, 'smtp');
        assert.ok(json(r).data.messageId);
        assert.equal(sink.received.length, 1);
        const mail = sink.received[0]!;
        assert.equal(mail.subject, '[Test] Spring is here, Zoë');
        assert.deepEqual(mail.from?.value, [{ address: 'news@example.com', name: 'Bäckerei "Süd"' }]);
        assert.equal(mail.replyTo?.value[0]?.address, 'reply@example.com');
        assert.deepEqual(
          (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value.map((v) => v.address)),
          ['staff@example.com'],
        );
        assert.match(String(mail.html), /Hi Zoë \(\)/);
        assert.match(mail.text ?? '', /Hi Zoë \(\)/);
      } finally {
        await t.services.settings.patch({ smtp: null });
        // The relay's pooled connection would hold the sink open until it idles out.
        await t.services.mail.close();
        await sink.close();
      }
    });
  });
});
