import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { isAppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import type { ImportOptions } from './import.service.ts';
import type { RejectedRow } from './import.model.ts';

const actor = { type: 'cli', id: null } as const;

// Line by line: good rows (Unicode names, quoted commas, an update of a stored contact whose
// empty cells must leave its fields alone) between every kind of bad one.
const ACCEPTANCE = [
  'email,First Name,last_name,consentLevel,country,customFields.visits,vip',
  'ana@example.com,Ana,Silva,3,PT,2,yes',
  'not-an-email,Bad,Row,1,DE,,',
  'bo@example.com,Bo,Ng,7,DE,,',
  'existing@EXAMPLE.com,Eva,Updated,4,,,',
  'ana@example.com,Ana,Again,2,PT,,',
  'cy@example.com,"Cy"x,Broken,1,DE,,',
  '',
  'zoe@example.com,Zoë,Ünal-Łukasz,0,FR,,',
  'li@example.com,李,小龍,2,CN,5,no',
  'dan@example.com,"Dan, Jr.",O\'Neil,,US,,',
].join('\n');

const EXPECTED_REJECTS = [
  { line: 3, reason: /^email: not a valid email address$/ },
  { line: 4, reason: /^consentLevel: unknown level/ },
  { line: 6, reason: /^duplicate email: the file has it on line 2 already$/ },
  { line: 7, reason: /^not readable as CSV: text after a closing quote$/ },
  { line: 8, reason: /^empty line$/ },
];

forEachDialect('contact import', (ctx) => {
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  let s: Services;
  let existingId: string;
  const run = (text: string, opts: Partial<ImportOptions> = {}) => s.imports.importCsv([text], { actor, mayChangeConsent: true, ...opts });
  const levelEntries = () => ctx.db.kysely.selectFrom('consent_ledger').selectAll().where('source', '=', 'import').orderBy('seq').execute();

  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
    await s.customFields.define({ name: 'visits', type: 'number', personal: false });
    await s.customFields.define({ name: 'vip', type: 'boolean', personal: true });
    const c = await s.contacts.create({ email: 'existing@example.com', firstName: 'Eve', lastName: 'Old', company: 'Acme', country: 'DE' });
    await s.consent.setLevel(c.id, 1, { source: 'admin', actor: { type: 'user', id: null } });
    existingId = c.id;
  });

  it('a dry run reports exactly what the import will do and writes nothing', async () => {
    const before = await dumpDatabase(ctx.db);
    const r = await run(ACCEPTANCE, { dryRun: true });
    assert.deepEqual({ created: r.created, updated: r.updated, dryRun: r.dryRun }, { created: 4, updated: 1, dryRun: true });
    assert.deepEqual(
      r.rejected.map((x) => x.line),
      EXPECTED_REJECTS.map((x) => x.line),
    );
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('imports the good rows, reports each bad one by line and records level changes in the ledger', async () => {
    clock.advance(60_000);
    const rejects: RejectedRow[] = [];
    let header: string[] = [];
    const r = await run(ACCEPTANCE, {
      onReject: (row, h) => {
        rejects.push(row);
        header = h;
      },
    });
    assert.equal(r.created, 4);
    assert.equal(r.updated, 1);
    assert.equal(r.dryRun, false);
    assert.equal(r.rejected.length, EXPECTED_REJECTS.length);
    EXPECTED_REJECTS.forEach((want, i) => {
      assert.equal(r.rejected[i]!.line, want.line);
      assert.match(r.rejected[i]!.reason, want.reason);
    });
    for (const x of r.rejected) assert.doesNotMatch(x.reason, /@|Bo\b|Cy/, 'reasons quote no values');

    // The rejected rows keep the file's own columns, ready to be fixed and imported again.
    assert.equal(header[1], 'First Name');
    assert.deepEqual(rejects[0]!.cells, ['not-an-email', 'Bad', 'Row', '1', 'DE', '', '']);
    assert.deepEqual(rejects[3]!.cells, ['cy@example.com,"Cy"x,Broken,1,DE,,', '', '', '', '', '', '']);
    assert.deepEqual(rejects[4]!.cells, ['', '', '', '', '', '', '']);

    const ana = (await s.contacts.findByEmail('ana@example.com'))!;
    assert.deepEqual(
      [ana.firstName, ana.lastName, ana.country, ana.consentLevel, ana.customFields],
      ['Ana', 'Silva', 'PT', 3, { visits: 2, vip: true }],
    );
    const li = (await s.contacts.findByEmail('li@example.com'))!;
    assert.deepEqual([li.firstName, li.lastName, li.customFields], ['李', '小龍', { visits: 5, vip: false }]);
    assert.equal((await s.contacts.findByEmail('zoe@example.com'))!.lastName, 'Ünal-Łukasz');
    assert.equal((await s.contacts.findByEmail('dan@example.com'))!.firstName, 'Dan, Jr.');
    for (const gone of ['bo@example.com', 'cy@example.com', 'not-an-email']) assert.equal(await s.contacts.findByEmail(gone), null);

    const eva = await s.contacts.get(existingId);
    assert.deepEqual(
      [eva.email, eva.firstName, eva.lastName, eva.company, eva.country, eva.consentLevel],
      ['existing@example.com', 'Eva', 'Updated', 'Acme', 'DE', 4],
      'empty cells leave fields unchanged',
    );

    const entries = await levelEntries();
    const byContact = new Map(entries.map((e) => [e.contact_id, [e.old_value, e.new_value, e.actor_type]]));
    assert.equal(entries.length, 3, 'new contacts at level 0 or without a level get no entry');
    assert.deepEqual(byContact.get(ana.id), [0, 3, 'cli']);
    assert.deepEqual(byContact.get(li.id), [0, 2, 'cli']);
    assert.deepEqual(byContact.get(existingId), [1, 4, 'cli']);
    assert.equal((await s.ledger.verify()).ok, true);
    assert.equal((await s.consent.history(existingId)).at(-1)!.source, 'import');
  });

  it('the same file again creates nothing, rewrites nothing and adds no ledger entries', async () => {
    const entries = (await levelEntries()).length;
    const stamps = await ctx.db.kysely.selectFrom('contacts').select(['id', 'updated_at']).orderBy('id').execute();
    clock.advance(60_000);
    const r = await run(ACCEPTANCE);
    assert.deepEqual([r.created, r.updated, r.rejected.length], [0, 5, 5]);
    assert.equal((await levelEntries()).length, entries);
    assert.deepEqual(await ctx.db.kysely.selectFrom('contacts').select(['id', 'updated_at']).orderBy('id').execute(), stamps);
  });

  it('a level change on re-import is one new entry; lowering counts as much as raising', async () => {
    const r = await run('email,consent_level\nana@example.com,1\ndan@example.com,\n');
    assert.deepEqual([r.created, r.updated], [0, 2]);
    const last = (await levelEntries()).at(-1)!;
    assert.deepEqual([last.old_value, last.new_value], [3, 1]);
    assert.equal((await s.contacts.findByEmail('ana@example.com'))!.consentLevel, 1);
    assert.equal((await s.ledger.verify()).ok, true);
  });

  it('cells are read as the contacts rules expect and judged by them, every problem of a row at once', async () => {
    const r = await run(
      [
        'email,is_child,birthDate,visits,vip,phone,language',
        'kid@example.com,yes,2015-05-01,3.5,1,+49 30 1234,de',
        'odd@example.com,maybe,2015-02-30,many,perhaps,call me,',
        'late@example.com,no,2999-01-01,,,,not a tag',
      ].join('\n'),
    );
    assert.deepEqual([r.created, r.rejected.map((x) => x.line)], [1, [3, 4]]);
    const odd = r.rejected[0]!.reason;
    for (const col of ['is_child', 'birthDate', 'visits', 'vip', 'phone']) assert.match(odd, new RegExp(`(^|; )${col}: `), odd);
    assert.match(r.rejected[1]!.reason, /birthDate: lies in the future/);
    assert.match(r.rejected[1]!.reason, /language: a language tag/);
    const kid = (await s.contacts.findByEmail('kid@example.com'))!;
    assert.deepEqual(
      [kid.isChild, kid.birthDate, kid.phone, kid.language, kid.customFields.visits, kid.customFields.vip],
      [true, '2015-05-01', '+49 30 1234', 'de', 3.5, true],
    );
  });

  it('columns are matched by name in any spelling, --map overrides them, and a file the import cannot read is refused whole', async () => {
    const r = await run('E-Mail,FIRST_NAME,Surname,notes,id,createdAt,\nmap@example.com,Mia,Moss,whatever,x,y,\n', {
      map: 'surname=lastName,NOTES=-',
    });
    assert.equal(r.created, 1);
    assert.deepEqual(r.ignoredColumns, ['notes', 'id', 'createdAt', '#7']);
    const mia = (await s.contacts.findByEmail('map@example.com'))!;
    assert.deepEqual([mia.firstName, mia.lastName], ['Mia', 'Moss']);

    const before = await dumpDatabase(ctx.db);
    const refused = async (text: string, pattern: RegExp, map?: string) => {
      await assert.rejects(
        run(text, map ? { map } : {}),
        (e) => isAppError(e) && e.code === 'validation_failed' && pattern.test(e.message),
      );
    };
    await refused('name,phone\nx,1\n', /no email column/);
    await refused('email,nickname,shoe\na@example.com,A,42\n', /unknown columns: "nickname", "shoe"/);
    await refused('email,first_name,firstName\na@example.com,A,B\n', /both feed firstName/);
    await refused('email,a\nx@example.com,1\n', /column the file does not have: "b"/, 'a=-,b=phone');
    await refused('email,a\nx@example.com,1\n', /which is no contact field/, 'a=shoeSize');
    await refused('email,a\nx@example.com,1\n', /COLUMN=FIELD/, 'a');
    await refused('', /the file is empty/);
    await refused('\nemail\nx@example.com\n', /first line must name the columns/);
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('a row the database refuses is rejected alone: the rest of its batch is written, and it leaves no trace', async () => {
    const trigger =
      ctx.dialect === 'sqlite'
        ? [sql`create trigger boom before insert on contacts when new.first_name = 'Boom' begin select raise(abort, 'boom'); end`]
        : [
            sql`create function boom() returns trigger language plpgsql as $$ begin if new.first_name = 'Boom' then raise exception
              'boom'; end if; return new; end $$`,
            sql`create trigger boom before insert on contacts for each row execute function boom()`,
          ];
    for (const q of trigger) await q.execute(ctx.db.kysely);
    try {
      const seq = (await s.ledger.verify()).checked;
      const text =
        'email,firstName,consentLevel\nb1@example.com,One,2\nb2@example.com,Boom,3\nb3@example.com,Three,4\nb4@example.com,Four,5\n';
      const r = await run(text, { batchSize: 3 });
      assert.deepEqual([r.created, r.rejected.map((x) => x.line)], [3, [3]]);
      assert.match(r.rejected[0]!.reason, /^could not be written \(database error/);
      assert.doesNotMatch(r.rejected[0]!.reason, /boom|@/i, 'the driver message is not passed on');
      assert.equal(await s.contacts.findByEmail('b2@example.com'), null);
      const v = await s.ledger.verify();
      assert.deepEqual([v.ok, v.checked - seq], [true, 3], 'one entry per written row, none for the refused one');

      // When every row of a batch fails alone the fault is the database's: the import stops.
      await assert.rejects(run('email,firstName\nb5@example.com,Boom\nb6@example.com,Boom\n'));
    } finally {
      await sql`drop trigger boom${ctx.dialect === 'postgres' ? sql` on contacts` : sql``}`.execute(ctx.db.kysely);
      if (ctx.dialect === 'postgres') await sql`drop function boom()`.execute(ctx.db.kysely);
    }
  });

  it('an erased address stays suppressed: the import reports it and does not create it again', async () => {
    const gone = await s.contacts.create({ email: 'gone@example.com' });
    await s.contacts.delete(gone.id, actor);
    const text = 'email,firstName\nkept@example.com,Kay\ngone@example.com,Back\n';
    const dry = await run(text, { dryRun: true });
    assert.deepEqual([dry.created, dry.rejected], [1, [{ line: 3, reason: 'email: this address was erased and is suppressed' }]]);
    const r = await run(text);
    assert.deepEqual([r.created, r.rejected], [1, [{ line: 3, reason: 'email: this address was erased and is suppressed' }]]);
    assert.equal(await s.contacts.findByEmail('gone@example.com'), null);
  });

  it('many rows in several batches, in chunks that cut lines anywhere', async () => {
    const lines = ['email,lastName,consentLevel'];
    for (let i = 0; i < 2500; i++) lines.push(`bulk${i}@example.com,Bulk ${i},${i % 7 === 0 ? 5 : ''}`);
    lines.push('bulk7@example.com,again,1');
    const text = `${lines.join('\n')}\n`;
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 997) chunks.push(text.slice(i, i + 997));
    const r = await s.imports.importCsv(chunks, { actor, mayChangeConsent: true, batchSize: 1000 });
    assert.deepEqual(
      [r.created, r.updated, r.rejected],
      [2500, 0, [{ line: 2502, reason: 'duplicate email: the file has it on line 9 already' }]],
    );
    assert.equal((await s.contacts.findByEmail('bulk2499@example.com'))!.lastName, 'Bulk 2499');
    assert.equal((await s.contacts.findByEmail('bulk7@example.com'))!.consentLevel, 5);
    assert.equal((await s.ledger.verify()).ok, true);
  });
});
