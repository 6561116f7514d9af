import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DbTarget } from './connect.ts';

/** The files SQLite keeps for a database: the file, its log, the log's shared index, the rollback journal. */
function databaseFiles(target: DbTarget): string[] {
  if (target.dialect !== 'sqlite' || target.location === ':memory:') return [];
  return ['', '-wal', '-shm', '-journal'].map((suffix) => `${target.location}${suffix}`);
}

/**
 * Whether `file` names one of the database's own files, by any path: relative, through a
 * symbolic link, a hard link, or a file SQLite will create (the log). A process that has the
 * database open must not open these with plain file calls: closing the descriptor drops every
 * SQLite lock the process holds on the file, and writing would overwrite the database.
 * (statSync and realpathSync open nothing.)
 */
export function isDatabaseFile(target: DbTarget, file: string): boolean {
  const own = databaseFiles(target);
  if (own.length === 0) return false;
  const inode = (p: string) => {
    try {
      const s = statSync(p);
      return `${s.dev}:${s.ino}`;
    } catch {
      return null;
    }
  };
  const canonical = (p: string) => {
    try {
      return join(realpathSync(dirname(p)), basename(p));
    } catch {
      return p;
    }
  };
  const f = resolve(file);
  const id = inode(f);
  return own.some((o) => canonical(o) === canonical(f) || (id !== null && inode(o) === id));
}
