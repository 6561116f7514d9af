import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { CsvReader } from '../../lib/csv.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';

/** A multipart/form-data body as a browser sends it: the file part and any fields. */
function form(
  file: Buffer | null,
  fields: Record<string, string> = {},
  fileType = 'text/csv',
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----assent-test-boundary-7d2f';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: ${fileType}\r\n\r\n`,
      ),
      file,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const utf16le = (s: string, bom = true) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string, bom = true) => {
  const le = Buffer.from(s, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([bom ? Buffer.from([0xfe, 0xff]) : Buffer.alloc(0), be]);
};
/** Windows-1252 bytes of text that holds only Latin-1 letters and the euro sign. */
const cp1252 = (s: string) => Buffer.from([...s].map((c) => (c === '€' ? 0x80 : c.charCodeAt(0))));

forEachDialect('POST /api/v1/imports: files as people have them', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const post = (query: string, payload: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/csv' }) =>
    t.app.inject({ method: 'POST', url: `/api/v1/imports${query}`, headers: { ...t.auth('admin'), ...headers }, payload });
  const contact = async (email: string) => (await t.services.contacts.findByEmail(email))!;
  const ok = (res: LightMyRequestResponse, created: number) => {
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data.rejected, []);
    assert.equal(json(res).data.created, created, res.body);
  };

  it('reads a semicolon file with CRLF line ends, quoted fields holding commas and semicolons', async () => {
    const csv = 'email;firstName;company\r\nsemi1@example.com;Ana;"Acme, Inc.; Division"\r\nsemi2@example.com;"Bo; Ek";\r\n';
    ok(await post('', csv), 2);
    assert.equal((await contact('semi1@example.com')).company, 'Acme, Inc.; Division');
    assert.equal((await contact('semi2@example.com')).firstName, 'Bo; Ek');
  });

  it('reads a tab-separated file, the header quoted', async () => {
    ok(await post('', '"email"\t"lastName"\ntab1@example.com\tO,Neil\n'), 1);
    assert.equal((await contact('tab1@example.com')).lastName, 'O,Neil');
  });

  it('reads UTF-8 with a BOM, UTF-16 LE and BE with or without BOM, keeping every letter', async () => {
    const rows = (tag: string) => `email,firstName\r\n${tag}@example.com,Zoë Łukasz 李\r\n`;
    ok(await post('', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows('bom8'))])), 1);
    ok(await post('', utf16le(rows('le-bom'))), 1);
    ok(await post('', utf16le(rows('le-nobom'), false)), 1);
    ok(await post('', utf16be(rows('be-bom'))), 1);
    ok(await post('', utf16be(rows('be-nobom'), false)), 1);
    for (const tag of ['bom8', 'le-bom', 'le-nobom', 'be-bom', 'be-nobom'])
      assert.equal((await contact(`${tag}@example.com`)).firstName, 'Zoë Łukasz 李');
  });

  it('reads Windows-1252 with accents, detected or declared, and a semicolon separator', async () => {
    ok(await post('', cp1252('email;firstName;lastName\r\nw1252a@example.com;José;Müller-Lüdenscheidt €\r\n')), 1);
    assert.deepEqual(
      [(await contact('w1252a@example.com')).firstName, (await contact('w1252a@example.com')).lastName],
      ['José', 'Müller-Lüdenscheidt €'],
    );
    // Declared: the same bytes with the Content-Type's charset, or the query's.
    ok(await post('', cp1252('email,firstName\nw1252b@example.com,Françoise\n'), { 'content-type': 'text/csv; charset=windows-1252' }), 1);
    ok(await post('?charset=ISO-8859-1', cp1252('email,firstName\nw1252c@example.com,Ørjan\n')), 1);
    assert.equal((await contact('w1252b@example.com')).firstName, 'Françoise');
    assert.equal((await contact('w1252c@example.com')).firstName, 'Ørjan');
  });

  it('refuses an unknown or undecodable encoding whole, naming the problem, and writes nothing', async () => {
    const before = await dumpDatabase(ctx.db);
    const refused = [
      await post('', 'email\nx1@example.com\n', { 'content-type': 'text/csv; charset=shift_jis' }),
      await post('?charset=ebcdic', 'email\nx2@example.com\n'),
      // Declared UTF-8, but a Latin-1 é inside.
      await post('?charset=utf-8', cp1252('email,firstName\nx3@example.com,José\n')),
      // UTF-32 LE with its BOM.
      await post(
        '',
        Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('e\0\0\0m\0\0\0a\0\0\0i\0\0\0l\0\0\0\n\0\0\0', 'latin1')]),
      ),
      // UTF-8 and Windows-1252 in one file: one of them would be mangled.
      await post('', Buffer.concat([Buffer.from('email,firstName\nx4@example.com,Zoë\n'), cp1252('x5@example.com,José\n')])),
      // A byte Windows-1252 does not define, in a file that is not UTF-8.
      await post('', Buffer.concat([Buffer.from('email,firstName\nx6@example.com,'), Buffer.from([0x81, 0x0a])])),
      // UTF-16 cut in the middle of a character.
      await post('', utf16le('email\nx7@example.com\n').subarray(0, 15)),
      // A UTF-16 BOM on a file declared Windows-1252.
      await post('?charset=windows-1252', utf16le('email\nx8@example.com\n')),
    ];
    for (const res of refused) {
      assert.equal(res.statusCode, 415, res.body);
      assert.equal(json(res).error.code, 'unsupported_encoding', res.body);
    }
    const after = await dumpDatabase(ctx.db);
    assert.deepEqual({ ...after, audit_log: [] }, { ...before, audit_log: [] });
  });

  it('takes dryRun as true, false, 1 or 0, and refuses anything else', async () => {
    const csv = 'email\ndry1@example.com\n';
    for (const flag of ['1', 'true']) {
      const res = await post(`?dryRun=${flag}`, csv);
      assert.equal(json(res).data.dryRun, true, res.body);
    }
    assert.equal(await t.services.contacts.findByEmail('dry1@example.com'), null);
    for (const [flag, email] of [
      ['0', 'dry2@example.com'],
      ['false', 'dry3@example.com'],
    ]) {
      const res = await post(`?dryRun=${flag}`, `email\n${email}\n`);
      assert.equal(json(res).data.dryRun, false, res.body);
      assert.ok(await t.services.contacts.findByEmail(email!));
    }
    for (const flag of ['yes', '2', '', 'TRUE1'])
      assert.equal(json(await post(`?dryRun=${flag}`, csv)).error?.code, 'validation_failed', flag);
  });

  it('takes the file as a multipart upload, with its fields and the part charset', async () => {
    const up = form(utf16le('email;firstName\r\nmp1@example.com;Zoë\r\n'));
    ok(await post('', up.payload, up.headers), 1);
    assert.equal((await contact('mp1@example.com')).firstName, 'Zoë');
    const dry = form(Buffer.from('email\nmp2@example.com\n'), { dryRun: '1' });
    const res = await post('', dry.payload, dry.headers);
    assert.deepEqual(json(res).data, { created: 1, updated: 0, rejected: [], ignoredColumns: [], dryRun: true });
    assert.equal(await t.services.contacts.findByEmail('mp2@example.com'), null);
    const mapped = form(cp1252('Mail,Nick\nmp3@example.com,Hé\n'), { map: 'Mail=email,Nick=firstName' }, 'text/csv; charset=windows-1252');
    ok(await post('', mapped.payload, mapped.headers), 1);
    assert.equal((await contact('mp3@example.com')).firstName, 'Hé');
    const named = form(Buffer.from('email\nmp4@example.com\n'), { charset: 'klingon' });
    assert.equal(json(await post('', named.payload, named.headers)).error.code, 'unsupported_encoding');
  });

  it('refuses a multipart upload without its file, with two files, or with fields it does not know', async () => {
    const before = await dumpDatabase(ctx.db);
    const none = form(null, { dryRun: '1' });
    const noFile = await post('', none.payload, none.headers);
    assert.equal(noFile.statusCode, 400, noFile.body);
    assert.equal(json(noFile).error.code, 'validation_failed');
    const unknown = form(Buffer.from('email\nmp5@example.com\n'), { sneaky: 'x' });
    assert.equal(json(await post('', unknown.payload, unknown.headers)).error.code, 'validation_failed');
    const badFlag = form(Buffer.from('email\nmp5@example.com\n'), { dryRun: 'perhaps' });
    assert.equal(json(await post('', badFlag.payload, badFlag.headers)).error.code, 'validation_failed');
    const one = form(Buffer.from('email\nmp6@example.com\n'));
    const boundary = one.headers['content-type']!.split('boundary=')[1]!;
    const extra = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\nContent-Type: ` +
        `text/csv\r\n\r\nemail\nmp7@example.com\r\n`,
    );
    const two = await post('', Buffer.concat([extra, one.payload]), one.headers);
    assert.ok([400, 413].includes(two.statusCode), two.body);
    const after = await dumpDatabase(ctx.db);
    assert.deepEqual({ ...after, audit_log: [] }, { ...before, audit_log: [] });
  });

  it('formula cells are neutralised on export (OWASP), and the export imports back to the same values', async () => {
    const formulas = ['=HYPERLINK("http://evil.example","x")', '+44 20 7946 0000', '-2+3', '@SUM(A1)', "'=already quoted"];
    const rows = formulas.map((f, i) => `f${i}@example.com;"${f.replace(/"/g, '""')}"`);
    ok(await post('', `email;company\n${rows.join('\n')}\n`), formulas.length);
    let out = '';
    for await (const chunk of t.services.exports.csv({})) out += chunk;
    // The cells as a spreadsheet sees them: read without taking the apostrophe off.
    const reader = new CsvReader();
    const items = [...reader.push(out), ...reader.end()].flatMap((x) => (x.kind === 'record' ? [x.cells] : []));
    const company = items[0]!.indexOf('company');
    // A cell written `'=x` by a tool that neutralised it stands for `=x` (lib/csv.ts fromCsvCell).
    const stored = (f: string) => (f.startsWith("'") ? f.slice(1) : f);
    for (const [i, f] of formulas.entries()) {
      const cells = items.find((r) => r.includes(`f${i}@example.com`))!;
      assert.equal(cells[company], `'${stored(f)}`);
      assert.equal((await contact(`f${i}@example.com`)).company, stored(f));
    }
    // Imported back (as an update), the stored values do not change.
    const back = await post('', out);
    assert.equal(back.statusCode, 200, back.body);
    assert.deepEqual(json(back).data.rejected, []);
    for (const [i, f] of formulas.entries()) assert.equal((await contact(`f${i}@example.com`)).company, stored(f));
  });
});
