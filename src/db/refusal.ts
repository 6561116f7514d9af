import SQLite from 'better-sqlite3';
import pg from 'pg';
import { unavailability } from './availability.ts';

/*
 * Whether the database refused a statement for what it says (a column that is not there, a
 * type that does not fit, too many variables, an expression too deep, a query cancelled for
 * taking too long), as opposed to being unavailable (busy, locked, disconnected, out of disk,
 * corrupt, shutting down). A statement built from stored data (a saved segment filter) can
 * be refused for good: that is the data's problem, answered as such. An unavailable database
 * is everyone's problem, and stays an error.
 */

/** SQLite result codes that say the database could not serve anyone, not that this statement is wrong. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CORRUPT|CANTOPEN|NOTADB|READONLY|FULL|PERM|AUTH|PROTOCOL)/;

/**
 * PostgreSQL SQLSTATE classes and codes of the same kind: connection (08), transaction
 * rollback and state (40, 25), insufficient resources (53: disk full, out of memory, too many
 * connections), operator intervention other than a cancelled statement (57P), system and
 * internal errors (58, XX). Except 08P01: the protocol's 16-bit parameter count wraps past
 * 65,535 variables, and the server refuses that one statement as a protocol violation.
 */
const PG_UNAVAILABLE = /^(08(?!P01)|40|25|53|57P|58|XX)/;

export function isStatementRefusal(e: unknown): boolean {
  // What the error handler answers as database_unavailable is never the statement's fault;
  // the lists below add the trouble that is not worth a retry (corrupt, full, internal).
  if (unavailability(e)) return false;
  if (e instanceof SQLite.SqliteError) return !SQLITE_UNAVAILABLE.test(e.code);
  // The server's answer carries its SQLSTATE; a lost connection is a plain Error with a socket code.
  if (e instanceof pg.DatabaseError) return typeof e.code === 'string' && !PG_UNAVAILABLE.test(e.code);
  return false;
}
