import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
} from 'kysely';
import pg from 'pg';
import { defaultSqliteTuning, type SqliteTuning, tuningPragmas } from './sqlite-tuning.ts';
import { registerTextFunctions } from './text-fold.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface DbTarget {
  dialect: Dialect;
  /** File path for SQLite (":memory:" allowed), connection string for PostgreSQL. */
  location: string;
}

/** `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite:PATH` or a plain path → SQLite. */
export function parseDatabaseUrl(url: string): DbTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', location: url };
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (!path) throw new Error('DATABASE_URL names no SQLite file');
  return { dialect: 'sqlite', location: path === ':memory:' ? path : resolve(path) };
}

/**
 * An open database. `DB` is the tables' types: the lower layers know none of them (they take
 * `Db<any>` and type their own tables); the modules' `Db` fixes it to the type derived from the
 * list of modules (src/modules/database.ts).
 */
export interface Db<DB> {
  kysely: Kysely<DB>;
  dialect: Dialect;
  target: DbTarget;
  /** The raw better-sqlite3 handle (SQLite only): file-level maintenance and benchmarks' baselines. */
  sqlite?: SQLite.Database;
  /** The raw pg pool (PostgreSQL only). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

// PostgreSQL hands int8/numeric back as strings to avoid precision loss; every count and
// sum we read fits in a double, so one code path reads numbers on both dialects.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** Opens a SQLite file with the house's pragmas; `tuning` overrides the memory defaults (sqlite-tuning.ts). */
export function openSqlite(path: string, tuning: Partial<SqliteTuning> = {}): SQLite.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new SQLite(path);
  // WAL lets readers run beside the one writer; busy_timeout makes a second process wait
  // for the write lock instead of failing at once; foreign keys are off by default in SQLite.
  raw.pragma('journal_mode = WAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = NORMAL');
  // Deleted content is overwritten, not left in free pages: erasure must leave no trace in the file.
  raw.pragma('secure_delete = ON');
  // Page cache and memory map sized for the machine, temporary b-trees in memory (sqlite-tuning.ts).
  for (const p of tuningPragmas({ ...defaultSqliteTuning(), ...tuning })) raw.pragma(p);
  // Lets the planner use statistics gathered so far (SQLite's recommended call at open).
  raw.pragma('optimize = 0x10002');
  // Unicode lower case and accent folding, which SQLite lacks (src/db/text-fold.ts).
  registerTextFunctions(raw);
  return raw;
}

/**
 * SQLite transactions begin IMMEDIATE, taking the write lock at once. A deferred one reads
 * first and asks for the lock at its first write, and SQLite refuses that at once
 * (SQLITE_BUSY: it does not wait while holding a read snapshot) when another process (the
 * worker, the CLI, an operator's client) holds the lock or wrote meanwhile. Asked at BEGIN, the
 * lock is waited for under busy_timeout like any other.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Prepared statements kept per connection: enough for every query text the app repeats, bounded because in-lists vary in length. */
const STATEMENT_CACHE = 512;

/**
 * The handle Kysely's driver sees: `prepare` returns a statement kept from an earlier call with
 * the same text. Kysely prepares every query anew, and for short statements run many times (a
 * send's hand-over: begin, update, upsert, commit) preparing cost as much as running. A kept
 * statement stays valid across schema changes (SQLite re-prepares it); one still iterating (a
 * stream) is not handed out again, a new one is prepared instead.
 */
export function cachingHandle(raw: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (text: string): SQLite.Statement => {
    const kept = cache.get(text);
    if (kept && !kept.busy) {
      // Most recently used last, so the first key is the one to drop.
      cache.delete(text);
      cache.set(text, kept);
      return kept;
    }
    const stmt = raw.prepare(text);
    if (!kept) {
      cache.set(text, stmt);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    }
    return stmt;
  };
  return { prepare, close: () => raw.close() } as unknown as SQLite.Database;
}

function sqliteDialect(raw: SQLite.Database): KyselyDialect {
  const base = new SqliteDialect({ database: raw });
  const handle = cachingHandle(raw);
  return {
    createAdapter: () => base.createAdapter(),
    createDriver: () => new ImmediateSqliteDriver({ database: handle }),
    createQueryCompiler: () => base.createQueryCompiler(),
    createIntrospector: (db) => base.createIntrospector(db),
  };
}
const PG_CONNECT_TIMEOUT_MS = 10_000;

export function connect<DB = any>(url: string, opts: { poolSize?: number; sqlite?: Partial<SqliteTuning> } = {}): Db<DB> {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite') {
    const raw = openSqlite(target.location, opts.sqlite);
    const kysely = new Kysely<DB>({ dialect: sqliteDialect(raw) });
    return {
      kysely,
      dialect: 'sqlite',
      target,
      sqlite: raw,
      close: async () => {
        await kysely.destroy();
      },
    };
  }
  // A wait for a connection (the pool full, or a server that does not answer) ends with an
  // error after this long instead of hanging the request; it is answered as database_unavailable.
  const pool = new pg.Pool({ connectionString: target.location, max: opts.poolSize ?? 10, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
  // An idle connection the server closes (restart, admin, failover) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  // Nor one checked out between two queries of a transaction: without a listener its 'error'
  // event would be thrown. The next query on it fails, and the pool discards it on release.
  pool.on('connect', (client) => void client.on('error', () => undefined));
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    target,
    pool,
    close: async () => {
      await kysely.destroy();
    },
  };
}
