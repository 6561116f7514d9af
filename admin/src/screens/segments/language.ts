/**
 * The segment filter language as the builder offers it (docs/segments.md): fields with their types,
 * the operators each type takes, the limits. These mirror src/modules/segments/filter.model.ts (the
 * language's definition); filterTree.test.ts fails when they drift apart. Words only here: no React.
 */
import type { paths } from '../../api/schema';

export type FieldType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';
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
  | 'icontains'
  | 'istarts_with'
  | 'iequals';

/** Built-in contact fields a filter may name, with their type and the words the builder shows. */
export const BUILT_IN_FIELDS: Record<string, { type: FieldType; label: string }> = {
  email: { type: 'text', label: 'Email' },
  firstName: { type: 'text', label: 'First name' },
  lastName: { type: 'text', label: 'Last name' },
  phone: { type: 'text', label: 'Phone' },
  company: { type: 'text', label: 'Company' },
  country: { type: 'text', label: 'Country' },
  language: { type: 'text', label: 'Language' },
  timeZone: { type: 'text', label: 'Time zone' },
  birthDate: { type: 'date', label: 'Birth date' },
  isChild: { type: 'boolean', label: 'Is a child' },
  guardianId: { type: 'text', label: 'Guardian (contact id)' },
  consentLevel: { type: 'number', label: 'Consent level (number)' },
  createdAt: { type: 'datetime', label: 'Created' },
  updatedAt: { type: 'datetime', label: 'Last changed' },
  id: { type: 'text', label: 'Contact id' },
};

export const OPS_BY_TYPE: Record<FieldType, Op[]> = {
  text: ['=', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'starts_with', 'is_null', 'icontains', 'istarts_with', 'iequals'],
  number: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'],
  boolean: ['=', '!=', 'is_null'],
  date: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'],
  datetime: ['=', '!=', '<', '<=', '>', '>=', 'is_null'],
};

/** The operators in words; dates read as before/after. */
export function opLabel(op: Op, type: FieldType): string {
  const time = type === 'date' || type === 'datetime';
  switch (op) {
    case '=':
      return 'is';
    case '!=':
      return 'is not';
    case '<':
      return time ? 'is before' : 'is less than';
    case '<=':
      return time ? 'is on or before' : 'is at most';
    case '>':
      return time ? 'is after' : 'is more than';
    case '>=':
      return time ? 'is on or after' : 'is at least';
    case 'in':
      return 'is one of';
    case 'contains':
      return 'contains';
    case 'starts_with':
      return 'starts with';
    case 'is_null':
      return 'is empty / has a value';
    case 'icontains':
      return 'contains (any case)';
    case 'istarts_with':
      return 'starts with (any case)';
    case 'iequals':
      return 'is (any case)';
  }
}

type InteractionBody = paths['/api/v1/interactions']['post']['requestBody']['content']['application/json'];
export type InteractionType = InteractionBody extends infer B ? (B extends { type: infer T } ? T : never) : never;

/** Every interaction type the API records (the record's keys are checked against the API's own type). */
export const INTERACTION_LABELS: Record<InteractionType, string> = {
  email_sent: 'Email sent',
  email_delivered: 'Email delivered',
  email_opened: 'Email opened',
  email_clicked: 'Email link clicked',
  email_bounced: 'Email bounced',
  page_visited: 'Page visited',
  form_submitted: 'Form submitted',
  journey_entered: 'Journey entered',
  journey_exited: 'Journey exited',
  custom: 'Custom event',
};

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
