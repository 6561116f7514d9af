import { Type, type TProperties, type TSchema } from 'typebox';
import { ID_PATTERN } from '../lib/ids.ts';

/** Every object on the wire is closed: unknown fields are rejected, never stripped. */
export function Obj<P extends TProperties>(props: P, opts: { description?: string; minProperties?: number } = {}) {
  return Type.Object(props, { ...opts, additionalProperties: false });
}

export const ErrorBody = Obj({
  error: Obj({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

export const Data = <T extends TSchema>(t: T) => Obj({ data: t });
export const List = <T extends TSchema>(t: T) =>
  Obj({ data: Type.Array(t), page: Obj({ next: Type.Union([Type.String(), Type.Null()]) }) });

/** An id as the API takes it (src/lib/ids.ts makes them): every route's id field and parameter is this one schema. */
export const Id = Type.String({ pattern: ID_PATTERN });

export const IdParams = Obj({ id: Id });

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const commonErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
};
