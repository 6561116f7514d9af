import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { CsvReader, csvLine, fromCsvCell, MAX_RECORD, toCsvCell, type CsvItem } from './csv.ts';

function readAll(chunks: string[]): CsvItem[] {
  const r = new CsvReader();
  return [...chunks.flatMap((c) => r.push(c)), ...r.end()];
}

/** Every way of cutting the text gives the same items as reading it whole. */
function readInPieces(text: string, size: number): CsvItem[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return readAll(chunks);
}

it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF and a BOM, numbering physical lines', () => {
  const text = '\ufeffemail,name,note\r\na@example.com,"Lee, Ann","said ""hi"""\r\nb@example.com,Bo,"two\nlines"\nc@example.com,,last';
  const want: CsvItem[] = [
    { kind: 'record', line: 1, cells: ['email', 'name', 'note'] },
    { kind: 'record', line: 2, cells: ['a@example.com', 'Lee, Ann', 'said "hi"'] },
    { kind: 'record', line: 3, cells: ['b@example.com', 'Bo', 'two\nlines'] },
    { kind: 'record', line: 5, cells: ['c@example.com', '', 'last'] },
  ];
  assert.deepEqual(readAll([text]), want);
  for (const size of [1, 2, 3, 7, 64]) assert.deepEqual(readInPieces(text, size), want, `chunks of ${size}`);
});

it('reports bad quoting, wrong widths and empty lines by line, and resumes on the next line', () => {
  const text = ['h1,h2', 'a,"b"x', 'c,"unclosed', 'd,e', '', '   ', 'f,g,h', 'i,j', 'k,l"m', '"n",o', ''].join('\n');
  const items = readAll([text]);
  assert.deepEqual(
    items.map((i) =>
      i.kind === 'record' ? `${i.line}:${i.cells.join('|')}` : i.kind === 'error' ? `${i.line}!${i.reason}` : `${i.line}:empty`,
    ),
    // Line 3's quote runs on to the one on line 9, where the text after it gives the error away.
    [
      '1:h1|h2',
      '2!text after a closing quote',
      '3!text after a closing quote',
      '4:d|e',
      '5:empty',
      '6:empty',
      '7!expected 2 fields, found 3',
      '8:i|j',
      '9!a quote inside an unquoted field',
      '10:n|o',
    ],
  );
  const bad = items.find((i) => i.kind === 'error' && i.line === 3);
  assert.equal(bad?.kind === 'error' && bad.raw, 'c,"unclosed');
  for (const size of [1, 5, 16]) assert.deepEqual(readInPieces(text, size), items, `chunks of ${size}`);
});

it('an unclosed quote that a later quote seems to close still costs only its own line', () => {
  const items = readAll(['email,name\na@example.com,"Ann\nb@example.com,Bob\nc@example.com,"Cy"\n']);
  assert.deepEqual(
    items.map((i) => `${i.line}:${i.kind}`),
    ['1:record', '2:error', '3:record', '4:record'],
  );
});

it('gives up on a quoted field longer than the limit instead of buffering the file', () => {
  const r = new CsvReader();
  const items = [...r.push('a,b\nx,"open\n'), ...r.push(`${'y,z\n'.repeat(MAX_RECORD / 4 + 10)}`)];
  assert.deepEqual(items[1], { kind: 'error', line: 2, reason: 'a quoted field is not closed', raw: 'x,"open' });
  assert.deepEqual(items[2], { kind: 'record', line: 3, cells: ['y', 'z'] });
});

it('csvLine quotes only what needs it, and reads back (as the importer reads, through fromCsvCell) to the same cells', () => {
  assert.equal(csvLine(['a', 'b c', null, 3, true]), 'a,b c,,3,true\n');
  assert.equal(csvLine(['x,y', 'say "hi"', 'two\nlines', ' pad']), '"x,y","say ""hi""","two\nlines"," pad"\n');
  const cell = fc.string({
    unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', 'x', '😀', '=', '+', '-', '@', '\t', "'"),
    maxLength: 8,
  });
  fc.assert(
    fc.property(
      fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 9 }),
      (rows, size) => {
        const text = csvLine(['h1', 'h2']) + rows.map((r) => csvLine(r)).join('');
        const got = readInPieces(text, size)
          .filter((i) => i.kind === 'record')
          .slice(1);
        assert.deepEqual(
          got.map((i) => (i.kind === 'record' ? i.cells.map(fromCsvCell) : [])),
          rows,
        );
      },
    ),
  );
});

it('a cell a spreadsheet would run as a formula is written as text (OWASP), and read back as the value', () => {
  assert.equal(
    csvLine(['=1+2', '+44 20', '-2+3', '@SUM(A1)', '\tx', '\rx', 'a=b', "'quoted", "'=x", '-']),
    `'=1+2,'+44 20,'-2+3,'@SUM(A1),'\tx,"'\rx",a=b,'quoted,''=x,'-\n`,
  );
  for (const v of ['=1+2', "'=x", "''+y", "'plain", "'", '', 'a']) assert.equal(fromCsvCell(toCsvCell(v)), v, v);
  // Cells from other tools: one quote before a formula character is taken off, nothing else.
  assert.deepEqual(["'=x", "'plain", "''=x", '=raw'].map(fromCsvCell), ['=x', "'plain", "'=x", '=raw']);
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", 'a', ' ', '😀'), maxLength: 6 }), (v) => {
      const written = toCsvCell(v);
      assert.doesNotMatch(written, /^[=+\-@\t\r]/);
      assert.equal(fromCsvCell(written), v);
    }),
  );
});
