import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { assentWith } from '../../../test/helpers/cli.ts';
import { forEachDialect, freshDatabase, scratchDatabase, type ScratchDb } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { migrations } from '../../db/migrations/index.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, migrate, prepareServices, type Services } from '../../services.ts';
import type { ChangeContext } from './consent.model.ts';

// An attacker with database access edits the ledger with SQL; `assent consent verify` (and the
// service's verify) must notice. Each test works on a database of its own.

const KEY = 'k'.repeat(20) + '-ledger-key-for-tests-0123456789';
const ctxApi: ChangeContext = { source: 'api', actor: { type: 'api_key', id: '01900000-0000-7000-8000-000000000001' } };

type Verify = { ok: boolean; problem: { seq: number; id: string | null; problem: string } | null; head?: { seq: number; hash: string } };

forEachDialect('consent ledger against tampering', (ctx) => {
  const open = async (env: Record<string, string> = {}) => {
    const scratch = await freshDatabase(ctx.dialect);
    const clock = new FakeClock('2026-02-01T08:00:00.000Z');
    const s = createServices(loadConfig(env), scratch.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
    return { scratch, s, clock, k: scratch.db.kysely };
  };
  const cli = (scratch: ScratchDb, env: Record<string, string>, ...args: string[]) =>
    assentWith(env, scratch.url, 'consent', 'verify', ...args);
  const broken = async (s: Services, problem: string, seq?: number, id?: string | null) => {
    const v = (await s.ledger.verify()) as Verify;
    assert.equal(v.ok, false, `expected ${problem}`);
    assert.equal(v.problem!.problem, problem, JSON.stringify(v.problem));
    if (seq !== undefined) assert.equal(v.problem!.seq, seq);
    if (id !== undefined) assert.equal(v.problem!.id, id);
  };
  const cliBroken = async (scratch: ScratchDb, env: Record<string, string>, words: string, ...more: string[]) => {
    const r = await cli(scratch, env);
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stdout.includes(words), `"${words}" in ${r.stdout}`);
    for (const m of more) assert.ok(r.stdout.includes(m), `"${m}" in ${r.stdout}`);
  };
  const levels = async (s: Services, email: string, ls: number[], notice?: string) => {
    const c = await s.contacts.create({ email });
    for (const l of ls) await s.consent.setLevel(c.id, l, { ...ctxApi, ...(notice ? { notice } : {}) });
    return c.id;
  };
  const rows = (k: ScratchDb['db']['kysely'], contactId: string) =>
    k.selectFrom('consent_ledger').selectAll().where('contact_id', '=', contactId).orderBy('seq').execute();

  it("(a) a notice's text edited after the fact is caught: each notice's hash is recomputed from its text", async () => {
    const { scratch, s, k } = await open();
    try {
      await levels(s, 'notice@example.com', [2, 4], 'Yes, send me offers about garden tools.');
      assert.equal((await s.ledger.verify()).ok, true);
      const notice = await k.selectFrom('notices').selectAll().executeTakeFirstOrThrow();
      await k
        .updateTable('notices')
        .set({ text: 'Yes, send me offers about anything, and sell my data.' })
        .where('id', '=', notice.id)
        .execute();
      await broken(s, 'notice_altered', undefined, notice.id);
      await cliBroken(scratch, {}, 'notice altered', notice.id);
      // A notice removed while entries still point at it is lost evidence.
      await k.deleteFrom('notices').where('id', '=', notice.id).execute();
      await broken(s, 'notice_missing');
      await k.insertInto('notices').values(notice).execute();
      assert.equal((await s.ledger.verify()).ok, true);
    } finally {
      await scratch.drop();
    }
  });

  it('(b) an entry made to look like an erasure stub is caught: every stub needs an erasure record that covers it', async () => {
    const { scratch, s, k, clock } = await open();
    try {
      const victim = await levels(s, 'victim@example.com', [1, 3, 5]);
      const gone = await levels(s, 'gone@example.com', [2, 4]);
      const batch = await Promise.all(['b1', 'b2', 'b3'].map((x) => levels(s, `${x}@example.com`, [1, 2])));
      clock.advance(60_000);
      // Honest erasures, one person and a batch, leave stubs the ledger accounts for.
      await s.erasure.erase({ contactIds: [gone] }, { actor: { type: 'system', id: null } });
      await s.erasure.erase({ contactIds: batch }, { actor: { type: 'system', id: null }, batchSize: 2 });
      const honest = await s.ledger.verify();
      assert.equal(honest.ok, true, JSON.stringify(honest.problem));
      assert.equal(honest.stubs, 2 + 6);
      const records = await k.selectFrom('consent_ledger').selectAll().where('kind', '=', 'erasure').execute();
      assert.equal(records.length, 3, 'one erasure record per erasure transaction');
      for (const r of records) assert.equal(r.contact_id, null);

      // The attacker wipes the content of the entry that raised the victim to 5 and marks it erased.
      const [, , e3] = await rows(k, victim);
      const saved = { ...e3! };
      await k
        .updateTable('consent_ledger')
        .set({
          contact_id: null,
          list_id: null,
          old_value: null,
          new_value: null,
          source: null,
          actor_type: null,
          actor_id: null,
          notice_hash: null,
          evidence_ip: null,
          evidence_ua: null,
          nonce: null,
          erased_at: clock.now().toISOString(),
        })
        .where('id', '=', e3!.id)
        .execute();
      await broken(s, 'stub_uncovered', Number(e3!.seq), e3!.id);
      await cliBroken(scratch, {}, 'stub uncovered', `seq ${Number(e3!.seq)}`);
      // Claiming it in an existing erasure record changes that record's content.
      const record = records[0]!;
      const covers = JSON.parse((record as unknown as { covers: string }).covers) as [number, number][];
      await sql`update consent_ledger set covers = ${JSON.stringify([...covers, [Number(e3!.seq), Number(e3!.seq)]])} where id =
        ${record.id}`.execute(k);
      await broken(s, 'content_altered', Number(record.seq), record.id);
      await sql`update consent_ledger set covers = ${JSON.stringify(covers)} where id = ${record.id}`.execute(k);
      await k.updateTable('consent_ledger').set(saved).where('id', '=', e3!.id).execute();
      assert.equal((await s.ledger.verify()).ok, true);
    } finally {
      await scratch.drop();
    }
  });

  it(
    '(c) deleting the newest entries and rewriting the head is caught once a ledger key is configured; the next append does not bless ' +
      'it',
    async () => {
      const env = { ASSENT_LEDGER_KEY: KEY };
      const { scratch, s, k } = await open(env);
      try {
        const id = await levels(s, 'truncate@example.com', [1, 2, 3, 4]);
        const ok = (await s.ledger.verify()) as Verify & { authenticated: boolean };
        assert.equal(ok.ok, true);
        assert.equal(ok.authenticated, true);
        const all = await rows(k, id);
        const keep = all[1]!;
        await k.deleteFrom('consent_ledger').where('seq', '>', keep.seq).execute();
        await k.updateTable('ledger_head').set({ seq: keep.seq, entry_hash: keep.entry_hash }).where('id', '=', 1).execute();
        await broken(s, 'head_mac_mismatch');
        await cliBroken(scratch, env, 'head mac mismatch');
        // Removing the MAC as well does not help.
        await sql`update ledger_head set mac = null`.execute(k);
        await broken(s, 'head_unauthenticated');
        // The next change is recorded, but its MAC does not bless the tampered head.
        await s.consent.setLevel(id, 5, ctxApi);
        await broken(s, 'head_unauthenticated');
        // The operator, having looked, seals the ledger as it now stands; it verifies again.
        const sealed = await assentWith(env, scratch.url, 'consent', 'seal');
        assert.equal(sealed.code, 0, sealed.stdout + sealed.stderr);
        assert.equal((await s.ledger.verify()).ok, true);
        // Without the key, a MAC that cannot be checked is a failure, not a pass. (On SQLite a
        // process without any key configured creates the default key file beside the database: a
        // different key, which fails the head the same way.)
        await cliBroken(scratch, {}, ctx.dialect === 'sqlite' ? 'head mac mismatch' : 'head key missing');
      } finally {
        await scratch.drop();
      }
    },
  );

  it(
    '--head checks an anchor kept elsewhere: a matching one passes, a different or missing one fails, and a rollback with an old MAC ' +
      'is caught by it',
    async () => {
      const env = { ASSENT_LEDGER_KEY: KEY };
      const { scratch, s, k } = await open(env);
      try {
        const id = await levels(s, 'anchor@example.com', [1, 2]);
        const first = await cli(scratch, env);
        assert.equal(first.code, 0, first.stdout);
        const anchor = /head (\d+:[0-9a-f]{64})/.exec(first.stdout)?.[1];
        assert.ok(anchor, first.stdout);
        const oldHead = await k.selectFrom('ledger_head').selectAll().executeTakeFirstOrThrow();
        await s.consent.setLevel(id, 3, ctxApi);
        await s.consent.setLevel(id, 4, ctxApi);
        const latest = await s.ledger.verify();
        const later = `${latest.head.seq}:${latest.head.hash}`;
        assert.notEqual(later, anchor);

        const match = await cli(scratch, env, '--head', anchor);
        assert.equal(match.code, 0, match.stdout);
        assert.match(match.stdout, /anchor .* found/);
        const [seq, hash] = anchor.split(':') as [string, string];
        const wrong = `${seq}:${hash.replace(/^./, hash[0] === 'a' ? 'b' : 'a')}`;
        const mismatch = await cli(scratch, env, '--head', wrong);
        assert.notEqual(mismatch.code, 0);
        assert.match(mismatch.stdout, /anchor mismatch/);
        const beyond = await cli(scratch, env, '--head', `99:${hash}`);
        assert.notEqual(beyond.code, 0);
        assert.match(beyond.stdout, /anchor missing/);
        assert.equal((await s.ledger.verify({ anchor: { seq: Number(seq), hash } })).ok, true);

        // Rolled back to the older head, with the MAC it had then: only the later anchor tells.
        await k.deleteFrom('consent_ledger').where('seq', '>', oldHead.seq).execute();
        await k.updateTable('ledger_head').set(oldHead).where('id', '=', 1).execute();
        assert.equal((await s.ledger.verify()).ok, true, 'a rollback to a copied head passes without an anchor (documented)');
        const caught = await cli(scratch, env, '--head', later);
        assert.notEqual(caught.code, 0);
        assert.match(caught.stdout, /anchor missing/);
      } finally {
        await scratch.drop();
      }
    },
  );

  it(
    'stubs erased before the erasure record existed keep verifying: ' + 'the migration covers them; old entries keep their hashes',
    async () => {
      const scratch = await scratchDatabase(ctx.dialect);
      try {
        const k = scratch.db.kysely;
        const m = new Migrator({ db: k, provider: { getMigrations: async () => migrations } });
        const to = await m.migrateTo('0007_contacts_consent_index');
        assert.equal(to.error, undefined);
        // Entries as the wave before this one wrote them (content hash version 1), two of them erased.
        const sha = (x: string) => createHash('sha256').update(x).digest('hex');
        let prev = '0'.repeat(64);
        const at = '2025-12-01T10:00:00.000Z';
        const written: { id: string; seq: number; entry_hash: string }[] = [];
        for (const [seq, contact, level] of [
          [1, 'c-old', 2],
          [2, 'c-kept', 3],
          [3, 'c-old', 4],
        ] as const) {
          const content = {
            id: `00000000-0000-7000-8000-00000000000${seq}`,
            seq,
            contact_id: contact,
            kind: 'level',
            list_id: null,
            old_value: 0,
            new_value: level,
            source: 'api',
            actor_type: 'system',
            actor_id: null,
            notice_hash: null,
            evidence_ip: null,
            evidence_ua: null,
            nonce: `n${seq}`,
            at,
          };
          const fields = [
            'id',
            'seq',
            'contact_id',
            'kind',
            'list_id',
            'old_value',
            'new_value',
            'source',
            'actor_type',
            'actor_id',
            'notice_hash',
            'evidence_ip',
            'evidence_ua',
            'nonce',
            'at',
          ] as const;
          const contentHash = sha(JSON.stringify(['v1', ...fields.map((f) => content[f])]));
          const entryHash = sha(`v1|${seq}|${prev}|${contentHash}`);
          await k
            .insertInto('consent_ledger')
            .values({ ...content, content_hash: contentHash, prev_hash: prev, entry_hash: entryHash, erased_at: null } as never)
            .execute();
          written.push({ id: content.id, seq, entry_hash: entryHash });
          prev = entryHash;
        }
        await sql`update ledger_head set seq = 3, entry_hash = ${prev}`.execute(k);
        await sql`update consent_ledger set contact_id = null, list_id = null, old_value = null, new_value = null, source = null, actor_type
          =
        null, actor_id = null, notice_hash = null, evidence_ip = null, evidence_ua = null, nonce = null, erased_at = ${at} where
        contact_id = 'c-old'`.execute(k);

        await migrate(scratch.db);
        const s = createServices(loadConfig({}), scratch.db, new FakeClock(), createLogger('silent'));
        // As a process starts: on SQLite the default key file is created beside the database, and
        // the upgraded ledger, which verifies, is sealed with it; PostgreSQL has no default key.
        const prepared = await prepareServices(s);
        assert.equal(prepared.ledgerKey, ctx.dialect === 'sqlite' ? 'created' : 'none');
        const v = await s.ledger.verify();
        assert.equal(v.ok, true, JSON.stringify(v.problem));
        assert.equal(v.authenticated, ctx.dialect === 'sqlite');
        assert.equal(v.stubs, 2);
        const record = await k.selectFrom('consent_ledger').selectAll().where('kind', '=', 'erasure').execute();
        assert.equal(record.length, 1);
        assert.deepEqual(JSON.parse((record[0] as unknown as { covers: string }).covers), [
          [1, 1],
          [3, 3],
        ]);
        // An old entry given a value the old hash never covered is still caught.
        await sql`update consent_ledger set new_text = '2016-01-01' where seq = 2`.execute(k);
        await broken(s, 'content_altered', 2);
        // So is one given imported history (version 3 fields) it never had.
        await sql`update consent_ledger set new_text = null, original_at = '2010-01-01T00:00:00.000Z' where seq = 2`.execute(k);
        await broken(s, 'content_altered', 2);
        await sql`update consent_ledger set original_at = null, original_source = 'Old CRM' where seq = 2`.execute(k);
        await broken(s, 'content_altered', 2);
      } finally {
        await scratch.drop();
      }
    },
  );
});
