// The residue scan runs inside the serving process after every erasure. It must not open the
// SQLite file with plain file calls there: closing any descriptor of a file drops every POSIX
// lock the process holds on it, SQLite's included, and an ordinary client in another process
// then believes it is the last connection, checkpoints and deletes the server's write-ahead log
// (later writes go to the unlinked log; the file ends up malformed). SQLite only by nature:
// PostgreSQL's server owns its files, no lock of ours is involved.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SQLiteDb from 'better-sqlite3';
import { sql } from 'kysely';
import { json, testApp, type TestApp } from '../../../../test/helpers/app.ts';
import { connect } from '../../../db/connect.ts';
import type { Db } from '../../database.ts';
import { migrate } from '../../../services.ts';
import { ERASE_ME, fileScan } from '../../../../test/fixtures/dsr/erasure.fixture.ts';
import { identifiersOf, searchTerms } from './residue.model.ts';
import { inProcess } from './residue.readers.ts';
import { ResidueScanner } from './residue.service.ts';

/*
 * The external client: Python's sqlite3 module on the system's SQLite library, an ordinary client
 * as an operator or a tool would use one. (A better-sqlite3 connection in another process would
 * do for most of this, but it does not checkpoint and delete the log when it closes, so it could
 * not show the harm.) It reads the catalogue, as clients do on connecting.
 *   once: connects, runs `select 1` and reads the catalogue, counts the contacts, disconnects.
 *   loop: until stdin ends, connects, reads, every other round commits a short write to
 *         `external_writes`, disconnects, waits 3 ms; then says how many writes it committed.
 */
const CLIENT = `
import sqlite3, sys, threading, time
mode, path = sys.argv[1], sys.argv[2]
ended = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), ended.set()), daemon=True).start()
wrote = rounds = contacts = 0
while True:
    c = sqlite3.connect(path, timeout=5, isolation_level=None)
    c.execute('select 1').fetchall()
    c.execute('select count(*) from sqlite_master').fetchall()
    contacts = c.execute('select count(*) from contacts').fetchone()[0]
    if mode == 'loop':
        if rounds % 2 == 1:
            c.execute('begin immediate')
            c.execute('insert into external_writes (round) values (?)', (rounds,))
            c.execute('commit')
            wrote += 1
    c.close()
    rounds += 1
    if mode == 'once' or ended.is_set():
        break
    # A breath between rounds: a client that never lets go starves the server's busy handler.
    time.sleep(0.003)
print('wrote %d' % wrote)
print('rounds %d' % rounds)
print('contacts %d' % contacts)
`;

/** Starts the external client in a process of its own. */
function client(mode: 'once' | 'loop', file: string) {
  const child = spawn('python3', ['-c', CLIENT, mode, file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const exited = once(child, 'exit');
  const started = once(child, 'spawn');
  return {
    /** Ends the loop (or waits for `once`) and answers what the client said. */
    async done(): Promise<{ wrote: number; rounds: number; contacts: number; failed: string | null }> {
      await started;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code] = await exited;
      clearTimeout(timer);
      const failed = code === 0 ? null : `the external client failed: ${err.trim().split('\n').pop()}`;
      const said = (what: string) => Number(new RegExp(`${what} (\\d+)`).exec(out)?.[1]);
      return { wrote: said('wrote'), rounds: said('rounds'), contacts: said('contacts'), failed };
    },
  };
}

interface Live {
  db: Db;
  t: TestApp;
  path: string;
  url: string;
  dir: string;
}

/**
 * A server on a new database file. `readers`: the tables read by reader processes (as for a
 * large file) rather than on the app's connection; `patienceMs`: how long the scan's
 * checkpoint waits for the external client's readers (the scan reports checkpoint:busy after).
 */
async function startServer(readers: boolean, patienceMs?: number): Promise<Live> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-locks-'));
  const path = join(dir, 'live.db');
  const url = `sqlite:${path}`;
  const db = connect(url);
  await migrate(db);
  await sql`create table external_writes (id integer primary key, round integer not null)`.execute(db.kysely);
  const t = await testApp(db);
  if (readers || patienceMs !== undefined) {
    const scanner = new ResidueScanner(db, {
      ...(readers ? { readers: 2, parallelFromBytes: 0 } : {}),
      ...(patienceMs !== undefined ? { checkpointPatienceMs: patienceMs } : {}),
    });
    Object.assign(t.services.erasure, { scanner });
  }
  return { db, t, path, url, dir };
}

const call = (t: TestApp, method: 'POST' | 'PUT', url: string, payload: object | undefined, role: 'marketer' | 'privacy_officer') =>
  t.app.inject({ method, url, headers: t.auth(role), ...(payload ? { payload } : {}) });

