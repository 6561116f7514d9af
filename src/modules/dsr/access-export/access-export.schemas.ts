import { Type } from 'typebox';
import { Obj, withExamples } from '../../../http/schemas.ts';

/** The export document (docs/export-format.md), as the staff route returns it. */
const AccessExportShape = Obj(
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

/** The export document with an example: one contact, on one list, with one consent change. */
export const AccessExportSchema = withExamples(AccessExportShape, {
  schema: 'assent.access-export',
  version: 1,
  generatedAt: '2026-12-03T14:00:00.000Z',
  subject: {
    contactId: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b',
    email: 'lena.fischer@example.org',
    contactIds: ['01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b'],
  },
  dataHeld: true,
  tables: {
    contacts: {
      description: 'The people marketed to: identity, profile, minors and guardians, and the current consent level.',
      columns: {
        email: { category: 'contact.identity.email', personal: true },
        first_name: { category: 'contact.identity.name', personal: true },
      },
      rows: [{ email: 'lena.fischer@example.org', first_name: 'Lena' }],
    },
  },
  consentHistory: [
    {
      id: '01938af1-0d00-7a11-8b22-3c4d5e6f7a8b',
      seq: 118,
      at: '2026-10-14T12:00:00.000Z',
      kind: 'level',
      listId: null,
      oldValue: 0,
      newValue: 4,
      source: 'signup_form',
      actor: { type: 'anonymous', id: null },
      evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0' },
      notice: { hash: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c', text: 'Yes, send me the monthly newsletter.' },
      erased: false,
    },
  ],
  lists: [{ listId: '01938ae0-7b6a-7c5d-8e4f-3a2b1c0d9e8f', name: 'Newsletter', joinedAt: '2026-10-14T12:00:00.000Z' }],
  segments: [{ id: '01938ae5-1f2e-7d3c-8b4a-5f6e7d8c9b0a', name: 'Engaged readers', kind: 'dynamic' }],
  segmentsNotEvaluated: [],
});
