// SQLite with other processes on the same file: `assent worker` beside the server, the CLI, an
// operator's own client. SQLite only by nature (PostgreSQL's server arbitrates its own locks).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { connect } from './connect.ts';

/** Another process (Python's sqlite3, an ordinary client) holds the write lock for `ms`, then commits its row. */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
c.execute('begin immediate')
c.execute("insert into notes (v) values ('from the other process')")
print('locked', flush=True)
time.sleep(float(sys.argv[2]) / 1000)
c.execute('commit')
c.close()
`;
  const child = spawn('python3', ['-c', script, file, String(ms)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('locked') && resolve());
    void exited.then(() => reject(new Error(`the other process ended early: ${err}`)));
  });
  return {
    released: exited.then(([code]) => assert.equal(code, 0, err)),
  };
}

it('SQLite: a transaction that reads before it writes waits for another process’s write lock instead of failing at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'assent-connect-'));
  const db = connect(`sqlite:${join(dir, 'x.db')}`);
  try {
    await sql`create table notes (id integer primary key, v text not null)`.execute(db.kysely);
    const other = await holdWriteLock(db.target.location, 300);
    // A deferred transaction takes a read snapshot at its first select; SQLite then refuses its
    // first write with SQLITE_BUSY without waiting (busy_timeout does not apply to that upgrade).
    const n = await db.kysely.transaction().execute(async (trx) => {
      const before = await sql<{ n: number }>`select count(*) as n from notes`.execute(trx);
      await sql`insert into notes (v) values ('from the server')`.execute(trx);
      return before.rows[0]!.n;
    });
    await other.released;
    assert.equal(n, 1, 'the transaction began once the other process had committed');
    const rows = await sql<{ v: string }>`select v from notes order by id`.execute(db.kysely);
    assert.deepEqual(
      rows.rows.map((r) => r.v),
      ['from the other process', 'from the server'],
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('SQLite: statements kept between queries see schema changes and hold no read snapshot after they ran', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'assent-stmt-'));
  const file = join(dir, 'kept.db');
  const db = connect(`sqlite:${file}`);
  try {
    await sql`create table kept (id integer primary key, v text)`.execute(db.kysely);
    await db.kysely.insertInto('kept').values({ id: 1, v: 'a' }).execute();
    const read = () => db.kysely.selectFrom('kept').selectAll().execute();
    assert.deepEqual(await read(), [{ id: 1, v: 'a' }]);
    // The same text again after a column was added: the kept statement returns the new column.
    await sql`alter table kept add column w text default 'b'`.execute(db.kysely);
    assert.deepEqual(await read(), [{ id: 1, v: 'a', w: 'b' }]);
    // A streamed read of that text, and the same text while the stream is open: another statement serves it.
    const streamed: unknown[] = [];
    for await (const row of db.kysely.selectFrom('kept').selectAll().stream()) streamed.push(row);
    assert.equal(streamed.length, 1);
    // Another process checkpoints the whole log and truncates it: impossible while any statement of ours holds a snapshot.
    await read();
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('python3', [
        '-c',
        'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("pragma wal_checkpoint(TRUNCATE)").fetchone()[0])',
        file,
      ]);
      let o = '';
      child.stdout.on('data', (c) => (o += c));
      child.on('exit', (code) => (code === 0 ? resolve(o.trim()) : reject(new Error(`python exited ${code}`))));
    });
    assert.equal(out, '0', 'the checkpoint was not blocked by a reader');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
