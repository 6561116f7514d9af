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
    ])
      n += raw.prepare(sqlText).all(c.id).length;
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
    const stat4 = !!raw.prepare(`select 1 from sqlite_master where name = 'sqlite_stat4'`).get();
    const phoneOf = raw.prepare('select phone from contacts where id = ?').pluck();
    const phones = (ids: string[]) => ids.map((id) => phoneOf.get(id) as string | null).filter((p): p is string => !!p);
    const run = raw.transaction((ids: string[], emails: string[], hashes: string[], receiptId: string, now: string) => {
      const inIds = ids.map(() => '?').join(', ') || 'null';
      const inEmails = emails.map(() => '?').join(', ') || 'null';
      const ph = stat4 ? phones(ids) : [];
      raw.prepare(`update consent_ledger set ${STUB} ? where contact_id in (${inIds})`).run(now, ...ids);
      for (const t of ['interactions', 'list_members', 'segment_members'])
        raw.prepare(`delete from ${t} where contact_id in (${inIds})`).run(...ids);
      raw.prepare(`delete from outbox where to_address in (${inEmails}) or contact_id in (${inIds})`).run(...emails, ...ids);
      raw.prepare(`delete from exports where email in (${inEmails}) or contact_id in (${inIds})`).run(...emails, ...ids);
      raw
        .prepare(`update requests set email = null, contact_id = null where email in (${inEmails}) or contact_id in (${inIds})`)
        .run(...emails, ...ids);
      raw.prepare(`update tasks set contact_id = null where contact_id in (${inIds})`).run(...ids);
      raw.prepare(`delete from contacts where id in (${inIds})`).run(...ids);
      // ANALYZE's samples copy index keys: an address or a phone can be one of them.
      if (stat4)
        for (const v of [...emails, ...ph]) raw.prepare('delete from sqlite_stat4 where instr(sample, cast(? as blob)) > 0').run(v);
      const sup = raw.prepare(
        `insert into suppressions (email_hmac, reason, request_id, created_at) values (?, 'erased', null, ?) on conflict do nothing`,
      );
      for (const h of hashes) sup.run(h, now);
      raw
        .prepare(
          `insert into erasure_receipts (id, request_id, at, actor_type, actor_id, tables, residue) values (?, null, ?, 'cli', ` +
            `null, '{}', null)`,
        )
        .run(receiptId, now);
    });
    return {
      async erase(ids, emails, hashes, receiptId, now) {
        // The same connection settings the app's erasure uses: a page cache that holds a batch's
        // changed pages, and the log copied into the file once, by `purge`.
        const cache = raw.pragma('cache_size', { simple: true });
        raw.pragma('cache_size = -262144');
        raw.pragma('wal_autocheckpoint = 0');
        try {
          run(ids, emails, hashes, receiptId, now);
        } finally {
          raw.pragma(`cache_size = ${Number(cache)}`);
          raw.pragma('wal_autocheckpoint = 1000');
        }
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
        for (const t of ['interactions', 'list_members', 'segment_members'])
          await c.query(`delete from ${t} where contact_id = any($1)`, [ids]);
        await c.query('delete from outbox where to_address = any($1) or contact_id = any($2)', [emails, ids]);
        await c.query('delete from exports where email = any($1) or contact_id = any($2)', [emails, ids]);
        await c.query('update requests set email = null, contact_id = null where email = any($1) or contact_id = any($2)', [emails, ids]);
        await c.query('update tasks set contact_id = null where contact_id = any($1)', [ids]);
        await c.query('delete from contacts where id = any($1)', [ids]);
        await c.query(
          `insert into suppressions (email_hmac, reason, request_id, created_at) select h, 'erased', null, $2 from ` +
            `unnest($1::text[]) h on conflict do nothing`,
          [hashes, now],
        );
        await c.query(
          `insert into erasure_receipts (id, request_id, at, actor_type, actor_id, tables, residue) values ($1, null, $2, 'cli', ` +
            `null, '{}', null)`,
          [receiptId, now],
        );
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
 * The fastest plain scan: one statement per table over all its columns (PostgreSQL: those that
 * can hold text), each row's values joined once and tested for every term (LIKE ignores ASCII
 * case on SQLite; PostgreSQL folds the row once); phone digits against the row with the
 * separators removed, after a cheap digits-in-order LIKE. On SQLite also the file and its log as
 * bytes (Buffer.indexOf per form). One connection, one table after another. Returns the tables
 * (and files) with a hit.
 */
export async function rawScan(db: { sqlite?: SQLite.Database; pool?: pg.Pool; file?: string }, people: Person[]): Promise<string[]> {
  const t = terms(people);
  const hits: string[] = [];
  const strip = (v: string) => ['+', ' ', '(', ')', '.', '/', '-'].reduce((acc, c) => `replace(${acc}, '${c}', '')`, v);
  const gap = (d: string) => `%${d.split('').join('%')}%`;
  if (db.sqlite) {
    const raw = db.sqlite;
    const cols = raw
      .prepare(
        `select m.name as t, p.name as c from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table' and m.name not ` +
          `like 'sqlite%'`,
      )
      .all() as { t: string; c: string }[];
    const byTable = new Map<string, string[]>();
    for (const { t: table, c } of cols) byTable.set(table, [...(byTable.get(table) ?? []), c]);
    const tests = [
      ...t.text.map((_, i) => `v like @t${i}`),
      ...t.digits.map((_, i) => `(v like @g${i} and instr(${strip('v')}, @d${i}) > 0)`),
    ].join(' or ');
    const params = Object.fromEntries([
      ...t.text.map((x, i) => [`t${i}`, `%${x}%`]),
      ...t.digits.flatMap((x, i) => [
        [`g${i}`, gap(x)],
        [`d${i}`, x],
      ]),
    ]);
    for (const [table, columns] of byTable) {
      const found = raw
        .prepare(
          `select 1 from (select concat_ws(char(1), ${columns.map(q).join(', ')}) as v from ${q(table)} limit -1) where ${tests} limit 1`,
        )
        .get(params);
      if (found) hits.push(table);
    }
    if (db.file) for (const f of [db.file, `${db.file}-wal`]) if (existsSync(f) && (await fileHas(f, people))) hits.push(`file:${f}`);
    return hits;
  }
  const pool = db.pool!;
  const cols = (
    await pool.query(
      `select table_name as t, column_name as c, data_type as type from information_schema.columns where table_schema = ` +
        `current_schema() and data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'integer', 'bigint', ` +
        `'smallint', 'numeric')`,
    )
  ).rows as { t: string; c: string; type: string }[];
  const byTable = new Map<string, string[]>();
  for (const { t: table, c, type } of cols)
    byTable.set(table, [...(byTable.get(table) ?? []), ['text', 'character varying', 'character'].includes(type) ? q(c) : `${q(c)}::text`]);
  for (const [table, columns] of byTable) {
    const v = `concat_ws(chr(1), ${columns.join(', ')})`;
    const r = await pool.query(
      `select count(*)::int as n from ${q(table)} where case when lower(${v}) like any($1) then lower(${v}) like any($2) or ` +
        `${strip(v)} like any($3) else false end`,
      [[...t.text.map((x) => `%${x}%`), ...t.digits.map(gap)], t.text.map((x) => `%${x}%`), t.digits.map((x) => `%${x}%`)],
    );
    if (r.rows[0].n > 0) hits.push(table);
  }
  return hits.sort();
}

async function fileHas(file: string, people: Person[]): Promise<boolean> {
  const needles = [
    ...new Set(people.flatMap((p) => [p.email, p.name, p.name.toLowerCase(), p.name.toUpperCase(), p.phone, p.phone.replace(/\D/g, '')])),
  ].map((s) => Buffer.from(s));
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
