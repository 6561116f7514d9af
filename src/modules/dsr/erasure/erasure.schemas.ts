import { Type } from 'typebox';
import { Obj } from '../../../http/schemas.ts';

/** The wire form of a receipt: counts and names only, never a personal value. */
export const ReceiptSchema = Obj({
  id: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
  actor: Obj({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  tables: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'rows deleted or anonymised per table' }),
  residue: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'where the scan after the erasure found an identifier (table.column, file:NAME); empty when clean, null until it ran',
  }),
  storage: Type.Union(
    [
      Obj({
        status: Type.Union([Type.Literal('pending'), Type.Literal('purged'), Type.Literal('failed')], {
          description:
            '`pending` until the storage purge has run (PostgreSQL: the relations that held the person are rewritten, batched ' +
            'across erasures within a short window); `purged` once the person’s bytes are out of the live database files; `failed` ' +
            'when a rewrite was refused or the pages read back still held an identifier. SQLite’s purge is part of the erasure.',
        }),
        purgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the purge completed' }),
        verification: Type.Union([Type.String(), Type.Null()], {
          description:
            'what was rewritten and checked, and how (pageinspect, the residue scan of the file’s bytes), and what stays outside ' +
            'the live files',
        }),
      }),
      Type.Null(),
    ],
    { description: 'whether the person’s bytes are out of the database’s live files; null on receipts made before this was recorded' },
  ),
  complete: Type.Union([Type.Boolean(), Type.Null()], {
    description:
      'false while residue remains (the erasure is not done: see its tasks), true when the scan found nothing, null until it ran',
  }),
});

/** A task the erasure left: where, never what. */
export const ErasureTaskSchema = Obj({
  id: Type.String(),
  kind: Type.Union([Type.Literal('residue'), Type.Literal('review')], {
    description:
      'residue: an identifier that names the person remains where erasure may not remove it; review: a weaker sign (a first name ' +
      'others share) for a person to look at',
  }),
  location: Type.String({ description: 'table.column, or file:NAME, pg_stats:table.column, …' }),
  rowId: Type.Union([Type.String(), Type.Null()]),
});

/** The answer to an erasure: its receipt, and the tasks it left. */
export const ErasureAnswerSchema = Obj({ ...ReceiptSchema.properties, tasks: Type.Array(ErasureTaskSchema) });
