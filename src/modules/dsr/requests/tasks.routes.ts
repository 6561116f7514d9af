import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listPage } from '../../../http/pagination.ts';
import { commonErrors, Data, IdParams, List } from '../../../http/schemas.ts';
import type { TasksService } from './tasks.service.ts';
import { TaskListQuery, TaskPatchSchema, TaskSchema } from './tasks.schemas.ts';

const read = { area: 'tasks', op: 'read' } as const;
const write = { area: 'tasks', op: 'write' } as const;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface TasksRouteDeps {
  tasks: TasksService;
}

export const tasksRoutes =
  (s: TasksRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/tasks',
      {
        config: { access: read, audit: { action: 'task.list', target: 'task' } },
        schema: {
          tags: ['tasks'],
          summary: 'List tasks, by status, case, contact or assignee',
          querystring: TaskListQuery,
          response: { 200: List(TaskSchema), ...commonErrors },
        },
      },
      async (req) => {
        const { request, contact, assignee, status } = req.query;
        const filter = {
          ...(status ? { status } : {}),
          ...(request ? { requestId: request } : {}),
          ...(contact ? { contactId: contact } : {}),
          ...(assignee ? { assigneeId: assignee } : {}),
        };
        return listPage(
          req.query,
          (n, after) => s.tasks.list(filter, n, after),
          () => s.tasks.count(filter),
        );
      },
    );

    app.get(
      '/tasks/:id',
      {
        config: { access: read, audit: { action: 'task.view', target: 'task' } },
        schema: { tags: ['tasks'], summary: 'One task', params: IdParams, response: { 200: Data(TaskSchema), ...commonErrors } },
      },
      async (req) => ({ data: await s.tasks.get(req.params.id) }),
    );

    app.patch(
      '/tasks/:id',
      {
        config: { access: write, audit: { action: 'task.update', target: 'task' } },
        schema: {
          tags: ['tasks'],
          summary: 'Assign a task or mark it done (or open again)',
          params: IdParams,
          body: TaskPatchSchema,
          response: { 200: Data(TaskSchema), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.tasks.patch(req.params.id, req.body) }),
    );
  };