/** Writes through the server that it acknowledges: a contact, then its consent level. */
async function acknowledgedWrites(t: TestApp, tag: string, n: number): Promise<{ id: string; level: number }[]> {
  const out: { id: string; level: number }[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(
      t,
      'POST',
      '/api/v1/contacts',
      { email: `kept.${tag}.${i}@example.org`, firstName: 'Kept', lastName: `Writer${tag}${i}` },
      'marketer',
    );
    assert.equal(res.statusCode, 201, res.body);
    const id = json(res).data.id as string;
    const level = 1 + (i % 5);
    const set = await call(t, 'PUT', `/api/v1/contacts/${id}/consent`, { level, source: 'admin' }, 'privacy_officer');
    assert.equal(set.statusCode, 200, set.body);
    out.push({ id, level });
  }
  return out;
}

async function eraseOne(t: TestApp, tag: string): Promise<string> {
  const res = await call(
    t,
    'POST',
    '/api/v1/contacts',
    { email: `gone.${tag}@example.org`, firstName: 'Gone', lastName: `Person${tag}`, phone: '+49 151 2345 6789' },
    'marketer',
  );
  assert.equal(res.statusCode, 201, res.body);
  const id = json(res).data.id as string;
  const erased = await call(t, 'POST', `/api/v1/contacts/${id}/erase`, undefined, 'privacy_officer');
  assert.equal(erased.statusCode, 200, erased.body);
  return id;
}

