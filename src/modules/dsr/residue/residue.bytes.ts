// Byte ranges of database files, read with plain file calls. Imported by the reader process
// alone (residue.reader.ts; a test holds everything else to it): closing any descriptor of a
// file drops every POSIX lock the process holds on that file, SQLite's included, and a client
// in another process then believes it is the last connection, checkpoints and deletes the log
// the server still writes to. The serving process therefore never opens its database's files.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { ByteMatcher } from './residue.model.ts';

const CHUNK = 16 * 1024 * 1024;

/**
 * Reads and searches ranges of files. The reader process has SQLite connections of its own to
 * the same files (read-only ones for tables, a short one to checkpoint), whose locks a closed
 * descriptor would drop just the same; so descriptors are opened once and kept, and closed only
 * by `closeAll`, which the reader calls when it holds no connection.
 */
export class FileBytes {
  private readonly fds = new Map<string, { fd: number; ino: number }>();
  /** Descriptors of files replaced since they were opened (a log deleted and made again): closed with the rest. */
  private readonly stale: number[] = [];
  private buf: Buffer | null = null;

  /** Whether [start, end) of the file (plus the overlap a needle across `end` needs) holds one of the matcher's forms. */
  matches(matcher: ByteMatcher, file: string, start: number, end: number): boolean {
    if (matcher.empty) return false;
    // No larger than the range needs: a small database's reader stays small.
    const size = Math.min(CHUNK, end - start) + matcher.overlap;
    const buf = this.buf && this.buf.length >= size ? this.buf : (this.buf = Buffer.alloc(size));
    const fd = this.fd(file);
    for (let pos = start; pos < end; pos += CHUNK) {
      // Each chunk runs on past its end by the overlap, so a needle across a border is seen whole.
      const n = readSync(fd, buf, 0, Math.min(CHUNK, end - pos) + matcher.overlap, pos);
      if (n === 0) break;
      if (matcher.matches(buf.subarray(0, n))) return true;
    }
    return false;
  }

  /** Only when this process holds no SQLite connection to any of the files. */
  closeAll(): void {
    for (const { fd } of this.fds.values()) closeSync(fd);
    for (const fd of this.stale.splice(0)) closeSync(fd);
    this.fds.clear();
  }

  private fd(file: string): number {
    const held = this.fds.get(file);
    // statSync and fstatSync open nothing.
    if (held && held.ino === statSync(file).ino) return held.fd;
    if (held) this.stale.push(held.fd);
    const fd = openSync(file, 'r');
    this.fds.set(file, { fd, ino: fstatSync(fd).ino });
    return fd;
  }
}
