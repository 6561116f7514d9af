import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { connect, type Dialect } from '../../src/db/connect.ts';
import type { Db } from '../../src/modules/database.ts';
import { migrate } from '../../src/services.ts';
import { newId } from '../../src/lib/ids.ts';

export const PG_URL = process.env.ASSENT_TEST_PG_URL;
/** The throwaway cluster's data directory (scripts/test.mjs); unset when DATABASE_URL names an outside server. */
export const PG_DATA = process.env.ASSENT_TEST_PG_DATA;

export interface ScratchDb {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

const PG_TEMPLATE = process.env.ASSENT_TEST_PG_TEMPLATE;

/** A new, empty database of the dialect (not migrated), or on PostgreSQL a copy of `template`. */
export async function scratchDatabase(dialect: Dialect, template?: string): Promise<ScratchDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'assent-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const db = connect(url);
    return {
      db,
      url,
      drop: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!PG_URL) throw new Error('no PostgreSQL for tests');
  const name = `t_${newId().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}${template && /^[a-z_][a-z0-9_]*$/.test(template) ? ` template ${template}` : ''}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = connect(url, { poolSize: 8 });
  return {
    db,
    url,
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * A fresh, migrated database of the dialect. On the throwaway cluster it is a copy of the
 * database the test runner migrated once (ASSENT_TEST_PG_TEMPLATE); migrating it again then
 * finds nothing to do.
 */
export async function freshDatabase(dialect: Dialect): Promise<ScratchDb> {
  const s = await scratchDatabase(dialect, dialect === 'postgres' ? PG_TEMPLATE : undefined);
  await migrate(s.db);
  return s;
}

export const DIALECTS: { name: Dialect; skip: string | false }[] = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: PG_URL ? false : 'PostgreSQL not available (see npm test output)' },
];

/**
 * Runs `body` once per dialect inside a describe block that owns a fresh migrated database.
 * `ctx.db` is valid inside tests (set in `before`).
 */
export function forEachDialect(title: string, body: (ctx: { readonly db: Db; readonly url: string; dialect: Dialect }) => void): void {
  for (const d of DIALECTS) onDialect(title, d, body);
}

/**
 * Like `forEachDialect`, on SQLite only: for tests whose subject sits above the database (the
 * HTTP envelope, the API document) and that need a database only to build the app. Run per
 * dialect, they would test the same code twice.
 */
export function onOneDatabase(title: string, body: (ctx: { readonly db: Db; readonly url: string; dialect: Dialect }) => void): void {
  onDialect(title, DIALECTS[0]!, body);
}

function onDialect(
  title: string,
  d: (typeof DIALECTS)[number],
  body: (ctx: { readonly db: Db; readonly url: string; dialect: Dialect }) => void,
): void {
  describe(`${title} [${d.name}]`, { skip: d.skip }, () => {
    let scratch: ScratchDb | undefined;
    const ctx = {
      dialect: d.name,
      get db(): Db {
        if (!scratch) throw new Error('database not ready');
        return scratch.db;
      },
      get url(): string {
        if (!scratch) throw new Error('database not ready');
        return scratch.url;
      },
    };
    before(async () => {
      scratch = await freshDatabase(d.name);
    });
    after(async () => {
      await scratch?.drop();
    });
    body(ctx);
  });
}
