import type { TasksTable } from '../dsr.table.ts';

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Work an erasure leaves: `residue` — the scan found an identifier that names the person for
 * certain where erasure may not remove it (the case is completed only once these are done);
 * `review` — a weaker sign (a first name others share, a phone's last digits) in free text,
 * for a human to look at.
 */
export const RESIDUE_TASK = { residue: 'erasure_residue', review: 'erasure_review' } as const;
export type ResidueKind = keyof typeof RESIDUE_TASK;

/** Where an erasure task points: the location as on the receipt, split into table and column when it is one. */
export interface ResidueRef {
  kind: ResidueKind;
  location: string;
  table: string | null;
  column: string | null;
  rowId: string | null;
}

/** A piece of staff work. Titles name the kind of work only: the person is reached through `contactId`. */
export interface Task {
  id: string;
  requestId: string | null;
  contactId: string | null;
  type: string;
  title: string;
  status: string;
  assigneeId: string | null;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The erasure receipt a residue or review task comes from. */
  receiptId: string | null;
  residue: ResidueRef | null;
}

export function residueKindOf(type: string): ResidueKind | null {
  return type === RESIDUE_TASK.residue ? 'residue' : type === RESIDUE_TASK.review ? 'review' : null;
}

/** `table.column` locations name a table and a column; `file:…`, `pg_stats:…` and the like do not. */
export function splitLocation(location: string): { table: string | null; column: string | null } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(location);
  return m ? { table: m[1]!, column: m[2]! } : { table: null, column: null };
}

export function residueTaskTitle(kind: ResidueKind, location: string, rowId: string | null): string {
  const where = rowId ? `${location}, row ${rowId}` : location;
  return kind === 'residue' ? `Remove an erased person's identifiers from ${where}` : `Check whether ${where} names an erased person`;
}

export function toTask(r: TasksTable): Task {
  return {
    id: r.id,
    requestId: r.request_id,
    contactId: r.contact_id,
    type: r.type,
    title: r.title,
    status: r.status,
    assigneeId: r.assignee_id,
    dueDate: r.due_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    receiptId: r.receipt_id,
    residue: residueOf(r),
  };
}

function residueOf(r: TasksTable): ResidueRef | null {
  const kind = residueKindOf(r.type);
  if (!kind || r.location === null) return null;
  return { kind, location: r.location, ...splitLocation(r.location), rowId: r.row_id };
}

export function requestTaskTitle(type: string): string {
  return `Handle ${type} request`;
}
