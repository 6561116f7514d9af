import { Type } from 'typebox';
import { Obj } from '../../../http/schemas.ts';

/** The export document (docs/export-format.md), as the staff route returns it. */
export const AccessExportSchema = Obj(
  {
    schema: Type.Literal('assent.access-export'),
    version: Type.Literal(1),
    generatedAt: Type.String(),
    subject: Obj({
      contactId: Type.Union([Type.String(), Type.Null()]),
      email: Type.Union([Type.String(), Type.Null()]),
      contactIds: Type.Array(Type.String()),
    }),
    dataHeld: Type.Boolean(),
    tables: Type.Record(
      Type.String(),
      Obj({
        description: Type.String(),
        columns: Type.Record(
          Type.String(),
          Obj({ category: Type.String(), personal: Type.Boolean(), description: Type.Optional(Type.String()) }),
        ),
        rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
      }),
    ),
    consentHistory: Type.Array(
      Obj({
        id: Type.String(),
        seq: Type.Integer(),
        at: Type.String(),
        kind: Type.String(),
        listId: Type.Union([Type.String(), Type.Null()]),
        oldValue: Type.Union([Type.Integer(), Type.Null()]),
        newValue: Type.Union([Type.Integer(), Type.Null()]),
        source: Type.Union([Type.String(), Type.Null()]),
        actor: Obj({ type: Type.Union([Type.String(), Type.Null()]), id: Type.Union([Type.String(), Type.Null()]) }),
        evidence: Obj({ ip: Type.Union([Type.String(), Type.Null()]), userAgent: Type.Union([Type.String(), Type.Null()]) }),
        notice: Type.Union([Obj({ hash: Type.String(), text: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
        erased: Type.Boolean(),
      }),
    ),
    lists: Type.Array(Obj({ listId: Type.String(), name: Type.String(), joinedAt: Type.String() })),
    segments: Type.Array(Obj({ id: Type.String(), name: Type.String(), kind: Type.String() })),
    segmentsNotEvaluated: Type.Array(Obj({ id: Type.String(), name: Type.String(), kind: Type.String(), reason: Type.String() })),
  },
  { description: 'The access and portability export, format assent.access-export version 1 (docs/export-format.md).' },
);
