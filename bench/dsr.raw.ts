// The baselines for dsr.bench.ts: the same reads, deletes and scans written by hand on the raw
// drivers (better-sqlite3 prepared statements; pg queries with array parameters), knowing the
// schema from the setup instead of reading the data map. They skip what the app must do: plan
// from the map, take the ledger and audit paths, check statistics, name columns.
import { open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';

export interface Person {
  email: string;
  phone: string;
  name: string;
}

/** A person's strings as the raw scan looks for them: lower-case text, and phone digits. */
function terms(people: Person[]): { text: string[]; digits: string[] } {
  return {
    text: [...new Set(people.flatMap((p) => [p.email.toLowerCase(), p.name.toLowerCase()]))],
    digits: [...new Set(people.map((p) => p.phone.replace(/\D/g, '')))],
  };
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

// ---------------------------------------------------------------- export

/** Reads every row the access export reads for the person; returns the number of rows. */
export async function rawExport(db: { sqlite?: SQLite.Database; pool?: pg.Pool }, email: string): Promise<number> {
  if (db.sqlite) {
    const raw = db.sqlite;
    const c = raw.prepare('select * from contacts where email = ?').get(email) as { id: string } | undefined;
    if (!c) return 0;
    let n = 1;
    for (const sqlText of [
      'select * from interactions where contact_id = ? order by id',
      'select * from consent_ledger where contact_id = ? order by seq',
      'select l.id, l.name, m.joined_at from list_members m join lists l on l.id = m.list_id where m.contact_id = ?',
      'select * from segment_members where contact_id = ?',
      'select * from tasks where contact_id = ?',
    ]) n += raw.prepare(sqlText).all(c.id).length;
    n += raw.prepare('select * from outbox where to_address = ? order by id').all(email).length;
    n += raw.prepare('select * from requests where email = ? order by id').all(email).length;
    n += raw.prepare('select * from segments').all().length;
    return n;
  }
  const pool = db.pool!;
  const c = (await pool.query('select * from contacts where email = $1', [email])).rows[0] as { id: string } | undefined;
  if (!c) return 0;
  const reads = await Promise.all([
    pool.query('select * from interactions where contact_id = $1 order by id', [c.id]),
    pool.query('select * from consent_ledger where contact_id = $1 order by seq', [c.id]),
    pool.query('select l.id, l.name, m.joined_at from list_members m join lists l on l.id = m.list_id where m.contact_id = $1', [c.id]),
    pool.query('select * from segment_members where contact_id = $1', [c.id]),
    pool.query('select * from tasks where contact_id = $1', [c.id]),
    pool.query('select * from outbox where to_address = $1 order by id', [email]),
    pool.query('select * from requests where email = $1 order by id', [email]),
    pool.query('select * from segments'),
  ]);
  return 1 + reads.reduce((n, r) => n + r.rowCount!, 0);
}

// ---------------------------------------------------------------- erase

const STUB = `contact_id = null, list_id = null, old_value = null, new_value = null, source = null, actor_type = null, actor_id = null,
  notice_hash = null, evidence_ip = null, evidence_ua = null, nonce = null, erased_at = `;

export interface RawErasure {
  /** One transaction: the person's rows deleted or cleared, a suppression and a receipt written. */
  erase(contactIds: string[], emails: string[], hashes: string[], receiptId: string, now: string): Promise<void>;
  /** After the commit: SQLite's log checkpoint, PostgreSQL's vacuum of the touched tables. */
  purge(): Promise<void>;
}

const TOUCHED = ['consent_ledger', 'interactions', 'list_members', 'outbox', 'requests', 'tasks', 'contacts', 'exports', 'segment_members'];

export function rawErasure(db: { sqlite?: SQLite.Database; pool?: pg.Pool }): RawErasure {
  if (db.sqlite) {
    const raw = db.sqlite;
    const run = raw.transaction((ids: string[], emails: string[], hashes: string[], receiptId: string, now: string) => {
      const inIds = ids.map(() => '?').join(', ') || 'null';
      const inEmails = emails.map(() => '?').join(', ') || 'null';
      raw.prepare(`update consent_ledger set ${STUB} ? where contact_id in (${inIds})`).run(now, ...ids);
      for (const t of ['exports', 'interactions', 'list_members', 'segment_members']) raw.prepare(`delete from ${t} where contact_id in (${inIds})`).run(...ids);
      raw.prepare(`delete from outbox where to_address in (${inEmails}) or contact_id in (${inIds})`).run(...emails, ...ids);
      raw.prepare(`update requests set email = null, contact_id = null where email in (${inEmails}) or contact_id in (${inIds})`).run(...emails, ...ids);
      raw.prepare(`update tasks set contact_id = null where contact_id in (${inIds})`).run(...ids);
      raw.prepare(`delete from contacts where id in (${inIds})`).run(...ids);
      const sup = raw.prepare(`insert into suppressions (email_hmac, reason, request_id, created_at) values (?, 'erased', null, ?) on conflict do nothing`);
      for (const h of hashes) sup.run(h, now);
      raw.prepare(`insert into erasure_receipts (id, request_id, at, actor_type, actor_id, tables, residue) values (?, null, ?, 'cli', null, '{}', null)`).run(receiptId, now);
    });
    return {
      async erase(ids, emails, hashes, receiptId, now) {
        run(ids, emails, hashes, receiptId, now);
      },
      async purge() {
        raw.pragma('wal_checkpoint(TRUNCATE)');
      },
    };
  }
  const pool = db.pool!;
  return {
    async erase(ids, emails, hashes, receiptId, now) {
      const c = await pool.connect();
      try {
        await c.query('begin');
        await c.query(`update consent_ledger set ${STUB} $2 where contact_id = any($1)`, [ids, now]);
        for (const t of ['exports', 'interactions', 'list_members', 'segment_members']) await c.query(`delete from ${t} where contact_id = any($1)`, [ids]);
        await c.query('delete from outbox where to_address = any($1) or contact_id = any($2)', [emails, ids]);
        await c.query('update requests set email = null, contact_id = null where email = any($1) or contact_id = any($2)', [emails, ids]);
        await c.query('update tasks set contact_id = null where contact_id = any($1)', [ids]);
        await c.query('delete from contacts where id = any($1)', [ids]);
        await c.query(`insert into suppressions (email_hmac, reason, request_id, created_at) select h, 'erased', null, $2 from unnest($1::text[]) h on conflict do nothing`, [hashes, now]);
        await c.query(`insert into erasure_receipts (id, request_id, at, actor_type, actor_id, tables, residue) values ($1, null, $2, 'cli', null, '{}', null)`, [receiptId, now]);
        await c.query('commit');
      } catch (e) {
        await c.query('rollback');
        throw e;
      } finally {
        c.release();
      }
    },
    async purge() {
      for (const t of TOUCHED) await pool.query(`vacuum ${t}`);
    },
  };
}

// ---------------------------------------------------------------- scan

/**
 * The plainest fast scan: per table one statement over its text columns, each value lower-cased
 * once and searched with instr()/strpos() for every term; phone digits against the value with
 * separators removed. On SQLite also the file and its log as bytes (Buffer.indexOf per form).
 * Returns the tables (and files) with a hit.
 */
export async function rawScan(db: { sqlite?: SQLite.Database; pool?: pg.Pool; file?: string }, people: Person[]): Promise<string[]> {
  const t = terms(people);
  const hits: string[] = [];
  const strip = (v: string) => ['+', ' ', '(', ')', '.', '/', '-'].reduce((acc, c) => `replace(${acc}, '${c}', '')`, v);
  if (db.sqlite) {
    const raw = db.sqlite;
    const cols = raw
      .prepare(`select m.name as t, p.name as c from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table' and m.name not like 'sqlite%' and (lower(p.type) in ('text', '') or lower(p.type) like 'varchar%')`)
      .all() as { t: string; c: string }[];
    const byTable = new Map<string, string[]>();
    for (const { t: table, c } of cols) byTable.set(table, [...(byTable.get(table) ?? []), c]);
    for (const [table, columns] of byTable) {
      const tests = columns.flatMap((c) => [...t.text.map((_, i) => `instr(lower(${q(c)}), ?${i + 1})`), ...t.digits.map((_, i) => `instr(${strip(q(c))}, ?${t.text.length + i + 1})`)]);
      const found = raw.prepare(`select 1 from ${q(table)} where ${tests.join(' or ')} limit 1`).get(...t.text, ...t.digits);
      if (found) hits.push(table);
    }
    if (db.file) for (const f of [db.file, `${db.file}-wal`]) if (existsSync(f) && (await fileHas(f, people))) hits.push(`file:${f}`);
    return hits;
  }
  const pool = db.pool!;
  const cols = (
    await pool.query(`select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema() and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`)
  ).rows as { t: string; c: string }[];
  const byTable = new Map<string, string[]>();
  for (const { t: table, c } of cols) byTable.set(table, [...(byTable.get(table) ?? []), c]);
  await Promise.all(
    [...byTable].map(async ([table, columns]) => {
      const tests = columns.flatMap((c) => [`lower(${q(c)}) like any($1)`, ...(t.digits.length ? [`${strip(q(c))} like any($2)`] : [])]);
      const r = await pool.query(`select 1 from ${q(table)} where ${tests.join(' or ')} limit 1`, [t.text.map((x) => `%${x}%`), t.digits.map((x) => `%${x}%`)]);
      if (r.rowCount) hits.push(table);
    }),
  );
  return hits.sort();
}

async function fileHas(file: string, people: Person[]): Promise<boolean> {
  const needles = [...new Set(people.flatMap((p) => [p.email, p.name, p.name.toLowerCase(), p.name.toUpperCase(), p.phone, p.phone.replace(/\D/g, '')]))].map((s) => Buffer.from(s));
  const overlap = Math.max(...needles.map((n) => n.length));
  const CHUNK = 16 * 1024 * 1024;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK + overlap);
    let carry = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, carry, CHUNK, null);
      if (bytesRead === 0) return false;
      const view = buf.subarray(0, carry + bytesRead);
      if (needles.some((n) => view.indexOf(n) >= 0)) return true;
      carry = Math.min(overlap, view.length);
      buf.copy(buf, 0, view.length - carry, view.length);
    }
  } finally {
    await fh.close();
  }
}
