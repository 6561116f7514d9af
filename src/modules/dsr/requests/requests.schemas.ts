import { Type } from 'typebox';
import { PageQuery } from '../../../http/pagination.ts';
import { Obj, Id } from '../../../http/schemas.ts';
import { ContactPatchSchema } from '../../contacts/module.ts';
import { REQUEST_STATUSES, REQUEST_TYPES } from './requests.model.ts';

/** The listing's orders (requests.queries.ts REQUEST_SORT_COLUMNS): a column, or `-column` for descending. */
export const REQUEST_SORTS = ['deadline', '-deadline', 'receivedAt', '-receivedAt'] as const;

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Note = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: 'for staff, kept on the case history; must not contain email addresses or other personal values',
});

export const RequestType = Type.Enum([...REQUEST_TYPES]);
export const RequestStatus = Type.Enum([...REQUEST_STATUSES]);

export const RequestEventSchema = Obj({
  at: Type.String(),
  status: Type.String(),
  actorType: Type.String({ description: '`user`, `api_key`, `system`, `cli`, or `requester` (through the emailed link)' }),
  actorId: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const RequestSchema = Obj({
  id: Type.String(),
  type: Type.String(),
  status: Type.String(),
  channel: Type.String({ description: '`staff` (API or console) or `public` (self-service)' }),
  email: Nullable(Type.String({ description: 'null once the person has been erased' })),
  contactId: Nullable(Type.String()),
  ownerId: Nullable(Type.String()),
  receivedAt: Type.String(),
  deadline: Type.String({ description: 'YYYY-MM-DD in the installation time zone (the `timeZone` setting)' }),
  extendedAt: Nullable(Type.String()),
  extensionReason: Nullable(Type.String()),
  verifiedAt: Nullable(Type.String()),
  completedAt: Nullable(Type.String()),
  flagged: Type.Boolean({ description: 'the erasure scan found traces left behind; see flagDetail' }),
  flagDetail: Nullable(Type.String()),
  overdue: Type.Boolean({ description: 'open and past its deadline, today in the installation time zone' }),
  daysLeft: Type.Union([
    Type.Integer({
      format: 'int32',
      description: 'calendar days from today (installation time zone) to the deadline: 0 on the day, negative once overdue',
    }),
    Type.Null(),
  ]),
  history: Type.Optional(Type.Array(RequestEventSchema)),
});

export const RequestCreateSchema = Obj({
  type: RequestType,
  email: Type.String({ minLength: 3, maxLength: 254 }),
  receivedAt: Type.Optional(
    Type.String({
      format: 'date-time',
      maxLength: 40,
      description: 'when the request arrived (e.g. by post); not in the future; defaults to now',
    }),
  ),
  verified: Type.Optional(
    Type.Boolean({
      description: 'staff vouch for the requester’s identity (then `note` says how); otherwise a verification link is emailed',
    }),
  ),
  note: Type.Optional(Note),
});

export const RequestPatchSchema = Obj(
  {
    status: Type.Optional(RequestStatus),
    ownerId: Type.Optional(Nullable(Id)),
    note: Type.Optional(Note),
  },
  { minProperties: 1 },
);

export const ExtendSchema = Obj({
  reason: Type.String({
    minLength: 1,
    maxLength: 1000,
    description: 'why more time is needed (complexity, number of requests); must not name the person',
  }),
});

export const FulfilSchema = Obj({ changes: Type.Optional(ContactPatchSchema) });

export const RequestListQuery = Obj({
  ...PageQuery,
  status: Type.Optional(RequestStatus),
  type: Type.Optional(RequestType),
  owner: Type.Optional(Id),
  email: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 254,
      description: 'finds cases by the requester’s address, erased ones included (by keyed hash)',
    }),
  ),
  open: Type.Optional(Type.Boolean({ description: 'true: cases not yet completed or rejected; false: closed ones' })),
  overdue: Type.Optional(Type.Boolean()),
  sort: Type.Optional(
    Type.Enum([...REQUEST_SORTS], {
      description: 'order by the deadline or the date received, `-` before it for descending; without it, in the order opened',
    }),
  ),
  dueWithin: Type.Optional(
    Type.Integer({
      format: 'int32',
      minimum: 0,
      maximum: 366,
      description: 'open cases due within this many days from today (overdue ones included)',
    }),
  ),
});

export const PublicIntakeSchema = Obj({
  type: RequestType,
  email: Type.String({ minLength: 3, maxLength: 254 }),
  website: Type.Optional(Type.String({ maxLength: 200, description: 'leave empty' })),
});

export const PublicAcceptedSchema = Obj({ data: Obj({ status: Type.Literal('received'), message: Type.String() }) });

/** One case as the examples show it: an access request, verified, due in a month. */
export const REQUEST_EXAMPLE = {
  id: '01938c21-3b4a-7c5d-8e6f-7a8b9c0d1e2f',
  type: 'access',
  status: 'verified',
  channel: 'public',
  email: 'lena.fischer@example.org',
  contactId: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b',
  ownerId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f',
  receivedAt: '2026-12-01T10:20:30.000Z',
  deadline: '2027-01-01',
  extendedAt: null,
  extensionReason: null,
  verifiedAt: '2026-12-01T10:31:02.000Z',
  completedAt: null,
  flagged: false,
  flagDetail: null,
  overdue: false,
  daysLeft: 27,
};
