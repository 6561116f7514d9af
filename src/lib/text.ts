/**
 * Text that no column can hold on both databases, or that tools reading them choke on: a NUL
 * (PostgreSQL refuses it in text and JSON; C tools stop at it) and a lone UTF-16 surrogate (not
 * Unicode at all: PostgreSQL's driver silently turns it into U+FFFD, SQLite stores bytes that are
 * not UTF-8, which Python's sqlite3 cannot decode). Input carrying either is refused.
 */
const UNHOLDABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNHOLDABLE_ALL = new RegExp(UNHOLDABLE.source, 'g');

/** Why the text cannot be stored, or null when it can. */
export function unholdable(s: string): string | null {
  const m = UNHOLDABLE.exec(s);
  if (!m) return null;
  return m[0] === '\u0000'
    ? 'contains a NUL character, which text fields cannot hold'
    : 'contains a lone surrogate (text that is not valid Unicode), which text fields cannot hold';
}

/** A name or key shown back in an error: such characters written as \uXXXX, so the message itself is storable text. */
export function printable(s: string): string {
  return s.replace(UNHOLDABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
