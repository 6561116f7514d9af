import type { Role } from './principal.ts';

/**
 * Who may do what: the one table every /api/v1 route is checked against. A route names
 * its area and whether it reads or writes; nothing else in the code decides access.
 */
export const AREAS = [
  'self', // the caller's own session
  'settings',
  'users', // staff users and API keys
  'audit',
  'datamap',
  'outbox',
  'jobs',
  'contacts',
  'consent',
  'lists',
  'interactions',
  'segments',
  'messages',
  'journeys',
  'leads', // sales opportunities about contacts, with their custom fields
  'scoring',
  'forms',
  'requests',
  'tasks',
  'exports',
  'erasure',
  'suppressions', // lifting the suppression of an erased address: admin only
  'entities',
  'retention',
  'webhooks', // endpoints that receive events, with their signing secrets: admin only
] as const;
export type Area = (typeof AREAS)[number];
export type Op = 'read' | 'write';

const MARKETING: Area[] = ['contacts', 'lists', 'interactions', 'segments', 'messages', 'journeys', 'leads', 'scoring', 'forms'];
/**
 * The admin's alone: the outbox (a development aid) keeps every message as sent, bearer links
 * included (data-request verification, export downloads), and jobs keep work in flight. A
 * role that may not confirm a stranger's request or read a stranger's export may not read them.
 * Webhooks send data out of the installation to URLs their admin chose, signed with secrets,
 * and may be set to carry personal values: managing and reading them is the admin's too.
 */
const ADMIN_ONLY: Area[] = ['outbox', 'jobs', 'webhooks'];
const PRIVACY: Area[] = ['contacts', 'consent', 'requests', 'tasks', 'exports', 'erasure', 'audit', 'datamap', 'entities', 'retention'];

function grant(areas: readonly Area[], ops: Op[]): Partial<Record<Area, Op[]>> {
  return Object.fromEntries(areas.map((a) => [a, ops]));
}

const POLICY: Record<Role, Partial<Record<Area, Op[]>>> = {
  admin: grant(AREAS, ['read', 'write']),
  // The marketing modules; reading consent states and lists is needed to target anyone.
  // No settings, audit, exports or data-subject actions.
  marketer: { ...grant(['self', 'consent', 'datamap'], ['read']), ...grant(MARKETING, ['read', 'write']), self: ['read', 'write'] },
  // Data protection work, plus read access to the rest to answer questions about it.
  privacy_officer: {
    ...grant(
      AREAS.filter((a) => a !== 'users' && !ADMIN_ONLY.includes(a)),
      ['read'],
    ),
    ...grant(PRIVACY, ['read', 'write']),
    self: ['read', 'write'],
  },
  // Reads everything except the audit log and exports (which copy personal data out) and the admin's own areas.
  viewer: {
    ...grant(
      AREAS.filter((a) => a !== 'audit' && a !== 'exports' && !ADMIN_ONLY.includes(a)),
      ['read'],
    ),
    self: ['read', 'write'],
  },
};

export function can(role: Role, area: Area, op: Op): boolean {
  return POLICY[role][area]?.includes(op) ?? false;
}

/**
 * What a role may do, every area named (an empty list where it may do nothing): the console
 * draws its navigation and actions from this, read from the same table the server checks.
 */
export function rightsOf(role: Role): Record<Area, Op[]> {
  return Object.fromEntries(AREAS.map((a) => [a, (['read', 'write'] as const).filter((op) => can(role, a, op))])) as Record<Area, Op[]>;
}

/**
 * Contact fields that decide consent, wherever they are written (a contact's create and
 * update, an import's columns, a rectification's changes): the consent level, and the child
 * flag, birth date, guardian link and guardian consent, from which a child's effective level
 * follows. Writing one needs this access besides the route's own.
 */
const CONTACT_FIELD_ACCESS: Readonly<Record<string, { area: Area; op: Op }>> = {
  consentLevel: { area: 'consent', op: 'write' },
  isChild: { area: 'consent', op: 'write' },
  birthDate: { area: 'consent', op: 'write' },
  guardianId: { area: 'consent', op: 'write' },
  guardianConsent: { area: 'consent', op: 'write' },
};

/**
 * Consent changes by direction. A withdrawal (the level lowered, guardian consent withdrawn, a
 * list left) takes consent away from the organisation, never grants it: it is part of editing
 * the contact, open to every role that may edit contacts, so a marketer can act on "unsubscribe
 * me" at once. Raising consent (or granting guardian consent) is what the ledger must be able to
 * prove and needs consent write access. The routes that record either declare WITHDRAWAL_ACCESS
 * and ask mayRaiseConsent for a raise; the comparison with the stored value is made under the
 * contact's row lock (ConsentService), so a "lowering" that a concurrent change turned into a
 * raise is refused.
 */
export const WITHDRAWAL_ACCESS = { area: 'contacts', op: 'write' } as const satisfies { area: Area; op: Op };
export const RAISE_ACCESS = { area: 'consent', op: 'write' } as const satisfies { area: Area; op: Op };

export function mayRaiseConsent(role: Role): boolean {
  return can(role, RAISE_ACCESS.area, RAISE_ACCESS.op);
}

/** The fields among `fields` that the role may not write (CONTACT_FIELD_ACCESS). */
export function deniedFields(role: Role, fields: Iterable<string>): string[] {
  return [...fields].filter((f) => {
    const need = Object.hasOwn(CONTACT_FIELD_ACCESS, f) ? CONTACT_FIELD_ACCESS[f] : undefined;
    return need !== undefined && !can(role, need.area, need.op);
  });
}
