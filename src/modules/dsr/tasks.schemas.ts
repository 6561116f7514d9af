import { Type } from 'typebox';
import { PageQuery } from '../../http/pagination.ts';
import { Obj } from '../../http/schemas.ts';
import { ID_PATTERN } from '../../lib/ids.ts';
import { TASK_STATUSES } from './tasks.model.ts';

const Id = Type.String({ pattern: ID_PATTERN });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const TaskSchema = Obj({
  id: Type.String(),
  requestId: Nullable(Type.String()),
  contactId: Nullable(Type.String()),
  type: Type.String({ description: 'for a case, its request type' }),
  title: Type.String(),
  status: Type.String(),
  assigneeId: Nullable(Type.String()),
  dueDate: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  completedAt: Nullable(Type.String()),
});

export const TaskPatchSchema = Obj({ status: Type.Optional(Type.Enum([...TASK_STATUSES])), assigneeId: Type.Optional(Nullable(Id)) }, { minProperties: 1 });

export const TaskListQuery = Obj({
  ...PageQuery,
  status: Type.Optional(Type.Enum([...TASK_STATUSES])),
  request: Type.Optional(Id),
  contact: Type.Optional(Id),
  assignee: Type.Optional(Id),
});
