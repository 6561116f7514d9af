/**
 * CSV (RFC 4180: comma, double quotes, "" inside quotes, LF or CRLF) read as a stream, item by
 * item, each tagged with the physical line it starts on. Spreadsheets in many locales separate
 * with a semicolon, "Unicode text" with a tab: the reader takes the one its header uses. Written here rather than taken from a
 * library for two reasons measured on imports: a broken quote must cost only its own line (a
 * general parser reads on to the next quote anywhere in the file and silently swallows every
 * line between), and a million rows must parse in well under a second.
 */

export type CsvItem =
  | { kind: 'record'; line: number; cells: string[] }
  | { kind: 'empty'; line: number }
  /** `raw` is the text that could not be read: the record, or for a quoting error its first line. */
  | { kind: 'error'; line: number; reason: string; raw: string };

/** A quoted field still open after this much text is taken as never closed. */
export const MAX_RECORD = 1 << 20;

const QUOTE = 34;
const LF = 10;
const CR = 13;

type Scan = { cells: string[]; end: number } | { error: string } | null;

/**
 * One record that holds a quote, from `start`. Returns the cells and the index after its line
 * end, an error, or null when the buffer ends before the record does.
 */
function scanQuoted(buf: string, start: number, final: boolean, sep: string): Scan {
  const SEP = sep.charCodeAt(0);
  const cells: string[] = [];
  let i = start;
  for (;;) {
    if (buf.charCodeAt(i) === QUOTE) {
      let value = '';
      let seg = i + 1;
      for (;;) {
        const q = buf.indexOf('"', seg);
        if (q < 0) return final ? { error: 'a quoted field is not closed' } : null;
        if (q + 1 >= buf.length && !final) return null;
        if (buf.charCodeAt(q + 1) === QUOTE) {
          value += buf.slice(seg, q + 1);
          seg = q + 2;
          continue;
        }
        value += buf.slice(seg, q);
        i = q + 1;
        break;
      }
      cells.push(value);
      if (i >= buf.length) return final ? { cells, end: i } : null;
      const c = buf.charCodeAt(i);
      if (c === SEP) {
        i++;
        continue;
      }
      if (c === LF) return { cells, end: i + 1 };
      if (c === CR && i + 1 >= buf.length) return final ? { cells, end: i + 1 } : null;
      if (c === CR && buf.charCodeAt(i + 1) === LF) return { cells, end: i + 2 };
      return { error: 'text after a closing quote' };
    }
    let comma = buf.indexOf(sep, i);
    let nl = buf.indexOf('\n', i);
    if (comma < 0) comma = buf.length;
    if (nl < 0) nl = buf.length;
    const stop = Math.min(comma, nl);
    if (stop === buf.length && !final) return null;
    let cell = buf.slice(i, stop);
    if (stop === nl && cell.charCodeAt(cell.length - 1) === CR) cell = cell.slice(0, -1);
    if (cell.includes('"')) return { error: 'a quote inside an unquoted field' };
    cells.push(cell);
    if (stop === comma && comma < buf.length) {
      i = comma + 1;
      continue;
    }
    return { cells, end: Math.min(stop + 1, buf.length) };
  }
}

/** The end of the first line that is not inside quotes (a header's quoted name may span lines), or -1. */
function firstLineEnd(buf: string): number {
  let quoted = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (c === LF && !quoted) return i;
  }
  return -1;
}

function countLines(buf: string, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf('\n', from); i >= 0 && i < to; i = buf.indexOf('\n', i + 1)) n++;
  return n;
}

/** The separators a file may use, in the order a tie between them is decided. */
export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * The separator a header line uses: the one of comma, semicolon and tab that occurs most often
 * outside quotes (a quoted column name may hold the others); a comma when none does.
 */
export function detectDelimiter(header: string): Delimiter {
  const counts = [0, 0, 0];
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted) {
      const k = DELIMITERS.indexOf(c as Delimiter);
      if (k >= 0) counts[k]!++;
    }
  }
  let best = 0;
  for (let k = 1; k < DELIMITERS.length; k++) if (counts[k]! > counts[best]!) best = k;
  return DELIMITERS[best]!;
}

/**
 * Feed text with `push`, finish with `end`; each returns the items it completed. The first
 * record fixes the width (it is the header): a later record with another number of fields is
 * an error item. After any error, reading resumes on the line after the one the bad record
 * started on, so one bad quote never hides the rows that follow it.
 */
