// Reading the head of a CSV in the browser, for the column mapping and its preview only: the server
// reads and checks the whole file itself (separator, encoding, every line) when it is sent.

/** The API's upload limit (POST /api/v1/imports refuses a larger body with 413). */
export const UPLOAD_LIMIT = 50 * 1024 * 1024;
/** Past this size the API imports by a job (ASYNC_FROM_BYTES). */
export const JOB_FROM = 2 * 1024 * 1024;
/** How much of the file the preview reads: enough for the header and a few rows. */
const HEAD_BYTES = 256 * 1024;
export const PREVIEW_ROWS = 5;

export interface CsvHead {
  separator: ',' | ';' | '\t';
  header: string[];
  rows: string[][];
}

/** Why the file cannot be imported, in words for the person who chose it; null when it looks like a CSV. */
export type HeadResult = { ok: true; head: CsvHead } | { ok: false; problem: string };

/** Decodes as the server does: UTF-16 by its BOM, UTF-8 when the bytes are, else Windows-1252. */
function decode(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  // A NUL byte without a UTF-16 mark: a spreadsheet's own format, an image, an archive…
  if (bytes.includes(0)) return null;
  try {
    // The head may cut a character in two at its end: `stream` leaves that part out.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true }).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** The separator the header line uses most, outside quotes (the server's rule). */
function separatorOf(line: string): CsvHead['separator'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  const best = (Object.entries(counts) as [CsvHead['separator'], number][]).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > 0 ? best[0] : ',';
}

/** Up to `max` records of RFC 4180 CSV (quotes, doubled quotes, separators and line ends inside quotes). */
export function parseCsv(text: string, separator: string, max: number): string[][] {
  const records: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length && records.length < max) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === separator) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.length > 1 || row[0] !== '') records.push(row);
      row = [];
      cell = '';
    } else cell += ch;
    i++;
  }
  if (records.length < max && (cell !== '' || row.length)) {
    row.push(cell);
    records.push(row);
  }
  return records;
}

/** The file's header and first rows, or why it cannot be a contact CSV. */
export async function readHead(file: File): Promise<HeadResult> {
  if (file.size === 0) return { ok: false, problem: 'This file is empty. Choose a CSV file with a header line and one contact per line.' };
  if (file.size > UPLOAD_LIMIT)
    return {
      ok: false,
      problem: `This file is larger than the 50 MB an import takes. Split it into several files and import them one after the other.`,
    };
  const text = decode(new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer()));
  if (text === null)
    return {
      ok: false,
      problem:
        'This is not a CSV file (it holds binary data: a spreadsheet, an image or an archive?). In your spreadsheet, use ' +
        '“Save as” or “Export” and choose CSV, then choose that file here.',
    };
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const separator = separatorOf(firstLine);
  // A cut record at the end of the head is left out: one more row is read than shown.
  const records = parseCsv(text, separator, PREVIEW_ROWS + 2);
  const header = (records[0] ?? []).map((h) => h.trim());
  if (!header.some((h) => h !== ''))
    return {
      ok: false,
      problem: 'The first line of this file is empty. The first line must name the columns, for example: email,firstName,lastName.',
    };
  if (header.length === 1 && !/^[\w .-]{1,60}$/.test(header[0]!))
    return {
      ok: false,
      problem: 'This does not look like a CSV file: its first line is not a list of column names separated by commas, semicolons or tabs.',
    };
  return { ok: true, head: { separator, header, rows: records.slice(1, PREVIEW_ROWS + 1) } };
}

/** "1.2 MB", "850 KB", "312 bytes". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
