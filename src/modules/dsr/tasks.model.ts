import type { TasksTable } from './dsr.table.ts';

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

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
  };
}

export function requestTaskTitle(type: string): string {
  return `Handle ${type} request`;
}
