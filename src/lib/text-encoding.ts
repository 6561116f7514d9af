import { AppError } from './errors.ts';

/**
 * Text files as people have them: spreadsheets save CSV as UTF-8 (with or without a BOM),
 * UTF-16 ("Unicode text") or Windows-1252 ("CSV" on a Western Windows). Bytes are turned into
 * text here, and never silently mangled: an encoding that is named but not known, or bytes that
 * the chosen encoding cannot read, refuse the file (`unsupported_encoding`) rather than becoming
 * U+FFFD or the wrong letters. Node's TextDecoder knows every encoding used here.
 */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Labels a `charset` may use for each encoding (compared lower case). ISO-8859-1 is read as its superset, as browsers do. */
const LABELS: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'x-cp1252': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  l1: 'windows-1252',
};

/** The encodings a declaration may name, for messages and the API's description. */
export const ENCODING_LABELS = Object.keys(LABELS);

/** Bytes Windows-1252 leaves undefined: text holding one is not Windows-1252. */
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

function refuse(message: string, path = '/file'): never {
  throw new AppError('unsupported_encoding', message, [{ path, message: 'unsupported or undecodable encoding' }]);
}

/** The encoding a declared label names; an unknown one is refused (null or empty: none declared). */
export function encodingOf(label: string | null | undefined): TextEncodingName | null {
  if (label === null || label === undefined || label.trim() === '') return null;
  const name = LABELS[label.trim().toLowerCase()];
  if (!name)
    refuse(
      `the encoding "${label.trim().slice(0, 40)}" is not supported: save the file as UTF-8, UTF-16 or Windows-1252 (Latin-1)`,
      '/charset',
    );
  return name;
}

/**
 * The encoding the first bytes show: a BOM, or UTF-16's NUL bytes (ASCII text in UTF-16 has a
 * NUL in every other byte). Other NUL patterns (UTF-32, binary files) are refused. Null: no sign,
 * the text is UTF-8 unless it turns out not to be (see `decodeText`).
 */
function sniff(head: Uint8Array): { name: TextEncodingName; bom: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { name: 'utf-8', bom: 3 };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    if (head[0] === 0xff && head[2] === 0 && head[3] === 0) refuse('the file looks like UTF-32, which is not supported: save it as UTF-8');
    return { name: head[0] === 0xff ? 'utf-16le' : 'utf-16be', bom: 2 };
  }
  // The header line decides: its column names are ASCII, so in UTF-16 every other byte is a NUL.
  // Cells may hold anything (a character U+xx00 has a NUL on the other side), so they are not counted.
  let end = Math.min(head.length, 4096);
  for (let i = 0; i + 1 < end; i++)
    if (head[i] === 0x0a && (head[i + 1] === 0 || head[i - 1] === 0)) {
      end = i + 2;
      break;
    }
  const n = end & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (even + odd === 0) return null;
  const pairs = n / 2;
  if (odd > pairs * 0.5 && even <= odd * 0.1) return { name: 'utf-16le', bom: 0 };
  if (even > pairs * 0.5 && odd <= even * 0.1) return { name: 'utf-16be', bom: 0 };
  // A NUL or two in a cell is the row's problem (the importer rejects it); a text of them is no text this reads.
  if (even + odd < n * 0.1) return null;
  return refuse('the file holds NUL bytes in no pattern of a supported encoding (is it a binary or UTF-32 file?)');
}

/** Whether the bytes hold a well-formed multi-byte UTF-8 sequence (which Windows-1252 text almost never does). */
function holdsUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) continue;
    let ok = true;
    for (let k = 1; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) ok = false;
    if (ok) return true;
  }
  return false;
}

const NON_ASCII = /[^\u0000-\u007f]/;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Where a decode failed, for the message: the byte offset in the file. */
const at = (offset: number) => `at byte ${offset}`;

