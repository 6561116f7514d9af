import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { expectedAnswer } from '../helpers/consent-rule.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { CALLERS, type Caller } from '../../src/modules/consent/gate.rule.ts';
import { DEFAULT_SETTINGS } from '../../src/modules/settings/settings.defaults.ts';

// Every built-in purpose and an installation's own; every caller of the union, and none.
const PURPOSES: Record<string, number> = { ...DEFAULT_SETTINGS.purposes, credit_decision: 5 };
const ASKERS: (Caller | undefined)[] = [undefined, ...CALLERS];
const TEN_YEARS_AGO = () => new Date(Date.now() - 10 * 366 * 86400_000).toISOString().slice(0, 10);

forEachDialect('consent API', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    payload?: unknown,
    role: 'admin' | 'privacy_officer' | 'marketer' | 'viewer' = 'privacy_officer',
  ) => t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('the gate answers as the rule says for every level × purpose × child and guardian state × switch × caller', async () => {
    const patched = await call('PATCH', '/api/v1/settings', { purposes: PURPOSES }, 'admin');
    assert.equal(patched.statusCode, 200, patched.body);
    const guardian = json(await call('POST', '/api/v1/contacts', { email: 'guardian@example.com' })).data;
    const states: { id: string; storedLevel: number; child: boolean; guardianConsent: boolean }[] = [];
    let i = 0;
    for (let level = 0; level <= 5; level++) {
      for (const kind of ['adult', 'flagged', 'born'] as const) {
        for (const guardianConsent of kind === 'adult' ? [false] : [false, true]) {
          const body = {
            email: `state${i++}@example.com`,
            ...(kind === 'flagged' ? { isChild: true } : {}),
            ...(kind === 'born' ? { birthDate: TEN_YEARS_AGO() } : {}),
            ...(kind !== 'adult' ? { guardianId: guardian.id } : {}),
          };
          const c = json(await call('POST', '/api/v1/contacts', body)).data;
          if (level > 0) assert.equal((await call('PUT', `/api/v1/contacts/${c.id}/consent`, { level, source: 'admin' })).statusCode, 200);
          if (guardianConsent)
            assert.equal(
              (
                await call('PUT', `/api/v1/contacts/${c.id}/guardian-consent`, {
                  granted: true,
                  source: 'admin',
                  notice: 'Parent agreed on paper form v2',
                })
              ).statusCode,
              200,
            );
          states.push({ id: c.id, storedLevel: level, child: kind !== 'adult', guardianConsent });
        }
      }
    }
    let compared = 0;
    for (const dataProtection of [true, false]) {
      assert.equal((await call('PATCH', '/api/v1/settings', { dataProtectionEnabled: dataProtection }, 'admin')).statusCode, 200);
      for (const [purpose, required] of Object.entries(PURPOSES)) {
        for (const caller of ASKERS) {
          const res = await call(
            'POST',
            '/api/v1/consent/check',
            { contactIds: states.map((s) => s.id), purpose, ...(caller ? { caller } : {}) },
            'marketer',
          );
          assert.equal(res.statusCode, 200, res.body);
          const answers = new Map(
            (json(res).data as { contactId: string; allowed: boolean; reason: string; effectiveLevel: number }[]).map((a) => [
              a.contactId,
              a,
            ]),
          );
          for (const s of states) {
            const { contactId, ...got } = answers.get(s.id)!;
            assert.deepEqual(
              got,
              expectedAnswer(s, { purpose, required, dataProtection, ...(caller ? { caller } : {}) }),
              `${JSON.stringify(s)} ${purpose} dp=${dataProtection} ${caller}`,
            );
            compared++;
          }
        }
        // The single-contact route agrees with the batch one.
        const s = states[states.length - 1]!;
        const one = json(await call('GET', `/api/v1/contacts/${s.id}/consent/check?purpose=${purpose}`, undefined, 'viewer')).data;
        assert.deepEqual(one, expectedAnswer(s, { purpose, required, dataProtection }));
      }
    }
    assert.equal(compared, states.length * Object.keys(PURPOSES).length * 2 * ASKERS.length);
    await call('PATCH', '/api/v1/settings', { dataProtectionEnabled: true }, 'admin');
  });

  it('an unknown purpose is refused with a code; built-in purposes cannot be removed and requested stays at 0', async () => {
    const c = json(await call('POST', '/api/v1/contacts', { email: 'purpose@example.com' })).data;
    const res = await call('GET', `/api/v1/contacts/${c.id}/consent/check?purpose=telepathy`);
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).error.code, 'unknown_purpose');
    assert.equal((await call('PATCH', '/api/v1/settings', { purposes: { marketing: 4 } }, 'admin')).statusCode, 400);
    assert.equal((await call('PATCH', '/api/v1/settings', { purposes: { ...PURPOSES, requested: 2 } }, 'admin')).statusCode, 400);
  });

  it('a caller is one of the product’s callers: any other name is refused, on both gate routes', async () => {
    const c = json(await call('POST', '/api/v1/contacts', { email: 'caller@example.com' })).data;
    for (const caller of ['journeys', 'Journey', 'newsletter', '']) {
      const one = await call('GET', `/api/v1/contacts/${c.id}/consent/check?purpose=requested&caller=${encodeURIComponent(caller)}`);
      assert.equal(one.statusCode, 400, `${caller}: ${one.body}`);
      assert.equal(json(one).error.code, 'validation_failed');
      const many = await call('POST', '/api/v1/consent/check', { contactIds: [c.id], purpose: 'requested', caller }, 'marketer');
      assert.equal(many.statusCode, 400, `${caller}: ${many.body}`);
      assert.equal(json(many).error.code, 'validation_failed');
    }
    for (const caller of CALLERS)
      assert.equal((await call('GET', `/api/v1/contacts/${c.id}/consent/check?purpose=requested&caller=${caller}`)).statusCode, 200);
  });

  it(
    'records every change with its notice and evidence, answers the ' + 'level at a past time, and keeps recording with the switch off',
    async () => {
      const c = json(await call('POST', '/api/v1/contacts', { email: 'history@example.com' })).data;
      const notice = json(await call('POST', '/api/v1/notices', { text: 'Newsletter sign-up, form v3: “I want offers.”' })).data;
      const r1 = await call('PUT', `/api/v1/contacts/${c.id}/consent`, {
        level: 4,
        source: 'form',
        notice: { id: notice.id },
        evidence: { ip: '192.0.2.155', userAgent: 'Firefox/140' },
      });
      assert.equal(r1.statusCode, 200, r1.body);
      const first = json(r1).data.entry;
      assert.equal(first.notice.text, notice.text);
      assert.equal(first.evidence.ip, '192.0.2.0');
      assert.equal(first.actorType, 'api_key');
      await new Promise((r) => setTimeout(r, 5));
      const between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await call('PATCH', '/api/v1/settings', { dataProtectionEnabled: false }, 'admin');
      await call('PUT', `/api/v1/contacts/${c.id}/consent`, { level: 1, source: 'api' });
      await call('PATCH', '/api/v1/settings', { dataProtectionEnabled: true }, 'admin');
      const history = json(await call('GET', `/api/v1/contacts/${c.id}/consent/history`)).data;
      assert.deepEqual(
        history.map((e: { oldValue: number; newValue: number; source: string }) => [e.oldValue, e.newValue, e.source]),
        [
          [0, 4, 'form'],
          [4, 1, 'api'],
        ],
      );
      const then = json(await call('GET', `/api/v1/contacts/${c.id}/consent?at=${encodeURIComponent(between)}`)).data;
      assert.equal(then.level, 4);
      assert.equal(then.entry.id, first.id);
      const before = json(await call('GET', `/api/v1/contacts/${c.id}/consent?at=2000-01-01T00:00:00Z`)).data;
      assert.deepEqual(before, { level: 0, entry: null });
      assert.equal(json(await call('GET', `/api/v1/contacts/${c.id}`)).data.consentLevel, 1);
      const unknownNotice = await call('PUT', `/api/v1/contacts/${c.id}/consent`, {
        level: 2,
        source: 'api',
        notice: { id: '01900000-0000-7000-8000-000000000000' },
      });
      assert.equal(unknownNotice.statusCode, 404);
      assert.equal(json(await call('GET', `/api/v1/contacts/${c.id}`)).data.consentLevel, 1, 'a refused change changes nothing');
      const badSource = await call('PUT', `/api/v1/contacts/${c.id}/consent`, { level: 2, source: 'telepathy' });
      assert.equal(badSource.statusCode, 400);
      assert.equal(json(await call('GET', '/api/v1/consent/verify')).data.ok, true);
    },
  );

  it('guardian consent needs a linked guardian; children get at most level 4 and are never profiled', async () => {
    const adult = json(await call('POST', '/api/v1/contacts', { email: 'lonely@example.com' })).data;
    assert.equal((await call('PUT', `/api/v1/contacts/${adult.id}/guardian-consent`, { granted: true, source: 'admin' })).statusCode, 400);
    const parent = json(await call('POST', '/api/v1/contacts', { email: 'mum@example.com' })).data;
    const kid = json(await call('POST', '/api/v1/contacts', { email: 'teen@example.com', isChild: true, guardianId: parent.id })).data;
    await call('PUT', `/api/v1/contacts/${kid.id}/consent`, { level: 5, source: 'form' });
    const check = (purpose: string) => call('GET', `/api/v1/contacts/${kid.id}/consent/check?purpose=${purpose}`).then((r) => json(r).data);
    assert.deepEqual(await check('transactional'), { allowed: false, reason: 'child_without_guardian_consent', effectiveLevel: 0 });
    assert.deepEqual(await check('requested'), { allowed: true, reason: 'allowed', effectiveLevel: 0 });
    await call('PUT', `/api/v1/contacts/${kid.id}/guardian-consent`, { granted: true, source: 'admin' });
    assert.deepEqual(await check('marketing'), { allowed: true, reason: 'allowed', effectiveLevel: 4 });
    assert.deepEqual(await check('profiling'), { allowed: false, reason: 'child_never_profiled', effectiveLevel: 4 });
    const kinds = json(await call('GET', `/api/v1/contacts/${kid.id}/consent/history`)).data.map((e: { kind: string }) => e.kind);
    // The child state it was created with comes first: the ledger alone says it was a child.
    assert.deepEqual(kinds, ['child_flag', 'guardian', 'level', 'guardian_consent']);
  });

  it('list joins and leaves are ledger entries; joining twice records nothing', async () => {
    const c = json(await call('POST', '/api/v1/contacts', { email: 'lists@example.com' }, 'marketer')).data;
    const list = json(await call('POST', '/api/v1/lists', { name: 'Product news', description: 'Monthly' }, 'marketer')).data;
    assert.equal((await call('POST', '/api/v1/lists', { name: 'Product news' }, 'marketer')).statusCode, 409);
    for (let k = 0; k < 2; k++) {
      const j = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/contacts/${c.id}/lists/${list.id}`,
        headers: t.auth('marketer'),
        payload: { source: 'form', notice: 'Tick box: product news' },
      });
      assert.equal(j.statusCode, 200);
      assert.equal(json(j).data.changed, k === 0);
    }
    assert.deepEqual(
      json(await call('GET', `/api/v1/contacts/${c.id}/lists`, undefined, 'viewer')).data.map((m: { name: string }) => m.name),
      ['Product news'],
    );
    const lists = json(await call('GET', '/api/v1/lists', undefined, 'viewer')).data;
    assert.equal(lists.find((l: { id: string }) => l.id === list.id).members, 1);
    const leave = await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}/lists/${list.id}`, headers: t.auth('marketer') });
    assert.equal(leave.statusCode, 204);
    const history = json(await call('GET', `/api/v1/contacts/${c.id}/consent/history`)).data;
    assert.deepEqual(
      history.map((e: { kind: string; listId: string }) => [e.kind, e.listId]),
      [
        ['list_join', list.id],
        ['list_leave', list.id],
      ],
    );
    assert.equal(history[0].notice.text, 'Tick box: product news');
  });
});
