import { AppError } from '../../lib/errors.ts';
import { unholdable } from '../../lib/text.ts';
import { PROFILE_COLUMNS, type ContactInput } from './contacts.model.ts';
import type { CustomField } from './custom-fields.model.ts';
import { HIGHEST_LEVEL, LOWEST_LEVEL, parseConsentLevel } from '../../lib/consent-levels.ts';

/** What a CSV column feeds. */
export type Target =
  | { kind: 'email' }
  | { kind: 'profile'; key: keyof typeof PROFILE_COLUMNS }
  | { kind: 'isChild' }
  | { kind: 'consentLevel' }
  /** Consent history from another system: when and where it was given, and the notice shown. */
  | { kind: 'consentDate' }
  | { kind: 'consentSource' }
  | { kind: 'consentNotice' }
  | { kind: 'custom'; field: CustomField }
  | { kind: 'ignore' };

export interface Column {
  /** The header cell, trimmed: rejection reasons name the column as the file does. */
  name: string;
  target: Target;
}

/** The outcome of one import, as the CLI prints it and the API returns it. */
export interface ImportResult {
  created: number;
  updated: number;
  rejected: { line: number; reason: string }[];
  /** Columns read from the header but not imported: unnamed, mapped to `-`, or read-only fields. */
  ignoredColumns: string[];
  dryRun: boolean;
}

/** A rejected line as written to FILE.rejected.csv: the cells under the file's own header. */
export interface RejectedRow {
  line: number;
  reason: string;
  cells: string[];
}

// Built-in fields by their squashed name (lower case, no spaces, `_` or `-`), so `first_name`,
// `First Name` and `firstName` all match.
const BUILTIN: Record<string, Target> = {
  email: { kind: 'email' },
  ...Object.fromEntries(
    Object.keys(PROFILE_COLUMNS).map((k) => [k.toLowerCase(), { kind: 'profile', key: k as keyof typeof PROFILE_COLUMNS }]),
  ),
  ischild: { kind: 'isChild' },
  consentlevel: { kind: 'consentLevel' },
  consentdate: { kind: 'consentDate' },
  consentsource: { kind: 'consentSource' },
  consentnotice: { kind: 'consentNotice' },
};

/** The history columns: they describe the level a row sets, so a file with one needs a consentLevel column. */
const HISTORY = new Set<Target['kind']>(['consentDate', 'consentSource', 'consentNotice']);
/** Bounds of the history's cells (a notice as the ledger stores one). */
export const MAX_HISTORY_SOURCE = 200;
export const MAX_HISTORY_NOTICE = 20_000;

/** Fields an export writes that an import never sets: ignored, so an export imports as is. */
const READ_ONLY = new Set(['id', 'guardianid', 'guardianconsent', 'createdat', 'updatedat', 'consentlevelname', 'lists']);

const squash = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** The field a column or `--map` value names, or null. `-` means "ignore". */
function targetFor(name: string, fields: CustomField[]): Target | null {
  const lower = name.trim().toLowerCase();
  if (lower === '-') return { kind: 'ignore' };
  const builtin = BUILTIN[squash(name)];
  if (builtin) return builtin;
  const m = /^customfields\.(.+)$/.exec(lower);
  const field = fields.find((f) => f.name === (m ? m[1] : lower));
  return field ? { kind: 'custom', field } : null;
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** `col=field,…` into column name → field name; column names compare case-insensitively. */
function parseMap(spec: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!spec) return out;
  for (const part of spec.split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const col = eq < 0 ? '' : part.slice(0, eq).trim();
    const field = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!col || !field)
      throw new AppError('validation_failed', `a mapping is COLUMN=FIELD (or COLUMN=- to ignore it), got "${clip(part.trim())}"`, [
        { path: '/map', message: 'malformed mapping' },
      ]);
    out.set(col.toLowerCase(), field);
  }
  return out;
}

