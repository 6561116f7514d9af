import { sql, type Kysely } from 'kysely';
import { cols } from './columns.ts';

/*
 * The consent ledger, second version of its content:
 * - `old_text` / `new_text`: values that are not small integers (a birth date, a guardian
 *   link), for the child state the ledger now records;
 * - `covers`: on an erasure record, which entries (seq ranges) that erasure turned into stubs,
 *   so a stub nobody erased is noticed;
 * - `hash_version`: which fields an entry's content hash covers (1: as before; 2: these too),
 *   so entries written before keep verifying with their old hashes;
 * - `ledger_head.mac`: the head authenticated under a key kept outside the database.
 * Stubs made before this migration are covered by one erasure record appended here. The
 * hashes are computed inline (a migration never imports application code) and must equal
 * what the application computes: the ledger's tests verify a ledger migrated this way.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema.alterTable('consent_ledger').addColumn('old_text', c.text).execute();
  await db.schema.alterTable('consent_ledger').addColumn('new_text', c.text).execute();
  await db.schema.alterTable('consent_ledger').addColumn('covers', c.text).execute();
  await db.schema
    .alterTable('consent_ledger')
    .addColumn('hash_version', c.int, (col) => col.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('ledger_head').addColumn('mac', c.text).execute();

  const stubs = await sql<{ seq: number | string }>`select seq from consent_ledger where erased_at is not null order by seq`.execute(db);
  if (stubs.rows.length === 0) return;
  const now = new Date().toISOString();
  const head = (
    await sql<{
      seq: number | string;
      entry_hash: string;
    }>`update ledger_head set updated_at = ${now} where id = 1 returning seq, entry_hash`.execute(db)
  ).rows[0]!;
  const seq = Number(head.seq) + 1;
  const content: Record<string, string | number | null> = {
    id: uuidv7(),
    seq,
    contact_id: null,
    kind: 'erasure',
    list_id: null,
    old_value: null,
    new_value: null,
    source: 'system',
    actor_type: 'system',
    actor_id: null,
    notice_hash: null,
    evidence_ip: null,
    evidence_ua: null,
    nonce: null,
    at: now,
    old_text: null,
    new_text: null,
    covers: JSON.stringify(ranges(stubs.rows.map((r) => Number(r.seq)))),
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
    'old_text',
    'new_text',
    'covers',
  ];
  const contentHash = await sha256(JSON.stringify(['v2', ...fields.map((f) => content[f] ?? null)]));
  const entryHash = await sha256(`v1|${seq}|${head.entry_hash}|${contentHash}`);
  await db
    .insertInto('consent_ledger')
    .values({ ...content, content_hash: contentHash, prev_hash: head.entry_hash, entry_hash: entryHash, erased_at: null, hash_version: 2 })
    .execute();
  await sql`update ledger_head set seq = ${seq}, entry_hash = ${entryHash}, updated_at = ${now} where id = 1`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('consent_ledger').where('kind', '=', 'erasure').execute();
  for (const col of ['hash_version', 'covers', 'new_text', 'old_text'])
    await db.schema.alterTable('consent_ledger').dropColumn(col).execute();
  await db.schema.alterTable('ledger_head').dropColumn('mac').execute();
}

/** Ascending seqs as [from, to] runs. */
function ranges(seqs: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex');
}

/** A UUIDv7 (time-ordered, as the application's ids are). */
function uuidv7(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const ms = Date.now();
  for (let i = 0; i < 6; i++) b[i] = Math.floor(ms / 2 ** (8 * (5 - i))) & 0xff;
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
