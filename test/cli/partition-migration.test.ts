import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { eventsMigrations } from '../../src/modules/events/events.migrations.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createServices, migrate, type Services } from '../../src/services.ts';
import { PG_URL, scratchDatabase, type ScratchDb } from '../helpers/db.ts';

/*
 * Issue 9, point 10: migration 0011 turns the person tables of an existing PostgreSQL database
 * into hash-partitioned ones. It must carry every column the catalogue has (custom fields, and
 * whatever other migrations added), every row, the indexes, and the foreign keys of and to them,
 * including linked custom entity tables made at run time.
 */
const BEFORE = Object.keys(migrations)
  .filter((n) => n < '0011')
  .sort()
  .at(-1)!;

describe('migration 0011 partitions the person tables of a database in use [postgres]', {
  skip: PG_URL ? false : 'PostgreSQL not available',
}, () => {
  let scratch: ScratchDb;
  let s: Services;
  const counts: Record<string, number> = {};
  const TABLES = ['contacts', 'contact_emails', 'interactions', 'consent_ledger', 'list_members', 'segment_members', 'entity_visits'];
  let ana: string;
  let bo: string;

  const count = async (t: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(scratch.db.kysely)).rows[0]!.n;

  before(async () => {
    scratch = await scratchDatabase('postgres');
    const r = await new Migrator({ db: scratch.db.kysely, provider: { getMigrations: async () => migrations } }).migrateTo(BEFORE);
    if (r.error) throw r.error;
    // Today's services publish each change to the event log, whose table a later migration
    // (0015) makes: made early for the writes below, and dropped before the history goes on.
    await eventsMigrations['0015_events_log']!.up(scratch.db.kysely);
    // Today's code seeds the old schema, and it writes the ledger columns a later migration added
    // (0018's imported history, null here): lent for the seed, taken back before migrating.
    const LATER = ['original_at', 'original_source'];
    for (const c of LATER) await sql`alter table consent_ledger add column ${sql.ref(c)} text`.execute(scratch.db.kysely);
    // Likewise the segment's description (0027).
    await sql`alter table segments add column description text`.execute(scratch.db.kysely);
    s = createServices(loadConfig({}), scratch.db, new FakeClock('2026-02-01T10:00:00.000Z'), createLogger('silent'));
    await s.settings.ensureDefaults();
    await s.customFields.define({ name: 'shoe', type: 'number', personal: false });
    await s.entities.define({ name: 'visits', linked: true, erase: 'delete', fields: [{ name: 'note', type: 'text', personal: true }] });
    const list = await s.lists.create({ name: 'News' });
    const actor = { type: 'cli', id: null } as const;
    for (const [i, email] of ['ana@example.org', 'bo@example.org'].entries()) {
      const c = await s.contacts.create({ email, lastName: `Part${i}`, customFields: { shoe: 40 + i } });
      await s.consent.setLevel(c.id, 5, { source: 'api', actor, notice: 'Offers' });
      await s.lists.join(c.id, list.id, { source: 'api', actor });
      await s.interactions.ingest([{ type: 'page_visited', contactId: c.id, url: 'https://example.org/' }]);
      await s.entities.createRecord('visits', { contactId: c.id, fields: { note: `visit ${i}` } });
      if (i === 0) ana = c.id;
      else bo = c.id;
    }
    await s.segments.create({ name: 'All', kind: 'static', filter: { consent: { atLeast: 0 } } });
    for (const t of TABLES) counts[t] = await count(t);
    await sql`drop table events`.execute(scratch.db.kysely);
    for (const c of LATER) await sql`alter table consent_ledger drop column ${sql.ref(c)}`.execute(scratch.db.kysely);
    await sql`alter table segments drop column description`.execute(scratch.db.kysely);
    // The history and the modules' own migrations, as a process starting on this database runs them.
    await migrate(scratch.db);
  });
  after(async () => scratch?.drop());

  it('makes every person table hash-partitioned, with every row and column', async () => {
    const parted = (
      await sql<{ t: string }>`select c.relname as t from pg_partitioned_table p join pg_class c on c.oid = p.partrelid order by 1`.execute(
        scratch.db.kysely,
      )
    ).rows.map((r) => r.t);
    assert.deepEqual(parted, [...TABLES].sort());
    for (const t of TABLES) assert.equal(await count(t), counts[t], t);
    assert.ok(counts.interactions! > 0 && counts.segment_members! > 0 && counts.entity_visits! > 0);
    assert.equal((await s.contacts.get(ana)).customFields.shoe, 40, 'custom field columns come along');
    const parts = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhparent where c.relname = 'contacts'`.execute(
        scratch.db.kysely,
      )
    ).rows[0]!.n;
    assert.equal(parts, 16);
  });

  it('keeps the foreign keys: deleting a contact cascades, a dangling reference is refused', async () => {
    const fks = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from pg_constraint where contype = 'f' and confrelid = 'contacts'::regclass and conparentid = 0`.execute(
        scratch.db.kysely,
      )
    ).rows[0]!.n;
    assert.ok(fks >= 5, `foreign keys to contacts: ${fks}`);
    await assert.rejects(
      sql`insert into interactions (id, contact_id, type, at) values ('0190aaaa-0000-7000-8000-00000000beef', 'no-such-contact',
        'page_visited', '2026-01-01T00:00:00.000Z')`.execute(scratch.db.kysely),
    );
    await sql`delete from contacts where id = ${bo}`.execute(scratch.db.kysely);
    // Erasure is the way a contact goes: through it the data map decides, the cascades back it up.
    assert.equal(await count('contacts'), 1);
    assert.equal(
      (await sql<{ n: number }>`select count(*)::int as n from interactions where contact_id = ${bo}`.execute(scratch.db.kysely)).rows[0]!
        .n,
      0,
    );
  });

  it('the ledger still verifies, and the app works on the partitioned tables', async () => {
    const v = await s.ledger.verify();
    assert.equal(v.ok, true, JSON.stringify(v));
    const c = await s.contacts.create({ email: 'cy@example.org' });
    await s.entities.createRecord('visits', { contactId: c.id, fields: { note: 'after' } });
    const x = await s.accessExports.build(ana);
    assert.equal(x.tables.entity_visits?.rows.length, 1);
    const r = await s.erasure.erase({ contactIds: [ana] }, { actor: { type: 'cli', id: null } });
    assert.deepEqual(r.residue, []);
    assert.equal(r.receipts[0]!.storage?.status, 'pending');
  });
});
