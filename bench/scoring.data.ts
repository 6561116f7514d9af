// The scoring benchmark's data set: N contacts (1,000,000) with one lead each and E interactions
// (10,000,000) over 90 days, made in JS from a seeded generator (the same rows on both databases)
// and written with the raw drivers (better-sqlite3: one prepared INSERT per row in big
// transactions; pg: COPY), secondary indexes and foreign-key checks off during the load and
// rebuilt once after it. Built once per dialect, scale and generator version and kept:
// - SQLite: `<cache>/scoring-<key>.db` (copied for each run, so a run never changes it);
// - PostgreSQL: a template database `bench_scoring_<key>` on a cluster whose data directory is
//   `<cache>/pg` (a throwaway-style cluster, but kept), or on the server DATABASE_URL names;
//   each run clones it.
// <cache> is BENCH_CACHE, default /var/tmp/assent-bench (readable by the postgres user, which
// runs the kept cluster when this runs as root). BENCH_CACHE=off builds into a scratch place.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { connect } from '../src/db/connect.ts';
import { majorityCutoff } from '../src/modules/consent/gate.ts';
import { DEFAULT_SETTINGS } from '../src/modules/settings/settings.defaults.ts';
import { migrate } from '../src/services.ts';
import { prng } from './prng.ts';

/** Bump when the rows made change: a new key, a new cached data set. */
export const DATA_VERSION = 'v2'; // v2: lead_scores without its contact key (migration 0035)
/** The data set's "now": interactions lie in the 90 days before it; every run scores at it. */
export const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY = 86_400_000;

export interface Shape {
  contacts: number;
  events: number;
}

export const cacheKey = (s: Shape) => `${DATA_VERSION}_${s.contacts}_${s.events}`;

export function cacheDir(): string | null {
  const c = process.env.BENCH_CACHE ?? '/var/tmp/assent-bench';
  if (c === 'off') return null;
  mkdirSync(c, { recursive: true });
  return c;
}

// ---- ids and reference values ------------------------------------------------------------

const pad = (n: number) => String(n).padStart(12, '0');
/** Id shapes as the app's (time-ordered UUIDs), one prefix per table, ascending in load order. */
export const contactId = (i: number) => `01900000-0000-7000-8000-${pad(i)}`;
export const leadId = (i: number) => `01910000-0000-7000-8000-${pad(i)}`;
const eventId = (i: number) => `01920000-0000-7000-8000-${pad(i)}`;
export const ownerId = (i: number) => `01930000-0000-7000-8000-${pad(i)}`;
const messageId = (i: number) => `01940000-0000-7000-8000-${pad(i)}`;
const pageId = (i: number) => `01950000-0000-7000-8000-${pad(i)}`;
export const OWNERS = 5;
const MESSAGES = 40;
const PAGES = 20;
/** The page the model's behaviour rule watches (pricing): 30 % of visits and form submissions. */
export const PRICING_PAGE = pageId(1);

// Countries with weights (a European shop): the model's contact rule picks DACH.
const COUNTRIES: [string, number][] = [
  ['DE', 0.3],
  ['AT', 0.08],
  ['CH', 0.07],
  ['FR', 0.12],
  ['NL', 0.08],
  ['GB', 0.1],
  ['US', 0.15],
  ['ES', 0.1],
];
const LANG: Record<string, string> = { DE: 'de', AT: 'de', CH: 'de', FR: 'fr', NL: 'nl', GB: 'en', US: 'en', ES: 'es' };

function pick<T>(table: [T, number][], u: number): T {
  let acc = 0;
  for (const [v, w] of table) {
    acc += w;
    if (u < acc) return v;
  }
  return table[table.length - 1]![0];
}

// ---- the people ---------------------------------------------------------------------------

export interface ContactRow {
  id: string;
  email: string;
  first: string;
  last: string;
  phone: string;
  country: string;
  language: string;
  birth: string | null;
  isChild: number;
  guardianConsent: number;
  level: number;
  createdAt: string;
}

/**
 * Contact i (1-based). Consent: 80 % level 5, 12 % level 4, 5 % level 3, 2 % level 2, 1 % 0–1;
 * children: 1.5 % flagged (half with a guardian's consent) and 1 % by birth date only (born
 * 2011–2015, flag 0); 15 % without a birth date.
 */
