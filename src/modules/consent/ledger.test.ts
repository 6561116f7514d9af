import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { assent } from '../../../test/helpers/cli.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { loadConfig } from '../../config.ts';
import { createServices, type Services } from '../../services.ts';
import type { ChangeContext } from './consent.model.ts';

async function verifyCli(url: string): Promise<{ code: number; out: string }> {
  const r = await assent(url, 'consent', 'verify');
  return { code: r.code, out: r.stdout };
}

const ctxApi: ChangeContext = { source: 'api', actor: { type: 'api_key', id: '01900000-0000-7000-8000-000000000001' } };

forEachDialect('consent ledger', (ctx) => {
  const clock = new FakeClock('2026-02-01T08:00:00.000Z');
  let s: Services;
  const services = async () => {
    s ??= createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
    return s;
  };

  it('replaying the ledger gives every stored level, and consent?at= agrees with the replay at any time', async () => {
    const s = await services();
    const contacts = await Promise.all(['a', 'b', 'c'].map((x) => s.contacts.create({ email: `replay-${x}@example.com` })));
    const list = await s.lists.create({ name: 'Replay news' });
    const step = fc.record({
      who: fc.integer({ min: 0, max: 2 }),
      what: fc.oneof(
        fc.record({
          level: fc.integer({ min: 0, max: 5 }),
          notice: fc.option(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), { nil: undefined }),
        }),
        fc.constant('join' as const),
        fc.constant('leave' as const),
      ),
      gapMs: fc.integer({ min: 1, max: 3 * 86_400_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        async (steps, probes) => {
          const start = clock.now().getTime();
          for (const st of steps) {
            clock.advance(st.gapMs);
            const id = contacts[st.who]!.id;
            if (st.what === 'join') await s.lists.join(id, list.id, ctxApi);
            else if (st.what === 'leave') await s.lists.leave(id, list.id, ctxApi);
            else if (st.what.notice !== undefined && st.what.notice.trim() === '') {
              // A blank notice is no evidence: the change is refused whole and nothing is recorded.
              await assert.rejects(
                s.consent.setLevel(id, st.what.level, { ...ctxApi, notice: st.what.notice }),
                (e: { code?: string }) => e.code === 'validation_failed',
              );
            } else
              await s.consent.setLevel(id, st.what.level, {
                ...ctxApi,
                ...(st.what.notice !== undefined ? { notice: st.what.notice } : {}),
              });
          }
          const end = clock.now().getTime();
          for (const c of contacts) {
            const history = await s.consent.history(c.id);
            const replayed = history.filter((e) => e.kind === 'level').reduce((lvl, e) => e.newValue ?? lvl, 0);
            assert.equal((await s.contacts.get(c.id)).consentLevel, replayed);
            const member = history.filter((e) => e.kind.startsWith('list_')).reduce((_m, e) => e.kind === 'list_join', false);
            assert.equal((await s.lists.memberships(c.id)).length > 0, member);
            for (const p of probes) {
              const at = new Date(start + Math.floor(p * (end - start)));
              const expected = history
                .filter((e) => e.kind === 'level' && e.at <= at.toISOString())
                .reduce((lvl, e) => e.newValue ?? lvl, 0);
              assert.equal((await s.consent.levelAt(c.id, at)).level, expected);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
    assert.equal((await s.ledger.verify()).ok, true);
  });

  it('stores each notice text once, by its hash, and minimises request evidence', async () => {
    const s = await services();
    const c = await s.contacts.create({ email: 'evidence@example.com' });
    const text = 'Ja, schickt mir Angebote. 🎉 «Datenschutz»';
    await s.consent.setLevel(c.id, 4, { ...ctxApi, notice: text, evidence: { ip: '203.0.113.77', userAgent: 'Mozilla/5.0 (X11)' } });
    await s.consent.setLevel(c.id, 2, { ...ctxApi, notice: text, evidence: { ip: '2001:db8:85a3:8d3:1319:8a2e:370:7348' } });
    const notices = await ctx.db.kysely.selectFrom('notices').selectAll().where('text', '=', text).execute();
    assert.equal(notices.length, 1);
    const h = await s.consent.history(c.id);
    assert.deepEqual(
      h.map((e) => [e.oldValue, e.newValue, e.evidence.ip, e.notice?.text]),
      [
        [0, 4, '203.0.113.0', text],
        [4, 2, '2001:db8:85a3::', text],
      ],
    );
  });

  it('a deleted contact leaves hash-only stubs, and the chain still verifies', async () => {
    const s = await services();
    const c = await s.contacts.create({ email: 'leaving@example.com' });
    await s.consent.setLevel(c.id, 5, { ...ctxApi, evidence: { ip: '198.51.100.23', userAgent: 'Leaving Browser' } });
    const other = await s.contacts.create({ email: 'staying@example.com' });
    await s.consent.setLevel(other.id, 3, ctxApi);
    await s.contacts.delete(c.id);
    const raw = JSON.stringify(await ctx.db.kysely.selectFrom('consent_ledger').selectAll().execute());
    assert.ok(!raw.includes(c.id) && !raw.includes('198.51.100') && !raw.includes('Leaving Browser'));
    const v = await s.ledger.verify();
    assert.equal(v.ok, true, JSON.stringify(v.problem));
    assert.ok(v.stubs >= 1);
    assert.equal((await s.consent.history(other.id)).length, 1);
  });

  it('consent verify passes on an intact ledger and names the first bad entry after tampering', async () => {
    const s = await services();
    const c = await s.contacts.create({ email: 'tamper@example.com' });
    for (const l of [1, 2, 3, 4]) await s.consent.setLevel(c.id, l, ctxApi);
    const ok = await verifyCli(ctx.url);
    assert.equal(ok.code, 0, ok.out);
    const rows = await ctx.db.kysely
      .selectFrom('consent_ledger')
      .select(['id', 'seq', 'new_value'])
      .where('contact_id', '=', c.id)
      .orderBy('seq')
      .execute();
    const [e1, e2, e3] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    const k = ctx.db.kysely;
    const expectBroken = async (seq: number, id: string | null, problem: string, cliToo = false) => {
      const v = await s.ledger.verify();
      assert.equal(v.ok, false);
      assert.equal(v.problem!.seq, Number(seq));
      assert.equal(v.problem!.id, id);
      assert.equal(v.problem!.problem, problem);
      if (!cliToo) return;
      const cli = await verifyCli(ctx.url);
      assert.notEqual(cli.code, 0);
      assert.match(cli.out, new RegExp(`seq ${Number(seq)}\\b`));
      if (id) assert.ok(cli.out.includes(id));
    };

    // An altered value.
    await k.updateTable('consent_ledger').set({ new_value: 5 }).where('id', '=', e2.id).execute();
    await expectBroken(e2.seq, e2.id, 'content_altered', true);
    await k.updateTable('consent_ledger').set({ new_value: e2.new_value }).where('id', '=', e2.id).execute();
    assert.equal((await s.ledger.verify()).ok, true);

    // Two entries swapped in order.
    await k.updateTable('consent_ledger').set({ seq: -1 }).where('id', '=', e2.id).execute();
    await k.updateTable('consent_ledger').set({ seq: e2.seq }).where('id', '=', e3.id).execute();
    await k.updateTable('consent_ledger').set({ seq: e3.seq }).where('id', '=', e2.id).execute();
    await expectBroken(e2.seq, e3.id, 'broken_link');
    await k.updateTable('consent_ledger').set({ seq: -1 }).where('id', '=', e2.id).execute();
    await k.updateTable('consent_ledger').set({ seq: e3.seq }).where('id', '=', e3.id).execute();
    await k.updateTable('consent_ledger').set({ seq: e2.seq }).where('id', '=', e2.id).execute();
    assert.equal((await s.ledger.verify()).ok, true);

    // A stub forged by wiping content without keeping the hashes consistent.
    await k
      .updateTable('consent_ledger')
      .set({ entry_hash: 'f'.repeat(64) })
      .where('id', '=', e1.id)
      .execute();
    await expectBroken(e1.seq, e1.id, 'hash_mismatch');
    await sql`update consent_ledger set entry_hash = prev_hash where id = ${e1.id}`.execute(k);
    assert.equal((await s.ledger.verify()).ok, false);
  });

  it('removing a middle entry or the newest entry is detected', async () => {
    const fresh = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    // Repair the chain left by the previous test by rebuilding it from scratch: start a new database state.
    await sql`delete from consent_ledger`.execute(ctx.db.kysely);
    await sql`update ledger_head set seq = 0, entry_hash = ${'0'.repeat(64)}`.execute(ctx.db.kysely);
    const c = await fresh.contacts.create({ email: 'gaps@example.com' });
    for (const l of [1, 2, 3]) await fresh.consent.setLevel(c.id, l, ctxApi);
    assert.equal((await fresh.ledger.verify()).ok, true);
    const rows = await ctx.db.kysely.selectFrom('consent_ledger').selectAll().orderBy('seq').execute();
    const newest = rows[rows.length - 1]!;
    await ctx.db.kysely.deleteFrom('consent_ledger').where('id', '=', newest.id).execute();
    const v = await fresh.ledger.verify();
    assert.equal(v.ok, false);
    assert.equal(v.problem!.problem, 'missing_entry');
    assert.equal(v.problem!.seq, Number(newest.seq));
    await ctx.db.kysely.insertInto('consent_ledger').values(newest).execute();
    assert.equal((await fresh.ledger.verify()).ok, true);
    await ctx.db.kysely.deleteFrom('consent_ledger').where('id', '=', rows[1]!.id).execute();
    const m = await fresh.ledger.verify();
    assert.equal(m.problem!.problem, 'missing_entry');
    assert.equal(m.problem!.seq, Number(rows[1]!.seq));
    await ctx.db.kysely.insertInto('consent_ledger').values(rows[1]!).execute();
  });
});
