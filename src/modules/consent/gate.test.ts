import assert from 'node:assert/strict';
import { it } from 'node:test';
import { expectedAnswer, ORACLE_CALLERS, ORACLE_PURPOSES } from '../../../test/helpers/consent-rule.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { newId } from '../../lib/ids.ts';
import { DEFAULT_SETTINGS } from '../settings/settings.defaults.ts';
import { CALLERS, type Caller } from './gate.rule.ts';
import { decide, gateReasonSql, gateSql, majorityCutoff, type ContactConsentState, type GateQuestion } from './gate.ts';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const CUTOFF = majorityCutoff(NOW, 16); // 2010-06-15
// Every built-in purpose and an installation's own; every caller of the union, and none (staff asking).
const PURPOSES: Record<string, number> = { ...DEFAULT_SETTINGS.purposes, credit_decision: 5 };
const ASKERS: (Caller | undefined)[] = [undefined, ...CALLERS];

const CHILD_STATES: { name: string; isChildFlag: boolean; birthDate: string | null; child: boolean }[] = [
  { name: 'adult, no birth date', isChildFlag: false, birthDate: null, child: false },
  { name: 'flagged child', isChildFlag: true, birthDate: null, child: true },
  { name: 'child by birth date', isChildFlag: false, birthDate: '2012-02-29', child: true },
  { name: 'sixteen today', isChildFlag: false, birthDate: '2010-06-15', child: false },
  { name: 'sixteen tomorrow', isChildFlag: false, birthDate: '2010-06-16', child: true },
];

function states(): (ContactConsentState & { name: string; child: boolean })[] {
  const out: (ContactConsentState & { name: string; child: boolean })[] = [];
  for (let level = 0; level <= 5; level++)
    for (const c of CHILD_STATES)
      for (const guardianConsent of [false, true])
        out.push({
          name: `${c.name}, level ${level}, guardian ${guardianConsent}`,
          storedLevel: level,
          isChildFlag: c.isChildFlag,
          birthDate: c.birthDate,
          guardianConsent,
          child: c.child,
        });
  return out;
}

function questions(): GateQuestion[] {
  const qs: GateQuestion[] = [];
  for (const [purpose, required] of Object.entries(PURPOSES))
    for (const dataProtection of [true, false])
      for (const caller of ASKERS) qs.push({ purpose, required, dataProtection, childCutoff: CUTOFF, ...(caller ? { caller } : {}) });
  return qs;
}

function expected(s: ContactConsentState & { child: boolean }, q: GateQuestion) {
  return expectedAnswer(s, q);
}

it('the majority cut-off handles leap days and month ends', () => {
  assert.equal(majorityCutoff(new Date('2026-06-15T00:00:00Z'), 16), '2010-06-15');
  assert.equal(majorityCutoff(new Date('2028-02-29T10:00:00Z'), 16), '2012-02-29');
  assert.equal(majorityCutoff(new Date('2029-03-01T10:00:00Z'), 18), '2011-03-01');
  assert.equal(majorityCutoff(new Date('2030-02-28T10:00:00Z'), 17), '2013-02-28');
});

it('decide follows the product rule for every level, purpose, child and guardian state, switch and caller', () => {
  let n = 0;
  for (const s of states())
    for (const q of questions()) {
      assert.deepEqual(decide(s, q), expected(s, q), `${s.name} / ${q.purpose} dp=${q.dataProtection} caller=${q.caller}`);
      n++;
    }
  assert.equal(n, 6 * 5 * 2 * Object.keys(PURPOSES).length * 2 * ASKERS.length);
});

it('the oracle knows exactly the rule’s callers and built-in purposes', () => {
  assert.deepEqual([...CALLERS].sort(), Object.keys(ORACLE_CALLERS).sort());
  assert.deepEqual(DEFAULT_SETTINGS.purposes, ORACLE_PURPOSES);
});

it('children are never profiled, whatever is stored and whatever the switch says', () => {
  for (const s of states().filter((x) => x.child))
    for (const dataProtection of [true, false])
      assert.equal(decide(s, { purpose: 'profiling', required: 5, dataProtection, childCutoff: CUTOFF }).allowed, false);
});

forEachDialect('the SQL predicate agrees with the row check', (ctx) => {
  it('on every state and question', async () => {
    const all = states();
    const rows = all.map((s) => ({ s, id: newId() }));
    const now = NOW.toISOString();
    await ctx.db.kysely
      .insertInto('contacts')
      .values(
        rows.map(({ s, id }, i) => ({
          id,
          email: `c${i}@example.com`,
          consent_level: s.storedLevel,
          is_child: s.isChildFlag ? 1 : 0,
          birth_date: s.birthDate,
          guardian_consent: s.guardianConsent ? 1 : 0,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    let compared = 0;
    for (const q of questions()) {
      const got = new Set(
        (await ctx.db.kysely.selectFrom('contacts').select('id').where(gateSql(q, 'contacts')).execute()).map((r) => r.id),
      );
      for (const { s, id } of rows) {
        assert.equal(got.has(id), decide(s, q).allowed, `${s.name} / ${q.purpose} dp=${q.dataProtection} caller=${q.caller}`);
        compared++;
      }
    }
    assert.equal(compared, all.length * questions().length);
  });

  it('the reason SQL gives decide’s reason on every state and question', async () => {
    const rows = await ctx.db.kysely.selectFrom('contacts').selectAll().execute();
    assert.ok(rows.length > 0);
    for (const q of questions()) {
      const got = await ctx.db.kysely
        .selectFrom('contacts')
        .select(['id', gateReasonSql(q, 'contacts').as('reason')])
        .execute();
      const byId = new Map(got.map((r) => [r.id, r.reason]));
      for (const r of rows) {
        const s = {
          storedLevel: r.consent_level,
          isChildFlag: r.is_child === 1,
          birthDate: r.birth_date,
          guardianConsent: r.guardian_consent === 1,
        };
        assert.equal(byId.get(r.id), decide(s, q).reason, `${JSON.stringify(s)} / ${q.purpose} caller=${q.caller}`);
      }
    }
  });
});

it('scoring never profiles a child, whatever level its model asks and whatever the switch says', () => {
  for (const s of states().filter((x) => x.child))
    for (let required = 0; required <= 5; required++)
      for (const dataProtection of [true, false]) {
        const a = decide(s, { purpose: 'profiling', required, dataProtection, childCutoff: CUTOFF, caller: 'scoring' });
        assert.deepEqual([a.allowed, a.reason], [false, 'child_never_profiled'], `${s.name} required ${required}`);
      }
});
