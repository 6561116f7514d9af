import type SQLite from 'better-sqlite3';

/**
 * SQLite runs its automatic checkpoint inside the COMMIT that pushes the write-ahead log over
 * `wal_autocheckpoint` pages: the transaction is already committed and visible to every process,
 * but the statement returns only after the log was copied into the file and synced, which takes
 * milliseconds and, on a loaded machine, tens of them. For a commit whose return releases a side
 * effect (a send's hand-over, after which the SMTP terminator goes out: ADR 16), that time is a
 * window in which a crash loses the effect. Holding the automatic checkpoint over such a commit
 * closes it; the next commit after the hold checkpoints as usual, the log being over the mark.
 *
 * Holds nest and overlap (several hand-overs of one process, an erasure's batches): the setting
 * is put back only when the last hold ends, to the value it had before the first.
 */
const holds = new WeakMap<SQLite.Database, { depth: number; saved: number }>();

export function holdCheckpoints(raw: SQLite.Database): () => void {
  const h = holds.get(raw);
  if (h) h.depth++;
  else {
    holds.set(raw, { depth: 1, saved: Number(raw.pragma('wal_autocheckpoint', { simple: true })) });
    raw.pragma('wal_autocheckpoint = 0');
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const cur = holds.get(raw);
    if (!cur || --cur.depth > 0) return;
    holds.delete(raw);
    if (raw.open) raw.pragma(`wal_autocheckpoint = ${cur.saved}`);
  };
}
