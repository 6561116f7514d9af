import type { ColumnDecl, EraseAction, TableDecl } from './datamap.types.ts';

type ColSpec =
  | string
  | { category: string; personal?: boolean; erase?: EraseAction; exported?: boolean; freeText?: boolean; description?: string };

/**
 * Declares a table with defaults that match how most tables behave, so each module's
 * data-map file lists what is special rather than repeating flags:
 * columns are not personal unless said; rows linked to a person go on erasure
 * (`rowErase`, default `delete-row`) and are exported; unlinked tables keep their rows.
 */
export function declareTable(t: {
  name: string;
  description: string;
  subjectLink: TableDecl['subjectLink'];
  partOf?: TableDecl['partOf'];
  flag?: TableDecl['flag'];
  rowKey?: string;
  purposes: string[];
  retention?: TableDecl['retention'];
  rowErase?: EraseAction;
  columns: Record<string, ColSpec>;
}): TableDecl {
  const linked = t.subjectLink !== null;
  const columns: ColumnDecl[] = Object.entries(t.columns).map(([name, spec]) => {
    const s = typeof spec === 'string' ? { category: spec } : spec;
    return {
      name,
      category: s.category,
      personal: s.personal ?? false,
      erase: s.erase ?? (linked ? (t.rowErase ?? 'delete-row') : 'keep'),
      exported: s.exported ?? linked,
      ...(s.freeText ? { freeText: true } : {}),
      ...(s.description ? { description: s.description } : {}),
    };
  });
  return {
    name: t.name,
    description: t.description,
    subjectLink: t.subjectLink,
    ...(t.partOf ? { partOf: t.partOf } : {}),
    ...(t.flag ? { flag: t.flag } : {}),
    ...(t.rowKey ? { rowKey: t.rowKey } : {}),
    purposes: t.purposes,
    retention: t.retention ?? null,
    columns,
    origin: 'builtin',
  };
}
