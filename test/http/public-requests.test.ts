import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { FakeClock } from '../../src/lib/clock.ts';
import { signToken } from '../../src/lib/signed.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { LINK_QUEUE, linkKey } from '../../src/modules/dsr/requests/requests.intake.ts';
import { INTERRUPTED } from '../../src/modules/dsr/requests/requests.verification.ts';
import { runJobs } from '../helpers/jobs.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

/** Each type but access once, then access again (which joins): five cases for five types. */
const REPEATS = ['portability', 'rectification', 'erasure', 'objection', 'access', 'access'] as const;

forEachDialect('public data-subject requests', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-10T10:00:00.000Z');
  let client = 0;
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  // Each test speaks from its own client address, so the per-client limit is tested on its own.
  const answer = (payload: unknown, ip = `10.0.0.${++client}`) =>
    t.app.inject({ method: 'POST', url: '/public/v1/requests', payload: payload as object, remoteAddress: ip });
  // The answer, then the background worker's turn: the link is mailed by a job.
  const intake = async (payload: unknown, ip?: string) => {
    const res = await answer(payload, ip);
    await runJobs(t.services, [LINK_QUEUE]);
    return res;
  };
  const casesOf = (email: string) => t.services.requests.list({ email }, 500);
  const mailsTo = async (to: string) => (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to === to);
  const linkIn = async (to: string) => {
    const text = (await mailsTo(to)).at(0)?.text ?? '';
    const m = /(https?:\/\/\S+\/public\/v1\/requests\/verify\?token=(\S+))/.exec(text);
    assert.ok(m, `a link in: ${text}`);
    return { url: new URL(m[1]!), token: decodeURIComponent(m[2]!) };
  };
  const verifyPage = (token: string) =>
    t.app.inject({ method: 'GET', url: `/public/v1/requests/verify?token=${encodeURIComponent(token)}` });
  const confirm = (token: string) =>
    t.app.inject({
      method: 'POST',
      url: '/public/v1/requests/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token }).toString(),
    });
  const sameHeaders = (a: LightMyRequestResponse, b: LightMyRequestResponse) => {
    const strip = (h: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'x-request-id' && k !== 'date'));
    assert.deepEqual(strip(a.headers), strip(b.headers));
  };

  it('answers a known and an unknown address byte for byte alike, and opens a case with a link for both', async () => {
    await t.services.contacts.create({ email: 'known@example.com' });
    const known = await intake({ type: 'access', email: 'known@example.com' });
    const unknown = await intake({ type: 'access', email: 'unknown@example.com' });
    assert.equal(known.statusCode, 202);
    assert.equal(unknown.statusCode, 202);
    assert.equal(known.body, unknown.body);
    assert.deepEqual(known.rawPayload, unknown.rawPayload);
    sameHeaders(known, unknown);
    assert.match(known.headers['content-type'] as string, /^application\/json/);
    assert.equal(json(known).data.status, 'received');
    for (const email of ['known@example.com', 'unknown@example.com']) {
      const [c] = await casesOf(email);
      assert.ok(c, `a case for ${email}`);
      assert.deepEqual([c.status, c.channel, c.ownerId], ['awaiting_verification', 'public', null]);
      assert.equal((await mailsTo(email)).length, 1);
      await linkIn(email);
    }
    assert.equal((await casesOf('known@example.com'))[0]!.contactId !== null, true, 'staff see the matched contact');
  });

  it('answers before the link is mailed: a job naming only the case sends it, once', async () => {
    await t.services.contacts.create({ email: 'queued@example.com' });
    const res = await answer({ type: 'access', email: 'queued@example.com' });
    assert.equal(res.statusCode, 202);
    const [c] = await casesOf('queued@example.com');
    assert.equal(c!.status, 'received');
    assert.deepEqual(await mailsTo('queued@example.com'), [], 'not mailed before the answer');
    const jobs = await ctx.db.kysely.selectFrom('jobs').selectAll().where('queue', '=', LINK_QUEUE).execute();
    const job = jobs.find((j) => String(j.payload).includes(c!.id))!;
    assert.deepEqual(JSON.parse(String(job.payload)), { requestId: c!.id }, 'the payload names the case and nothing else');
    assert.equal(await runJobs(t.services, [LINK_QUEUE]), 1);
    assert.equal((await mailsTo('queued@example.com')).length, 1);
    assert.equal((await casesOf('queued@example.com'))[0]!.status, 'awaiting_verification');
    // A job run again (at-least-once) finds the link sent and sends nothing.
    await t.services.requestIntake.sendQueuedLink({ requestId: c!.id });
    assert.equal((await mailsTo('queued@example.com')).length, 1);
  });

  it('mails nothing twice when a link job runs again after its worker died between the mail and the case moving on', async () => {
    await answer({ type: 'access', email: 'rerun@example.com' });
    const [c] = await casesOf('rerun@example.com');
    const move = t.services.requests.move;
    t.services.requests.move = async () => {
      throw new Error('the worker was killed');
    };
    try {
      await assert.rejects(t.services.requestIntake.sendQueuedLink({ requestId: c!.id }));
    } finally {
      t.services.requests.move = move;
    }
    assert.equal((await mailsTo('rerun@example.com')).length, 1, 'the first run mailed the link');
    assert.equal((await casesOf('rerun@example.com'))[0]!.status, 'received');
    assert.equal(await runJobs(t.services, [LINK_QUEUE]), 1);
    assert.equal((await mailsTo('rerun@example.com')).length, 1, 'the run after the crash mailed nothing');
    const after = await t.services.requests.get(c!.id);
    assert.equal(after.status, 'awaiting_verification');
    assert.deepEqual(
      after.history!.filter((e) => e.status === 'awaiting_verification').map((e) => e.note),
      ['verification link sent'],
    );
  });

  it('does not mail a link again whose send was cut off by a crash; the case says it may not have arrived', async () => {
    await answer({ type: 'access', email: 'cutoff@example.com' });
    const [c] = await casesOf('cutoff@example.com');
    // What a worker killed between recording the send and the relay's answer leaves behind.
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('side_effects')
      .values({ key: linkKey(c!.id), status: 'pending', created_at: now, updated_at: now })
      .execute();
    assert.equal(await runJobs(t.services, [LINK_QUEUE]), 1);
    assert.deepEqual(await mailsTo('cutoff@example.com'), []);
    const after = await t.services.requests.get(c!.id);
    assert.equal(after.status, 'awaiting_verification');
    assert.equal(after.history!.at(-1)!.note, INTERRUPTED);
    await t.services.requestIntake.sendQueuedLink({ requestId: c!.id });
    assert.equal((await t.services.requests.get(c!.id)).history!.length, after.history!.length, 'a further run changes nothing');
  });

  it('notes a link the consent gate refuses once, however often its job runs', async () => {
    // `requested` needs level 0, so no rule refuses it today; the gate's answer is what is under test here.
    // The gated sender asks the gate for its batch (checkMany), one message being a batch of one.
    const checkMany = t.services.consent.checkMany;
    t.services.consent.checkMany = async (ids: string[]) =>
      new Map(ids.map((id) => [id, { allowed: false, reason: 'below_required_level', effectiveLevel: 0 }])) as Awaited<
        ReturnType<typeof checkMany>
      >;
    try {
      await t.services.contacts.create({ email: 'refused@example.com' });
      await answer({ type: 'access', email: 'refused@example.com' });
      const [c] = await casesOf('refused@example.com');
      await t.services.requestIntake.sendQueuedLink({ requestId: c!.id });
      await t.services.requestIntake.sendQueuedLink({ requestId: c!.id });
      assert.deepEqual(await mailsTo('refused@example.com'), []);
      const notes = (await t.services.requests.get(c!.id))
        .history!.map((e) => e.note)
        .filter((n) => n?.startsWith('verification link not sent'));
      assert.deepEqual(notes, ['verification link not sent: below_required_level']);
    } finally {
      t.services.consent.checkMany = checkMany;
    }
  });

  it('shows a confirmation page that changes nothing; the POST verifies the case', async () => {
    await intake({ type: 'erasure', email: 'confirm@example.com' });
    const { url, token } = await linkIn('confirm@example.com');
    assert.equal(url.origin, 'http://localhost:8080', 'the publicBaseUrl setting');
    const before = await dumpDatabase(ctx.db);
    const page = await t.app.inject({ method: 'GET', url: url.pathname + url.search });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html; charset=utf-8/);
    const csp = page.headers['content-security-policy'] as string;
    for (const d of ["default-src 'none'", "style-src 'unsafe-inline'", "form-action 'self'"]) assert.ok(csp.includes(d), d);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.match(page.body, /<form method="post" action="verify">/);
    assert.ok(page.body.includes(`name="token" value="${token}"`));
    assert.doesNotMatch(page.body, /<script|confirm@example\.com/);
    await verifyPage(token);
    assert.deepEqual(await dumpDatabase(ctx.db), before, 'opening the link (twice) wrote nothing');

    const done = await confirm(token);
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Request confirmed/);
    const [c] = await casesOf('confirm@example.com');
    assert.equal(c!.status, 'verified');
    assert.equal(c!.verifiedAt, clock.now().toISOString());
    const history = (await t.services.requests.get(c!.id)).history!;
    assert.deepEqual(history.at(-1), {
      at: clock.now().toISOString(),
      status: 'verified',
      actorType: 'requester',
      actorId: null,
      note: 'address confirmed through the emailed link',
    });
    const again = await confirm(token);
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /already confirmed/);
    assert.equal((await t.services.requests.get(c!.id)).history!.length, history.length, 'a second POST changes nothing');
  });

  it('refuses forged, altered, expired, wrong-purpose and missing tokens with one page that gives no hint', async () => {
    await intake({ type: 'access', email: 'links@example.com' });
    const { token } = await linkIn('links@example.com');
    const [c] = await casesOf('links@example.com');
    const key = await t.services.secret.key();
    const [p, s, e, sig] = token.split('.') as [string, string, string, string];
    const bad = {
      forged: signToken(Buffer.alloc(32, 1), 'dsr-verify', c!.id, new Date(clock.now().getTime() + 3600_000)),
      altered: `${p}.${s}.${(parseInt(e, 36) + 1000).toString(36)}.${sig}`,
      otherCase: `${p}.${Buffer.from('01900000-0000-7000-8000-000000000000').toString('base64url')}.${e}.${sig}`,
      wrongPurpose: signToken(key, 'export-download', c!.id, new Date(clock.now().getTime() + 3600_000)),
      malformed: 'not-a-token',
      empty: '',
    };
    const before = await dumpDatabase(ctx.db);
    const bodies = new Set<string>();
    for (const [name, tok] of Object.entries(bad)) {
      for (const res of [await verifyPage(tok), await confirm(tok)]) {
        assert.equal(res.statusCode, 400, name);
        assert.match(res.headers['content-type'] as string, /^text\/html/);
        bodies.add(res.body);
      }
    }
    const missing = await t.app.inject({ method: 'GET', url: '/public/v1/requests/verify' });
    assert.equal(missing.statusCode, 400);
    bodies.add(missing.body);
    const noBody = await t.app.inject({ method: 'POST', url: '/public/v1/requests/verify' });
    assert.equal(noBody.statusCode, 400);
    bodies.add(noBody.body);
    assert.equal(bodies.size, 1, 'every refusal is the same page');
    assert.deepEqual(await dumpDatabase(ctx.db), before);

    clock.advance(49 * 3600_000);
    try {
      assert.equal((await verifyPage(token)).statusCode, 400, 'expired after 48 hours');
      const expired = await confirm(token);
      assert.equal(expired.statusCode, 400);
      assert.ok(bodies.has(expired.body));
      assert.equal((await casesOf('links@example.com'))[0]!.status, 'awaiting_verification');
    } finally {
      clock.advance(-49 * 3600_000);
    }
  });

  it('releases and deletes nothing before verification', async () => {
    const contact = await t.services.contacts.create({ email: 'careful@example.com', firstName: 'Cara' });
    for (const type of ['erasure', 'access', 'objection'] as const) await intake({ type, email: 'careful@example.com' });
    const cases = await casesOf('careful@example.com');
    assert.equal(cases.length, 3);
    const before = await dumpDatabase(ctx.db);
    for (const c of cases) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/requests/${c.id}/fulfil`, headers: t.auth('admin'), payload: {} });
      assert.equal(res.statusCode, 409);
      assert.equal(json(res).error.code, 'request_not_verified');
    }
    assert.deepEqual(await dumpDatabase(ctx.db), before, 'no export, no erasure, no consent change');
    assert.equal((await t.services.contacts.get(contact.id)).firstName, 'Cara');
    const mails = await mailsTo('careful@example.com');
    assert.equal(mails.length, 3);
    for (const m of mails) assert.doesNotMatch(m.text ?? '', /Cara|export/i, 'the link mail holds no personal data');
  });

  it('after confirmation, an erasure leaves no trace of the address, the link mail included', async () => {
    const contact = await t.services.contacts.create({ email: 'gone@example.com', lastName: 'Gone' });
    await intake({ type: 'erasure', email: 'gone@example.com' });
    assert.equal((await confirm((await linkIn('gone@example.com')).token)).statusCode, 200);
    const [c] = await casesOf('gone@example.com');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/requests/${c!.id}/fulfil`,
      headers: t.auth('privacy_officer'),
      payload: {},
    });
    assert.equal(res.statusCode, 200, res.body);
    const done = json(res).data;
    assert.deepEqual([done.status, done.email, done.contactId, done.flagged], ['completed', null, null, false]);
    const dump = JSON.stringify(await dumpDatabase(ctx.db));
    assert.ok(!dump.includes('gone@example.com') && !dump.includes(contact.id), 'neither the address nor the contact id is left anywhere');
  });

  it('lets a bot that fills the honeypot believe it succeeded, and records nothing', async () => {
    const ok = await intake({ type: 'access', email: 'real@example.com' });
    const bot = await intake({ type: 'access', email: 'bot@example.com', website: 'http://spam.example' });
    assert.equal(bot.statusCode, 202);
    assert.equal(bot.body, ok.body);
    assert.deepEqual(await casesOf('bot@example.com'), []);
    assert.deepEqual(await mailsTo('bot@example.com'), []);
  });

  it('limits each address quietly: the same answer, and no more cases or mail', async () => {
    const first = await intake({ type: 'access', email: 'flood@example.com' });
    for (let i = 0; i < 6; i++) {
      const res = await intake({ type: REPEATS[i % REPEATS.length]!, email: 'flood@example.com' });
      assert.equal(res.statusCode, 202);
      assert.equal(res.body, first.body);
      sameHeaders(res, first);
    }
    assert.equal((await casesOf('flood@example.com')).length, 5);
    assert.equal((await mailsTo('flood@example.com')).length, 5);
  });

  it('limits each client openly with 429 and Retry-After', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 20; i++) assert.equal((await intake({ type: 'objection', email: `c${i}@example.com` }, ip)).statusCode, 202);
    const over = await intake({ type: 'objection', email: 'c20@example.com' }, ip);
    assert.equal(over.statusCode, 429);
    assert.equal(json(over).error.code, 'rate_limited');
    assert.ok(Number(over.headers['retry-after']) > 0);
    assert.deepEqual(await casesOf('c20@example.com'), []);
    assert.equal(
      (await intake({ type: 'objection', email: 'c20@example.com' }, '192.0.2.78')).statusCode,
      202,
      'another client is unaffected',
    );
  });

  it('validates strictly and keeps bodies small', async () => {
    const before = await dumpDatabase(ctx.db);
    const cases: [unknown, number, string][] = [
      [{ type: 'delete-everything', email: 'v@example.com' }, 400, 'validation_failed'],
      [{ type: 'access', email: 'nobody' }, 400, 'validation_failed'],
      [{ type: 'access' }, 400, 'validation_failed'],
      [{ type: 'access', email: 'v@example.com', admin: true }, 400, 'validation_failed'],
      [{ type: 'access', email: 'v@example.com', website: 'x'.repeat(5000) }, 413, 'payload_too_large'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/public/v1/requests', payload: payload as object, remoteAddress: '10.1.1.1' });
      assert.equal(res.statusCode, status, JSON.stringify(payload).slice(0, 80));
      assert.equal(json(res).error.code, code);
    }
    for (const [payload, status, code] of [
      ['type=access&email=v%40example.com&email=w%40example.com', 400, 'validation_failed'],
      ['type=access&email=v%40example.com&admin=1', 400, 'validation_failed'],
      ['type=wipe&email=v%40example.com', 400, 'validation_failed'],
      ['type=access', 400, 'validation_failed'],
      [`type=access&email=v%40example.com&website=${'x'.repeat(5000)}`, 413, 'payload_too_large'],
    ] as const) {
      const form = await t.app.inject({
        method: 'POST',
        url: '/public/v1/requests',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload,
        remoteAddress: '10.1.1.1',
      });
      assert.equal(form.statusCode, status, payload.slice(0, 80));
      assert.equal(json(form).error.code, code);
    }
    const text = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      headers: { 'content-type': 'text/plain' },
      payload: 'type=access&email=v%40example.com',
    });
    assert.equal(text.statusCode, 415, 'JSON or a form, nothing else');
    const bigForm = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${'a'.repeat(5000)}`,
    });
    assert.equal(bigForm.statusCode, 413);
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });
});
