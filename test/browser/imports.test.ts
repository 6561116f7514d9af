import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  SQLITE_BROWSER,
  assertAccessible,
  browserSkip,
  type ConsoleServer,
  logIn,
  openBrowser,
  type Session,
  screenshot,
  startConsoleServer,
} from './harness.ts';

const ROWS = 20_000;
/** Two addresses the file shares with contacts made before it: updated, not created. */
const KNOWN = [7, 12_345].map((n) => address(n));

function address(n: number): string {
  return `person${String(n).padStart(5, '0')}@example.com`;
}

/**
 * A file as another tool exports it: its own column names (one the console recognises, two to map
 * by hand, one to ignore), 20,000 good rows and three bad ones: an address that is none, a consent
 * level out of range, and an address given twice.
 */
function generatedCsv(): { csv: Buffer; bad: { line: number; reason: RegExp }[] } {
  const lines = ['Email address;Given name;Surname;Level;Notes'];
  for (let n = 1; n <= ROWS; n++) lines.push(`${address(n)};Given${n};Family${n};${n % 4};note ${n}`);
  const bad: { line: number; reason: RegExp }[] = [];
  const add = (line: string, reason: RegExp) => {
    lines.push(line);
    bad.push({ line: lines.length, reason });
  };
  add('not-an-address;Bad;Row;2;x', /^Email address: /);
  add(`extra.person@example.com;Level;Nine;9;x`, /^Level: unknown level/);
  add(`${address(5).toUpperCase()};Twice;Given;1;x`, /duplicate|twice|again|earlier/i);
  return { csv: Buffer.from(`${lines.join('\n')}\n`), bad };
}

const file = (name: string, content: string | Buffer, mimeType = 'text/csv') => ({
  name,
  mimeType,
  buffer: Buffer.isBuffer(content) ? content : Buffer.from(content),
});

async function count(s: Session, list: string, label: string): Promise<number> {
  const item = s.page.getByRole('list', { name: list }).getByRole('listitem', { name: new RegExp(`^${label}:`) });
  const text = (await item.getAttribute('aria-label')) ?? '';
  return Number(text.replace(/^[^:]*:/, '').replace(/\D/g, ''));
}

