import { Type } from 'typebox';
import { Obj } from '../../http/schemas.ts';

/** The wire form of a receipt: counts and names only, never a personal value. */
export const ReceiptSchema = Obj({
  id: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
  actor: Obj({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  tables: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'rows deleted or anonymised per table' }),
  residue: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'where the scan after the erasure found an identifier (table.column, file:NAME); empty when clean, null until it ran' }),
  complete: Type.Union([Type.Boolean(), Type.Null()], { description: 'false while residue remains (the erasure is not done: see its tasks), true when the scan found nothing, null until it ran' }),
});

/** A task the erasure left: where, never what. */
export const ErasureTaskSchema = Obj({
  id: Type.String(),
  kind: Type.Union([Type.Literal('residue'), Type.Literal('review')], { description: 'residue: an identifier that names the person remains where erasure may not remove it; review: a weaker sign (a first name others share) for a person to look at' }),
  location: Type.String({ description: 'table.column, or file:NAME, pg_stats:table.column, …' }),
  rowId: Type.Union([Type.String(), Type.Null()]),
});

/** The answer to an erasure: its receipt, and the tasks it left. */
export const ErasureAnswerSchema = Obj({ ...ReceiptSchema.properties, tasks: Type.Array(ErasureTaskSchema) });

export const SuppressionQuery = Obj({ email: Type.String({ minLength: 3, maxLength: 254 }) });