/**
 * Decides what each column feeds, or refuses the file as a whole. Unknown columns are refused
 * rather than skipped: a misspelt header would otherwise drop a field from every row silently.
 */
export function resolveColumns(
  header: string[],
  fields: CustomField[],
  mapSpec: string | undefined,
): { columns: Column[]; ignored: string[] } {
  const map = parseMap(mapSpec);
  const problems: string[] = [];
  const names = header.map((h) => h.trim());
  const lowered = names.map((n) => n.toLowerCase());
  for (const col of map.keys()) if (!lowered.includes(col)) problems.push(`--map names a column the file does not have: "${clip(col)}"`);
  const columns: Column[] = [];
  const ignored: string[] = [];
  const unknown: string[] = [];
  names.forEach((name, i) => {
    const mapped = map.get(name.toLowerCase());
    let target: Target | null;
    if (mapped !== undefined) {
      target = targetFor(mapped, fields);
      if (!target) problems.push(`--map sends "${clip(name)}" to "${clip(mapped)}", which is no contact field`);
    } else if (name === '' || READ_ONLY.has(squash(name))) {
      target = { kind: 'ignore' };
    } else {
      target = targetFor(name, fields);
      if (!target) unknown.push(name);
    }
    if (target?.kind === 'ignore') ignored.push(name || `#${i + 1}`);
    columns.push({ name: name || `#${i + 1}`, target: target ?? { kind: 'ignore' } });
  });
  if (!columns.some((c) => c.target.kind === 'email')) {
    problems.unshift('the file has no email column: name one "email" or map one with --map COLUMN=email');
  } else if (unknown.length) {
    problems.push(
      `unknown columns: ${unknown.map((u) => `"${clip(u)}"`).join(', ')}; map each to a field with --map COLUMN=FIELD, or ignore it ` +
        `with --map COLUMN=-`,
    );
  }
  const history = columns.filter((c) => HISTORY.has(c.target.kind));
  if (history.length && !columns.some((c) => c.target.kind === 'consentLevel'))
    problems.push(
      `${history.map((c) => `"${clip(c.name)}"`).join(', ')} describe the consent a row's level records: the file needs a ` +
        'consentLevel column too',
    );
  const seen = new Map<string, string>();
  for (const c of columns) {
    const key =
      c.target.kind === 'profile' ? c.target.key : c.target.kind === 'custom' ? `customFields.${c.target.field.name}` : c.target.kind;
    if (c.target.kind === 'ignore') continue;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`columns "${clip(first)}" and "${clip(c.name)}" both feed ${key}`);
    else seen.set(key, c.name);
  }
  if (problems.length)
    throw new AppError(
      'validation_failed',
      problems.join('; '),
      problems.map((message) => ({ path: '/header', message })),
    );
  return { columns, ignored };
}

const TRUE = new Set(['true', '1', 'yes', 'y']);
const FALSE = new Set(['false', '0', 'no', 'n']);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function toBool(cell: string): boolean | string {
  const s = cell.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : cell;
}

/** A row read into contact input. The contacts module's rules judge it afterwards (toColumns). */
export interface RowInput {
  email: string;
  input: ContactInput & { email: string };
  level: number | undefined;
  /** Consent history cells, as read (the date already ISO-8601 UTC); absent when the row has none. */
  history?: { at?: string; source?: string; notice?: string };
  /** Problems found in reading the cells, each naming its column. */
  problems: string[];
}

/**
 * Turns cells into input. An empty cell sets nothing: on a new contact the field stays empty,
 * on an existing one it keeps its value (an import never clears a field). Cells are converted
 * only as far as text must be (numbers, yes/no); the field rules themselves are checked by the
 * contacts module, so imports and the API accept exactly the same values.
 */
