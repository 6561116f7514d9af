import { Type, type TProperties, type TSchema } from 'typebox';

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

export const IdParams = Obj({ id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }) });

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const commonErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
};
