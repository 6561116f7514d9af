import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError } from './errors.ts';
import { decodeText } from './text-encoding.ts';
import { CsvReader, detectDelimiter } from './csv.ts';

/** Decodes bytes fed in chunks of `size`, as the CLI's file stream and the API's pieces feed them. */
async function decode(bytes: Uint8Array, size = bytes.length || 1, declared?: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  let out = '';
  for await (const s of decodeText(chunks, declared)) out += s;
  return out;
}

async function refused(bytes: Uint8Array, size?: number, declared?: string): Promise<void> {
  await assert.rejects(decode(bytes, size, declared), (e) => e instanceof AppError && e.code === 'unsupported_encoding');
}

const le = (s: string) => Buffer.from(s, 'utf16le');
const be = (s: string) => Buffer.from(le(s).swap16());
const latin = (s: string) => Buffer.from(s, 'latin1');

describe('decodeText', () => {
  it('gives back any text in UTF-8 (with or without BOM) and UTF-16 (BOM, or the NULs of an ASCII start), at any chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 5000 }), async (body, size) => {
        // An ASCII start, as a header is: UTF-16 without BOM is recognised by it.
        const text = `email,name\n${body}`;
        assert.equal(await decode(Buffer.from(text), size), text);
        assert.equal(await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), size), text);
        assert.equal(await decode(Buffer.concat([Buffer.from([0xff, 0xfe]), le(text)]), size), text);
        assert.equal(await decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be(text)]), size), text);
        assert.equal(await decode(le(text), size), text);
        assert.equal(await decode(be(text), size), text);
      }),
      { numRuns: 150 },
    );
  });

  it('reads Windows-1252 when the bytes are not UTF-8, also when the first accent comes after many ASCII chunks', async () => {
    const text = `email,name\n${'a@example.com,Ann\n'.repeat(500)}b@example.com,José Œuvre €…\n`;
    const bytes = Buffer.from([...text].map((c) => ({ Œ: 0x8c, '€': 0x80, '…': 0x85 })[c] ?? c.charCodeAt(0)));
    for (const size of [1, 7, 4096, 5000, bytes.length]) assert.equal(await decode(bytes, size), text, `chunks of ${size}`);
    assert.equal(await decode(latin('email\nZoë\n'), 3, 'ISO-8859-1'), 'email\nZoë\n');
  });

  it('refuses what it cannot read faithfully: unknown names, invalid bytes, mixed files, UTF-32, binary', async () => {
    await refused(Buffer.from('email\n'), undefined, 'shift_jis');
    await refused(Buffer.from('email\n'), undefined, 'utf-7');
    await refused(latin('email\nJosé\n'), undefined, 'utf-8');
    for (const size of [1, 5, 100]) {
      await refused(Buffer.concat([Buffer.from('email\nZoë\n'), latin('José\n')]), size);
      await refused(Buffer.concat([Buffer.from('email\nx'), Buffer.from([0x8d])]), size);
      await refused(Buffer.concat([Buffer.from([0xff, 0xfe]), le('email\n').subarray(0, 5)]), size);
    }
    // Windows-1252 detected for a chunk that itself holds well-formed UTF-8 before its first invalid byte: mixed.
    await refused(Buffer.concat([Buffer.from('email\nZoë '), latin('José\n')]));
    await refused(Buffer.from([0xff, 0xfe, 0, 0, 0x65, 0, 0, 0]));
    await refused(Buffer.from('e\0\0\0m\0\0\0a\0\0\0', 'latin1'));
    await refused(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    // A BOM that contradicts the declaration.
    await refused(Buffer.concat([Buffer.from([0xfe, 0xff]), be('email\n')]), undefined, 'utf-16le');
  });

  it('gives nothing for an empty file, and takes off the BOM only once', async () => {
    assert.equal(await decode(Buffer.alloc(0)), '');
    assert.equal(await decode(Buffer.from('\ufeff\ufeffemail\n')), '\ufeffemail\n');
  });
});

describe('delimiter detection', () => {
  it('takes the separator the header uses most, outside quotes', () => {
    assert.equal(detectDelimiter('email,firstName,lastName'), ',');
    assert.equal(detectDelimiter('email;firstName;"a,b,c,d"'), ';');
    assert.equal(detectDelimiter('email\tfirst;name\tlast,name'), '\t');
    assert.equal(detectDelimiter('"e;m;a;i;l"'), ',');
    assert.equal(detectDelimiter('email'), ',');
  });

  it('reads every record the same whichever separator, at any chunk size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(',', ';', '\t'),
        fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (sep, rows, size, crlf) => {
          const cell = (c: string) => (/[",;\t\r\n]/.test(c) || c.trim() === '' ? `"${c.replace(/"/g, '""')}"` : c);
          const header = ['email', 'first name', 'last name'];
          const text = [header, ...rows].map((r) => r.map(cell).join(sep)).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
          const reader = new CsvReader();
          const items = [];
          for (let i = 0; i < text.length; i += size) items.push(...reader.push(text.slice(i, i + size)));
          items.push(...reader.end());
          assert.equal(reader.delimiter, sep);
          assert.deepEqual(
            items.map((x) => (x.kind === 'record' ? x.cells : x.kind)),
            [header, ...rows],
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