export function readRow(cells: string[], columns: Column[]): RowInput {
  const input: ContactInput & { email: string } = { email: '' };
  let custom: Record<string, unknown> | undefined;
  const problems: string[] = [];
  let level: number | undefined;
  let history: RowInput['history'];
  for (let i = 0; i < columns.length; i++) {
    const cell = cells[i]!;
    if (cell.trim() === '') continue;
    const { target, name } = columns[i]!;
    // Text no database can hold (a NUL, a lone surrogate) rejects the row, naming the column; an ignored column does not matter.
    const why = target.kind === 'ignore' ? null : unholdable(cell);
    if (why) {
      problems.push(`${name}: ${why}`);
      if (target.kind === 'email') input.email = cell.trim();
      continue;
    }
    switch (target.kind) {
      case 'email':
        input.email = cell.trim();
        break;
      case 'profile':
        input[target.key] = cell;
        break;
      case 'isChild': {
        const b = toBool(cell);
        if (typeof b === 'boolean') input.isChild = b;
        else problems.push(`${name}: expected true or false`);
        break;
      }
      case 'consentLevel':
        level = parseConsentLevel(cell) ?? undefined;
        if (level === undefined) problems.push(`${name}: unknown level (a whole number from ${LOWEST_LEVEL} to ${HIGHEST_LEVEL})`);
        break;
      case 'consentDate': {
        const at = originalTime(cell);
        if (at) (history ??= {}).at = at;
        else problems.push(`${name}: expected a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS, Z or an offset; UTC without one)`);
        break;
      }
      case 'consentSource':
        if (cell.trim().length > MAX_HISTORY_SOURCE || /[\u0000-\u001f\u007f]/.test(cell))
          problems.push(`${name}: at most ${MAX_HISTORY_SOURCE} characters, no control characters`);
        else (history ??= {}).source = cell.trim();
        break;
      case 'consentNotice':
        if (cell.length > MAX_HISTORY_NOTICE) problems.push(`${name}: at most ${MAX_HISTORY_NOTICE} characters`);
        else (history ??= {}).notice = cell;
        break;
      case 'custom': {
        const t = target.field.type;
        custom ??= {};
        custom[target.field.name] =
          t === 'number' && NUMBER.test(cell.trim()) ? Number(cell) : t === 'boolean' ? toBool(cell) : t === 'date' ? cell.trim() : cell;
        break;
      }
      case 'ignore':
        break;
    }
  }
  if (custom) input.customFields = custom;
  if (history) {
    if (level === undefined) problems.push('consent history (date, source, notice) needs a consent level in the same row');
    else if (history.at === undefined) problems.push('consent history needs its original date (the consentDate column)');
  }
  return { email: input.email, input, level, ...(history ? { history } : {}), problems };
}

/** Names a problem reported by the contacts rules (`/customFields/x`) by the file's column. */
export function columnOf(path: string, columns: Column[]): string {
  const custom = /^\/customFields\/(.+)$/.exec(path);
  for (const c of columns) {
    const t = c.target;
    if (
      custom
        ? t.kind === 'custom' && t.field.name === custom[1]
        : (t.kind === 'email' && path === '/email') ||
          (t.kind === 'profile' && path === `/${t.key}`) ||
          (t.kind === 'isChild' && path === '/isChild')
    )
      return c.name;
  }
  return path.replace(/^\//, '').replace(/\//g, '.');
}

const ORIGINAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An original consent time as ISO-8601 UTC (the ledger's form), or null. A date alone is its
 * midnight UTC; a time without zone is UTC. Day-first or month-first forms are refused rather
 * than guessed. Not before 1900; the caller refuses times after now.
 */
export function originalTime(cell: string): string | null {
  const m = ORIGINAL_TIME.exec(cell.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0', zone] = m;
  const z = !zone || zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const t = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${z}`);
  if (Number.isNaN(t.getTime()) || Number(y) < 1900) return null;
  // Date rolls 2021-02-30 over into March: such a day does not exist.
  const local = new Date(`${y}-${mo}-${d}T00:00:00Z`);
  if (local.getUTCDate() !== Number(d) || local.getUTCMonth() + 1 !== Number(mo)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return t.toISOString();
}
