import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../src/db/migrations/index.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { assent } from '../helpers/cli.ts';
import { DIALECTS, scratchDatabase, type ScratchDb } from '../helpers/db.ts';

/*
 * Issue 9, point 12: before addresses were compared without regard to case, one person could be
 * stored as several contacts. The migration that makes the address a key must keep every one of
 * them, report them and list them for an admin to merge; an erasure or an access export by
 * address must then cover all of them.
 */
const BEFORE_KEY = Object.keys(migrations)
  .filter((n) => n < '0010')
  .sort()
  .at(-1)!;

const ADA = [
  { id: '0190aaaa-0000-7000-8000-00000000ad01', email: 'Ada.Case@example.org', at: '2025-01-01T00:00:00.000Z' },
  { id: '0190aaaa-0000-7000-8000-00000000ad02', email: 'ada.case@example.org', at: '2025-02-01T00:00:00.000Z' },
  { id: '0190aaaa-0000-7000-8000-00000000ad03', email: 'ADA.CASE@example.org', at: '2025-03-01T00:00:00.000Z' },
];
const SOLO = { id: '0190aaaa-0000-7000-8000-00000000ad04', email: 'Solo.One@example.org', at: '2025-01-15T00:00:00.000Z' };

for (const d of DIALECTS) {
  describe(`addresses held by several contacts before the address became a key [${d.name}]`, { skip: d.skip }, () => {
    let scratch: ScratchDb;
    let t: TestApp;
    let migrated: string;
    const dir = mkdtempSync(join(tmpdir(), 'assent-dups-'));

    before(async () => {
      scratch = await scratchDatabase(d.name);
      const migrator = new Migrator({ db: scratch.db.kysely, provider: { getMigrations: async () => migrations } });
      const r = await migrator.migrateTo(BEFORE_KEY);
      if (r.error) throw r.error;
      // A custom field made before: its column must survive the rebuild of contacts (SQLite).
      const real = d.name === 'postgres' ? sql`double precision` : sql`real`;
      await sql`alter table contacts add column cf_shoe ${real}`.execute(scratch.db.kysely);
      await sql`insert into custom_fields (id, name, label, type, personal, column_name, created_at) values
        ('0190aaaa-0000-7000-8000-0000000000c1', 'shoe', 'Shoe', 'number', 0, 'cf_shoe', '2025-01-01T00:00:00.000Z')`.execute(
        scratch.db.kysely,
      );
      // Behind the app's back, as the old contract allowed: three spellings of one address.
      for (const [i, c] of [...ADA, SOLO].entries()) {
        await sql`insert into contacts (id, email, first_name, last_name, is_child, guardian_consent, consent_level, created_at, updated_at,
          cf_shoe)
          values (${c.id}, ${c.email}, ${'Ada'}, ${`Lovelace${i}`}, 0, 0, 0, ${c.at}, ${c.at}, ${40 + i})`.execute(scratch.db.kysely);
      }
      await sql`insert into interactions (id, contact_id, type, ref, at) values ('0190aaaa-0000-7000-8000-0000000000e1', ${ADA[1]!.id},
        'page_visited', 'p1', '2025-02-02T00:00:00.000Z')`.execute(scratch.db.kysely);
      await sql`insert into outbox (id, contact_id, to_address, from_address, subject, text_body, headers, created_at)
        values ('0190aaaa-0000-7000-8000-0000000000f1', ${ADA[2]!.id}, ${ADA[2]!.email}, 'Assent <noreply@example.com>',
          'Hello', 'Hello', '{}', '2025-03-02T00:00:00.000Z')`.execute(scratch.db.kysely);
      const out = await assent(scratch.url, 'migrate');
      assert.equal(out.code, 0, out.stderr);
      migrated = out.stdout;
      t = await testApp(scratch.db);
    });
    after(async () => {
      await t?.close();
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the migration keeps every contact and says how many addresses are held more than once', async () => {
      const ids = (await sql<{ id: string }>`select id from contacts order by id`.execute(scratch.db.kysely)).rows.map((r) => r.id);
      assert.deepEqual(
        ids,
        [...ADA, SOLO].map((c) => c.id),
      );
      assert.equal((await t.services.contacts.get(SOLO.id)).customFields.shoe, 43, 'custom field columns and values survive');
      assert.match(migrated, /1 address is held by more than one contact \(3 contacts\)/);
      assert.match(migrated, /assent contacts duplicates/);
    });

    it('lists the contacts that share an address for an admin, oldest first, over the API and the CLI', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/contacts/duplicates', headers: t.auth('admin') });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        json(res).data.map((g: { contacts: { id: string; email: string }[] }) => g.contacts.map((c) => [c.id, c.email])),
        [ADA.map((c) => [c.id, c.email])],
      );
      const cli = await assent(scratch.url, 'contacts', 'duplicates');
      assert.equal(cli.code, 0, cli.stderr);
      for (const c of ADA) assert.ok(cli.stdout.includes(c.id), cli.stdout);
      assert.ok(!cli.stdout.includes(SOLO.id));
    });

    it('refuses a new contact in any spelling, and finds the oldest when asked by address', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: t.auth('admin'),
        payload: { email: 'aDa.CaSe@example.org' },
      });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal((await t.services.contacts.findByEmail('ADA.case@example.org'))?.id, ADA[0]!.id);
    });

    it('an access export by any spelling covers every contact that holds the address', async () => {
      const file = join(dir, 'export.json');
      const r = await assent(scratch.url, 'dsr', 'export', 'ada.CASE@Example.org', '--out', file);
      assert.equal(r.code, 0, r.stderr);
      const x = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(
        x.tables.contacts.rows.map((c: { id: string }) => c.id).sort(),
        ADA.map((c) => c.id),
      );
      assert.equal(x.tables.interactions.rows.length, 1);
      assert.equal(x.tables.outbox.rows.length, 1);
    });

    it('an erasure by any spelling erases every contact that holds the address, with no residue, and the list empties', async () => {
      const r = await assent(scratch.url, 'dsr', 'erase', 'ada.case@EXAMPLE.org');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^contacts: 3$/m);
      assert.match(r.stdout, /residue scan: clean/);
      const left = (await sql<{ id: string }>`select id from contacts`.execute(scratch.db.kysely)).rows.map((x) => x.id);
      assert.deepEqual(left, [SOLO.id]);
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/contacts/duplicates', headers: t.auth('admin') });
      assert.deepEqual(json(res).data, []);
    });
  });
}
