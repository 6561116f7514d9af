import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
export type Task = Json<operations['getJourneysTasks']>['data'][number];
export type TaskStatus = Task['status'];

/** The tasks journeys made for the caller's role (an admin: every role's), and marking one done or open. */
export const tasksApi = {
  list: (status: TaskStatus, cursor: string | null) =>
    call(api.GET('/api/v1/journeys/tasks', { params: { query: { status, limit: 50, ...(cursor ? { cursor } : {}) } } })),
  set: (id: string, status: TaskStatus) =>
    call(api.PATCH('/api/v1/journeys/tasks/{id}', { params: { path: { id } }, body: { status } })).then((r) => r.data),
};
