import type { Kysely } from 'kysely';
import type { Dialect } from '../../../db/connect.ts';
import type { Database } from '../../database.ts';
import { newId } from '../../../lib/ids.ts';
import type { Actor } from '../../audit/module.ts';
import { rowKeyOf, type DataMap, type TableDecl } from '../../datamap/module.ts';
import type { TasksTable } from '../dsr.table.ts';
import type { ErasureTask } from './erasure.model.ts';
import * as q from './erasure.queries.ts';
import type { IdentifierIndex, Strength } from './redaction.model.ts';
import { FINAL_STATUSES } from '../requests/requests.model.ts';
import { insertEvent, moveRequest } from '../requests/requests.queries.ts';
import { RESIDUE_TASK, residueTaskTitle, splitLocation, type ResidueKind } from '../requests/tasks.model.ts';
import { updateOpenTasksOfRequest } from '../requests/tasks.queries.ts';

type Q = Kysely<Database>;

/** Row tasks per location; beyond, one task for the rest of the column. */
export const ROW_TASKS_PER_LOCATION = 50;

const redactColumns = (t: TableDecl) => t.columns.filter((c) => c.erase === 'redact').map((c) => c.name);
const prefilterOf = (index: IdentifierIndex) =>
  index.texts.length + index.digits.length <= q.PREFILTER_MAX ? { texts: index.texts, digits: index.digits } : null;

/**
 * Inside the erasure transaction, before the people's links are cleared: every identifier in
 * free text of their own rows (their cases, the cases' history and tasks) is replaced by the
 * marker. A history is evidence that is only appended to; this is the one exception, and the
 * case's history records that it happened (how many values, never which).
 */
export async function redactOwnRows(
  trx: Q,
  map: DataMap,
  index: IdentifierIndex,
  contactIds: string[],
  emails: string[],
  actor: Actor,
  now: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (index.empty) return counts;
  const perCase = new Map<string, number>();
  for (const t of map.tables) {
    const columns = redactColumns(t);
    const key = rowKeyOf(t);
    if (columns.length === 0 || !key || (!t.subjectLink && !t.partOf)) continue;
    let n = 0;
    for (const row of await q.ownRowValues(trx, t, map, key, columns, contactIds, emails)) {
      const set: Record<string, string> = {};
      for (const c of columns) {
        const v = row[c];
        if (typeof v !== 'string') continue;
        const next = index.redactStored(v, 'all');
        if (next !== v) set[c] = next;
      }
      if (Object.keys(set).length === 0) continue;
      await q.setRowValues(trx, t.name, key, row[key], set);
      n++;
      const caseId = t.name === 'requests' ? row[key] : t.partOf?.table === 'requests' ? row[t.partOf.column] : null;
      if (typeof caseId === 'string') perCase.set(caseId, (perCase.get(caseId) ?? 0) + Object.keys(set).length);
    }
    if (n) counts[t.name] = n;
  }
  for (const r of await q.requestStatuses(trx, [...perCase.keys()])) {
    const k = perCase.get(r.id)!;
    await insertEvent(trx, {
      id: newId(),
      request_id: r.id,
      at: now,
      status: r.status,
      actor_type: actor.type,
      actor_id: actor.id,
      note:
        `erasure redacted the person's identifiers in ${k} text${k === 1 ? '' : 's'} of this case (history notes, reason, tasks); the ` +
        `` +
        `` +
        `` +
        `` +
        `` +
        `` +
        `` +
        `values are not kept`,
    });
  }
  return counts;
}

/**
 * Inside the erasure transaction: in tables that belong to nobody (a segment), text the map lets
 * erasure edit (`redact`) loses what names the people for certain, and the row is flagged for
 * its owner. A first name alone is not enough to change someone else's work.
 */
