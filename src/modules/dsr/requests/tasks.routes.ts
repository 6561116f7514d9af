import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listPage } from '../../../http/pagination.ts';
import { commonErrors, Data, IdParams, List, withExamples } from '../../../http/schemas.ts';
import type { TasksService } from './tasks.service.ts';
import { TaskListQuery, TaskPatchSchema, TaskSchema } from './tasks.schemas.ts';

const read = { area: 'tasks', op: 'read' } as const;
const write = { area: 'tasks', op: 'write' } as const;

const TASK = {
  id: '01938c30-9e8d-7c6b-8a5f-4e3d2c1b0a9f',
  requestId: '01938c21-3b4a-7c5d-8e6f-7a8b9c0d1e2f',
  contactId: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b',
  type: 'erasure',
  title: 'Remove the address from the newsletter tool export',
  status: 'open',
  assigneeId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f',
  dueDate: '2027-01-01',
  createdAt: '2026-12-02T08:00:00.000Z',
  updatedAt: '2026-12-02T08:00:00.000Z',
  completedAt: null,
  receiptId: '01938c2f-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  residue: {
    kind: 'residue' as const,
    location: 'notes.body',
    table: 'notes',
    column: 'body',
    rowId: '01938b55-6c7d-7e8f-9a0b-1c2d3e4f5a6b',
  },
};

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
          description:
            'The privacy officer’s work list: a task per case to handle it, and per erasure a task for each place the erased ' +
            'person may still be found (`residue`, by location, never the value). Filter by `status`, `request` (a case id), ' +
            '`contact` or `assignee`.',
          querystring: withExamples(TaskListQuery, { status: 'open', request: '01938c21-3b4a-7c5d-8e6f-7a8b9c0d1e2f' }),
          response: {
            200: withExamples(List(TaskSchema), { data: [TASK], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
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
        schema: {
          tags: ['tasks'],
          summary: 'One task',
          description: 'The task with its case, contact and, for an erasure, the place to look; 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(TaskSchema), { data: TASK }), ...commonErrors },
        },
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
          description:
            'Sets the assignee (a user id, or null) or the status. A case with an erasure completes once its residue tasks ' +
            'are done. Answers the task as it is now.',
          params: IdParams,
          body: withExamples(TaskPatchSchema, { status: 'done' }, { assigneeId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f' }),
          response: {
            200: withExamples(Data(TaskSchema), { data: { ...TASK, status: 'done', completedAt: '2026-12-04T11:00:00.000Z' } }),
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.tasks.patch(req.params.id, req.body) }),
    );
  };
