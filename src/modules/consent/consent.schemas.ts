import { Type } from 'typebox';
import { Obj } from '../../http/schemas.ts';
import { SOURCES } from './consent.model.ts';
import { CALLERS } from './gate.rule.ts';
import { HIGHEST_LEVEL, LOWEST_LEVEL } from '../../lib/consent-levels.ts';

const N = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const LedgerEntrySchema = Obj({
  id: Type.String(),
  seq: Type.Integer(),
  contactId: N(Type.String()),
  kind: Type.String({ description: '`level`, `list_join`, `list_leave`, `child_flag`, `birth_date`, `guardian` or `guardian_consent`' }),
  listId: N(Type.String()),
  oldValue: N(Type.Integer()),
  newValue: N(Type.Integer()),
  oldText: N(Type.String({ description: 'for `birth_date` (YYYY-MM-DD) and `guardian` (a contact id): the value before' })),
  newText: N(Type.String({ description: 'for `birth_date` and `guardian`: the value after' })),
  source: N(Type.String()),
  actorType: N(Type.String()),
  actorId: N(Type.String()),
  notice: Type.Union([Obj({ hash: Type.String(), text: N(Type.String()) }), Type.Null()]),
  evidence: Obj({ ip: N(Type.String()), userAgent: N(Type.String()) }),
  at: Type.String({ description: 'when the entry was recorded here (its place in the chain)' }),
  imported: Type.Union([Obj({ at: Type.String(), source: N(Type.String()) }), Type.Null()], {
    description:
      "history an import brought from another system (the file's consentDate and consentSource columns): when and where that " +
      'system says the consent was given; null on every other entry',
  }),
  hash: Type.String(),
  erased: Type.Boolean(),
});

export const GateAnswerSchema = Obj({
  allowed: Type.Boolean(),
  reason: Type.String({
    description:
      '`allowed`, `below_required_level`, `child_without_guardian_consent`, `child_never_profiled`, `data_protection_off`, ' +
      '`purpose_not_for_caller`',
  }),
  effectiveLevel: Type.Integer(),
});

export const Purpose = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', maxLength: 40 });
export const Caller = Type.Union(
  CALLERS.map((c) => Type.Literal(c)),
  { description: `who asks: ${CALLERS.join(', ')} (some purposes are closed to some callers)` },
);

const NoticeRef = Type.Union([
  Type.String({ minLength: 1, maxLength: 20_000, description: 'the notice text shown' }),
  Obj({ id: Type.String({ maxLength: 36 }) }),
]);
const Evidence = Obj({ ip: Type.Optional(Type.String({ maxLength: 64 })), userAgent: Type.Optional(Type.String({ maxLength: 2000 })) });
export const SourceSchema = Type.Union(SOURCES.map((s) => Type.Literal(s)) as [ReturnType<typeof Type.Literal>]);

export const SetLevelSchema = Obj({
  level: Type.Integer({ format: 'int32', minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL }),
  source: SourceSchema,
  notice: Type.Optional(NoticeRef),
  evidence: Type.Optional(Evidence),
});

export const GuardianConsentSchema = Obj({
  granted: Type.Boolean(),
  source: SourceSchema,
  notice: Type.Optional(NoticeRef),
  evidence: Type.Optional(Evidence),
});

export const NoticeSchema = Obj({ id: Type.String(), hash: Type.String(), text: Type.String(), createdAt: Type.String() });
