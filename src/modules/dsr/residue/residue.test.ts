import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { sql } from 'kysely';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import {
  asciiLower,
  ByteMatcher,
  caseFreePattern,
  identifiersOf,
  mergeIdentifiers,
  phoneDigits,
  searchTerms,
  TextMatcher,
  valueHolds,
  type Identifiers,
} from './residue.model.ts';
import { inProcess, ReaderPool } from './residue.readers.ts';
import { ResidueScanner } from './residue.service.ts';

const person = (i: number, first = 'Hedwig', last = 'Schwergewicht'): Identifiers =>
  identifiersOf({ email: `h.${i}@Bench.example`, first_name: `${first}${i}`, last_name: `${last}${i}`, phone: `+49 151 ${4000000 + i}` });

const matched = (m: TextMatcher, chunk: string) => {
  const found = new Set<string>();
  m.scan(chunk, found);
  return found;
};

it('the in-memory matcher finds every term the exact test finds, in any casing and phone formatting', () => {
  // One short number (seven digits) among the long ones: the shortest needle sets how runs are sampled.
  const people = [...Array.from({ length: 300 }, (_, i) => person(i)), identifiersOf({ email: 'short@x.example', phone: '091 54 10' })];
  const terms = searchTerms({
    emails: people.flatMap((p) => p.emails),
    phones: people.flatMap((p) => p.phones),
    names: people.flatMap((p) => p.names),
  });
  const m = new TextMatcher(terms);
  const one = new TextMatcher(searchTerms(person(7)));
  // Digits and separators in runs of every length, so that a run starts and ends anywhere
  // relative to the positions a sampling search looks at.
  const digitish = fc.string({ unit: fc.constantFrom('0', '1', '4', '5', '7', '9', ' ', '-', '(', '+', '.'), maxLength: 14 });
  const pieces = fc.oneof(
    fc.constantFrom(
      'H.7@bench.EXAMPLE',
      'hedwig7 schwergewicht7',
      'HEDWIG17 SCHWERGEWICHT17',
      '0049-151-4000007',
      '+49 (151) 400 00 07',
      '4915140000',
      'x',
      '@',
      ' ',
      '-',
      '7',
      '\u0001',
      'ü',
      'Ölaf',
      'h.29@bench.example',
      '4 9 1 5 1 4 0 0 0 0 2 9',
      '491514000012',
      '4915140000299',
      '0915410',
      '(091) 541-0',
    ),
    digitish,
  );
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
      const chunk = parts.join('');
      for (const [matcher, t] of [
        [m, terms],
        [one, searchTerms(person(7))],
      ] as const) {
        const values = chunk.split('\u0001');
        const exact = new Set(values.flatMap((v) => valueHolds(v, t)));
        const found = matched(matcher, chunk);
        for (const x of exact) assert.ok(found.has(x), `missed ${x} in ${JSON.stringify(chunk)}`);
        for (const x of found) assert.ok(exact.has(x), `reported ${x} for ${JSON.stringify(chunk)}`);
      }
    }),
    { numRuns: 2000 },
  );
});

it('the in-memory matcher folds non-ASCII letters like the database does not, and so may only report more', () => {
  const t = searchTerms({ emails: [], phones: [], names: ['Ümit Kaya'] });
  assert.deepEqual(t.text, ['Ümit kaya']);
  assert.ok(matched(new TextMatcher(t), 'x\u0001ümit kaya').has('Ümit kaya'), 'a candidate; the exact test decides');
  assert.ok(matched(new TextMatcher(t), 'ÜMIT KAYA').has('Ümit kaya'));
  assert.deepEqual(valueHolds('ÜMIT KAYA', t), ['Ümit kaya']);
});