for (const d of SQLITE_BROWSER)
  describe(`console: import a CSV of ${ROWS} rows [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    before(async () => {
      server = await startConsoleServer(d.name);
      for (const email of KNOWN) assert.equal((await server.api('POST', '/api/v1/contacts', { email })).status, 201);
      s = await openBrowser();
      await logIn(s.page, server.base, server.admin);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('bad input gets a clear message: an empty file, a file that is no CSV, no column mapped to email', async () => {
      const { page } = s;
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).click();
      // The pointer leaves the navigation (a hovered current link is the shell's business, not this screen's).
      await page.mouse.move(900, 700);
      await page.getByRole('heading', { name: 'Import contacts', level: 1 }).waitFor();
      // The empty state explains the format before any file is chosen.
      await page.getByText('The first line names the columns').waitFor();
      await assertAccessible(page, 'import, empty');
      await screenshot(page, 'imports-empty');

      const input = page.getByLabel('CSV file');
      await input.setInputFiles(file('empty.csv', ''));
      await page.getByRole('alert').filter({ hasText: 'This file is empty' }).waitFor();
      await input.setInputFiles(file('book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08]), 'application/octet-stream'));
      await page.getByRole('alert').filter({ hasText: 'This is not a CSV file' }).waitFor();
      await assertAccessible(page, 'import, not a CSV');
      await screenshot(page, 'imports-not-csv');

      await input.setInputFiles(file('people.csv', 'Name,Town\nLéa,Lyon\n'));
      await page.getByRole('alert').filter({ hasText: 'set it to “Email”' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Dry run' }).isDisabled(), true);
      assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), true);
      await assertAccessible(page, 'import, no email column');
      assert.deepEqual(s.problems, []);
    });

    test('map, dry run with the right report, run with a progress bar to the end, download the rejected rows', async () => {
      const { page } = s;
      const { csv, bad } = generatedCsv();
      await page.goto(`${server.base}/admin/imports`);
      await page.getByLabel('CSV file').setInputFiles(file('export.csv', csv));
      await page.getByTestId('file-summary').filter({ hasText: 'export.csv' }).waitFor();
      assert.match((await page.getByTestId('file-summary').textContent()) ?? '', /MB/);
      // The preview shows the first rows; "Email address" is recognised, the others are mapped by hand.
      const preview = page.getByRole('table', { name: 'First rows of the file' });
      await preview.getByRole('cell', { name: address(1) }).waitFor();
      assert.equal(await page.getByLabel('Import column “Email address” into').inputValue(), 'email');
      assert.equal(await page.getByLabel('Import column “Notes” into').inputValue(), '-');
      await page.getByLabel('Import column “Given name” into').selectOption('firstName');
      await page.getByLabel('Import column “Surname” into').selectOption('lastName');
      await page.getByLabel('Import column “Level” into').selectOption('consentLevel');
      await assertAccessible(page, 'import, mapping');
      await screenshot(page, 'imports-mapping');

      await page.getByRole('button', { name: 'Dry run' }).click();
      const report = page.getByRole('region', { name: 'Dry run report' });
      await report.waitFor();
      assert.equal(await count(s, 'What the import would do', 'Would create'), ROWS - KNOWN.length);
      assert.equal(await count(s, 'What the import would do', 'Would update'), KNOWN.length);
      assert.equal(await count(s, 'What the import would do', 'Would reject'), bad.length);
      for (const b of bad) await report.getByRole('cell', { name: b.line.toLocaleString('en-US'), exact: true }).waitFor();
      // Nothing was written by the dry run.
      assert.equal((await server.api('GET', '/api/v1/contacts?limit=1')).body.page.total, KNOWN.length);
      await assertAccessible(page, 'import, dry run report');
      await screenshot(page, 'imports-dry-run');

      // The run: a job, its progress page polled until the bar is full.
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { name: /Importing contacts|Import finished/, level: 1 }).waitFor();
      const jobId = page.url().split('/').pop()!;
      const bar = page.getByRole('progressbar', { name: 'Import progress' });
      await bar.waitFor();
      await assertAccessible(page, 'import, running');
      await page.getByRole('heading', { name: 'Import finished', level: 1 }).waitFor({ timeout: 120_000 });
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
      const shown = {
        created: await count(s, 'Import counts', 'Created'),
        updated: await count(s, 'Import counts', 'Updated'),
        rejected: await count(s, 'Import counts', 'Rejected'),
      };
      assert.deepEqual(shown, { created: ROWS - KNOWN.length, updated: KNOWN.length, rejected: bad.length });
      // The API agrees: the job's result and the contact total.
      const job = (await server.api('GET', `/api/v1/jobs/${jobId}`)).body.data;
      assert.equal(job.status, 'done');
      assert.equal(job.result.created, shown.created);
      assert.equal(job.result.updated, shown.updated);
      assert.equal(job.result.rejected, shown.rejected);
      assert.deepEqual(job.result.ignoredColumns, ['Notes']);
      assert.equal((await server.api('GET', '/api/v1/contacts?limit=1')).body.page.total, ROWS);
      const one = (await server.api('GET', `/api/v1/contacts?email=${encodeURIComponent(address(42))}`)).body.data[0];
      assert.equal(one.firstName, 'Given42');
      assert.equal(one.consentLevel, 42 % 4);
      await assertAccessible(page, 'import, finished');
      await screenshot(page, 'imports-finished');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download rejected rows' }).click(),
      ]);
      const rejected = readFileSync((await download.path())!, 'utf8')
        .trim()
        .split('\n');
      assert.equal(rejected[0], 'line,reason');
      assert.equal(rejected.length, bad.length + 1);
      bad.forEach((b, i) => {
        const [line, ...reason] = rejected[i + 1]!.split(',');
        assert.equal(Number(line), b.line);
        assert.match(reason.join(','), b.reason);
      });
      assert.deepEqual(s.problems, []);
    });

    // The console's job path once (SQLite): the API's dry-run jobs run on both databases in its own
    // tests. Not declared at all on PostgreSQL: a declared skip in a browser file fails CI.
    if (d.name === 'sqlite')
      test('a file over 2 MB: the dry run runs as a job too, and its report lists the rejected lines', async () => {
        const { page } = s;
        const pad = 'x'.repeat(180);
        const lines = ['email,notes'];
        for (let n = 1; n <= 12_000; n++) lines.push(`big${n}@example.org,${pad}`);
        lines.push(`not an address,${pad}`);
        const csv = Buffer.from(`${lines.join('\n')}\n`);
        assert.ok(csv.length > 2 * 1024 * 1024, 'over the size the API imports by a job');
        const before = (await server.api('GET', '/api/v1/contacts?limit=1')).body.page.total;
        await page.goto(`${server.base}/admin/imports`);
        await page.getByLabel('CSV file').setInputFiles(file('big.csv', csv));
        await page.getByTestId('file-summary').filter({ hasText: 'imported in the background' }).waitFor();
        await page.getByRole('button', { name: 'Dry run' }).click();
        const report = page.getByRole('region', { name: 'Dry run report' });
        await report.waitFor({ timeout: 120_000 });
        assert.equal(await count(s, 'What the import would do', 'Would create'), 12_000);
        assert.equal(await count(s, 'What the import would do', 'Would update'), 0);
        assert.equal(await count(s, 'What the import would do', 'Would reject'), 1);
        await report.getByRole('cell', { name: (12_002).toLocaleString('en-US'), exact: true }).waitFor();
        assert.equal((await server.api('GET', '/api/v1/contacts?limit=1')).body.page.total, before, 'nothing written');
        await assertAccessible(page, 'import, dry run by a job');
        assert.deepEqual(s.problems, []);
      });

    test('small screen and dark theme: the mapping and the finished import hold', async () => {
      const small = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      try {
        await logIn(small.page, server.base, server.admin);
        await small.page.goto(`${server.base}/admin/imports`);
        await small.page.getByLabel('CSV file').setInputFiles(file('few.csv', 'email,firstName,company\nana@example.com,Ana,Acme\n'));
        await small.page.getByRole('table', { name: 'First rows of the file' }).waitFor();
        const overflow = await small.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no page-wide horizontal scroll (${overflow}px)`);
        await assertAccessible(small.page, 'import, mapping, 390 dark');
        await screenshot(small.page, 'imports-mapping-390-dark');
        assert.deepEqual(small.problems, []);
      } finally {
        await small.close();
      }
    });

    test('a marketer is not offered consent columns; a viewer sees no import at all', async () => {
      const marketer = await openBrowser();
      const viewer = await openBrowser();
      try {
        await logIn(marketer.page, server.base, await server.user('marketer'));
        await marketer.page.goto(`${server.base}/admin/imports`);
        await marketer.page.getByLabel('CSV file').setInputFiles(file('m.csv', 'email,consentLevel\nmo@example.com,4\n'));
        const level = marketer.page.getByLabel('Import column “consentLevel” into');
        await level.waitFor();
        assert.equal(await level.inputValue(), '-');
        const options = await level.locator('option').allTextContents();
        assert.ok(!options.includes('Consent level'), `no consent field offered: ${options.join(', ')}`);
        await marketer.page.getByText('Consent columns are not imported').waitFor();
        await assertAccessible(marketer.page, 'import, marketer');

        await logIn(viewer.page, server.base, await server.user('viewer'));
        const nav = viewer.page.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name: 'Contacts' }).waitFor();
        assert.equal(await nav.getByRole('link', { name: 'Import' }).count(), 0);
        await viewer.page.goto(`${server.base}/admin/imports`);
        await viewer.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
        assert.equal(await viewer.page.getByLabel('CSV file').count(), 0);
        assert.deepEqual([...marketer.problems, ...viewer.problems], []);
      } finally {
        await marketer.close();
        await viewer.close();
      }
    });
  });
