import { Type } from 'typebox';
import { Id, Obj } from '../../http/schemas.ts';
import { FieldValueSchema } from '../contacts/module.ts';

const Status = Type.Union([Type.Literal('open'), Type.Literal('qualified'), Type.Literal('won'), Type.Literal('lost')]);
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const LeadSchema = Obj({
  id: Type.String(),
  contactId: Type.String(),
  title: Type.String(),
  status: Status,
  ownerId: Type.Union([Type.String(), Type.Null()], { description: 'the staff user who owns it; null when unowned' }),
  value: Type.Union([Type.Number(), Type.Null()], { description: "in the installation's currency; null when not estimated" }),
  fields: Type.Record(Type.String(), FieldValueSchema, { description: 'every custom lead field by name, null where unset' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  contact: Obj(
    {
      id: Type.String(),
      email: Type.String(),
      firstName: Type.Union([Type.String(), Type.Null()]),
      lastName: Type.Union([Type.String(), Type.Null()]),
    },
    { description: 'the person the lead is about, as a table shows them' },
  ),
});

const editable = {
  // Checked trimmed (1 to 200 characters) by the service; the bound here only stops a huge body early.
  title: Type.String({ minLength: 1, maxLength: 1000 }),
  status: Status,
  ownerId: Nullable(Id),
  value: Nullable(Type.Number()),
  fields: Type.Record(Type.String({ maxLength: 40 }), FieldValueSchema, { maxProperties: 200 }),
};

export const LeadCreateSchema = Obj({
  contactId: Id,
  title: editable.title,
  status: Type.Optional(editable.status),
  ownerId: Type.Optional(editable.ownerId),
  value: Type.Optional(editable.value),
  fields: Type.Optional(editable.fields),
});
export const LeadPatchSchema = Obj(
  {
    title: Type.Optional(editable.title),
    status: Type.Optional(editable.status),
    ownerId: Type.Optional(editable.ownerId),
    value: Type.Optional(editable.value),
    fields: Type.Optional(editable.fields),
  },
  { minProperties: 1 },
);

export const LeadListQuery = {
  contactId: Type.Optional(Id),
  status: Type.Optional(Status),
  ownerId: Type.Optional(Id),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'found in the title, without regard to case or accents' })),
};

export const LeadFieldSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  label: Type.String(),
  type: Type.String(),
  personal: Type.Boolean(),
  column: Type.String(),
  createdAt: Type.String(),
});
export const LeadFieldCreateSchema = Obj({
  name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', maxLength: 40 }),
  label: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('date')]),
  personal: Type.Boolean({
    description: 'Whether values identify or describe the person (declared personal data); every value goes with its lead on erasure.',
  }),
});