it('the byte matcher finds stored forms in any ASCII casing, bare digits, and nothing else', () => {
  for (const many of [false, true]) {
    const people = many ? Array.from({ length: 50 }, (_, i) => person(i)) : [person(7)];
    const ids = { emails: people.flatMap((p) => p.emails), phones: people.flatMap((p) => p.phones), names: people.flatMap((p) => p.names) };
    const m = new ByteMatcher(ids);
    const yes = [
      'xx h.7@bench.example yy',
      'H.7@BENCH.EXAMPLE',
      'Hedwig7 SCHWERGEWICHT7',
      '..+49 151 4000007..',
      'tel:4915140000070'.replace('70', '7'),
      '\u0000\u0001hedwig7 schwergewicht7',
    ];
    const no = [
      'h.7@bench.exampl',
      'hedwig7schwergewicht7',
      '+49 151 400 0007',
      '491514000',
      'h.8@bench.example'.replace('8', many ? '80' : '8'),
    ];
    for (const s of yes) assert.ok(m.matches(Buffer.from(s)), `${many}: ${s}`);
    for (const s of no) assert.ok(!m.matches(Buffer.from(s)), `${many}: ${s}`);
  }
});

it('the byte matcher agrees with a plain search over random bytes', () => {
  const people = [...Array.from({ length: 40 }, (_, i) => person(i, 'Ana', 'Li')), identifiersOf({ phone: '091 54 10' })];
  const ids = { emails: people.flatMap((p) => p.emails), phones: people.flatMap((p) => p.phones), names: people.flatMap((p) => p.names) };
  const m = new ByteMatcher(ids);
  const needles = [...new Set([...ids.emails, ...ids.names].map(asciiLower).concat(ids.phones, ids.phones.map(phoneDigits)))];
  const digits = fc.string({ unit: fc.constantFrom('0', '1', '4', '5', '9', 'x'), maxLength: 16 });
  const pieces = fc.oneof(
    fc.constantFrom(...needles, 'ANA3 LI3', 'H.3@BENCH.EXAMPLE', '4915140000', '491514000012', '0915410', '91541', '1111111x'),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('latin1')),
    digits,
  );
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 10 }), (parts) => {
      const bytes = Buffer.from(parts.join(''), 'latin1');
      const folded = Buffer.from(bytes.map((b) => (b >= 65 && b <= 90 ? b + 32 : b)));
      const expected = needles.some((n) => folded.indexOf(Buffer.from(asciiLower(n), 'latin1')) >= 0);
      assert.equal(m.matches(bytes), expected, JSON.stringify(parts));
    }),
    { numRuns: 2000 },
  );
});

it('digit needles are found after runs of every length, whichever positions a sampling search looks at', () => {
  for (const short of ['091 54 10', '+49 151 4000007']) {
    const ids = mergeIdentifiers([...Array.from({ length: 10 }, (_, i) => person(i)), identifiersOf({ phone: short })]);
    const bytes = new ByteMatcher(ids);
    const text = new TextMatcher(searchTerms(ids));
    const needle = phoneDigits(short);
    for (let run = 0; run <= 30; run++) {
      for (const gap of ['x', 'xy', 'x-y', ' x ']) {
        for (const form of [needle, short]) {
          const hay = `${'1'.repeat(run)}${gap}${form}${gap}`;
          assert.ok(bytes.matches(Buffer.from(hay)) || form !== needle, `bytes: ${hay}`);
          assert.ok(matched(text, hay).has(needle), `text: ${hay}`);
        }
      }
    }
  }
});

