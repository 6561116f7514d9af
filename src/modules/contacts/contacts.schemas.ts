import { Type } from 'typebox';
import { Obj } from '../../http/schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Str = (max: number) => Type.String({ maxLength: max });

export const FieldValueSchema = Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean(), Type.Null()]);

const contactProps = {
  id: Type.String(),
  email: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  lastName: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  company: Type.Union([Type.String(), Type.Null()]),
  country: Type.Union([Type.String(), Type.Null()]),
  language: Type.Union([Type.String(), Type.Null()]),
  timeZone: Type.Union([Type.String(), Type.Null()], {
    description: "IANA time zone; null: the country's, else the installation's (quiet hours are kept in it).",
  }),
  birthDate: Type.Union([Type.String(), Type.Null()]),
  isChild: Type.Boolean({ description: 'Flagged as a child, or younger than the majority age by birth date.' }),
  guardianId: Type.Union([Type.String(), Type.Null()]),
  guardianConsent: Type.Boolean(),
  consentLevel: Type.Integer({ description: 'Read-only here: change it with PUT /contacts/{id}/consent.' }),
  customFields: Type.Record(Type.String(), FieldValueSchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};
export const ContactSchema = Obj(contactProps);
/** A contact in a listing: the contact and the lists it is on now, so a table can show them without a call per row. */
export const ContactListedSchema = Obj({
  ...contactProps,
  lists: Type.Array(Type.String(), { description: 'ids of the lists the contact is on now (names: GET /lists)' }),
});

export const DuplicateGroupSchema = Obj(
  {
    id: Type.String({ description: 'the oldest contact of the group' }),
    contacts: Type.Array(Obj({ id: Type.String(), email: Type.String({ description: 'as written' }), createdAt: Type.String() }), {
      description: 'oldest first',
    }),
  },
  {
    description:
      'Contacts holding one address (compared without regard to case) since before addresses were compared so: one person, to merge.',
  },
);

const profile = {
  firstName: Type.Optional(Nullable(Str(200))),
  lastName: Type.Optional(Nullable(Str(200))),
  phone: Type.Optional(Nullable(Str(32))),
  company: Type.Optional(Nullable(Str(200))),
  country: Type.Optional(Nullable(Str(2))),
  language: Type.Optional(Nullable(Str(35))),
  timeZone: Type.Optional(Nullable(Str(64))),
  birthDate: Type.Optional(Nullable(Str(10))),
  isChild: Type.Optional(Type.Boolean()),
  guardianId: Type.Optional(Nullable(Str(36))),
  customFields: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), FieldValueSchema, { maxProperties: 200 })),
};

export const ContactCreateSchema = Obj({ email: Type.String({ minLength: 3, maxLength: 254 }), ...profile });
export const ContactPatchSchema = Obj(
  { email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })), ...profile },
  { minProperties: 1 },
);

export const CustomFieldSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  label: Type.String(),
  type: Type.String(),
  personal: Type.Boolean(),
  column: Type.String(),
  createdAt: Type.String(),
});
export const CustomFieldCreateSchema = Obj({
  name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', maxLength: 40 }),
  label: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('date')]),
  personal: Type.Boolean({
    description: 'Whether values identify or describe the person (erased, exported and declared as personal data).',
  }),
});
