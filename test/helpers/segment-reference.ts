/**
 * An in-memory evaluator of segment filters, written from the language's documented
 * semantics (not from the compiler), so property tests can compare it with the SQL.
 */
import type { FilterNode, Scalar } from '../../src/modules/segments/filter.model.ts';
import { expectedAnswer } from './consent-rule.ts';

export interface RefContact {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  birth_date: string | null;
  is_child: number;
  guardian_consent: number;
  consent_level: number;
  created_at: string;
  cf_nick: string | null;
  cf_score: number | null;
  cf_vip: number | null;
  cf_since: string | null;
}

export interface RefWorld {
  contacts: RefContact[];
  members: { contact_id: string; list_id: string }[];
  interactions: { contact_id: string; type: string; ref: string | null; at: string }[];
  now: Date;
  childCutoff: string;
  purposes: Record<string, number>;
  dataProtection: boolean;
}

const FIELDS: Record<string, { key: keyof RefContact; type: 'text' | 'number' | 'boolean' | 'date' | 'datetime' }> = {
  email: { key: 'email', type: 'text' },
  firstName: { key: 'first_name', type: 'text' },
  lastName: { key: 'last_name', type: 'text' },
  country: { key: 'country', type: 'text' },
  birthDate: { key: 'birth_date', type: 'date' },
  consentLevel: { key: 'consent_level', type: 'number' },
  createdAt: { key: 'created_at', type: 'datetime' },
  'customFields.nick': { key: 'cf_nick', type: 'text' },
  'customFields.score': { key: 'cf_score', type: 'number' },
  'customFields.vip': { key: 'cf_vip', type: 'boolean' },
  'customFields.since': { key: 'cf_since', type: 'date' },
};

/** Binary (code point) order, as SQLite BINARY and PostgreSQL "C" compare text. */
function cmpText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function cmp(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return cmpText(String(a), String(b));
}

function isChild(c: RefContact, w: RefWorld): boolean {
  return c.is_child === 1 || (c.birth_date !== null && c.birth_date > w.childCutoff);
}

function field(c: RefContact, name: string, op: string, value: Scalar | Scalar[] | undefined, w: RefWorld): boolean {
  if (name === 'isChild') {
    if (op === 'is_null') return value === false;
    return (op === '=') === (value === true) ? isChild(c, w) : !isChild(c, w);
  }
  const f = FIELDS[name]!;
  let v = c[f.key] as string | number | null;
  const norm = (x: Scalar): string | number =>
    f.type === 'boolean' ? (x ? 1 : 0) : f.type === 'datetime' ? new Date(x as string).toISOString() : (x as string | number);
  if (op === 'is_null') return value === false ? v !== null : v === null;
  if (op === '!=') return v === null || cmp(v, norm(value as Scalar)) !== 0;
  if (v === null) return false;
  switch (op) {
    case '=':
      return cmp(v, norm(value as Scalar)) === 0;
    case '<':
      return cmp(v, norm(value as Scalar)) < 0;
    case '<=':
      return cmp(v, norm(value as Scalar)) <= 0;
    case '>':
      return cmp(v, norm(value as Scalar)) > 0;
    case '>=':
      return cmp(v, norm(value as Scalar)) >= 0;
    case 'in':
      return (value as Scalar[]).some((x) => cmp(v!, norm(x)) === 0);
    case 'contains':
      return String(v).includes(String(value));
    case 'starts_with':
      return String(v).startsWith(String(value));
    // Unicode full lower case on both sides (what toLowerCase does); accents stay significant.
    case 'icontains':
      return String(v).toLowerCase().includes(String(value).toLowerCase());
    case 'istarts_with':
      return String(v).toLowerCase().startsWith(String(value).toLowerCase());
    case 'iequals':
      return String(v).toLowerCase() === String(value).toLowerCase();
  }
  v = null;
  throw new Error(`unknown op ${op}`);
}

export function evaluate(node: FilterNode, c: RefContact, w: RefWorld): boolean {
  if ('and' in node) return node.and.every((n) => evaluate(n, c, w));
  if ('or' in node) return node.or.some((n) => evaluate(n, c, w));
  if ('not' in node) return !evaluate(node.not, c, w);
  if ('field' in node) return field(c, node.field, node.op, node.value, w);
  if ('consent' in node) return c.consent_level >= node.consent.atLeast;
  if ('allowed' in node) {
    return expectedAnswer(
      { storedLevel: c.consent_level, child: isChild(c, w), guardianConsent: c.guardian_consent === 1 },
      { purpose: node.allowed, required: w.purposes[node.allowed]!, dataProtection: w.dataProtection },
    ).allowed;
  }
  if ('list' in node) return w.members.some((m) => m.contact_id === c.id && m.list_id === node.list);
  const b = node.behaviour;
  const since = b.withinDays !== undefined ? new Date(w.now.getTime() - b.withinDays * 86_400_000).toISOString() : null;
  const n = w.interactions.filter(
    (i) => i.contact_id === c.id && i.type === b.type && (b.ref === undefined || i.ref === b.ref) && (since === null || i.at >= since),
  ).length;
  return n >= (b.atLeast ?? 1);
}