forEachDialect('residue scan paths', (ctx) => {
  const planted = person(7, 'Xaverina', 'Quengelbrecht');
  const crowd = Array.from({ length: 40 }, (_, i) => person(100 + i, 'Ana', 'Li'));
  const bulk = (extra: Identifiers[]) => mergeIdentifiers([planted, ...extra]);
  // One scanner for the plain cases: on SQLite it keeps a reader process for the file's bytes.
  let shared: ResidueScanner | undefined;
  const scanner = () => (shared ??= new ResidueScanner(ctx.db));
  after(async () => shared?.close());

  before(async () => {
    await sql`create table scratch_residue (id integer primary key, note text, phone_seen text, shout text, n integer)`.execute(
      ctx.db.kysely,
    );
    await sql`create table scratch_plain (k text primary key, v text) without rowid`.execute(ctx.db.kysely).catch(async () => {
      await sql`create table scratch_plain (k text primary key, v text)`.execute(ctx.db.kysely);
    });
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: i + 1,
      note: `row ${i} e${String(i).padStart(9, '0')} 2026-01-10T00:00:00.000Z`,
      phone_seen: null as string | null,
      shout: null as string | null,
      n: i,
    }));
    rows[1234]!.note = `mail from ${planted.emails[0]!.toUpperCase()} today`;
    rows[2345]!.phone_seen = '0049-151-4000007';
    rows[2999]!.shout = 'XAVERINA7 QUENGELBRECHT7';
    for (let i = 0; i < rows.length; i += 500)
      await ctx.db.kysely
        .insertInto('scratch_residue' as never)
        .values(rows.slice(i, i + 500) as never)
        .execute();
    await sql`insert into scratch_plain values ('a', ${'call 4 9 1 5 1 4 0 0 0 0 0 7'})`.execute(ctx.db.kysely);
    // Wider than one concat_ws call takes (PostgreSQL: 100 arguments).
    const wide = Array.from({ length: 130 }, (_, i) => `c${i}`);
    await sql.raw(`create table scratch_wide (${wide.map((c) => `${c} text`).join(', ')})`).execute(ctx.db.kysely);
    await sql
      .raw(`insert into scratch_wide (c0, c129) values ('x', 'by hedwig.7 ${planted.names[0]!.toLowerCase()} too')`)
      .execute(ctx.db.kysely);
    // The planted rows in the file itself, as after an erasure's checkpoint (not only in the log).
    ctx.db.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  });

  const expected = (dialect: string) => [
    ...(dialect === 'sqlite' ? ['file:test.db'] : []),
    'scratch_plain.v',
    'scratch_residue.note',
    'scratch_residue.phone_seen',
    'scratch_residue.shout',
    'scratch_wide.c129',
  ];

  it('one person: one statement per table names every column holding an identifier', async () => {
    assert.deepEqual(await scanner().scanDatabase(planted), expected(ctx.dialect));
  });

  it('many people: the rows streamed through the matcher find the same, and nothing for people not there', async () => {
    const many = bulk(crowd);
    assert.ok(searchTerms(many).text.length + searchTerms(many).digits.length > 48);
    assert.deepEqual(await scanner().scanDatabase(many), expected(ctx.dialect));
    assert.deepEqual(await scanner().scanDatabase(mergeIdentifiers(crowd)), []);
  });

  it('SQLite: reader processes, each with its own connection, find the same as the app connection', {
    skip: ctx.dialect !== 'sqlite' && 'SQLite only',
  }, async () => {
    const readers = new ResidueScanner(ctx.db, { readers: 2, parallelFromBytes: 0 });
    try {
      assert.deepEqual(await readers.scanDatabase(planted), expected('sqlite'));
      assert.deepEqual(await readers.scanDatabase(bulk(crowd)), expected('sqlite'));
      assert.deepEqual(await readers.scanDatabase(crowd[0]!), []);
    } finally {
      await readers.close();
    }
  });

  it('SQLite: with checkpoint, the log is emptied into the file before its bytes are read; a reader holding the log leaves it searched', {
    skip: ctx.dialect !== 'sqlite' && 'SQLite only',
  }, async () => {
    const path = ctx.db.target.location;
    await sql`create table scratch_log (v text)`.execute(ctx.db.kysely);
    const scanners = [
      new ResidueScanner(ctx.db, { checkpointPatienceMs: 200 }),
      new ResidueScanner(ctx.db, { readers: 2, parallelFromBytes: 0, checkpointPatienceMs: 200 }),
    ];
    for (const [i, scanner] of scanners.entries()) {
      const who = person(900 + i);
      await sql`insert into scratch_log values (${who.emails[0]!})`.execute(ctx.db.kysely);
      assert.ok(statSync(`${path}-wal`).size > 0, 'the new row is in the log');
      // Another connection in a read transaction on the log's newest frames.
      const other = new SQLite(path, { readonly: true });
      other.prepare('begin').run();
      other.prepare('select count(*) from scratch_log').get();
      const ms: number[] = [];
      try {
        const busy = await scanner.scanDatabase(who, { checkpoint: true, onCheckpoint: (t) => ms.push(t) });
        assert.deepEqual(busy, ['checkpoint:busy', 'file:test.db', 'file:test.db-wal', 'scratch_log.v']);
        assert.ok(ms[0]! >= 200 && ms[0]! < 2000, `waited ${ms[0]} ms`);
      } finally {
        other.prepare('commit').run();
        other.close();
      }
      assert.deepEqual(await scanner.scanDatabase(who, { checkpoint: true }), ['file:test.db', 'scratch_log.v']);
      assert.equal(statSync(`${path}-wal`).size, 0, 'the log is empty');
      await sql`delete from scratch_log`.execute(ctx.db.kysely);
      await scanner.close();
    }
  });

  it('SQLite: the app connection never reads a file’s bytes; that is a reader process’s task', {
    skip: ctx.dialect !== 'sqlite' && 'SQLite only',
  }, async () => {
    const path = ctx.db.target.location;
    await assert.rejects(
      inProcess(ctx.db, searchTerms(planted)).run({ kind: 'bytes', file: path, start: 0, end: statSync(path).size }),
      /reader process only/,
    );
  });
});

