import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../test/helpers/db.ts';
import { AppError } from './errors.ts';
import { createLogger } from './log.ts';
import { describeError, safeError, scrub } from './safe-error.ts';

const PERSON = ['jane.roe+news@example.org', 'Jane Roe', '+49 30 1234567'];

/** Logs `err` through the product's logger and returns the line. */
function logged(err: unknown): string {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  createLogger('info', sink).error({ err }, 'failed');
  return out;
}

forEachDialect('driver errors in logs and job errors', (ctx) => {
  it('a refused value (unique violation, bad cast, bad JSON) leaves the log and last_error without it, keeping the code', async () => {
    const k = ctx.db.kysely;
    const now = new Date().toISOString();
    const row = {
      id: '00000000-0000-7000-8000-0000000000e1',
      email: PERSON[0]!,
      first_name: 'Jane',
      last_name: 'Roe',
      phone: PERSON[2]!,
      is_child: 0,
      guardian_consent: 0,
      consent_level: 0,
      created_at: now,
      updated_at: now,
    };
    await k.insertInto('contacts').values(row).execute();
    // The address registry's key is what refuses a second contact with the address.
    await k.insertInto('contact_emails').values({ email_key: PERSON[0]!, dup: 0, contact_id: row.id }).execute();
    const errors: unknown[] = [];
    await k
      .insertInto('contact_emails')
      .values({ email_key: PERSON[0]!, dup: 0, contact_id: row.id })
      .execute()
      .catch((e: unknown) => errors.push(e));
    const cast =
      ctx.dialect === 'postgres'
        ? sql`select cast(${PERSON[1]} as integer)`
        : sql`select json_extract(${`{"who": "${PERSON[1]}"`}, '$.who')`;
    await cast.execute(k).catch((e: unknown) => errors.push(e));
    await sql`select * from contacts where email = ${PERSON[0]} and nosuchcolumn = 1`.execute(k).catch((e: unknown) => errors.push(e));
    assert.equal(errors.length, 3, 'each statement failed');
    for (const e of errors) {
      const line = logged(e);
      const job = describeError(e);
      for (const v of PERSON) {
        assert.ok(!line.includes(v) && !line.includes(v.split('@')[0]!), `log quotes ${v}: ${line}`);
        assert.ok(!job.includes(v), `job error quotes ${v}: ${job}`);
      }
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') assert.match(line, new RegExp(`"code":"${code}"`));
    }
  });
});

it('scrubs quoted values, key values, addresses and number runs, and keeps AppError messages as written', () => {
  assert.equal(scrub('Key (email)=(a@b.c) already exists.'), 'Key (email)=([value]) already exists.');
  assert.equal(scrub(`invalid input syntax for type integer: "Jane Roe"`), 'invalid input syntax for type integer: "[value]"');
  assert.equal(scrub("near 'Zoë': syntax error"), "near '[value]': syntax error");
  assert.equal(scrub('mail to ünïcode.näme@exämple.de failed'), 'mail to [address] failed');
  assert.equal(scrub('call +351 21 000 000 now'), 'call [number] now');
  assert.equal(scrub(''), '');
  const own = new AppError('validation_failed', 'column "consent_level" sets consent levels');
  assert.equal(safeError(own).message, 'column "consent_level" sets consent levels');
  const nested = safeError(new Error('outer "x@y.z"', { cause: new Error('inner (a)=(b)') }));
  assert.deepEqual([nested.message, nested.cause?.message], ['outer "[value]"', 'inner (a)=([value])']);
  assert.deepEqual(safeError(null), { type: 'object', message: 'null' });
});
