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

export type Cond =
  | true
  | { var: 'child' | 'guardianConsent' | 'dataProtection' }
  | { requiredAtLeast: number }
  | { purposeIs: string }
  | { callerIn: string[] }
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
export const UNSOLICITED_CALLERS = ['journey', 'campaign', 'segment_export', 'scoring'];

/** The first rule whose condition holds decides. */
export const GATE_RULES: { when: Cond; allowed: boolean; reason: Reason }[] = [
  // `requested` covers only answers to the person's own action.
  { when: { and: [{ purposeIs: 'requested' }, { callerIn: UNSOLICITED_CALLERS }] }, allowed: false, reason: 'purpose_not_for_caller' },
  // A legal floor, not a setting: it holds even with data protection switched off.
  { when: { and: [{ var: 'child' }, { requiredAtLeast: 5 }] }, allowed: false, reason: 'child_never_profiled' },
  { when: { not: { var: 'dataProtection' } }, allowed: true, reason: 'data_protection_off' },
  {
    when: { and: [{ var: 'child' }, { not: { var: 'guardianConsent' } }, { requiredAtLeast: 1 }] },
    allowed: false,
    reason: 'child_without_guardian_consent',
  },
  { when: { effectiveBelowRequired: true }, allowed: false, reason: 'below_required_level' },
  { when: true, allowed: true, reason: 'allowed' },
];
