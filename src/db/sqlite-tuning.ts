import { totalmem } from 'node:os';

/**
 * How much memory one SQLite connection may use for pages, and how much of the file it may map.
 * SQLite's defaults (a 2 MB page cache, no memory map, temporary b-trees on disk) suit a phone;
 * a server with a database of millions of contacts and events spends its time re-reading pages.
 * Both are upper bounds: the cache grows only as pages are read, and the map never exceeds the
 * file, so a small database costs nothing more.
 */
export interface SqliteTuning {
  /** Page cache, in MiB (PRAGMA cache_size). */
  cacheMb: number;
  /** Memory-mapped I/O, in MiB (PRAGMA mmap_size); 0 turns it off. */
  mmapMb: number;
}

const MiB = 1024 * 1024;

/** The memory the process may use: a container's limit when there is one, else the machine's. */
export function availableMemory(): number {
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = totalmem();
  // Without a limit Node reports 0 or a huge sentinel (2^64); either way the machine's memory bounds it.
  return limit && limit > 0 && limit < total ? limit : total;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Defaults from the memory available: a sixteenth for the page cache (16 MiB to 1 GiB), a quarter
 * for the map (64 MiB to 8 GiB; SQLite caps it further at its compile-time maximum). Several
 * processes open the database (server, worker, CLI), each with its own cache, so no one
 * connection may take a large share.
 */
export function defaultSqliteTuning(memory = availableMemory()): SqliteTuning {
  return {
    cacheMb: Math.floor(clamp(memory / 16, 16 * MiB, 1024 * MiB) / MiB),
    mmapMb: Math.floor(clamp(memory / 4, 64 * MiB, 8192 * MiB) / MiB),
  };
}

/** The pragmas for a tuning; `temp_store = MEMORY` keeps the sorts and groupings of segment counts off the disk. */
export function tuningPragmas(t: SqliteTuning): string[] {
  return [`cache_size = ${-Math.round(t.cacheMb * 1024)}`, `mmap_size = ${Math.round(t.mmapMb * MiB)}`, 'temp_store = MEMORY'];
}
