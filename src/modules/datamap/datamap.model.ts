/**
 * The data map: every table and column the product stores, with its privacy meaning.
 * Export, erasure and retention are generic over it, so new data is covered by declaring it.
 */

export type EraseAction = 'delete-row' | 'null' | 'keep';

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
  description?: string;
}

export interface TableDecl {
  name: string;
  description: string;
  subjectLink: SubjectLink | null;
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
      if (!t.subjectLink && c.erase !== 'keep') {
        problems.push(`${t.name}.${c.name}: erase "${c.erase}" needs a subject link on the table`);
      }
    }
    if (t.subjectLink && !colNames.has(t.subjectLink.column)) {
      problems.push(`${t.name}: subject link column "${t.subjectLink.column}" is not declared`);
    }
    if (t.retention) {
      if (!DURATION.test(t.retention.after)) problems.push(`${t.name}: retention "${t.retention.after}" is not an ISO-8601 duration`);
      if (!colNames.has(t.retention.from)) problems.push(`${t.name}: retention counts from undeclared column "${t.retention.from}"`);
    }
    if (t.purposes.length === 0) problems.push(`${t.name}: declares no purpose`);
  }
  return problems;
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
        purposes: t.purposes,
        retention: t.retention,
        origin: t.origin,
        columns: t.columns.map((c) => ({
          name: c.name,
          category: c.category,
          personal: c.personal,
          erase: c.erase,
          exported: c.exported,
          ...(c.description ? { description: c.description } : {}),
        })),
      })),
  };
}
