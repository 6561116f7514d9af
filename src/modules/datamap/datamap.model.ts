/**
 * The data map: every table and column the product stores, with its privacy meaning.
 * Export, erasure and retention are generic over it, so new data is covered by declaring it.
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

const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
const CATEGORY = /^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)+$/;

/** Rules a declaration must keep; a broken map is a bug, reported all at once. */
export function validateDataMap(map: DataMap): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const t of map.tables) {
    if (seen.has(t.name)) problems.push(`${t.name}: declared twice`);
    seen.add(t.name);
    const colNames = new Set<string>();
    for (const c of t.columns) {
      if (colNames.has(c.name)) problems.push(`${t.name}.${c.name}: declared twice`);
      colNames.add(c.name);
      if (!CATEGORY.test(c.category)) problems.push(`${t.name}.${c.name}: category "${c.category}" is not dotted lower-case`);
      if (t.subjectLink && c.personal && c.erase === 'keep') {
        problems.push(`${t.name}.${c.name}: personal data linked to a person cannot be kept on erasure`);
      }
      if (c.erase === 'redact' && !c.freeText) problems.push(`${t.name}.${c.name}: only free text can be redacted`);
      if (!t.subjectLink && c.erase !== 'keep' && c.erase !== 'redact') {
        problems.push(`${t.name}.${c.name}: erase "${c.erase}" needs a subject link on the table`);
      }
    }
    if (t.subjectLink && !colNames.has(t.subjectLink.column)) {
      problems.push(`${t.name}: subject link column "${t.subjectLink.column}" is not declared`);
    }
    if (t.partOf) {
      const parent = map.tables.find((p) => p.name === t.partOf!.table);
      if (!parent?.subjectLink) problems.push(`${t.name}: part of "${t.partOf.table}", which is not a table linked to a person`);
      if (!colNames.has(t.partOf.column)) problems.push(`${t.name}: part-of column "${t.partOf.column}" is not declared`);
    }
    for (const f of t.flag ? [t.flag.flag, t.flag.detail] : []) if (!colNames.has(f)) problems.push(`${t.name}: flag column "${f}" is not declared`);
    if (t.rowKey && !colNames.has(t.rowKey)) problems.push(`${t.name}: row key "${t.rowKey}" is not declared`);
    if (t.retention) {
      if (!DURATION.test(t.retention.after)) problems.push(`${t.name}: retention "${t.retention.after}" is not an ISO-8601 duration`);
      if (!colNames.has(t.retention.from)) problems.push(`${t.name}: retention counts from undeclared column "${t.retention.from}"`);
    }
    if (t.purposes.length === 0) problems.push(`${t.name}: declares no purpose`);
  }
  return problems;
}

/** The column naming a row of the table in tasks, if it has one. */
export function rowKeyOf(t: TableDecl): string | null {
  return t.rowKey ?? t.columns.find((c) => c.category === 'system.id')?.name ?? null;
}

/** The JSON wire form (`assent datamap --format json`, `GET /api/v1/datamap`). */
export function toJson(map: DataMap): DataMap {
  return {
    tables: [...map.tables]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => ({
        name: t.name,
        description: t.description,
        subjectLink: t.subjectLink,
        ...(t.partOf ? { partOf: t.partOf } : {}),
        ...(t.flag ? { flag: t.flag } : {}),
        ...(t.rowKey ? { rowKey: t.rowKey } : {}),
        purposes: t.purposes,
        retention: t.retention,
        origin: t.origin,
        columns: t.columns.map((c) => ({
          name: c.name,
          category: c.category,
          personal: c.personal,
          erase: c.erase,
          exported: c.exported,
          freeText: c.freeText === true,
          ...(c.description ? { description: c.description } : {}),
        })),
      })),
  };
}
