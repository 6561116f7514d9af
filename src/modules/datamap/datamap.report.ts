import type { DataMap } from './datamap.model.ts';
import { type RecordsFacts, renderRecordsSections } from './datamap.records.ts';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Records of processing (GDPR Art. 30) rendered from the map. */
export function renderMarkdown(map: DataMap, facts?: RecordsFacts): string {
  const out: string[] = [];
  out.push('# Records of processing', '');
  out.push(
    'Generated from the data map. Every table the product stores is listed with what it holds, why, how it links to a person, what ' +
      'erasure does and how long it is kept.',
    '',
  );
  out.push(
    'Columns marked **free text** hold text that staff or callers type, which may name anyone. On erasure, `redact` replaces the ' +
      'person’s identifiers in it with a marker in the person’s own rows (and, in a table that belongs to nobody, replaces an ' +
      'identifier that names the person for certain and flags the row); anywhere else a hit is flagged and becomes a task for the ' +
      'privacy officer naming table, column and row, never the value.',
    '',
  );
  // Art. 30(1)'s other items, where the caller read them from the installation.
  if (facts) out.push(renderRecordsSections(map, facts));
  const categories = new Map<string, Set<string>>();
  for (const t of map.tables)
    for (const c of t.columns)
      if (c.personal) {
        const set = categories.get(c.category) ?? new Set<string>();
        set.add(t.name);
        categories.set(c.category, set);
      }
  out.push('## Personal data categories', '', '| category | tables |', '|---|---|');
  for (const [cat, tables] of [...categories].sort(([a], [b]) => (a < b ? -1 : 1)))
    out.push(`| ${cat} | ${[...tables].sort().join(', ')} |`);
  out.push('', '## Tables', '');
  for (const t of map.tables) {
    out.push(`### ${t.name}`, '', cell(t.description), '');
    out.push(`- purposes: ${t.purposes.join(', ')}`);
    out.push(`- subject link: ${t.subjectLink ? `${t.subjectLink.kind} via \`${t.subjectLink.column}\`` : 'none (no data subject)'}`);
    if (t.partOf) out.push(`- part of: \`${t.partOf.table}\` via \`${t.partOf.column}\` (its rows belong to whoever that row belongs to)`);
    if (t.flag) out.push(`- flag: \`${t.flag.flag}\` and \`${t.flag.detail}\`, set when an erasure touched the row`);
    out.push(`- retention: ${t.retention ? `${t.retention.after} from \`${t.retention.from}\`` : 'kept until erased or deleted'}`);
    out.push(`- origin: ${t.origin}`, '');
    out.push('| column | category | personal | free text | on erasure | exported |', '|---|---|---|---|---|---|');
    for (const c of t.columns)
      out.push(
        `| ${c.name} | ${c.category} | ${c.personal ? 'yes' : 'no'} | ${c.freeText ? 'yes' : 'no'} | ${c.erase} | ` +
          `${c.exported ? 'yes' : 'no'} |`,
      );
    out.push('');
  }
  return out.join('\n');
}
