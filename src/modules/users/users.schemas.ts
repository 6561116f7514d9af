import { Type } from 'typebox';
import { AREAS } from '../../http/access.ts';
import { Obj } from '../../http/schemas.ts';
const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('marketer'), Type.Literal('privacy_officer'), Type.Literal('viewer')]);

export const UserSchema = Obj({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: RoleSchema,
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
});

export const UserCreateSchema = Obj({
  email: Type.String({ minLength: 3, maxLength: 254 }),
  role: RoleSchema,
  password: Type.String({ minLength: 12, maxLength: 1024 }),
  name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
});

export const UserPatchSchema = Obj(
  {
    role: Type.Optional(RoleSchema),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  },
  { minProperties: 1 },
);

export const KeySchema = Obj({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const KeyCreateSchema = Obj({ name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema });
export const KeyCreatedSchema = Obj({ key: KeySchema, secret: Type.String({ description: 'Shown once; store it now.' }) });

export const LoginSchema = Obj({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export const PasswordChangeSchema = Obj({
  currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  newPassword: Type.String({ minLength: 1, maxLength: 1024, description: 'at least 12 characters' }),
});
const OpSchema = Type.Union([Type.Literal('read'), Type.Literal('write')]);
/** Every area of the access table with what the caller may do in it (an empty list: nothing). */
export const RightsSchema = Obj(Object.fromEntries(AREAS.map((a) => [a, Type.Array(OpSchema, { maxItems: 2 })])), {
  description: 'What the caller may do, by area of the access table: `read`, `write`, both or neither (an empty list).',
});
export const SessionSchema = Obj({
  principal: Obj({ kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]), id: Type.String(), role: RoleSchema }),
  expiresAt: Type.Optional(Type.String()),
  user: Type.Optional(
    Obj(
      { email: Type.String(), name: Type.Union([Type.String(), Type.Null()]) },
      { description: 'The signed-in console user (absent for an API key).' },
    ),
  ),
  rights: Type.Optional(RightsSchema),
});