export function contact(i: number): ContactRow {
  const r = prng(0x5c0 + i * 7);
  const u = r();
  const level = u < 0.8 ? 5 : u < 0.92 ? 4 : u < 0.97 ? 3 : u < 0.99 ? 2 : Math.floor(r() * 2);
  const c = r();
  const isChild = c < 0.015 ? 1 : 0;
  const guardianConsent = isChild && r() < 0.5 ? 1 : 0;
  const b = r();
  const year = c >= 0.015 && c < 0.025 ? 2011 + Math.floor(r() * 5) : isChild ? 2010 + Math.floor(r() * 8) : 1950 + Math.floor(r() * 56);
  const birth =
    b < 0.15
      ? null
      : `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-` + `${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
  const country = pick(COUNTRIES, r());
  const created = new Date(NOW.getTime() - (100 + Math.floor(r() * 900)) * DAY).toISOString();
  return {
    id: contactId(i),
    email: `user${i}@example.com`,
    first: `Name${i % 1000}`,
    last: `Family${i}`,
    phone: `+49 30 ${1_000_000 + i}`,
    country,
    language: LANG[country]!,
    birth,
    isChild,
    guardianConsent,
    level,
    createdAt: created,
  };
}

/** The gate's answer for profiling (level 5) by the scoring caller, as the data set was made: adult and level 5. */
export const profilingAllowed = (c: ContactRow, childCutoff: string) =>
  c.level >= 5 && c.isChild === 0 && (c.birth === null || c.birth <= childCutoff);

export interface LeadRow {
  id: string;
  contactId: string;
  title: string;
  status: string;
  ownerId: string | null;
  value: number | null;
  createdAt: string;
}

/** Contact i's lead: 60 % open, 20 % qualified, 10 % won, 10 % lost; 80 % owned; value null 15 %, else 100–200,000 (skewed low). */
export function lead(i: number): LeadRow {
  const r = prng(0x1ead + i * 13);
  const s = r();
  const status = s < 0.6 ? 'open' : s < 0.8 ? 'qualified' : s < 0.9 ? 'won' : 'lost';
  const owner = r() < 0.8 ? ownerId(1 + Math.floor(r() * OWNERS)) : null;
  const value = r() < 0.15 ? null : Math.round(100 * 2000 ** r() * 100) / 100;
  const createdAt = new Date(NOW.getTime() - Math.floor(r() * 180 * DAY)).toISOString();
  return { id: leadId(i), contactId: contactId(i), title: `Opportunity ${i}`, status, ownerId: owner, value, createdAt };
}

// ---- what they did --------------------------------------------------------------------------

const ALL_TYPES: [string, number][] = [
  ['email_sent', 0.3],
  ['email_delivered', 0.28],
  ['email_opened', 0.17],
  ['email_clicked', 0.07],
  ['page_visited', 0.15],
  ['email_bounced', 0.02],
  ['form_submitted', 0.01],
];
/** Behaviour (opens, clicks, visits) is stored per contact only where the gate let it be profiled at ingest. */
const NOT_BEHAVIOURAL: [string, number][] = [
  ['email_sent', 0.5],
  ['email_delivered', 0.45],
  ['email_bounced', 0.04],
  ['form_submitted', 0.01],
];

export type EventRow = [
  id: string,
  contactId: string,
  type: string,
  ref: string,
  messageId: string | null,
  pageId: string | null,
  at: string,
];

/** A multiplier coprime to n, so i -> i * m mod n scatters the busiest contacts over the id range. */
function scatter(n: number): number {
  for (const m of [7919, 104729, 1299709, 15485863]) if (n % m !== 0) return m;
  return 1;
}

/**
 * E interactions over the 90 days before NOW. Who: skewed (contact rank u^1.3: a few very
 * active people, many quiet ones, on average E/N each). What: any type for contacts allowed
 * profiling, only non-behavioural types for the others. Refs: 40 messages (skewed), 20 pages
 * (the pricing page 30 %).
 */
export function* events(shape: Shape, allowed: Uint8Array, from = 0, to = shape.events): Generator<EventRow> {
  const n = shape.contacts;
  const m = scatter(n);
  const r = prng(0xe7e7 + from);
  for (let x = from; x < to; x++) {
    const rank = Math.floor(n * r() ** 1.3);
    const ci = 1 + ((rank * m) % n);
    const type = pick(allowed[ci] ? ALL_TYPES : NOT_BEHAVIOURAL, r());
    const onPage = type === 'page_visited' || type === 'form_submitted';
    const ref = onPage
      ? r() < 0.3
        ? PRICING_PAGE
        : pageId(2 + Math.floor(r() * (PAGES - 1)))
      : messageId(1 + Math.floor(MESSAGES * r() ** 2));
    const at = new Date(NOW.getTime() - Math.floor(r() * 90 * DAY)).toISOString();
    yield [eventId(x + 1), contactId(ci), type, ref, onPage ? null : ref, onPage ? ref : null, at];
  }
}

/** Which contacts (1-based index) the gate allows profiling, as made. */
export function allowedMap(shape: Shape, childCutoff: string): Uint8Array {
  const a = new Uint8Array(shape.contacts + 1);
  for (let i = 1; i <= shape.contacts; i++) a[i] = profilingAllowed(contact(i), childCutoff) ? 1 : 0;
  return a;
}

// ---- loading --------------------------------------------------------------------------------

const CONTACT_COLS =
  'id, email, first_name, last_name, phone, country, language, birth_date, is_child, guardian_consent, consent_level, created_at, ' +
  'updated_at';
const LEAD_COLS = 'id, contact_id, title, status, owner_id, value, created_at, updated_at';
const EVENT_COLS = 'id, contact_id, type, ref, message_id, page_id, at';
const TABLES = ['contacts', 'leads', 'interactions'];
/** Interactions are made in chunks, each from its own seed (a transaction each on SQLite): both databases get the same rows. */
const EVENT_CHUNK = 500_000;

const contactValues = (c: ContactRow) => [
  c.id,
  c.email,
  c.first,
  c.last,
  c.phone,
  c.country,
  c.language,
  c.birth,
  c.isChild,
  c.guardianConsent,
  c.level,
  c.createdAt,
  c.createdAt,
];
const leadValues = (l: LeadRow) => [l.id, l.contactId, l.title, l.status, l.ownerId, l.value, l.createdAt, l.createdAt];

function ownerRows(): unknown[][] {
  const at = NOW.toISOString();
  // Not able to log in (no valid hash): owners for the leads and the sales-ready tasks.
  return Array.from({ length: OWNERS }, (_, k) => [ownerId(k + 1), `owner${k + 1}@example.com`, `Owner ${k + 1}`, 'marketer', '!', at, at]);
}
const OWNER_COLS = 'id, email, name, role, password_hash, created_at, updated_at';

/** The children cut-off the data set was made against: the default majority age at NOW (the gate's own rule). */
export const CHILD_CUTOFF = majorityCutoff(NOW, DEFAULT_SETTINGS.majorityAge);

function loadSqlite(file: string, shape: Shape, log: (s: string) => void): void {
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576');
  db.pragma('foreign_keys = OFF');
  const indexes = db
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and ` +
        `tbl_name in (${TABLES.map(() => '?').join(',')}) and sql is not ` +
        `null`,
    )
    .all(...TABLES) as { name: string; sql: string }[];
  for (const { name } of indexes) db.exec(`drop index "${name}"`);
  const insertOwner = db.prepare(`insert into users (${OWNER_COLS}) values (?, ?, ?, ?, ?, ?, ?)`);
  const insertContact = db.prepare(
    `insert into contacts (${CONTACT_COLS}) values (${CONTACT_COLS.split(',')
      .map(() => '?')
      .join(', ')})`,
  );
  const insertLead = db.prepare(
    `insert into leads (${LEAD_COLS}) values (${LEAD_COLS.split(',')
      .map(() => '?')
      .join(', ')})`,
  );
  const insertEvent = db.prepare(`insert into interactions (${EVENT_COLS}) values (?, ?, ?, ?, ?, ?, ?)`);
  let t = performance.now();
  db.transaction(() => {
    for (const o of ownerRows()) insertOwner.run(o);
    for (let i = 1; i <= shape.contacts; i++) {
      insertContact.run(contactValues(contact(i)));
      insertLead.run(leadValues(lead(i)));
    }
  })();
  db.exec('insert into contact_emails (email_key, dup, contact_id) select email, 0, id from contacts');
  log(`contacts and leads ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const allowed = allowedMap(shape, CHILD_CUTOFF);
  for (let from = 0; from < shape.events; from += EVENT_CHUNK) {
    db.transaction(() => {
      for (const e of events(shape, allowed, from, Math.min(shape.events, from + EVENT_CHUNK))) insertEvent.run(e);
    })();
  }
  log(`interactions ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  for (const { sql } of indexes) db.exec(sql);
  db.exec('analyze');
  log(`indexes and analyze ${((performance.now() - t) / 1000).toFixed(1)} s`);
  db.close();
}

