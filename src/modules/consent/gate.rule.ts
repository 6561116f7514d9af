/**
 * THE consent rule, declared once as data. Two interpreters read it: `decide` (one contact,
 * in memory) and `gateSql` (a SQL predicate over the contacts table, for segments and bulk
 * sends). Nothing else in the product decides whether a contact may be processed.
 *
 * Variables a condition may read:
 * - per contact: `child` (flag, or birth date after the majority cut-off), `guardianConsent`,
 *   and `effectiveLevel` (from EFFECTIVE_LEVEL below);
 * - per question: `required` (the purpose's level), `purpose`, `caller`, `dataProtection`.
 */

export type Reason =
  | 'allowed'
  | 'data_protection_off'
  | 'below_required_level'
  | 'child_without_guardian_consent'
  | 'child_never_profiled'
  | 'purpose_not_for_caller';

/**
 * Every caller the product has: who asks the gate, on whose initiative. A closed list, so the
 * rule below can name callers and the tests can walk them all.
 * - `data_request`: mail answering a data-subject request (verification link, export, reply);
 * - `form`: answers to something the person submitted (double opt-in, consent receipt);
 * - `tracking`: recording behaviour (visits, opens, clicks);
 * - `journey`, `campaign`: automated and bulk sending;
 * - `segment_export`: handing a segment's people to another system;
 * - `scoring`: lead scoring;
 * - `staff`: mail a staff member asked for, to an address they gave (the SMTP relay's test message).
 */
export const CALLERS = ['data_request', 'form', 'tracking', 'journey', 'campaign', 'segment_export', 'scoring', 'staff'] as const;
export type Caller = (typeof CALLERS)[number];

export type Cond =
  | true
  | { var: 'child' | 'guardianConsent' | 'dataProtection' }
  | { requiredAtLeast: number }
  | { purposeIs: string }
  | { callerIn: readonly Caller[] }
  | { effectiveBelowRequired: true }
  | { and: Cond[] }
  | { not: Cond };

export type LevelExpr = number | 'stored' | { min: ['stored', number] };

/** A child without guardian consent counts as level 0; with it, at most level 4. */
export const EFFECTIVE_LEVEL: { when: Cond; level: LevelExpr }[] = [
  { when: { and: [{ var: 'child' }, { not: { var: 'guardianConsent' } }] }, level: 0 },
  { when: { var: 'child' }, level: { min: ['stored', 4] } },
  { when: true, level: 'stored' },
];

/** Callers that run on their own initiative: they may never use the `requested` purpose. */
export const UNSOLICITED_CALLERS: readonly Caller[] = ['journey', 'campaign', 'segment_export', 'scoring'];

/** The first rule whose condition holds decides. */
export const GATE_RULES: { when: Cond; allowed: boolean; reason: Reason }[] = [
  // `requested` covers only answers to the person's own action.
  { when: { and: [{ purposeIs: 'requested' }, { callerIn: UNSOLICITED_CALLERS }] }, allowed: false, reason: 'purpose_not_for_caller' },
  // A legal floor, not a setting: it holds even with data protection switched off.
  { when: { and: [{ var: 'child' }, { requiredAtLeast: 5 }] }, allowed: false, reason: 'child_never_profiled' },
  // Lead scoring is profiling whatever level a model asks for: never a child (issue 17).
  { when: { and: [{ var: 'child' }, { callerIn: ['scoring'] }] }, allowed: false, reason: 'child_never_profiled' },
  { when: { not: { var: 'dataProtection' } }, allowed: true, reason: 'data_protection_off' },
  {
    when: { and: [{ var: 'child' }, { not: { var: 'guardianConsent' } }, { requiredAtLeast: 1 }] },
    allowed: false,
    reason: 'child_without_guardian_consent',
  },
  { when: { effectiveBelowRequired: true }, allowed: false, reason: 'below_required_level' },
  { when: true, allowed: true, reason: 'allowed' },
];
