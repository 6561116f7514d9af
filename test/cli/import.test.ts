import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { assent } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'assent-import-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

forEachDialect('assent import and export contacts', (ctx) => {
  const file = (name: string, text: string) => {
    const p = join(dir, `${ctx.dialect}-${name}`);
    writeFileSync(p, text);
    return p;
  };
  const audits = (action: string) => ctx.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('at').execute();

  it('imports a file with bad rows: exit 0, a summary by line, the rejected rows in FILE.rejected.csv', async () => {
    const csv = file(
      'people.csv',
      'email,firstName,consentLevel\ncli1@example.com,Cleo,2\nnope,Bad,1\ncli2@example.com,"Bro"ken,1\n\ncli3@example.com,Cai,9\n',
    );
    const r = await assent(ctx.url, 'import', 'contacts', csv);
    assert.equal(r.code, 0, r.stderr);
    const rejected = join(dir, `${ctx.dialect}-people.rejected.csv`);
    assert.equal(
      r.stdout,
      [
        'created 1, updated 0, rejected 4',
        'line 3: email: not a valid email address',
        'line 4: not readable as CSV: text after a closing quote',
        'line 5: empty line',
        'line 6: consentLevel: unknown level (a whole number from 0 to 5)',
        `rejected rows written to ${rejected}`,
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.equal(
      readFileSync(rejected, 'utf8'),
      [
        'email,firstName,consentLevel,reason',
        'nope,Bad,1,email: not a valid email address',
        '"cli2@example.com,""Bro""ken,1",,,not readable as CSV: text after a closing quote',
        ',,,empty line',
        'cli3@example.com,Cai,9,consentLevel: unknown level (a whole number from 0 to 5)',
        '',
      ].join('\n'),
    );
    assert.equal(statSync(rejected).mode & 0o777, 0o600, 'the rejects hold personal data: owner only');
    const [audit] = await audits('contact.import');
    assert.deepEqual([audit!.actor_type, audit!.target_type, audit!.target_id, audit!.outcome], ['cli', 'import', null, 'ok']);
    const cleo = await ctx.db.kysely.selectFrom('contacts').selectAll().where('email', '=', 'cli1@example.com').executeTakeFirstOrThrow();
    assert.equal(cleo.consent_level, 2);

    // Fixed and imported again: the stale rejects file goes, so it always describes the last run.
    writeFileSync(csv, 'email,firstName,consentLevel\ncli1@example.com,Cleo,3\n');
    const again = await assent(ctx.url, 'import', 'contacts', csv);
    assert.equal(again.stdout, 'created 0, updated 1, rejected 0\n');
    assert.equal(existsSync(rejected), false);
  });

  it('--dry-run and --map: counts only, nothing written, no rejects file', async () => {
    const csv = file('mapped.csv', 'Mail,Given,Shoe\ncli9@example.com,Nia,44\nbad,X,1\n');
    const r = await assent(ctx.url, 'import', 'contacts', csv, '--map', 'Mail=email,Given=firstName,Shoe=-', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'created 1, updated 0, rejected 1 (dry run: nothing was written)\nignored columns: Shoe\nline 3: Mail: not a valid email address\n',
    );
    assert.equal(existsSync(join(dir, `${ctx.dialect}-mapped.rejected.csv`)), false);
    assert.equal(
      await ctx.db.kysely.selectFrom('contacts').select('id').where('email', '=', 'cli9@example.com').executeTakeFirst(),
      undefined,
    );
  });

  it('exits non-zero when the file cannot be processed: missing, no email column, unknown columns', async () => {
    const missing = await assent(ctx.url, 'import', 'contacts', join(dir, 'absent.csv'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read .*absent\.csv: no such file/);
    const noEmail = await assent(ctx.url, 'import', 'contacts', file('noemail.csv', 'name,phone\nAna,123\n'));
    assert.notEqual(noEmail.code, 0);
    assert.match(noEmail.stderr, /validation_failed: the file has no email column/);
    const unknown = await assent(ctx.url, 'import', 'contacts', file('unknown.csv', 'email,shoe\na@example.com,44\n'));
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown columns: "shoe"/);
    assert.equal((await audits('contact.import')).filter((a) => a.outcome === 'failed').length, 2);
  });

  it('reads the files spreadsheets save: semicolons in Windows-1252, UTF-16 with a BOM; refuses an unknown --charset', async () => {
    const latin = join(dir, `${ctx.dialect}-latin.csv`);
    writeFileSync(latin, Buffer.from('email;firstName\r\ncli-w1@example.com;Chloé\r\n', 'latin1'));
    const r1 = await assent(ctx.url, 'import', 'contacts', latin);
    assert.equal(r1.code, 0, r1.stderr);
    const utf16 = join(dir, `${ctx.dialect}-utf16.csv`);
    writeFileSync(
      utf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\tlastName\ncli-u1@example.com\tŁukasz\n', 'utf16le')]),
    );
    const r2 = await assent(ctx.url, 'import', 'contacts', utf16);
    assert.equal(r2.code, 0, r2.stderr);
    const names = await ctx.db.kysely
      .selectFrom('contacts')
      .select(['email', 'first_name', 'last_name'])
      .where('email', 'in', ['cli-w1@example.com', 'cli-u1@example.com'])
      .orderBy('email')
      .execute();
    assert.deepEqual(
      names.map((n) => [n.email, n.first_name ?? n.last_name]),
      [
        ['cli-u1@example.com', 'Łukasz'],
        ['cli-w1@example.com', 'Chloé'],
      ],
    );
    const refused = await assent(ctx.url, 'import', 'contacts', latin, '--charset', 'ebcdic');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /unsupported_encoding/);
  });

  it('export contacts writes CSV to stdout or to an owner-only file, and audits it', async () => {
    const out = await assent(ctx.url, 'export', 'contacts');
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^id,email,firstName,.*,consentLevel,createdAt,updatedAt$/);
    assert.ok(lines.some((l) => l.includes(',cli1@example.com,Cleo,')));
    const target = join(dir, `${ctx.dialect}-export.csv`);
    const toFile = await assent(ctx.url, 'export', 'contacts', '--out', target);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(readFileSync(target, 'utf8'), out.stdout);
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(
      (await audits('contact.export')).map((a) => [a.actor_type, a.outcome]),
      [
        ['cli', 'ok'],
        ['cli', 'ok'],
      ],
    );
  });

  it('export contacts --segment writes only the members and audits against the segment; an unknown segment fails', async () => {
    const segmentId = '0190aaaa-0000-7000-8000-00000000a5e9';
    const now = new Date().toISOString();
    await ctx.db.kysely
      .insertInto('segments')
      .values({
        id: segmentId,
        name: 'Cleo only',
        kind: 'dynamic',
        filter: JSON.stringify({ field: 'firstName', op: '=', value: 'Cleo' }),
        created_at: now,
        updated_at: now,
      } as never)
      .execute();
    const r = await assent(ctx.url, 'export', 'contacts', '--segment', segmentId);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 1, r.stdout);
    assert.match(rows[0]!, /,cli1@example\.com,Cleo,/);
    const last = (await audits('contact.export')).at(-1)!;
    assert.deepEqual([last.target_type, last.target_id, last.outcome], ['segment', segmentId, 'ok']);
    const unknown = await assent(ctx.url, 'export', 'contacts', '--segment', '0190aaaa-0000-7000-8000-000000000000');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /segment/i);
    assert.equal(unknown.stdout, '', 'nothing is written before the segment is found');
  });
});