export async function redactUnownedRows(
  trx: Q,
  dialect: Dialect,
  map: DataMap,
  index: IdentifierIndex,
  receiptId: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (index.empty) return counts;
  for (const t of map.tables) {
    const columns = redactColumns(t);
    const key = rowKeyOf(t);
    if (columns.length === 0 || !key || t.subjectLink || t.partOf) continue;
    const touched = new Map<string, Set<string>>();
    for (const c of columns) {
      const changes: { key: string; value: string }[] = [];
      for await (const page of q.columnValues(trx, dialect, t.name, c, key, prefilterOf(index))) {
        for (const { key: k, value } of page) {
          if (k === null || index.classify(value) !== 'strong') continue;
          const next = index.redactStored(value, 'strong');
          if (next !== value) changes.push({ key: k, value: next });
        }
      }
      for (const ch of changes) {
        await q.setRowValues(trx, t.name, key, ch.key, { [c]: ch.value });
        touched.set(ch.key, (touched.get(ch.key) ?? new Set()).add(c));
      }
    }
    if (touched.size === 0) continue;
    counts[t.name] = touched.size;
    if (t.flag)
      for (const [k, cols] of touched)
        await q.flagRows(
          trx,
          t.name,
          t.flag,
          key,
          [k],
          `erasure ${receiptId}: replaced an erased person's identifiers in ${[...cols].join(', ')}`,
        );
  }
  return counts;
}

/**
 * Inside the erasure transaction: the people's public requests that are still open are closed
 * with the reason "erased" (their verification links then show the invalid-link page), except
 * the cases this erasure answers. Returns how many.
 */
export async function closePendingCases(
  trx: Q,
  map: DataMap,
  contactIds: string[],
  emails: string[],
  except: string[],
  actor: Actor,
  now: string,
): Promise<number> {
  const requests = map.tables.find((t) => t.name === 'requests');
  if (!requests) return 0;
  let n = 0;
  for (const c of await q.pendingPublicCases(trx, requests, contactIds, emails, except, FINAL_STATUSES)) {
    if (!(await moveRequest(trx, c.id, [c.status], { status: 'rejected', updated_at: now }))) continue;
    await updateOpenTasksOfRequest(trx, c.id, { status: 'done', completed_at: now, updated_at: now });
    await insertEvent(trx, {
      id: newId(),
      request_id: c.id,
      at: now,
      status: 'rejected',
      actor_type: actor.type,
      actor_id: actor.id,
      note: 'erased',
    });
    n++;
  }
  return n;
}

interface Hit {
  location: string;
  rowId: string | null;
  strength: Strength;
}

export interface FollowUpContext {
  receiptId: string;
  /** The one case the erasure answers, if it answers exactly one: tasks join it. */
  requestId: string | null;
  now: string;
}

/**
 * After the scan: what remains becomes work. Every free-text column of the map is searched for
 * the people's identifiers, strong and weak, row by row; the scan's own hits elsewhere are
 * narrowed to rows where the table has a key. A strong hit is residue: a task (`residue`), and
 * its row flagged where the table has a flag. A weak hit is a task to look at (`review`) and
 * proves nothing. Returns the residue locations (the scan's and the strong free-text ones) and
 * the tasks.
 */
