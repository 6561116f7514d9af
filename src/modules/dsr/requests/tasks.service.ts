import type { Db } from '../../database.ts';
import type { Clock } from '../../../lib/clock.ts';
import { AppError } from '../../../lib/errors.ts';
import type { UsersService } from '../../users/module.ts';
import { toTask, type Task, type TaskStatus } from './tasks.model.ts';
import * as q from './tasks.queries.ts';

export interface TaskPatch {
  status?: TaskStatus;
  assigneeId?: string | null;
}

/** Staff tasks: read, assign, mark done. Cases create their own tasks (RequestsService). */
export class TasksService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly users: UsersService,
  ) {}

  count(filter: q.TaskFilter): Promise<{ total: number; isEstimate: boolean }> {
    return q.countTasks(this.db.kysely, filter);
  }

  async list(filter: q.TaskFilter, limit: number, after?: string): Promise<Task[]> {
    return (await q.listTasks(this.db.kysely, filter, limit, after)).map(toTask);
  }

  async get(id: string): Promise<Task> {
    const r = await q.taskById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such task');
    return toTask(r);
  }

  /** How many residue tasks an erasure left on a case are open and done. */
  async residueOf(requestId: string): Promise<{ open: number; done: number }> {
    const rows = await q.residueTaskCounts(this.db.kysely, requestId);
    return { open: rows.find((r) => r.status === 'open')?.n ?? 0, done: rows.find((r) => r.status === 'done')?.n ?? 0 };
  }

  async patch(id: string, patch: TaskPatch): Promise<Task> {
    const current = await this.get(id);
    if (patch.assigneeId) await assertActiveUser(this.users, patch.assigneeId, '/assigneeId');
    const now = this.clock.now().toISOString();
    const set: Parameters<typeof q.updateTask>[2] = { updated_at: now };
    if (patch.assigneeId !== undefined) set.assignee_id = patch.assigneeId;
    if (patch.status !== undefined && patch.status !== current.status) {
      set.status = patch.status;
      set.completed_at = patch.status === 'done' ? now : null;
    }
    await q.updateTask(this.db.kysely, id, set);
    return this.get(id);
  }
}

/** Owners and assignees are staff users who can still sign in. */
export async function assertActiveUser(users: UsersService, id: string, path: string): Promise<void> {
  const user = await users.getUser(id).catch((e: unknown) => {
    if (e instanceof AppError && e.code === 'not_found') return null;
    throw e;
  });
  if (!user || user.disabled) throw new AppError('validation_failed', 'no such active user', [{ path, message: 'no such active user' }]);
}
