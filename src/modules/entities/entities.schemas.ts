import { Type } from 'typebox';
import { Obj, Id } from '../../http/schemas.ts';
import { FieldValueSchema } from '../contacts/module.ts';
import { ENTITY_NAME_SOURCE, MAX_FIELDS } from './entities.model.ts';

const Name = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', maxLength: 40, examples: ['orders'] });
// Fields keep the plain pattern: their columns (f_<name>) live inside the entity's own table.
const NewName = Type.String({
  pattern: ENTITY_NAME_SOURCE,
  maxLength: 40,
  description:
    'Lower-case letters, digits and single underscores, starting with a letter (`__` is reserved for the names derived from it).',
});
const FieldType = Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('date')]);

export const EntityParams = Obj({ name: Name });
export const RecordParams = Obj({ name: Name, id: Id });

export const EntitySchema = Obj({
  id: Type.String(),
  name: Type.String(),
  label: Type.String(),
  table: Type.String({ description: 'The SQL table holding the records, entity_<name>.' }),
  linked: Type.Boolean(),
  erase: Type.String(),
  retention: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Array(Obj({ name: Type.String(), type: Type.String(), personal: Type.Boolean(), column: Type.String() })),
  createdAt: Type.String(),
});

export const EntityCreateSchema = Obj({
  name: NewName,
  label: Type.Optional(Type.String({ maxLength: 100 })),
  linked: Type.Boolean({
    description:
      'Whether each record may link to a contact (the data subject). Only linked records are exported and erased with the person.',
  }),
  erase: Type.Union([Type.Literal('delete'), Type.Literal('anonymise')], {
    description:
      '`delete`: erasure removes the person’s records; `anonymise`: it nulls their personal fields and the contact link, and keeps ' +
      'the records.',
  }),
  retention: Type.Optional(
    Type.Union([Type.String({ maxLength: 40, description: 'ISO-8601 duration counted from created_at, e.g. P2Y' }), Type.Null()]),
  ),
  fields: Type.Array(
    Obj({
      name: Name,
      type: FieldType,
      personal: Type.Boolean({ description: 'Whether values identify or describe the person.' }),
    }),
    { minItems: 1, maxItems: MAX_FIELDS },
  ),
});

export const RecordSchema = Obj({
  id: Type.String(),
  contactId: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Record(Type.String(), FieldValueSchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Values = Type.Record(Type.String({ maxLength: 40 }), FieldValueSchema, { maxProperties: MAX_FIELDS });

export const RecordCreateSchema = Obj({ contactId: Type.Optional(Type.Union([Id, Type.Null()])), fields: Type.Optional(Values) });
export const RecordPatchSchema = Obj(
  { contactId: Type.Optional(Type.Union([Id, Type.Null()])), fields: Type.Optional(Values) },
  { minProperties: 1 },
);