export class CsvReader {
  private buf = '';
  private line = 1;
  private width: number | null = null;
  private started = false;
  /** The separator: given, or taken from the header once its line is complete. */
  private sep: Delimiter | null;

  constructor(delimiter?: Delimiter) {
    this.sep = delimiter ?? null;
  }

  /** The separator in use (null until the header's line has been read). */
  get delimiter(): Delimiter | null {
    return this.sep;
  }

  push(text: string): CsvItem[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buf = this.buf.length ? this.buf + text : text;
    return this.drain(false);
  }

  end(): CsvItem[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvItem[] {
    const out: CsvItem[] = [];
    const buf = this.buf;
    if (this.sep === null) {
      const nl = firstLineEnd(buf);
      if (nl < 0 && !final && buf.length <= MAX_RECORD) return out;
      this.sep = detectDelimiter(buf.slice(0, nl < 0 ? buf.length : nl));
    }
    const sep = this.sep;
    let pos = 0;
    let line = this.line;
    // Where the next quote is, remembered so that lines without one are never rescanned.
    let nextQuote = -1;
    while (pos < buf.length) {
      const nl = buf.indexOf('\n', pos);
      if (nl < 0 && !final) break;
      const eol = nl < 0 ? buf.length : nl;
      if (nextQuote < pos) {
        nextQuote = buf.indexOf('"', pos);
        if (nextQuote < 0) nextQuote = Infinity;
      }
      if (nextQuote > eol) {
        const end = eol > pos && buf.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
        this.emit(out, line, buf, pos, end, end === pos ? [''] : buf.slice(pos, end).split(sep));
        pos = eol + 1;
        line++;
        continue;
      }
      let scan = scanQuoted(buf, pos, final, sep);
      if (scan === null) {
        if (buf.length - pos <= MAX_RECORD) break;
        scan = { error: 'a quoted field is not closed' };
      }
      if ('error' in scan) {
        const end = eol > pos && buf.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
        out.push({ kind: 'error', line, reason: scan.error, raw: buf.slice(pos, end) });
        pos = eol + 1;
        line++;
        continue;
      }
      const end = scan.end;
      this.emit(out, line, buf, pos, end, scan.cells);
      line += countLines(buf, pos, end);
      pos = end;
    }
    this.buf = pos >= buf.length ? '' : buf.slice(pos);
    this.line = line;
    return out;
  }

  private emit(out: CsvItem[], line: number, buf: string, start: number, end: number, cells: string[]): void {
    if (cells.length === 1 && cells[0]!.trim() === '') {
      out.push({ kind: 'empty', line });
      return;
    }
    if (this.width === null) this.width = cells.length;
    if (cells.length === this.width) {
      out.push({ kind: 'record', line, cells });
      return;
    }
    const raw = buf.slice(start, end).replace(/\r?\n$/, '');
    out.push({ kind: 'error', line, reason: `expected ${this.width} fields, found ${cells.length}`, raw });
  }
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * A cell a spreadsheet would run as a formula ("CSV injection"): one starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return, after any quotes already in front of it.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
const APOSTROPHE = 39;

/**
 * The cell as written: a formula cell gets a leading `'`, as OWASP recommends, so a spreadsheet
 * shows it as text. A value that already starts with quotes before a formula character gets one
 * more, so that `fromCsvCell` gives back exactly the value: our own export imports back as is.
 */
export function toCsvCell(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

/**
 * The value a cell read from a file stands for: one leading `'` before a formula character is
 * taken off (how our exports, and other tools following OWASP, neutralise formulas); any other
 * cell is the value. The importer reads every cell through this, so importing an export gives
 * back the stored values, and a person whose name really starts with `'=` keeps it (written `''=`).
 */
export function fromCsvCell(cell: string): string {
  return cell.charCodeAt(0) === APOSTROPHE && FORMULA.test(cell) ? cell.slice(1) : cell;
}

/**
 * One CSV line (LF-terminated); a cell is quoted only when it has to be, and a formula cell is
 * neutralised (`toCsvCell`). Every CSV the product writes goes through here.
 */
export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  let s = '';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    const t = v === null || v === undefined ? '' : toCsvCell(String(v));
    if (i > 0) s += ',';
    s += NEEDS_QUOTES.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  }
  return `${s}\n`;
}