// COPY text format: the generated values hold no tab, newline or backslash; null is \N.
const copyLine = (vals: unknown[]) => `${vals.map((v) => (v === null ? '\\N' : String(v))).join('\t')}\n`;

async function copyInto(client: pg.Client, table: string, cols: string, rows: Iterable<unknown[]>): Promise<void> {
  function* text() {
    let buf: string[] = [];
    for (const r of rows) {
      buf.push(copyLine(r));
      if (buf.length === 20_000) {
        yield buf.join('');
        buf = [];
      }
    }
    if (buf.length) yield buf.join('');
  }
  await pipeline(Readable.from(text()), client.query(copyStreams.from(`copy ${table} (${cols}) from stdin`)));
}

async function loadPostgres(url: string, shape: Shape, log: (s: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Rows made consistent by construction: no per-row foreign-key triggers during the load
    // (superuser only; elsewhere the checks run).
    await client.query(`set session_replication_role = replica`).catch(() => log('foreign-key checks stay on (not a superuser)'));
    await client.query(`set maintenance_work_mem = '512MB'`);
    const idx = await client.query<{ name: string; def: string }>(
      `select i.relname as name, pg_get_indexdef(x.indexrelid) as def from pg_index x join pg_class i on i.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       where t.relname = any($1::text[]) and t.relnamespace = current_schema()::regnamespace and not x.indisprimary and not x.indisunique
         and not exists (select 1 from pg_inherits h where h.inhrelid = x.indexrelid)`,
      [TABLES],
    );
    for (const { name } of idx.rows) await client.query(`drop index "${name}"`);
    let t = performance.now();
    await client.query(
      `insert into users (${OWNER_COLS}) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
      $6::text[], $7::text[])`,
      [0, 1, 2, 3, 4, 5, 6].map((k) => ownerRows().map((o) => o[k])),
    );
    const n = shape.contacts;
    await copyInto(
      client,
      'contacts',
      CONTACT_COLS,
      (function* () {
        for (let i = 1; i <= n; i++) yield contactValues(contact(i));
      })(),
    );
    await copyInto(
      client,
      'leads',
      LEAD_COLS,
      (function* () {
        for (let i = 1; i <= n; i++) yield leadValues(lead(i));
      })(),
    );
    await client.query('insert into contact_emails (email_key, dup, contact_id) select email, 0, id from contacts');
    log(`contacts and leads ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    const allowed = allowedMap(shape, CHILD_CUTOFF);
    await copyInto(
      client,
      'interactions',
      EVENT_COLS,
      (function* () {
        for (let from = 0; from < shape.events; from += EVENT_CHUNK)
          yield* events(shape, allowed, from, Math.min(shape.events, from + EVENT_CHUNK));
      })(),
    );
    log(`interactions ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    // A partitioned parent's definition reads ON ONLY: the index is made for the whole table, as the migration made it.
    for (const { def } of idx.rows) await client.query(def.replace(/ ON ONLY /i, ' ON '));
    // What autovacuum would do after a bulk load, done now: the visibility map (index-only
    // scans) and frozen rows, so no run pays for it.
    await client.query('vacuum (freeze, analyze)');
    log(`indexes and vacuum ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    await client.end();
  }
}

// ---- the cache ------------------------------------------------------------------------------

const size = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/**
 * A fresh SQLite file holding the data set (the product's schema, migrated to now), for one run;
 * the caller deletes it. Builds the cached copy first when there is none.
 */
export async function sqliteDataset(shape: Shape, scratchDir: string, log: (s: string) => void): Promise<string> {
  const dir = cacheDir() ?? scratchDir;
  const cached = join(dir, `scoring-${cacheKey(shape)}.db`);
  if (!existsSync(cached)) {
    const building = `${cached}.building`;
    rmSync(building, { force: true });
    const t = performance.now();
    const db = connect(`sqlite:${building}`);
    await migrate(db);
    await db.close();
    loadSqlite(building, shape, log);
    renameSync(building, cached);
    log(`built ${cached} (${size(statSync(cached).size)}) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  } else log(`reusing ${cached} (${size(statSync(cached).size)})`);
  // New migrations since it was built run on the cached file itself, once.
  const db = connect(`sqlite:${cached}`);
  await migrate(db);
  db.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
  await db.close();
  const file = join(scratchDir, 'scoring.db');
  const t = performance.now();
  copyFileSync(cached, file, constants.COPYFILE_FICLONE);
  log(`copied for this run in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return file;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The kept cluster under <cache>/pg, started (made on first use); stop() stops it and keeps its data. */
export async function keptCluster(): Promise<{ url: string; stop(): void } | null> {
  const dir = cacheDir();
  if (!dir) return null;
  const { findPgBin } = (await import(new URL('../scripts/pg-cluster.mjs', import.meta.url).href)) as { findPgBin(): string | null };
  const bin = findPgBin();
  if (!bin) return null;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const run = (exe: string, args: string[]) => {
    const r = root
      ? spawnSync('runuser', ['-' + 'u', 'postgres', '--', join(bin, exe), ...args], { encoding: 'utf8' })
      : spawnSync(join(bin, exe), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${exe} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  const home = join(dir, 'pg');
  const data = join(home, 'data');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    if (root) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(home, uid, gid);
    }
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  }
  const port = await freePort();
  // As the test runner's throwaway clusters (scripts/pg-cluster.mjs), with shared buffers for a data set of gigabytes.
  const opts = [`-k ${home}`, `-p ${port}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200', '-c shared_buffers=1GB'];
  opts.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  // A cluster left running by an interrupted run is stopped first.
  try {
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  } catch {
    /* not running */
  }
  run('pg_ctl', ['-D', data, '-l', join(home, 'log'), '-w', '-o', opts.join(' '), 'start']);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        /* already gone */
      }
    },
  };
}

