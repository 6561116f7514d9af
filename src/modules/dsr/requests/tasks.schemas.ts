import { Type } from 'typebox';
import { PageQuery } from '../../../http/pagination.ts';
import { Obj, Id } from '../../../http/schemas.ts';
import { TASK_STATUSES } from './tasks.model.ts';

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
  receiptId: Nullable(Type.String({ description: 'the erasure receipt a residue or review task comes from' })),
  residue: Type.Union([
    Obj(
      {
        kind: Type.Union([Type.Literal('residue'), Type.Literal('review')]),
        location: Type.String({ description: 'as on the erasure receipt: table.column, file:NAME, pg_stats:table.column, …' }),
        table: Nullable(Type.String()),
        column: Nullable(Type.String()),
        rowId: Nullable(Type.String({ description: 'the row, by the table’s key, where there is one' })),
      },
      {
        description:
          'residue: an identifier of an erased person where erasure may not remove it (the case completes once these are done); ' +
          'review: a weaker sign to look at. Never the value.',
      },
    ),
    Type.Null(),
  ]),
});

export const TaskPatchSchema = Obj(
  { status: Type.Optional(Type.Enum([...TASK_STATUSES])), assigneeId: Type.Optional(Nullable(Id)) },
  { minProperties: 1 },
);

export const TaskListQuery = Obj({
  ...PageQuery,
  status: Type.Optional(Type.Enum([...TASK_STATUSES])),
  request: Type.Optional(Id),
  contact: Type.Optional(Id),
  assignee: Type.Optional(Id),
});