/**
 * Decodes a stream of byte chunks. `declared` is the charset a client named (the Content-Type's
 * `charset`, a form field, a CLI option): it wins over what the bytes suggest, except that a BOM
 * of another encoding refuses the file (the declaration is wrong, so neither can be trusted).
 * Undeclared, a BOM or UTF-16's NUL pattern decides; otherwise the text is UTF-8, or
 * Windows-1252 when it is not valid UTF-8 and holds no UTF-8 before the first invalid byte (a
 * file mixing both is refused: one of them would be mangled). A decoder is strict: bytes its
 * encoding cannot read refuse the file.
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  declared?: string | null,
): AsyncGenerator<string> {
  const named = encodingOf(declared);
  let decoder: TextDecoder | null = null;
  let name: TextEncodingName | null = null;
  /** Whether the text read so far holds any byte above ASCII (then a switch to 1252 would change it). */
  let highSeen = false;
  /** While only ASCII was read: the bytes of a character the UTF-8 decoder still holds, incomplete. */
  let carry: Uint8Array = new Uint8Array(0);
  let offset = 0;
  let head: Uint8Array | null = new Uint8Array(0);
  const open = (n: TextEncodingName) => {
    name = n;
    // ignoreBOM: the BOM is taken off below, exactly once, and only when it is the file's own.
    decoder = new TextDecoder(n, { fatal: true, ignoreBOM: true });
  };
  const decode1252 = (bytes: Uint8Array, base: number): string => {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (UNDEFINED_1252.has(b)) refuse(`the file is neither UTF-8 nor Windows-1252: byte 0x${b.toString(16)} ${at(base + i)} is neither`);
      // Guessed, not declared: control bytes say the file is no text at all (a binary file is rarely valid UTF-8 either).
      if (!named && b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)
        refuse(`the file is not text in UTF-8 or Windows-1252: control byte 0x${b.toString(16)} ${at(base + i)}`);
    }
    return decoder!.decode(bytes, { stream: true });
  };
  const take = (bytes: Uint8Array): string => {
    const base = offset;
    offset += bytes.length;
    if (name === 'windows-1252') return decode1252(bytes, base);
    try {
      const text = decoder!.decode(bytes, { stream: true });
      if (name === 'utf-8' && !highSeen) {
        if (NON_ASCII.test(text)) highSeen = true;
        else {
          // All text so far is ASCII: any byte above it is the start of a character still incomplete.
          let k = bytes.length;
          while (k > 0 && bytes[k - 1]! >= 0x80) k--;
          carry = k === 0 ? concat(carry, bytes) : Uint8Array.prototype.slice.call(bytes, k);
        }
      }
      return text;
    } catch {
      if (name !== 'utf-8' || named) refuse(`the file is not valid ${named ?? name}: it cannot be read ${at(base)} or soon after`);
      // Valid UTF-8 so far and only ASCII read yet: what was read is the same text in Windows-1252.
      const rest = concat(carry, bytes);
      if (highSeen || holdsUtf8(rest))
        refuse(`the file mixes UTF-8 with another encoding (invalid UTF-8 after byte ${base}): save it in one encoding`);
      open('windows-1252');
      return decode1252(rest, base - carry.length);
    }
  };
  const start = (first: Uint8Array): string => {
    const sign = sniff(first);
    if (named && sign && sign.bom && sign.name !== named)
      refuse(`the file was declared ${named} but starts with the byte order mark of ${sign.name}`);
    open(named ?? sign?.name ?? 'utf-8');
    const bomLength = sign && sign.name === name ? sign.bom : 0;
    offset = bomLength;
    return take(first.subarray(bomLength));
  };
  for await (const chunk of chunks) {
    if (head) {
      // The first few bytes decide: a BOM or a NUL pattern needs more than a tiny first chunk.
      const joined: Uint8Array = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < 4096) {
        head = joined;
        continue;
      }
      head = null;
      const text = start(joined);
      if (text) yield text;
      continue;
    }
    const text = take(chunk);
    if (text) yield text;
  }
  if (head) {
    if (head.length === 0) return;
    const text = start(head);
    if (text) yield text;
  }
  try {
    const rest = (decoder as TextDecoder | null)?.decode() ?? '';
    if (rest) yield rest;
  } catch {
    refuse(`the file ends in the middle of a character (it is not valid ${name ?? 'text'})`);
  }
}
