import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ROLES, type Role } from '../../src/modules/users/users.model.ts';
import { assent } from '../helpers/cli.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

// The child flag, birth date, guardian link and guardian consent decide a child's consent
// (PRODUCT.md §1): on every path that writes them, only a role with consent write access may,
// through the consent module, with a ledger entry holding the old and new values.

const FIELDS = ['isChild', 'birthDate', 'guardianId', 'guardianConsent'] as const;
const PATHS = ['PATCH', 'POST', 'import', 'rectification'] as const;
type Field = (typeof FIELDS)[number];
type Path = (typeof PATHS)[number];

const CHILD_BIRTH = new Date(Date.now() - 10 * 366 * 86400_000).toISOString().slice(0, 10);
const ADULT_BIRTH = '1990-05-17';
const mayWriteConsent = (role: Role) => role === 'admin' || role === 'privacy_officer';
const SOURCE: Record<Path, string> = { PATCH: 'api', POST: 'api', import: 'import', rectification: 'data_request' };

type Change = [kind: string, old: number | string | null, new: number | string | null];

forEachDialect('child state goes through the consent module', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  let n = 0;
  const email = (tag: string) => `${tag}-${n++}@example.com`;
  const s = () => t.services;
  const sys = { source: 'admin' as const, actor: { type: 'system', id: null } };
  const effective = async (id: string) => (await s().consent.check(id, 'profiling')).effectiveLevel;
  const entries = async (id: string): Promise<unknown[][]> =>
    (await s().consent.history(id)).map((e) => [e.kind, e.oldText ?? e.oldValue, e.newText ?? e.newValue, e.source, e.actorType]);
  const childState = async (id: string) => {
    const c = await s().contacts.get(id);
    return { isChild: c.isChild, birthDate: c.birthDate, guardianId: c.guardianId, guardianConsent: c.guardianConsent };
  };
  const adult = async () => (await s().contacts.create({ email: email('guardian') })).id;

  /** The contact a case changes, as the system built it, and what the change is expected to do. */
  async function existing(field: Field): Promise<{
    id: string;
    addr: string;
    patch: Record<string, unknown>;
    csv: [string, string];
    levelBefore: number;
    levelAfter: number;
    changes: Change[];
    importChanges: Change[] | null;
  }> {
    const addr = email(`kid-${field}`);
    if (field === 'isChild') {
      const { id } = await s().contacts.create({ email: addr, isChild: true });
      await s().consent.setLevel(id, 5, sys);
      return {
        id,
        addr,
        patch: { isChild: false },
        csv: ['isChild', 'false'],
        levelBefore: 0,
        levelAfter: 5,
        changes: [['child_flag', 1, 0]],
        importChanges: [['child_flag', 1, 0]],
      };
    }
    if (field === 'birthDate') {
      const { id } = await s().contacts.create({ email: addr, birthDate: CHILD_BIRTH });
      await s().consent.setLevel(id, 5, sys);
      return {
        id,
        addr,
        patch: { birthDate: null },
        csv: ['birthDate', ADULT_BIRTH],
        levelBefore: 0,
        levelAfter: 5,
        changes: [['birth_date', CHILD_BIRTH, null]],
        importChanges: [['birth_date', CHILD_BIRTH, ADULT_BIRTH]],
      };
    }
    const g1 = await adult();
    const { id } = await s().contacts.create({ email: addr, isChild: true, guardianId: g1 });
    await s().consent.setLevel(id, 4, sys);
    if (field === 'guardianId') {
      await s().consent.setGuardianConsent(id, true, sys);
      const g2 = await adult();
      // A new guardian does not inherit the old one's consent: the child falls back to level 0.
      return {
        id,
        addr,
        patch: { guardianId: g2 },
        csv: ['guardianId', g2],
        levelBefore: 4,
        levelAfter: 0,
        changes: [
          ['guardian', g1, g2],
          ['guardian_consent', 1, 0],
        ],
        importChanges: null,
      };
    }
    return {
      id,
      addr,
      patch: { guardianConsent: true },
      csv: ['guardianConsent', 'true'],
      levelBefore: 0,
      levelAfter: 0,
      changes: [],
      importChanges: null,
    };
  }

  const inject = (role: Role, method: 'POST' | 'PATCH', url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...t.auth(role), ...headers }, payload: payload as string });

  async function openRectification(addr: string): Promise<string> {
    const r = await inject('privacy_officer', 'POST', '/api/v1/requests', {
      type: 'rectification',
      email: addr,
      verified: true,
      note: 'Identity checked in person',
    });
    assert.equal(r.statusCode, 201, r.body);
    return json(r).data.id;
  }

  async function run(path: Exclude<Path, 'POST'>, field: Field, role: Role): Promise<void> {
    const c = await existing(field);
    const levelBefore = await effective(c.id);
    assert.equal(levelBefore, c.levelBefore, `${path} ${field}: the effective level before`);
    const stateBefore = await childState(c.id);
    const entriesBefore = (await entries(c.id)).length;
    let res: LightMyRequestResponse;
    if (path === 'PATCH') res = await inject(role, 'PATCH', `/api/v1/contacts/${c.id}`, c.patch);
    else if (path === 'import')
      res = await inject(role, 'POST', '/api/v1/imports', `email,${c.csv[0]}\n${c.addr},${c.csv[1]}\n`, { 'content-type': 'text/csv' });
    else res = await inject(role, 'POST', `/api/v1/requests/${await openRectification(c.addr)}/fulfil`, { changes: c.patch });
    const label = `${path} ${field} as ${role}: ${res.statusCode} ${res.body.slice(0, 300)}`;

    const expected = path === 'import' ? c.importChanges : field === 'guardianConsent' ? null : c.changes;
    const contactsWriter = role !== 'viewer';
    const routeAllows = path === 'rectification' ? mayWriteConsent(role) : contactsWriter;
    if (expected && mayWriteConsent(role)) {
      assert.equal(res.statusCode, 200, label);
      assert.deepEqual(
        (await entries(c.id)).slice(entriesBefore),
        expected.map((x) => [...x, SOURCE[path], 'api_key']),
        label,
      );
      assert.equal(await effective(c.id), c.levelAfter, label);
      return;
    }
    // Refused, or (an import's guardian columns) read-only: nothing changes, nothing is recorded.
    if (!routeAllows) assert.equal(res.statusCode, 403, label);
    else if (path === 'import' && !expected) assert.equal(res.statusCode, 200, label);
    else if (field === 'guardianConsent') assert.equal(res.statusCode, 400, label);
    else {
      assert.equal(res.statusCode, 403, label);
      assert.equal(json(res).error.code, 'forbidden', label);
      assert.ok(json(res).error.message.includes(path === 'import' ? c.csv[0] : field), `the refusal names the field: ${label}`);
    }
    if (path === 'import' && res.statusCode === 200) assert.deepEqual(json(res).data.ignoredColumns, [c.csv[0]], label);
    assert.deepEqual(await childState(c.id), stateBefore, label);
    assert.equal((await entries(c.id)).length, entriesBefore, label);
    assert.equal(await effective(c.id), levelBefore, label);
  }

  for (const path of ['PATCH', 'import', 'rectification'] as const) {
    it(`${path}: every role × every child-state field`, async () => {
      for (const field of FIELDS) for (const role of ROLES) await run(path, field, role);
    });
  }

  it('POST: every role × every child-state field; creation records the state the person starts with', async () => {
    for (const field of FIELDS) {
      for (const role of ROLES) {
        const addr = email(`new-${field}`);
        const g = await adult();
        const value = { isChild: true, birthDate: CHILD_BIRTH, guardianId: g, guardianConsent: true }[field];
        const res = await inject(role, 'POST', '/api/v1/contacts', { email: addr, [field]: value });
        const label = `POST ${field} as ${role}: ${res.statusCode} ${res.body.slice(0, 300)}`;
        if (field === 'guardianConsent') {
          assert.equal(res.statusCode, role === 'viewer' ? 403 : 400, label);
        } else if (mayWriteConsent(role)) {
          assert.equal(res.statusCode, 201, label);
          const id = json(res).data.id as string;
          const kind = { isChild: 'child_flag', birthDate: 'birth_date', guardianId: 'guardian' }[field];
          assert.deepEqual(await entries(id), [[kind, null, field === 'isChild' ? 1 : value, 'api', 'api_key']], label);
          // A new contact starts at level 0: a child state set at creation lifts nothing.
          assert.equal(await effective(id), 0, label);
          continue;
        } else {
          assert.equal(res.statusCode, 403, label);
          if (role === 'marketer') assert.ok(json(res).error.message.includes(field), label);
        }
        assert.equal(await s().contacts.findByEmail(addr), null, `nothing created: ${label}`);
      }
    }
  });

  it("the issue's reproduction: a marketer's {isChild:false, birthDate:null} is refused and audited as a denial", async () => {
    const { id } = await s().contacts.create({ email: email('repro'), isChild: true, birthDate: CHILD_BIRTH });
    await s().consent.setLevel(id, 5, sys);
    const res = await inject('marketer', 'PATCH', `/api/v1/contacts/${id}`, { isChild: false, birthDate: null });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(await effective(id), 0);
    const audit = await s().audit.list({ action: 'contact.update', targetId: id }, 10);
    assert.deepEqual(
      audit.map((a) => a.outcome),
      ['denied'],
    );
    // Profile fields alone stay the marketer's to change.
    assert.equal((await inject('marketer', 'PATCH', `/api/v1/contacts/${id}`, { firstName: 'Mia' })).statusCode, 200);
    const ok = await inject('privacy_officer', 'PATCH', `/api/v1/contacts/${id}`, { isChild: false, birthDate: null });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(await effective(id), 5);
    assert.deepEqual(
      (await entries(id)).slice(-2).map((e) => e.slice(0, 3)),
      [
        ['child_flag', 1, 0],
        ['birth_date', CHILD_BIRTH, null],
      ],
    );
  });

  it("erasing a guardian unlinks the child through the ledger and does not leave the guardian's consent behind", async () => {
    const g = await adult();
    const { id } = await s().contacts.create({ email: email('ward'), isChild: true, guardianId: g });
    await s().consent.setLevel(id, 4, sys);
    await s().consent.setGuardianConsent(id, true, sys);
    assert.equal(await effective(id), 4);
    await s().erasure.erase({ contactIds: [g] }, { actor: { type: 'system', id: null } });
    assert.deepEqual(await childState(id), { isChild: true, birthDate: null, guardianId: null, guardianConsent: false });
    assert.equal(await effective(id), 0);
    assert.deepEqual(
      (await entries(id)).slice(-2).map((e) => e.slice(0, 3)),
      [
        ['guardian', g, null],
        ['guardian_consent', 1, 0],
      ],
    );
    assert.equal((await s().ledger.verify()).ok, true);
  });

  it('the CLI import sets child state through the ledger; the ledger verifies after all of it', async () => {
    const { id, addr } = await existing('isChild');
    const dir = mkdtempSync(join(tmpdir(), 'assent-child-'));
    const file = join(dir, 'kids.csv');
    writeFileSync(file, `email,isChild,birthDate\n${addr},false,${ADULT_BIRTH}\n`);
    const r = await assent(ctx.url, 'import', 'contacts', file);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await entries(id)).slice(-2), [
      ['child_flag', 1, 0, 'import', 'cli'],
      ['birth_date', null, ADULT_BIRTH, 'import', 'cli'],
    ]);
    assert.equal(await effective(id), 5);
    const v = await assent(ctx.url, 'consent', 'verify');
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});