export async function followUp(
  db: Q,
  dialect: Dialect,
  map: DataMap,
  index: IdentifierIndex,
  scanResidue: string[],
  ctx: FollowUpContext,
): Promise<{ residue: string[]; tasks: ErasureTask[] }> {
  const hits = new Map<string, Hit>();
  const add = (h: Hit) => {
    const k = `${h.location}\u0000${h.rowId ?? ''}`;
    const was = hits.get(k);
    if (!was || (was.strength === 'weak' && h.strength === 'strong')) hits.set(k, h);
  };
  const searched = new Set<string>();
  const search = async (t: TableDecl, column: string, strongOnly: boolean) => {
    const key = rowKeyOf(t);
    const location = `${t.name}.${column}`;
    searched.add(location);
    let rows = 0;
    for await (const page of q.columnValues(db, dialect, t.name, column, key, prefilterOf(index))) {
      for (const v of page) {
        const s = index.classify(v.value);
        if (!s || (strongOnly && s !== 'strong')) continue;
        add({ location, rowId: v.key, strength: s });
        rows++;
      }
    }
    return rows;
  };
  if (!index.empty) {
    for (const t of map.tables) for (const c of t.columns) if (c.freeText) await search(t, c.name, false);
  }
  // The scan's hits outside free text: the rows, where the table is declared with a key.
  const byName = new Map(map.tables.map((t) => [t.name, t]));
  for (const location of scanResidue) {
    if (searched.has(location)) {
      if (![...hits.values()].some((h) => h.location === location && h.strength === 'strong'))
        add({ location, rowId: null, strength: 'strong' });
      continue;
    }
    const { table, column } = splitLocation(location);
    const t = table ? byName.get(table) : undefined;
    const found = t && rowKeyOf(t) && t.columns.some((c) => c.name === column) && !index.empty ? await search(t, column!, true) : 0;
    if (found === 0) add({ location, rowId: null, strength: 'strong' });
  }

  const residue = [
    ...new Set([...scanResidue, ...[...hits.values()].filter((h) => h.strength === 'strong').map((h) => h.location)]),
  ].sort();
  const tasks = limitRows([...hits.values()]);
  const due = ctx.requestId ? (await q.requestStatuses(db, [ctx.requestId]))[0] : undefined;
  const rows: TasksTable[] = tasks.map((h) => {
    const kind: ResidueKind = h.strength === 'strong' ? 'residue' : 'review';
    return {
      id: newId(),
      request_id: ctx.requestId,
      contact_id: null,
      type: RESIDUE_TASK[kind],
      title: residueTaskTitle(kind, h.location, h.rowId),
      status: 'open',
      assignee_id: due?.owner_id ?? null,
      due_date: due?.deadline ?? null,
      created_at: ctx.now,
      updated_at: ctx.now,
      completed_at: null,
      receipt_id: ctx.receiptId,
      location: h.location,
      row_id: h.rowId,
    };
  });
  await q.insertTasks(db, rows);
  // Residue in a row whose table has a flag (or that is part of such a row: another case's
  // history) is flagged there too, for the row's owner.
  for (const r of rows) {
    const { table, column } = splitLocation(r.location!);
    const t = table ? byName.get(table) : undefined;
    const key = t ? rowKeyOf(t) : null;
    if (r.type !== RESIDUE_TASK.residue || !t || !key || !r.row_id) continue;
    const detail =
      `erasure ${ctx.receiptId}: an erased person's identifiers remain ` + `in ${t.flag ? column : `${t.name}.${column}`} (task ${r.id})`;
    if (t.flag) await q.flagRows(db, t.name, t.flag, key, [r.row_id], detail);
    const parent = t.partOf ? byName.get(t.partOf.table) : undefined;
    const parentKey = parent ? rowKeyOf(parent) : null;
    if (!t.flag && parent?.flag && parentKey) {
      const of = await q.partOfRow(db, t.name, key, r.row_id, t.partOf!.column);
      if (of) await q.flagRows(db, parent.name, parent.flag, parentKey, [of], detail);
    }
  }
  return {
    residue,
    tasks: rows.map((r) => ({
      id: r.id,
      kind: r.type === RESIDUE_TASK.residue ? 'residue' : 'review',
      location: r.location!,
      rowId: r.row_id,
    })),
  };
}

/** When the follow-up itself fails, one task says so: the erasure cannot be called complete. */
export async function followUpFailed(
  db: Q,
  scanResidue: string[],
  ctx: FollowUpContext,
): Promise<{ residue: string[]; tasks: ErasureTask[] }> {
  const residue = [...new Set([...scanResidue, 'followup:failed'])].sort();
  const id = newId();
  const row: TasksTable = {
    id,
    request_id: ctx.requestId,
    contact_id: null,
    type: RESIDUE_TASK.residue,
    title: residueTaskTitle('residue', 'followup:failed', null),
    status: 'open',
    assignee_id: null,
    due_date: null,
    created_at: ctx.now,
    updated_at: ctx.now,
    completed_at: null,
    receipt_id: ctx.receiptId,
    location: 'followup:failed',
    row_id: null,
  };
  const inserted = await q.insertTasks(db, [row]).then(
    () => true,
    () => false,
  );
  return { residue, tasks: inserted ? [{ id, kind: 'residue', location: 'followup:failed', rowId: null }] : [] };
}

/** At most ROW_TASKS_PER_LOCATION rows per location and strength; the rest as one task without a row. */
function limitRows(hits: Hit[]): Hit[] {
  const out: Hit[] = [];
  const seen = new Map<string, number>();
  for (const h of hits.sort((a, b) =>
    a.location === b.location ? (a.rowId ?? '').localeCompare(b.rowId ?? '') : a.location < b.location ? -1 : 1,
  )) {
    const k = `${h.location}\u0000${h.strength}`;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n <= ROW_TASKS_PER_LOCATION) out.push(h);
    else if (n === ROW_TASKS_PER_LOCATION + 1) out.push({ ...h, rowId: null });
  }
  return out;
}
