import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { can } from '../../src/http/access.ts';
import { ROLES, type Role } from '../../src/modules/users/users.model.ts';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

const system = { type: 'system' as const, id: null };
const BASE = 'https://privacy.example.com';

/** Every link with a token in a text, as the mail holds it (the service's own, unredacted read). */
function linksIn(text: string): { url: string; token: string }[] {
  return [...text.matchAll(/https?:\/\/[^\s"'<>]+[?&]token=([^\s"'<>&]+)/g)].map((m) => ({ url: m[0], token: decodeURIComponent(m[1]!) }));
}

/**
 * Bearer links (data-request verification, access-export downloads) are kept in the outbox and
 * in the person's messages. No route may hand a working one to a role that may not use it:
 * the outbox is the admin's development aid and shows links redacted, and every other route is
 * read by every role allowed to read it and searched for the tokens' signatures.
 */
forEachDialect('bearer links never leave through the API', (ctx) => {
  let t: TestApp;
  let contactId: string;
  let requestId: string;
  let tokens: string[];
  let outboxIds: string[];

  before(async () => {
    t = await testApp(ctx.db);
    await t.services.settings.patch({ publicBaseUrl: BASE });
    contactId = (await t.services.contacts.create({ email: 'ana@example.com', firstName: 'Ana' })).id;
    // Ana asks for her data on the public page; she confirms by the emailed link; staff fulfil.
    const intake = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      payload: { type: 'access', email: 'ana@example.com' },
    });
    assert.equal(intake.statusCode, 202);
    // A stranger's request stays unconfirmed: its link is live.
    await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      payload: { type: 'erasure', email: 'stranger@example.com' },
      remoteAddress: '10.0.0.9',
    });
    await runJobs(t.services, [LINK_QUEUE]);
    const verifyMail = (await t.services.mail.listOutbox({ limit: 500 })).items.find((m) => m.to === 'ana@example.com')!;
    const [verify] = linksIn(verifyMail.text ?? '');
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: verify!.token }).toString(),
    });
    assert.equal(confirmed.statusCode, 200);
    requestId = (await t.services.requests.list({ email: 'ana@example.com' }, 10))[0]!.id;
    const fulfilled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/requests/${requestId}/fulfil`,
      headers: t.auth('privacy_officer'),
      payload: {},
    });
    assert.equal(fulfilled.statusCode, 200, fulfilled.body);
    assert.doesNotMatch(fulfilled.body, /token=/, 'the fulfilment answer names no link');
    // A staff-opened, unverified case mails a link too.
    const staff = await t.app.inject({
      method: 'POST',
      url: '/api/v1/requests',
      headers: t.auth('privacy_officer'),
      payload: { type: 'access', email: 'carl@example.com' },
    });
    assert.equal(staff.statusCode, 201, staff.body);
    assert.doesNotMatch(staff.body, /token=/);

    const mails = (await t.services.mail.listOutbox({ limit: 500 })).items;
    outboxIds = mails.map((m) => m.id);
    tokens = mails.flatMap((m) => [m.subject, m.text ?? '', m.html ?? ''].flatMap((x) => linksIn(x).map((l) => l.token)));
    // Two verification links (Ana, the stranger), Carl's, and Ana's download link at least.
    assert.ok(tokens.length >= 4, `tokens: ${tokens.length}`);
  });
  after(async () => t.close());

  /** The part of a token that makes it work: its signature (base64url, survives JSON, HTML and URL escaping). */
  const signatures = () => tokens.map((tok) => tok.split('.').at(-1)!);
  const assertNoToken = (body: string, what: string) => {
    for (const sig of signatures()) assert.ok(!body.includes(sig), `${what} holds a working token`);
  };

  it('the outbox is the admin’s alone', async () => {
    for (const role of ROLES) {
      for (const url of ['/api/v1/outbox', `/api/v1/outbox/${outboxIds[0]}`]) {
        const res = await t.app.inject({ method: 'GET', url, headers: t.auth(role) });
        assert.equal(res.statusCode, role === 'admin' ? 200 : 403, `${role} ${url}: ${res.body}`);
        if (role !== 'admin') assert.equal(json(res).error.code, 'forbidden');
      }
    }
  });

  it('shows the admin that a link was there, never a working copy, in every message', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/outbox?limit=500', headers: t.auth('admin') });
    assert.equal(list.statusCode, 200);
    assertNoToken(list.body, 'the outbox list');
    const items = json(list).data as { id: string; subject: string; text: string | null; html: string | null }[];
    assert.equal(items.length, outboxIds.length);
    const shown = items.map((m) => `${m.subject}\n${m.text ?? ''}\n${m.html ?? ''}`).join('\n');
    assert.match(shown, /\/public\/v1\/requests\/verify\?token=\[redacted\]/, 'the verification link is shown redacted');
    assert.match(shown, /\/public\/v1\/exports\/[0-9a-f-]{36}\?token=\[redacted\]/, 'the download link is shown redacted');
    for (const id of outboxIds) {
      const one = await t.app.inject({ method: 'GET', url: `/api/v1/outbox/${id}`, headers: t.auth('admin') });
      assert.equal(one.statusCode, 200);
      assertNoToken(one.body, `outbox item ${id}`);
    }
    // What the admin sees opens nothing.
    for (const url of shown.match(/https?:\/\/\S+token=\S+/g) ?? []) {
      const path = url.replace(BASE, '');
      const got = await t.app.inject({ method: 'GET', url: path });
      assert.ok(got.statusCode === 404 || got.statusCode === 400, `${path} answered ${got.statusCode}`);
      const posted = await t.app.inject({
        method: 'POST',
        url: '/public/v1/requests/verify',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${encodeURIComponent(new URL(url).searchParams.get('token') ?? '')}`,
      });
      assert.equal(posted.statusCode, 400);
    }
    const stranger = (await t.services.requests.list({ email: 'stranger@example.com' }, 10))[0]!;
    assert.equal(stranger.status, 'awaiting_verification', 'nobody confirmed the stranger’s request');
  });

  it('the staff copy of a person’s export holds their messages without working links', async () => {
    for (const role of ROLES) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${contactId}/export`, headers: t.auth(role) });
      if (!can(role, 'exports', 'read')) {
        assert.equal(res.statusCode, 403, role);
        continue;
      }
      assert.equal(res.statusCode, 200, `${role}: ${res.body}`);
      const doc = json(res);
      assert.ok(doc.tables.outbox.rows.length >= 2, 'the messages to her are exported');
      assert.match(JSON.stringify(doc.tables.outbox.rows), /token=\[redacted\]/);
      assertNoToken(res.body, `${role}'s export`);
    }
  });

  it('no read route gives any role a token', async () => {
    const userId = (await t.services.users.createUser({ email: 'staff@example.com', role: 'viewer', password: 'a long enough password' }))
      .id;
    const receipt = (
      await t.services.erasure.erase(
        { contactIds: [(await t.services.contacts.create({ email: 'gone@example.com' })).id] },
        { actor: system },
      )
    ).receipts[0]!.id;
    const segment = (await t.services.segments.create({ name: 'All', kind: 'dynamic', filter: { consent: { atLeast: 0 } } })).id;
    const notice = (await t.services.ledger.putNotice('Offers by email')).id;
    const entity = (
      await t.services.entities.define({
        name: 'cards',
        linked: true,
        erase: 'delete',
        fields: [{ name: 'code', type: 'text', personal: true }],
      })
    ).name;
    const record = (await t.services.entities.createRecord(entity, { contactId, fields: { code: 'X1' } })).id;
    const task = (await t.services.tasks.list({ requestId }, 1))[0]!.id;
    const hook = (await t.services.webhooks.create({ url: 'https://hooks.example.com/links', events: ['contact.created'] })).id;
    // A tracked job (admins read any): its progress and result hold counts and ids, never a link.
    const job = (await t.services.progress.enqueue('links-test', {}, { role: 'admin', type: 'system', id: null }, 1)).id;
    // An import run as a job, whose rejected lines are read as CSV.
    const importJob = (
      await t.services.imports.startJob(
        'email,firstName\nnot-an-address,Ana\n',
        { actor: system, mayChangeConsent: true },
        {
          role: 'admin',
          type: 'system',
          id: null,
        },
      )
    ).jobId;
    const listId = (await t.services.lists.create({ name: 'Links test list' })).id;
    const messageId = (
      await t.services.messages.create({ name: 'Links test message', purpose: 'transactional', subject: 'Hi', html: '<p>Hi</p>' })
    ).id;
    const campaignId = (await t.services.campaigns.start(messageId, segment, null)).id;
    const formId = (
      await t.services.forms.create({ name: 'Links test form', fields: [{ name: 'email', label: 'Email', maps: 'email', required: true }] })
    ).id;
    const pageId = (await t.services.pages.create({ type: 'landing', slug: 'links-test', title: 'Links test', formId, published: true }))
      .id;
    // A journey the contact went through, leaving a task: its path, stats, tasks and the contact's journeys have rows to show.
    const journeyId = (
      await t.services.journeys.create({
        name: 'Links test journey',
        requiredConsent: 3,
        tiles: [
          { id: 'in', type: 'start', trigger: { manual: true }, next: 'followup' },
          { id: 'followup', type: 'task', title: 'Call back', role: 'privacy_officer', next: 'out' },
          { id: 'out', type: 'end' },
        ],
      } as never)
    ).id;
    await t.services.journeys.update(journeyId, { state: 'live' });
    await t.services.consent.setLevel(contactId, 3, { source: 'admin', actor: { type: 'user', id: null } });
    assert.equal((await t.services.journeys.admit(journeyId, [contactId])).entered, 1);
    await runJobs(t.services, ['journeys.run']);
    // A lead about the contact, with a custom lead field, scored by a model: its reads answer with the person's score.
    await t.services.leadFields.define({ name: 'stage_code', label: 'Stage code', type: 'text', personal: false });
    const leadId = (await t.services.leads.create({ contactId, title: 'Links test lead', fields: { stage_code: 'S2' } })).id;
    const scoringModel = (
      await t.services.scoring.create({
        name: 'Links',
        rules: [{ name: 'Any', condition: { consent: { atLeast: 0 } }, points: 5 }],
        grades: { A: 4, B: 3, C: 2, D: 1 },
        salesReady: 5,
      })
    ).id;
    await t.services.scoring.recompute(scoringModel);
    const urls: Record<string, string> = {
      'GET /api/v1/session': '/api/v1/session',
      'GET /api/v1/settings': '/api/v1/settings',
      'GET /api/v1/settings/consent-levels': '/api/v1/settings/consent-levels',
      'GET /api/v1/stats/contacts': '/api/v1/stats/contacts',
      'GET /api/v1/stats/requests': '/api/v1/stats/requests',
      'GET /api/v1/users': '/api/v1/users',
      'GET /api/v1/users/:id': `/api/v1/users/${userId}`,
      'GET /api/v1/keys': '/api/v1/keys',
      'GET /api/v1/audit': '/api/v1/audit?limit=500',
      'GET /api/v1/audit/actors': '/api/v1/audit/actors',
      'GET /api/v1/datamap': '/api/v1/datamap',
      'GET /api/v1/datamap/report': '/api/v1/datamap/report',
      'GET /api/v1/outbox': '/api/v1/outbox?limit=500',
      'GET /api/v1/outbox/:id': `/api/v1/outbox/${outboxIds[0]}`,
      'GET /api/v1/bounces': '/api/v1/bounces',
      'GET /api/v1/undeliverable': '/api/v1/undeliverable',
      'GET /api/v1/contacts': '/api/v1/contacts',
      'GET /api/v1/contacts/:id': `/api/v1/contacts/${contactId}`,
      'GET /api/v1/contacts/duplicates': '/api/v1/contacts/duplicates',
      'GET /api/v1/contact-fields': '/api/v1/contact-fields',
      'GET /api/v1/erasures': '/api/v1/erasures',
      'GET /api/v1/erasures/:id': `/api/v1/erasures/${receipt}`,
      'GET /api/v1/requests': '/api/v1/requests?limit=500',
      'GET /api/v1/requests/:id': `/api/v1/requests/${requestId}`,
      'GET /api/v1/tasks': '/api/v1/tasks?limit=500',
      'GET /api/v1/tasks/:id': `/api/v1/tasks/${task}`,
      'GET /api/v1/contacts/:id/consent/check': `/api/v1/contacts/${contactId}/consent/check?purpose=requested`,
      'GET /api/v1/contacts/:id/consent/history': `/api/v1/contacts/${contactId}/consent/history`,
      'GET /api/v1/contacts/:id/consent': `/api/v1/contacts/${contactId}/consent`,
      'GET /api/v1/notices/:id': `/api/v1/notices/${notice}`,
      'GET /api/v1/consent/verify': '/api/v1/consent/verify',
      'GET /api/v1/lists': '/api/v1/lists',
      'GET /api/v1/lists/:listId': `/api/v1/lists/${listId}`,
      'GET /api/v1/contacts/:id/lists': `/api/v1/contacts/${contactId}/lists`,
      'GET /api/v1/interactions': `/api/v1/interactions?contact=${contactId}`,
      'GET /api/v1/stats/interactions': '/api/v1/stats/interactions',
      'GET /api/v1/segments': '/api/v1/segments',
      'GET /api/v1/segments/:id': `/api/v1/segments/${segment}`,
      'GET /api/v1/segments/:id/count': `/api/v1/segments/${segment}/count`,
      'GET /api/v1/segments/:id/members': `/api/v1/segments/${segment}/members`,
      'GET /api/v1/segments/:id/explain': `/api/v1/segments/${segment}/explain?contact=${contactId}`,
      'GET /api/v1/entities': '/api/v1/entities',
      'GET /api/v1/entities/:name': `/api/v1/entities/${entity}`,
      'GET /api/v1/entities/:name/records': `/api/v1/entities/${entity}/records`,
      'GET /api/v1/entities/:name/records/:id': `/api/v1/entities/${entity}/records/${record}`,
      'GET /api/v1/contacts/:id/export': `/api/v1/contacts/${contactId}/export`,
      'GET /api/v1/retention/preview': '/api/v1/retention/preview',
      'GET /api/v1/webhooks': '/api/v1/webhooks',
      'GET /api/v1/webhooks/event-types': '/api/v1/webhooks/event-types',
      'GET /api/v1/webhooks/:id': `/api/v1/webhooks/${hook}`,
      'GET /api/v1/webhooks/:id/deliveries': `/api/v1/webhooks/${hook}/deliveries`,
      'GET /api/v1/jobs/:id': `/api/v1/jobs/${job}`,
      'GET /api/v1/imports/:jobId/rejected': `/api/v1/imports/${importJob}/rejected`,
      'GET /api/v1/contacts/export': `/api/v1/contacts/export?segment=${segment}`,
      'GET /api/v1/sends': '/api/v1/sends',
      'GET /api/v1/campaigns': '/api/v1/campaigns',
      'GET /api/v1/campaigns/:id': `/api/v1/campaigns/${campaignId}`,
      'GET /api/v1/messages': '/api/v1/messages?limit=500',
      'GET /api/v1/messages/:id': `/api/v1/messages/${messageId}`,
      'GET /api/v1/forms': '/api/v1/forms',
      'GET /api/v1/forms/:id': `/api/v1/forms/${formId}`,
      'GET /api/v1/forms/:id/embed': `/api/v1/forms/${formId}/embed`,
      'GET /api/v1/forms/:id/counts': `/api/v1/forms/${formId}/counts`,
      'GET /api/v1/pages': '/api/v1/pages',
      'GET /api/v1/pages/:id': `/api/v1/pages/${pageId}`,
      'GET /api/v1/pages/:id/counts': `/api/v1/pages/${pageId}/counts`,
      'GET /api/v1/leads': '/api/v1/leads',
      'GET /api/v1/leads/:id': `/api/v1/leads/${leadId}`,
      'GET /api/v1/lead-fields': '/api/v1/lead-fields',
      'GET /api/v1/journeys': '/api/v1/journeys',
      'GET /api/v1/journeys/tasks': '/api/v1/journeys/tasks',
      'GET /api/v1/journeys/:id': `/api/v1/journeys/${journeyId}`,
      'GET /api/v1/journeys/:id/contacts/:contactId': `/api/v1/journeys/${journeyId}/contacts/${contactId}`,
      'GET /api/v1/journeys/:id/stats': `/api/v1/journeys/${journeyId}/stats`,
      'GET /api/v1/contacts/:id/journeys': `/api/v1/contacts/${contactId}/journeys`,
      'GET /api/v1/scoring-models': '/api/v1/scoring-models',
      'GET /api/v1/scoring-models/:id': `/api/v1/scoring-models/${scoringModel}`,
      'GET /api/v1/scoring-models/:id/recompute': `/api/v1/scoring-models/${scoringModel}/recompute`,
      'GET /api/v1/scoring-models/:id/distribution': `/api/v1/scoring-models/${scoringModel}/distribution`,
      'GET /api/v1/scoring-models/:id/leads': `/api/v1/scoring-models/${scoringModel}/leads`,
      'GET /api/v1/leads/:id/scores': `/api/v1/leads/${leadId}/scores`,
    };
    const reads = t.app.apiRoutes.filter((r) => r.method === 'GET');
    assert.deepEqual(
      reads.map((r) => `${r.method} ${r.url}`).filter((k) => !urls[k]),
      [],
      'every read route is searched',
    );
    let read = 0;
    for (const r of reads) {
      for (const role of ROLES as readonly Role[]) {
        const res = await t.app.inject({ method: 'GET', url: urls[`${r.method} ${r.url}`]!, headers: t.auth(role) });
        // A job is read by admins and the role that started it; any other role is told it does not exist (404).
        const hidden = (r.url === '/api/v1/jobs/:id' || r.url === '/api/v1/imports/:jobId/rejected') && res.statusCode === 404;
        assert.ok(
          res.statusCode === 200 || res.statusCode === 403 || hidden,
          `${role} ${r.url}: ${res.statusCode} ${res.body.slice(0, 200)}`,
        );
        if (res.statusCode === 200) read++;
        assertNoToken(res.body, `${role} ${r.url}`);
      }
    }
    assert.ok(read > 60, `only ${read} reads succeeded`);
  });
});
