import { Type } from 'typebox';
import { PageQuery } from '../../http/pagination.ts';
import { Id, Obj } from '../../http/schemas.ts';
import { INPUT_TYPES } from './forms.model.ts';

export const FORM_RULES =
  'Each field has the `name` its HTML input carries, a `label`, and `maps`: a contact field (`email`, `firstName`, ' +
  '`lastName`, `phone`, `company`, `country`, `language`, `timeZone`, `birthDate`, or `custom.<name>` for a custom field), ' +
  '`consentLevel` (with `levels`: the levels offered, each with the notice text shown beside it) or `lists` (with `listIds`: ' +
  'the lists offered, the field’s label shown beside them). Exactly one field maps `email`, and it is required; at most one ' +
  'maps `consentLevel`; no field is named `website` (the honeypot). Validation per field: `required`, `type`, `maxLength` ' +
  '(default 2000), `pattern` (a regular expression the whole value must match), `choices`. `allowedOrigins` are the web ' +
  'origins (`https://shop.example`) whose pages may post the form. Anything invalid is 400 `form_invalid` with `details` ' +
  '`{path, message}` for each problem. Changing `fields` of a form that has submissions makes a new version (each submission ' +
  'keeps the version it was made on); a form without submissions keeps its version.';

const Field = Obj({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  label: Type.String({ minLength: 1, maxLength: 2000 }),
  maps: Type.String({ minLength: 1, maxLength: 100 }),
  required: Type.Optional(Type.Boolean()),
  type: Type.Optional(Type.Enum([...INPUT_TYPES])),
  maxLength: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 10_000 })),
  pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  choices: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 200 })),
  levels: Type.Optional(
    Type.Array(
      Obj({
        level: Type.Integer({ format: 'int32', minimum: 0, maximum: 5 }),
        notice: Type.String({ minLength: 1, maxLength: 20_000 }),
      }),
      { maxItems: 6 },
    ),
  ),
  listIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
});

const Fields = Type.Array(Field, { minItems: 1, maxItems: 100 });
const Origins = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 });

export const FormCreateSchema = Obj({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  doubleOptIn: Type.Optional(Type.Boolean()),
  allowedOrigins: Type.Optional(Origins),
  fields: Fields,
});

export const FormPatchSchema = Obj(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    doubleOptIn: Type.Optional(Type.Boolean()),
    allowedOrigins: Type.Optional(Origins),
    fields: Type.Optional(Fields),
  },
  { minProperties: 1 },
);

export const FormSchema = Obj({
  id: Id,
  name: Type.String(),
  doubleOptIn: Type.Boolean(),
  allowedOrigins: Type.Array(Type.String()),
  version: Type.Integer({ format: 'int32', description: 'the current version: what a submission is checked against now' }),
  fields: Type.Array(Field),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  archivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const FormListQuery = Obj({ ...PageQuery });

/** A public submission: the form's field names with text values (repeated for several lists); the honeypot `website` too. */
export const SubmissionSchema = Type.Record(
  Type.String({ maxLength: 64 }),
  Type.Union([
    Type.String({ maxLength: 10_000 }),
    Type.Number(),
    Type.Boolean(),
    Type.Null(),
    Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
  ]),
  { maxProperties: 120 },
);

export const SubmitParams = Obj({ formId: Id });
export const ReceivedSchema = Obj({ data: Obj({ status: Type.Literal('received'), message: Type.String() }) });
