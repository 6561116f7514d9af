// The SQLite memory settings: defaults from the machine's memory, operator overrides through the
// environment, and that a connection really runs with them. SQLite only by nature.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectOptions, loadConfig } from '../config.ts';
import { connect } from './connect.ts';
import { defaultSqliteTuning } from './sqlite-tuning.ts';

const GiB = 1024 ** 3;

function pragmasOf(env: NodeJS.ProcessEnv): { cache: number; mmap: number; temp: number } {
  const dir = mkdtempSync(join(tmpdir(), 'assent-tuning-'));
  const config = loadConfig({ ...env, DATABASE_URL: `sqlite:${join(dir, 'x.db')}` });
  const db = connect(config.databaseUrl, connectOptions(config));
  try {
    const raw = db.sqlite!;
    return {
      cache: raw.pragma('cache_size', { simple: true }) as number,
      mmap: raw.pragma('mmap_size', { simple: true }) as number,
      temp: raw.pragma('temp_store', { simple: true }) as number,
    };
  } finally {
    void db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite memory settings', () => {
  it('defaults scale with memory, within their bounds', () => {
    assert.deepEqual(defaultSqliteTuning(24 * GiB), { cacheMb: 1024, mmapMb: 6144 });
    assert.deepEqual(defaultSqliteTuning(4 * GiB), { cacheMb: 256, mmapMb: 1024 });
    // A small container: the floors, not a share that leaves SQLite less than its own default.
    assert.deepEqual(defaultSqliteTuning(128 * 1024 ** 2), { cacheMb: 16, mmapMb: 64 });
    assert.deepEqual(defaultSqliteTuning(256 * GiB), { cacheMb: 1024, mmapMb: 8192 });
  });

  it('a connection runs with the defaults: a page cache far above SQLite’s 2 MB, the map on, temporary b-trees in memory', () => {
    const p = pragmasOf({});
    const d = defaultSqliteTuning();
    assert.equal(p.cache, -d.cacheMb * 1024, 'cache_size is negative KiB');
    assert.ok(p.cache <= -16 * 1024);
    assert.ok(p.mmap > 0, 'the memory map is on');
    assert.equal(p.temp, 2, 'temp_store = MEMORY');
  });

  it('the operator’s ASSENT_SQLITE_CACHE_MB and ASSENT_SQLITE_MMAP_MB reach the connection; 0 turns the map off', () => {
    const p = pragmasOf({ ASSENT_SQLITE_CACHE_MB: '64', ASSENT_SQLITE_MMAP_MB: '0' });
    assert.equal(p.cache, -64 * 1024);
    assert.equal(p.mmap, 0);
    const q = pragmasOf({ ASSENT_SQLITE_MMAP_MB: '100' });
    assert.equal(q.mmap, 100 * 1024 * 1024);
  });

  it('refuses a setting that is not a whole number, naming it', () => {
    assert.throws(() => loadConfig({ ASSENT_SQLITE_CACHE_MB: 'lots' }), /ASSENT_SQLITE_CACHE_MB must be a whole number/);
    assert.throws(() => loadConfig({ ASSENT_SQLITE_MMAP_MB: '-1' }), /ASSENT_SQLITE_MMAP_MB must be a whole number/);
  });
});
