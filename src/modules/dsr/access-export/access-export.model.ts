import type { JsonValue } from '../../module.ts';

export type { JsonValue } from '../../module.ts';

/**
 * The access and portability export (GDPR Art. 15 and 20), version 1. docs/export-format.md
 * documents it; a change that readers could notice raises `version`.
 */
export const EXPORT_SCHEMA = 'assent.access-export';
export const EXPORT_VERSION = 1;

/** What the data map says about an exported column: every value in it has this category. */
export interface ExportColumn {
  category: string;
  personal: boolean;
  description?: string;
}

/**
 * A table's rows as plain records, with each column's category stated once beside them:
 * every value carries its category through its column, and the file stays a third of the
 * size it would be with the category repeated on each value (an export can hold thousands
 * of interactions).
 */
export interface ExportTable {
  description: string;
  columns: Record<string, ExportColumn>;
  rows: Record<string, JsonValue>[];
}

export interface ExportConsentEntry {
  id: string;
  seq: number;
  at: string;
  kind: string;
  listId: string | null;
  oldValue: number | null;
  newValue: number | null;
  /** A birth date or a guardian's contact id, before and after. */
  oldText: string | null;
  newText: string | null;
  source: string | null;
  actor: { type: string | null; id: string | null };
  evidence: { ip: string | null; userAgent: string | null };
  notice: { hash: string; text: string | null } | null;
  /** Imported history: when and where another system says the consent was given. */
  imported: { at: string; source: string | null } | null;
  erased: boolean;
}

/** The export's own keys, before the modules' sections: no module's section may take one. */
export const ENVELOPE_KEYS: readonly string[] = ['schema', 'version', 'generatedAt', 'subject', 'dataHeld', 'tables'];

/**
 * The export. After the tables come the sections the modules declare (ExportSection, in
 * src/modules/module.ts), in the order of the module list: the product's are typed here (the
 * consent module fills `consentHistory`, lists `lists`, segments the two segment keys; the
 * data-subject module needs all three, so they are always there); a module added to the list
 * adds its own keys.
 */
export interface AccessExport {
  schema: typeof EXPORT_SCHEMA;
  version: typeof EXPORT_VERSION;
  generatedAt: string;
  /**
   * The contact the export is about (null when only an address was known), the address, and
   * every contact the export covers: more than one only for contacts that shared the address
   * before addresses were compared without regard to case.
   */
  subject: { contactId: string | null; email: string | null; contactIds: string[] };
  /** False when nothing at all is held about the person: a clear answer, not an empty file. */
  dataHeld: boolean;
  /** Every table of the data map that links rows to a person, by SQL name, with its exported columns. */
  tables: Record<string, ExportTable>;
  consentHistory: ExportConsentEntry[];
  lists: { listId: string; name: string; joinedAt: string }[];
  /** Segment memberships evaluated when the export was made. */
  segments: { id: string; name: string; kind: string }[];
  /**
   * Segments whose membership could not be evaluated for the person (the saved filter no
   * longer validates: `filter_invalid`; the database refused its query: `query_failed`). They
   * are named rather than left out, and they never stop the export.
   */
  segmentsNotEvaluated: { id: string; name: string; kind: string; reason: string }[];
  /** Another module's section. */
  [section: string]: unknown;
}

/**
 * A stored value as JSON. Values stay as stored (booleans are 0/1, times ISO text), except
 * text holding a JSON object (interaction properties, message headers), which is given
 * parsed so a reader does not decode JSON inside JSON.
 */
export function jsonValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    if (v.length > 1 && v.startsWith('{') && v.endsWith('}')) {
      try {
        const parsed = JSON.parse(v) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonValue;
      } catch {
        // Not JSON after all: kept as the text it is.
      }
    }
    return v;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return String(v);
}

/** "first_name" → "First name"; custom columns lose their cf_/f_ prefix. */
export function humanise(name: string): string {
  const s = name
    .replace(/^(cf|f)_/, '')
    .replace(/_/g, ' ')
    .trim();
  return s ? s[0]!.toUpperCase() + s.slice(1) : name;
}
