import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { can, mayRaiseConsent } from '../../src/http/access.ts';
import { ROLES, type Role } from '../../src/http/principal.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const SYSTEM = { source: 'api' as const, actor: { type: 'system', id: null } };

// Issue 12 point 6: a withdrawal is part of editing a contact; raising consent needs consent write access.
forEachDialect('withdrawals by every role that edits contacts, raises only with consent write access', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());
  let n = 0;
  const person = () => t.services.contacts.create({ email: `w${n++}@example.com` });
  const put = (url: string, payload: object, role: Role) => t.app.inject({ method: 'PUT', url, headers: t.auth(role), payload });

  it('the rule as the access table states it', () => {
    const edits = ROLES.filter((r) => can(r, 'contacts', 'write'));
    assert.deepEqual([...edits].sort(), ['admin', 'marketer', 'privacy_officer']);
    assert.deepEqual(ROLES.filter(mayRaiseConsent).sort(), ['admin', 'privacy_officer']);
  });

  for (const role of ROLES) {
    const withdraws = can(role, 'contacts', 'write');
    const raises = mayRaiseConsent(role);

    it(
      `${role}: lowering the level ${withdraws ? 'is recorded' : 'is refused'}, ` + `raising it ${raises ? 'is recorded' : 'is refused'}`,
      async () => {
        const c = await person();
        await t.services.consent.setLevel(c.id, 3, SYSTEM);
        const down = await put(`/api/v1/contacts/${c.id}/consent`, { level: 1, source: 'api' }, role);
        assert.equal(down.statusCode, withdraws ? 200 : 403, down.body);
        const after1 = withdraws ? 1 : 3;
        assert.equal((await t.services.consent.levelAt(c.id, new Date(Date.now() + 1000))).level, after1);
        const up = await put(`/api/v1/contacts/${c.id}/consent`, { level: 4, source: 'api' }, role);
        assert.equal(up.statusCode, raises ? 200 : 403, up.body);
        if (!raises) assert.equal(json(up).error.code, 'forbidden');
        const history = await t.services.consent.history(c.id);
        assert.deepEqual(
          history.map((e) => [e.oldValue, e.newValue]),
          [[0, 3], ...(withdraws ? [[3, 1]] : []), ...(raises ? [[after1, 4]] : [])],
          'refused changes write nothing to the ledger',
        );
        // The same level again (a re-confirmation with its notice) is no raise.
        const same = await put(`/api/v1/contacts/${c.id}/consent`, { level: raises ? 4 : after1, source: 'api', notice: 'again' }, role);
        assert.equal(same.statusCode, withdraws ? 200 : 403, same.body);
      },
    );

    it(
      `${role}: withdrawing guardian consent ${withdraws ? 'is recorded' : 'is refused'}, granting it ` +
        `${raises ? 'is recorded' : 'is refused'}`,
      async () => {
        const g = await person();
        const kid = await t.services.contacts.create({ email: `kid${n++}@example.com`, isChild: true, guardianId: g.id });
        await t.services.consent.setGuardianConsent(kid.id, true, SYSTEM);
        const off = await put(`/api/v1/contacts/${kid.id}/guardian-consent`, { granted: false, source: 'admin' }, role);
        assert.equal(off.statusCode, withdraws ? 200 : 403, off.body);
        const on = await put(`/api/v1/contacts/${kid.id}/guardian-consent`, { granted: true, source: 'admin' }, role);
        assert.equal(on.statusCode, raises ? 200 : withdraws ? 403 : 403, on.body);
        const granted = (await t.services.contacts.get(kid.id)).guardianConsent;
        assert.equal(granted, raises ? true : !withdraws);
      },
    );

    it(`${role}: leaving a list ${withdraws ? 'is recorded' : 'is refused'}; joining follows list write access`, async () => {
      const c = await person();
      const l = await t.services.lists.create({ name: `W${n++}` });
      await t.services.lists.join(c.id, l.id, SYSTEM);
      const leave = await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}/lists/${l.id}`, headers: t.auth(role) });
      assert.equal(leave.statusCode, withdraws ? 204 : 403, leave.body);
      const join = await put(`/api/v1/contacts/${c.id}/lists/${l.id}`, {}, role);
      assert.equal(join.statusCode, can(role, 'lists', 'write') ? 200 : 403, join.body);
    });
  }

  for (const role of ROLES) {
    const withdraws = can(role, 'contacts', 'write');
    const raises = mayRaiseConsent(role);
    it(
      `${role}: in bulk, lowering ${withdraws ? 'is recorded' : 'is refused'}; contacts below the level are ` +
        `${raises ? 'raised' : withdraws ? 'counted as refused and left' : 'not reached'}; leaving a list in bulk ` +
        `${withdraws ? 'is recorded' : 'is refused'}`,
      async () => {
        const high = await person();
        const low = await person();
        await t.services.consent.setLevel(high.id, 4, SYSTEM);
        await t.services.consent.setLevel(low.id, 1, SYSTEM);
        const bulk = await t.app.inject({
          method: 'POST',
          url: '/api/v1/consent/bulk',
          headers: t.auth(role),
          payload: { contactIds: [high.id, low.id], level: 2, source: 'api' },
        });
        assert.equal(bulk.statusCode, withdraws ? 200 : 403, bulk.body);
        const levels = [(await t.services.contacts.get(high.id)).consentLevel, (await t.services.contacts.get(low.id)).consentLevel];
        assert.deepEqual(levels, withdraws ? [2, raises ? 2 : 1] : [4, 1]);
        if (withdraws) {
          const counts = json(bulk).data;
          assert.deepEqual([counts.changed, counts.refused], raises ? [2, 0] : [1, 1]);
          // A refused contact has nothing written about it.
          assert.deepEqual(
            (await t.services.consent.history(low.id)).map((e) => [e.oldValue, e.newValue]),
            raises
              ? [
                  [0, 1],
                  [1, 2],
                ]
              : [[0, 1]],
          );
        }
        const l = await t.services.lists.create({ name: `B${n++}` });
        await t.services.lists.join(high.id, l.id, SYSTEM);
        const leave = await t.app.inject({
          method: 'POST',
          url: `/api/v1/lists/${l.id}/members/remove`,
          headers: t.auth(role),
          payload: { contactIds: [high.id] },
        });
        assert.equal(leave.statusCode, withdraws ? 200 : 403, leave.body);
        if (withdraws) assert.equal(json(leave).data.removed, 1);
      },
    );
  }

  it('a "lowering" that a concurrent change made a raise is refused: the comparison is with the stored level', async () => {
    const c = await person();
    await t.services.consent.setLevel(c.id, 3, SYSTEM);
    // The marketer saw 3 and asks for 2; meanwhile the level went down to 1.
    await t.services.consent.setLevel(c.id, 1, SYSTEM);
    const r = await put(`/api/v1/contacts/${c.id}/consent`, { level: 2, source: 'api' }, 'marketer');
    assert.equal(r.statusCode, 403);
    assert.equal((await t.services.contacts.get(c.id)).consentLevel, 1);
  });
});
