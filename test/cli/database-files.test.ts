// The CLI writes and reads files the operator names while it has the database open. Naming one
// of the database's own files (by slip of the tab key, a link, the log) would overwrite the
// database, or at the least drop the command's SQLite locks when the descriptor closes: refused,
// and nothing touched. SQLite only by nature (PostgreSQL's files are the server's).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createServices } from '../../src/services.ts';
import { freshDatabase, type ScratchDb } from '../helpers/db.ts';
import { assent } from '../helpers/cli.ts';

describe('CLI file arguments that name the database’s own files (SQLite only)', () => {
  let scratch: ScratchDb;
  let path: string;
  let links: string;
  before(async () => {
    scratch = await freshDatabase('sqlite');
    path = scratch.db.target.location;
    const s = createServices(loadConfig({}), scratch.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    await s.contacts.create({ email: 'kept@example.org' });
    links = mkdtempSync(join(tmpdir(), 'assent-links-'));
    symlinkSync(path, join(links, 'alias.db'));
  });
  after(async () => {
    await scratch.drop();
    rmSync(links, { recursive: true, force: true });
  });

  const intact = async (what: string) => {
    const check = scratch.db.sqlite!.pragma('integrity_check', { simple: true });
    assert.equal(check, 'ok', `${what}: integrity_check`);
    const n = (await sql<{ n: number }>`select count(*) as n from contacts`.execute(scratch.db.kysely)).rows[0]!.n;
    assert.equal(Number(n), 1, `${what}: the contact is still there`);
  };

  it('refuses to write an export over the database, its log, or a link to it', async () => {
    const names = () => [path, `${path}-wal`, `${path}-shm`, relative(process.cwd(), path), join(links, 'alias.db')];
    for (const target of names()) {
      const size = existsSync(target) ? statSync(target).size : -1;
      for (const args of [
        ['dsr', 'export', 'kept@example.org', '--out', target],
        ['export', 'contacts', '--out', target],
      ]) {
        const r = await assent(scratch.url, ...args);
        assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /database's own files/);
        assert.equal(existsSync(target) ? statSync(target).size : -1, size, `${args.join(' ')}: the file was not written`);
        await intact(args.join(' '));
      }
    }
  });

  it('refuses to import the database file as CSV', async () => {
    const r = await assent(scratch.url, 'import', 'contacts', path);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /database's own files/);
    assert.equal(existsSync(`${path}.rejected.csv`), false);
    await intact('import contacts');
  });
});