it('reader processes: one that dies fails the scan it was in and is replaced for the next; idle ones stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'assent-readers-'));
  const file = join(dir, 'bytes.bin');
  writeFileSync(file, `${'x'.repeat(1000)} Hedwig7 SCHWERGEWICHT7 ${'y'.repeat(1000)}`);
  const ids = person(7);
  const whole = { kind: 'bytes', file, start: 0, end: 2100 } as const;
  const pool = new ReaderPool(300);
  try {
    const first = await pool.session(file, ids, searchTerms(ids), 1);
    assert.equal(await first.run(whole), true);
    assert.equal(await first.run({ ...whole, end: 500 }), false, 'a range before the name (and its overlap)');
    const [pid] = pool.pids;
    assert.ok(pid && pid !== process.pid);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(first.run(whole), /residue reader process/);
    await first.close();
    const next = await pool.session(file, ids, searchTerms(ids), 1);
    assert.notEqual(pool.pids[0], pid);
    assert.equal(await next.run(whole), true);
    await next.close();
    for (let waited = 0; pool.pids.length && waited < 5000; waited += 50) await sleep(50);
    assert.deepEqual(pool.pids, [], 'stopped once idle');
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reader processes: one whose parent is killed exits by itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'assent-readers-'));
  const file = join(dir, 'bytes.bin');
  writeFileSync(file, 'nothing personal');
  const parent = `
    const { ReaderPool } = await import(${JSON.stringify(new URL('./residue.readers.ts', import.meta.url).href)});
    const pool = new ReaderPool(60_000);
    const ids = { emails: ['a@b.example'], phones: [], names: [] };
    const session = await pool.session(${JSON.stringify(file)}, ids, { text: ['a@b.example'], digits: [] }, 1);
    await session.run({ kind: 'bytes', file: ${JSON.stringify(file)}, start: 0, end: 16 });
    process.stdout.write(String(pool.pids[0]));
    process.kill(process.pid, 'SIGKILL');`;
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', parent], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const pid = Number(r.stdout);
    assert.ok(pid > 0, r.stdout + r.stderr);
    // Exited: gone, or a zombie its new parent has not reaped yet (not every container's init reaps).
    const alive = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let waited = 0; alive() && waited < 10_000; waited += 50) await sleep(50);
    assert.equal(alive(), false, 'the reader exited with its parent gone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the case-free LIKE pattern starts at the rarest character folding leaves alone, and a letter matches any character', () => {
  assert.equal(caseFreePattern('h.7@bench.example'), '%@_____._______%');
  assert.equal(caseFreePattern('hedwig7 schwergewicht7'), '% _____________7%');
  assert.equal(caseFreePattern('ümit kaya'), '% ____%');
  assert.equal(caseFreePattern('50%_off'), '%\\____%');
  assert.equal(caseFreePattern('abc'), '%___%');
  // Whatever the casing, the value matches the pattern (LIKE read as a regular expression here).
  const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const likeRe = (p: string) => {
    let re = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      re += c === '\\' ? escapeRe(p[++i]!) : c === '%' ? '.*' : c === '_' ? '.' : escapeRe(c);
    }
    return new RegExp(`^${re}$`, 's');
  };
  fc.assert(
    fc.property(
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 4 }),
      fc.string({ maxLength: 4 }),
      fc.array(fc.boolean(), { maxLength: 12 }),
      (term, before, after, upper) => {
        const t = asciiLower(term);
        const cased = [...t].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
        assert.match(before + (asciiLower(cased) === t ? cased : t) + after, likeRe(caseFreePattern(t)));
      },
    ),
  );
});