const dbUrl = (server: string, name: string) => {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
};

/** The template database with the data set on `server` (built when missing, migrated to now); its name. */
export async function postgresTemplate(server: string, shape: Shape, log: (s: string) => void): Promise<string> {
  const name = `bench_scoring_${cacheKey(shape)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    const have = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (have.rowCount === 0) {
      const t = performance.now();
      const building = `${name}_building`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const db = connect(dbUrl(server, building));
      await migrate(db);
      await db.close();
      await loadPostgres(dbUrl(server, building), shape, log);
      await admin.query(`alter database ${building} rename to ${name}`);
      log(`built template database ${name} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    } else log(`reusing template database ${name}`);
    const db = connect(dbUrl(server, name));
    await migrate(db);
    await db.close();
    const sz = await admin.query<{ n: string }>('select pg_database_size($1)::text as n', [name]);
    log(`template ${name}: ${size(Number(sz.rows[0]!.n))}`);
  } finally {
    await admin.end();
  }
  return name;
}

/** Runs `body` on a clone of the template (file copy, the quick way for a large one), dropped afterwards. */
export async function cloneOf<T>(
  server: string,
  template: string,
  body: (url: string) => Promise<T>,
  log: (s: string) => void,
): Promise<T> {
  const name = `bench_scoring_run_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    const t = performance.now();
    await admin.query(`create database ${name} template ${template} strategy file_copy`);
    log(`cloned for this run in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return await body(dbUrl(server, name));
  } finally {
    for (let i = 0; i < 100; i++) {
      const r = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if (r.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