/** Closes the server, opens the file again as a restarted server would, and lists what is wrong with it. */
async function afterRestart(
  live: Live,
  kept: { id: string; level: number }[],
  gone: string[],
  externalWrites: number | null,
): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async <T>(what: string, fn: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message} (${(e as { code?: string }).code ?? 'no code'})`);
      return undefined;
    }
  };
  await attempt('closing the server', () => live.t.close());
  await attempt('closing the database', () => live.db.close());
  const db = await attempt('restarting', () => connect(live.url));
  if (db) {
    const raw = db.sqlite!;
    await attempt('integrity_check', () => {
      const verdict = (raw.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
      if (verdict !== 'ok') throw new Error(verdict);
    });
    await attempt('reading the writes', () => {
      const level = new Map(
        (raw.prepare('select id, consent_level from contacts').all() as { id: string; consent_level: number }[]).map((r) => [
          r.id,
          r.consent_level,
        ]),
      );
      const lost = kept.filter((k) => level.get(k.id) !== k.level);
      if (lost.length) problems.push(`${lost.length} of ${kept.length} acknowledged writes lost`);
      if (gone.some((g) => level.has(g))) problems.push('an erased contact is back');
      const ext = raw.prepare('select count(*) from external_writes').pluck().get() as number;
      if (externalWrites !== null && ext !== externalWrites)
        problems.push(`external client: ${externalWrites} writes committed, ${ext} present`);
    });
    await attempt('closing after the restart', () => db.close());
  }
  rmSync(live.dir, { recursive: true, force: true });
  return problems;
}

describe('SQLite: the residue scan leaves the serving process’s file locks alone (SQLite only)', () => {
  for (const readers of [false, true]) {
    const how = readers ? 'reader processes' : 'the app connection';
    it(
      `an external client that connects after an API erasure leaves ` + `the log and every write in place (tables scanned on ${how})`,
      async () => {
        const live = await startServer(readers);
        const gone = await eraseOne(live.t, 'a');
        const wal = `${live.path}-wal`;
        const inode = statSync(wal).ino;
        const { failed } = await client('once', live.path).done();
        assert.equal(failed, null);
        const walKept = existsSync(wal) && statSync(wal).ino === inode;
        const kept = await acknowledgedWrites(live.t, 'a', 5);
        // Another process sees what the server acknowledged (a CLI export, say).
        const seen = await client('once', live.path).done();
        const held = Number((await sql<{ n: number }>`select count(*) as n from contacts`.execute(live.db.kysely)).rows[0]!.n);
        const problems = seen.contacts === held ? [] : [`another process sees ${seen.contacts} contacts, the server holds ${held}`];
        problems.push(...(await afterRestart(live, kept, [gone], 0)));
        if (!walKept) problems.push('the server’s -wal was unlinked by the external client');
        assert.deepEqual(problems, []);
      },
    );
  }

  for (const readers of [false, true]) {
    const how = readers ? 'reader processes' : 'the app connection';
    it(`many erasures while an external process connects, reads, writes and disconnects in a loop: no write lost, file intact (tables ` +
      `scanned on ${how})`, {
      timeout: 120_000,
    }, async () => {
      // The client's reads keep the log busy; the scan need not wait long to say so.
      const live = await startServer(readers, 200);
      const wal = `${live.path}-wal`;
      const inode = statSync(wal).ino;
      const loop = client('loop', live.path);
      const kept: { id: string; level: number }[] = [];
      const gone: string[] = [];
      const problems: string[] = [];
      let walKept = true;
      try {
        for (let i = 0; i < 25; i++) {
          gone.push(await eraseOne(live.t, `r${i}`));
          kept.push(...(await acknowledgedWrites(live.t, `r${i}`, 1)));
          walKept &&= existsSync(wal) && statSync(wal).ino === inode;
        }
      } catch (e) {
        // The server failing is one of the symptoms: report it with what the file says.
        problems.push(`the server failed after ${gone.length} erasures: ${(e as Error).message.split('\n')[0]}`);
      }
      const { wrote, rounds, failed } = await loop.done();
      if (failed) problems.push(failed);
      else assert.ok(rounds >= 10, `the external client connected ${rounds} times`);
      // Writes the client saw committed: all of them when it ran to the end, else at least those.
      problems.push(...(await afterRestart(live, kept, gone, failed ? null : wrote)));
      if (!walKept) problems.push('the server’s -wal was unlinked by the external client');
      assert.deepEqual(problems, []);
    });
  }

  it('the erasure tests’ own scan of the file’s bytes (erasure.fixture.ts) leaves the test process’s locks alone', async () => {
    const live = await startServer(false);
    const res = await call(
      live.t,
      'POST',
      '/api/v1/contacts',
      { email: ERASE_ME.email, firstName: ERASE_ME.firstName, lastName: ERASE_ME.lastName },
      'marketer',
    );
    assert.equal(res.statusCode, 201, res.body);
    const wal = `${live.path}-wal`;
    const inode = statSync(wal).ino;
    assert.deepEqual(fileScan(live.db, ERASE_ME), [wal], 'the new row is in the log, and the scan sees it');
    const { failed } = await client('once', live.path).done();
    assert.equal(failed, null);
    const walKept = existsSync(wal) && statSync(wal).ino === inode;
    const kept = await acknowledgedWrites(live.t, 'g', 2);
    const seen = await client('once', live.path).done();
    const problems = seen.contacts === 3 ? [] : [`another process sees ${seen.contacts} contacts, the server holds 3`];
    problems.push(...(await afterRestart(live, kept, [], 0)));
    if (!walKept) problems.push('the test process’s -wal was unlinked by the external client');
    assert.deepEqual(problems, []);
  });
});

// Another process holds the write lock for a moment: `begin immediate`, says so, commits when told.
const ERASE_ME_IDS = identifiersOf({ email: ERASE_ME.email, first_name: ERASE_ME.firstName, last_name: ERASE_ME.lastName });
const HOLDER = `
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
c.execute('begin immediate')
c.execute('insert into external_writes (round) values (-1)')
print('locked', flush=True)
time.sleep(float(sys.argv[2]))
c.execute('commit')
print('committed', flush=True)
`;

describe('SQLite: while the scan’s checkpoint waits for a reader, the server’s own writes still wait for a lock (SQLite only)', () => {
  it('a write on the app’s connection during the wait waits for another process’s write lock and succeeds', {
    timeout: 60_000,
  }, async () => {
    const live = await startServer(false);
    const raw = live.db.sqlite!;
    // A reader in another connection keeps the log from being emptied: the checkpoint retries.
    const reader = new SQLiteDb(live.path);
    reader.exec('begin');
    reader.prepare('select count(*) from contacts').get();
    const problems: string[] = [];
    try {
      const readers = inProcess(live.db, searchTerms(ERASE_ME_IDS));
      const checkpoint = readers.run({ kind: 'checkpoint', patienceMs: 3000 });
      const holder = spawn('python3', ['-c', HOLDER, live.path, '0.4'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      holder.stdout.on('data', (c) => (said += c));
      const exited = once(holder, 'exit');
      while (!said.includes('locked')) {
        if (holder.exitCode !== null) throw new Error('the lock holder ended before locking');
        await new Promise((r) => setTimeout(r, 10));
      }
      const busy = Number(raw.pragma('busy_timeout', { simple: true }));
      if (busy < 1000) problems.push(`the app’s connection waits ${busy} ms for a lock while the checkpoint waits`);
      try {
        await sql`insert into external_writes (round) values (1)`.execute(live.db.kysely);
      } catch (e) {
        problems.push(`a write during the checkpoint’s wait failed: ${(e as { code?: string }).code ?? (e as Error).message}`);
      }
      await exited;
      if (!said.includes('committed')) problems.push('the lock holder did not commit');
      reader.exec('commit');
      const answer = (await checkpoint) as { checkpointed: boolean };
      if (!answer.checkpointed) problems.push('the log was not emptied once the reader let go');
      assert.equal(raw.prepare('select count(*) from external_writes').pluck().get(), 2);
    } finally {
      if (reader.inTransaction) reader.exec('rollback');
      reader.close();
    }
    problems.push(...(await afterRestart(live, [], [], null)));
    assert.deepEqual(problems, []);
  });
});
