import assert from 'node:assert/strict';
import { it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { connect } from './connect.ts';
import { forEachDialect } from '../../test/helpers/db.ts';
import { isStatementRefusal } from './refusal.ts';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected the statement to fail'),
    (e: unknown) => e,
  );

forEachDialect('statement refusals', (ctx) => {
  it('a column that is not there, a type that does not fit, too many variables: the statement is refused', async () => {
    const k = ctx.db.kysely;
    assert.equal(isStatementRefusal(await failure(sql`select no_such_column from contacts`.execute(k))), true);
    assert.equal(isStatementRefusal(await failure(sql`select * from no_such_table`.execute(k))), true);
    // More variables than either database binds in one statement.
    const many = Array.from({ length: 70_000 }, (_, i) => i);
    assert.equal(isStatementRefusal(await failure(sql`select 1 where 1 in (${sql.join(many)})`.execute(k))), true);
    if (ctx.dialect === 'postgres') assert.equal(isStatementRefusal(await failure(sql`select cast('x' as integer)`.execute(k))), true);
  });

  it('a database that cannot serve is not a refusal', async () => {
    if (ctx.dialect === 'sqlite') {
      // Another connection holds the write lock: SQLITE_BUSY.
      const path = ctx.url.replace(/^sqlite:/, '');
      const other = new SQLite(path);
      other.pragma('busy_timeout = 0');
      const holder = new SQLite(path);
      holder.exec('begin immediate');
      try {
        let e: unknown;
        try {
          other.exec('begin immediate');
        } catch (err) {
          e = err;
        }
        assert.match(String((e as { code?: string }).code), /^SQLITE_BUSY/);
        assert.equal(isStatementRefusal(e), false);
      } finally {
        holder.exec('rollback');
        holder.close();
        other.close();
      }
      return;
    }
    // Nobody listens there.
    const gone = connect('postgres://postgres@127.0.0.1:1/postgres');
    try {
      assert.equal(isStatementRefusal(await failure(sql`select 1`.execute(gone.kysely))), false);
    } finally {
      await gone.close();
    }
  });
});

it('errors that are not the database’s are not refusals', () => {
  assert.equal(isStatementRefusal(new Error('x')), false);
  assert.equal(isStatementRefusal(Object.assign(new Error('x'), { code: '42703' })), false);
  assert.equal(isStatementRefusal('42703'), false);
  assert.equal(isStatementRefusal(null), false);
});
