import { Type, type Static, type TProperties, type TSchema } from 'typebox';
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
  Obj({
    data: Type.Array(t),
    page: Obj({
      next: Type.Union([Type.String(), Type.Null()], { description: 'the cursor of the next page; null on the last' }),
      total: Type.Integer({ minimum: 0, description: 'how many rows the listing holds (all pages, with its filters)' }),
      totalIsEstimate: Type.Boolean({
        description:
          "true when `total` is the database's estimate rather than a count: only for an unfiltered listing of a table of " +
          'more than 100,000 rows on PostgreSQL (its planner statistics), where counting would read the whole table',
      }),
    }),
  });

/** An id as the API takes it (src/lib/ids.ts makes them): every route's id field and parameter is this one schema. */
export const Id = Type.String({ pattern: ID_PATTERN, maxLength: 36, examples: ['01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f'] });

/**
 * A bounded integer of a request: the bounds are the domain's (a level 0..5, a page 1..500), and
 * the format says to a client's code generator that it fits 32 bits.
 */
export const Int = (opts: { minimum: number; maximum: number; default?: number; description?: string; examples?: number[] }) =>
  Type.Integer({ format: 'int32', ...opts });

export const IdParams = Obj({ id: Id });

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const commonErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
};

/**
 * The schema with examples for the OpenAPI document, typed: an example that does not fit the
 * schema's type fails the type check, and one that breaks a bound fails the lint test, which
 * validates every example against its schema. Validation ignores them.
 */
export function withExamples<T extends TSchema>(schema: T, ...examples: [Static<T>, ...Static<T>[]]): T {
  return { ...schema, examples } as T;
}
