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
});

export const SuppressionQuery = Obj({ email: Type.String({ minLength: 3, maxLength: 254 }) });
