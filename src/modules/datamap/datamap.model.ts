/**
 * The data map: every table and column the product stores, with its privacy meaning.
 * Export, erasure and retention are generic over it, so new data is covered by declaring it.
 */

export type { ColumnDecl, DataMap, EraseAction, PartOf, Retention, RowFlag, SubjectLink, TableDecl } from '../../db/datamap.types.ts';
import type { DataMap, TableDecl } from '../../db/datamap.types.ts';

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
    for (const f of t.flag ? [t.flag.flag, t.flag.detail] : [])
      if (!colNames.has(f)) problems.push(`${t.name}: flag column "${f}" is not declared`);
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
