/**
 * The segment filter language: a JSON tree, validated against allow-lists before anything
 * is compiled, so no caller-supplied name ever reaches SQL.
 */

export type Op =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'contains'
  | 'starts_with'
  | 'is_null'
  // Case-insensitive forms: both sides in Unicode lower case (src/db/text-fold.ts), accents kept.
  | 'icontains'
  | 'istarts_with'
  | 'iequals';
export type Scalar = string | number | boolean;

export type FilterNode =
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode }
  | { field: string; op: Op; value?: Scalar | Scalar[] }
  | { consent: { atLeast: number } }
  | { allowed: string }
  | { list: string }
  | { behaviour: { type: string; ref?: string; withinDays?: number; atLeast?: number } };

export type FieldType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

/** Built-in contact fields a filter may name, with their column and type. */
export const CONTACT_FIELDS: Record<string, { column: string; type: FieldType }> = {
  id: { column: 'id', type: 'text' },
  email: { column: 'email', type: 'text' },
  firstName: { column: 'first_name', type: 'text' },
  lastName: { column: 'last_name', type: 'text' },
  phone: { column: 'phone', type: 'text' },
  company: { column: 'company', type: 'text' },
  country: { column: 'country', type: 'text' },
  language: { column: 'language', type: 'text' },
  timeZone: { column: 'time_zone', type: 'text' },
  birthDate: { column: 'birth_date', type: 'date' },
  isChild: { column: 'is_child', type: 'boolean' },
  guardianId: { column: 'guardian_id', type: 'text' },
  consentLevel: { column: 'consent_level', type: 'number' },
  createdAt: { column: 'created_at', type: 'datetime' },
  updatedAt: { column: 'updated_at', type: 'datetime' },
};

export const OPS_BY_TYPE: Record<FieldType, Op[]> = {
  text: ['=', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'starts_with', 'is_null', 'icontains', 'istarts_with', 'iequals'],
  number: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'],
  boolean: ['=', '!=', 'is_null'],
  date: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'],
  datetime: ['=', '!=', '<', '<=', '>', '>=', 'is_null'],
};

/**
 * Size limits of a filter (docs/segments.md). `values` bounds the whole tree: every value of
 * every condition (each `in` list counts its length), so 300 nodes of 1,000-value lists cannot
 * add up to 300,000.
 */
export const LIMITS = {
  depth: 12,
  nodes: 300,
  inValues: 1000,
  values: 50_000,
  string: 1000,
  children: 100,
  withinDays: 3650,
  atLeast: 100_000,
} as const;

/** A problem of a filter, by the JSON pointer of its node. */
export interface FilterProblem {
  path: string;
  message: string;
}

/** A resolved field reference (built-in or custom). */
export interface ResolvedField {
  column: string;
  type: FieldType;
  /** Effective child status (flag or birth date) rather than the stored flag. */
  childStatus?: boolean;
  /** The table alias the column belongs to, when a scope resolved it (not the contact's). */
  alias?: string;
}

/**
 * An extra namespace of fields a caller adds to the language (scoring's `lead.*`): names
 * `<prefix>.<field>` resolve to columns of the table the compiled query joins as `alias`.
 * Segments themselves never pass one: their queries select contacts only.
 */
export interface FieldScope {
  prefix: string;
  alias: string;
  fields: ReadonlyMap<string, ResolvedField>;
}
