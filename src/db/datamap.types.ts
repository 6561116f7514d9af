/**
 * The data map's declaration types. They sit in the lowest layer because the platform's own
 * tables (migrations, jobs, side effects, rate limits) are declared by the layers that own them,
 * which import nothing from src/modules; the datamap module re-exports them.
 */

/**
 * `redact` (free text only): the person's identifiers in the text are replaced by a marker. In
 * the person's own rows (by subject link or `partOf`) every identifier goes, a first name alone
 * included; in a table that belongs to nobody (a segment's filter) only an identifier that
 * names the person for certain (address, full name, phone), and the row is flagged.
 */
export type EraseAction = 'delete-row' | 'null' | 'keep' | 'redact';

/**
 * How a row reaches a contact (the data subject):
 * - `self`: the row is the contact (the contacts table, keyed by `column`);
 * - `contact`: `column` holds a contact id;
 * - `email`: `column` holds a normalised email address of the person (rows that exist before,
 *   or without, a contact: outbox copies, data requests).
 */
export interface SubjectLink {
  kind: 'self' | 'contact' | 'email';
  column: string;
}

/** Rows go `after` (ISO-8601 duration) counted from the timestamp column `from`. */
export interface Retention {
  after: string;
  from: string;
}

export interface ColumnDecl {
  name: string;
  /** Dotted category, e.g. `contact.identity.email`, `behaviour.click`, `system.id`. */
  category: string;
  personal: boolean;
  erase: EraseAction;
  exported: boolean;
  /**
   * Free text that staff or callers type, which may hold identifiers of anyone (notes, reasons,
   * names of segments, notice texts). Erasure redacts the person's identifiers in it where the
   * row is the person's (`erase: 'redact'`); elsewhere a hit flags the row (see
   * `TableDecl.flag`) and becomes a task for the privacy officer.
   */
  freeText?: boolean;
  description?: string;
}

/** A row that is part of another table's row (a case's history event): it belongs to whoever that row belongs to. */
export interface PartOf {
  table: string;
  /** The column holding the other row's `id`. */
  column: string;
}

/** Columns a table's owner reads to see that an erasure touched a row (a flag 0/1, a detail without values). */
export interface RowFlag {
  flag: string;
  detail: string;
}

export interface TableDecl {
  name: string;
  description: string;
  subjectLink: SubjectLink | null;
  partOf?: PartOf;
  flag?: RowFlag;
  /** The column that names a row in tasks (default: the column of category `system.id`). */
  rowKey?: string;
  /** Processing purposes the table serves (consent purposes, or `operations`, `security`, `legal_obligation`). */
  purposes: string[];
  retention: Retention | null;
  columns: ColumnDecl[];
  /** `builtin` tables are declared in code; `runtime` ones (custom entities) in the database. */
  origin: 'builtin' | 'runtime';
}

export interface DataMap {
  tables: TableDecl[];
}

/** Tables declared at run time (custom fields, custom entities) come from providers the owning modules register. */
export type DataMapProvider = () => Promise<Omit<TableDecl, 'origin'>[]>;
