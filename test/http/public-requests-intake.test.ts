import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { FakeClock } from '../../src/lib/clock.ts';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import { ASKED_AGAIN } from '../../src/modules/dsr/requests/requests.service.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

const SITE = 'https://www.shop.example';

forEachDialect('the public intake: form posts, CORS, repeated requests, erased addresses', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-10T10:00:00.000Z');
  let client = 0;
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const post = (payload: string | object, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      headers: typeof payload === 'string' ? { 'content-type': 'application/x-www-form-urlencoded', ...headers } : headers,
      payload,
      remoteAddress: `10.9.0.${++client}`,
    });
  const form = (type: string, email: string) => new URLSearchParams({ type, email }).toString();
  const casesOf = (email: string) => t.services.requests.list({ email }, 500);
  const mailsTo = async (to: string) => (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to === to);
  const tokensIn = async (to: string) => (await mailsTo(to)).map((m) => decodeURIComponent(/verify\?token=(\S+)/.exec(m.text ?? '')![1]!));
  const confirm = (token: string) =>
    t.app.inject({
      method: 'POST',
      url: '/public/v1/requests/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token }).toString(),
    });
  const strip = (r: LightMyRequestResponse) =>
    Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'x-request-id' && k !== 'date'));
  const same = (a: LightMyRequestResponse, b: LightMyRequestResponse) => {
    assert.equal(a.statusCode, b.statusCode);
    assert.equal(a.body, b.body);
    assert.deepEqual(strip(a), strip(b));
  };

  it('takes a plain HTML form post with the answer of a JSON post, byte for byte, known address or not', async () => {
    await t.services.contacts.create({ email: 'form.known@example.com' });
    const viaJson = await post({ type: 'access', email: 'json.unknown@example.com' });
    const known = await post(form('access', 'form.known@example.com'));
    const unknown = await post(form('access', 'form.unknown@example.com'));
    assert.equal(known.statusCode, 202, known.body);
    same(known, unknown);
    same(known, viaJson);
    await runJobs(t.services, [LINK_QUEUE]);
    for (const email of ['form.known@example.com', 'form.unknown@example.com']) {
      const [c] = await casesOf(email);
      assert.deepEqual([c?.type, c?.status, c?.channel], ['access', 'awaiting_verification', 'public'], email);
      assert.equal((await mailsTo(email)).length, 1);
    }
    // The honeypot works the same in a form.
    const bot = await post(new URLSearchParams({ type: 'access', email: 'form.bot@example.com', website: 'x' }).toString());
    same(bot, unknown);
    assert.deepEqual(await casesOf('form.bot@example.com'), []);
  });

  it('validates the origins setting, and answers CORS for the allowed origins only', async () => {
    const patch = (publicFormOrigins: unknown) =>
      t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth('admin'), payload: { publicFormOrigins } });
    for (const bad of [
      ['https://shop.example/'],
      ['https://shop.example/form'],
      ['ftp://shop.example'],
      ['*'],
      ['HTTPS://SHOP.EXAMPLE'],
      [SITE, SITE],
    ]) {
      const res = await patch(bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal(json(res).error.code, 'validation_failed');
    }
    const view = async () => json(await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth('admin') })).data;
    assert.deepEqual((await view()).publicFormOrigins, [], 'none by default');
    assert.equal((await patch([SITE, 'http://localhost:3000'])).statusCode, 200);
    assert.deepEqual((await view()).publicFormOrigins, [SITE, 'http://localhost:3000']);

    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/public/v1/requests',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight(SITE);
    assert.equal(ok.statusCode, 204);
    assert.equal(ok.headers['access-control-allow-origin'], SITE);
    assert.equal(ok.headers['access-control-allow-methods'], 'POST');
    assert.equal(ok.headers['access-control-allow-headers'], 'content-type');
    assert.equal(ok.headers.vary, 'Origin');
    for (const other of ['https://evil.example', 'https://www.shop.example.evil.example', 'null']) {
      const no = await preflight(other);
      assert.equal(no.statusCode, 204);
      assert.equal(no.headers['access-control-allow-origin'], undefined, other);
      assert.equal(no.headers['access-control-allow-methods'], undefined, other);
    }

    const allowed = await post({ type: 'objection', email: 'cors@example.com' }, { origin: SITE });
    assert.equal(allowed.statusCode, 202);
    assert.equal(allowed.headers['access-control-allow-origin'], SITE);
    const refused = await post({ type: 'objection' }, { origin: SITE });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.headers['access-control-allow-origin'], SITE, 'an allowed page can read why it was refused');
    const elsewhere = await post({ type: 'objection', email: 'cors2@example.com' }, { origin: 'https://evil.example' });
    assert.equal(elsewhere.statusCode, 202);
    assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
    assert.equal(elsewhere.body, allowed.body);
    assert.equal((await patch([])).statusCode, 200);
    assert.equal((await preflight(SITE)).headers['access-control-allow-origin'], undefined, 'taken back at once');
  });

  it('joins a repeated request to the open case: no second case, one fresh link per repetition while one is awaited', async () => {
    await t.services.contacts.create({ email: 'again.known@example.com' });
    for (const email of ['again.known@example.com', 'again.unknown@example.com']) {
      // Asked twice before the first link went out: one case, one mail.
      const first = await post({ type: 'access', email });
      const second = await post({ type: 'access', email: email.toUpperCase() });
      same(first, second);
      await runJobs(t.services, [LINK_QUEUE]);
      let cases = await casesOf(email);
      assert.equal(cases.length, 1, email);
      assert.equal((await mailsTo(email)).length, 1, 'the queued link serves both');
      const id = cases[0]!.id;
      // Asked again once the link is out (it may be lost or expired): a fresh link for the same case.
      same(await post(form('access', email)), first);
      await runJobs(t.services, [LINK_QUEUE]);
      cases = await casesOf(email);
      assert.deepEqual(
        cases.map((c) => c.id),
        [id],
      );
      const tokens = await tokensIn(email);
      assert.equal(tokens.length, 2);
      const history = (await t.services.requests.get(id)).history!;
      assert.equal(history.filter((e) => e.note === ASKED_AGAIN).length, 2);
      assert.ok(history.filter((e) => e.note === ASKED_AGAIN).every((e) => e.actorType === 'requester'));
      // Either link confirms the one case.
      assert.match((await confirm(tokens[1]!)).body, /Request confirmed/);
      assert.match((await confirm(tokens[0]!)).body, /already confirmed/);
      assert.equal((await t.services.requests.get(id)).status, 'verified');
      // Once verified, a repetition joins without a mail: there is nothing left to confirm.
      same(await post({ type: 'access', email }), first);
      await runJobs(t.services, [LINK_QUEUE]);
      assert.equal((await casesOf(email)).length, 1);
      assert.equal((await mailsTo(email)).length, 2);
      // Another type is another case.
      await post({ type: 'objection', email });
      assert.deepEqual((await casesOf(email)).map((c) => c.type).sort(), ['access', 'objection']);
    }
    // Known or not, the cases look alike to the requester: the same history but for the contact staff see.
    const notes = async (email: string) =>
      (await t.services.requests.get((await casesOf(email)).find((c) => c.type === 'access')!.id)).history!.map((e) => [
        e.status,
        e.actorType,
        e.note,
      ]);
    assert.deepEqual(await notes('again.known@example.com'), await notes('again.unknown@example.com'));
  });

  it('opens a new case once the earlier one is closed', async () => {
    await post({ type: 'rectification', email: 'closed@example.com' });
    const [c] = await casesOf('closed@example.com');
    await t.services.requests.patch(c!.id, { status: 'rejected', note: 'not the person' }, { type: 'user', id: null });
    await post({ type: 'rectification', email: 'closed@example.com' });
    const cases = await casesOf('closed@example.com');
    assert.equal(cases.length, 2);
    assert.deepEqual(cases.map((x) => x.status).sort(), ['received', 'rejected']);
  });

  it('opens one case for requests of one type and address arriving together', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => post({ type: 'erasure', email: 'together@example.com' })));
    for (const a of answers) assert.equal(a.statusCode, 202);
    const cases = await casesOf('together@example.com');
    assert.equal(cases.length, 1);
    assert.equal((await t.services.requests.get(cases[0]!.id)).history!.filter((e) => e.note === ASKED_AGAIN).length, 4);
  });

  it('closes a pending case as erased when its address, held by no contact, is erased; the next request opens a new one', async () => {
    const email = 'address.only@example.com';
    await post({ type: 'access', email });
    await post({ type: 'erasure', email });
    await runJobs(t.services, [LINK_QUEUE]);
    const cases = await casesOf(email);
    assert.ok(
      cases.every((c) => c.contactId === null),
      'no contact holds the address',
    );
    const access = cases.find((c) => c.type === 'access')!;
    const erasure = cases.find((c) => c.type === 'erasure')!;
    let accessToken = '';
    for (const tok of await tokensIn(email)) if ((await t.services.requestVerification.check(tok))?.id === access.id) accessToken = tok;
    assert.ok(accessToken);
    await t.services.requests.patch(erasure.id, { status: 'verified', note: 'confirmed by phone' }, { type: 'user', id: null });
    const done = await t.app.inject({
      method: 'POST',
      url: `/api/v1/requests/${erasure.id}/fulfil`,
      headers: t.auth('privacy_officer'),
      payload: {},
    });
    assert.equal(done.statusCode, 200, done.body);
    const closed = await t.services.requests.get(access.id);
    assert.equal(closed.status, 'rejected');
    assert.equal(closed.history!.at(-1)!.note, 'erased');
    assert.equal(closed.email, null);
    assert.equal((await confirm(accessToken)).statusCode, 400, 'its link no longer works');
    // Its queued link, had it not gone yet, goes nowhere.
    await t.services.requestIntake.sendQueuedLink({ requestId: access.id });
    // Asked again after the erasure: a case of its own, not the closed one.
    await post({ type: 'access', email });
    const after = (await casesOf(email)).filter((c) => c.type === 'access');
    assert.equal(after.length, 2);
    assert.ok(after.some((c) => c.id !== access.id && c.status === 'received'));
  });
});
