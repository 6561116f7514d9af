/**
 * The consent rule as the product brief states it (PRODUCT.md §1), written here
 * independently of src/modules/consent/gate.rule.ts so tests can catch the code drifting.
 * Nothing here is imported from the rule: the tests walk the rule's own lists (every caller,
 * every purpose) and ask this oracle about each, so a caller or purpose the rule gains and
 * this file does not know fails them, and one this file names that the rule lacks does too.
 */
export interface RuleState {
  storedLevel: number;
  child: boolean;
  guardianConsent: boolean;
}

/**
 * Every caller of the gate, by whose initiative it acts: the person's own action (it may answer
 * with a `requested` message) or the product's own (journeys, bulk sends, exports, scoring:
 * never `requested`, PRODUCT.md §1).
 */
export const ORACLE_CALLERS: Readonly<Record<string, 'person' | 'own'>> = {
  data_request: 'person',
  form: 'person',
  tracking: 'person',
  journey: 'own',
  campaign: 'own',
  segment_export: 'own',
  scoring: 'own',
  staff: 'person',
};

/** The built-in purposes and the level each needs (PRODUCT.md §1). */
export const ORACLE_PURPOSES: Readonly<Record<string, number>> = {
  requested: 0,
  consent_request: 1,
  transactional: 2,
  subscription: 3,
  marketing: 4,
  profiling: 5,
};

function initiative(caller: string | undefined): 'person' | 'own' | 'nobody' {
  if (caller === undefined) return 'nobody';
  const i = ORACLE_CALLERS[caller];
  if (i === undefined)
    throw new Error(`the oracle does not know the caller "${caller}": add it to ORACLE_CALLERS (test/helpers/consent-rule.ts)`);
  return i;
}

export function expectedAnswer(
  s: RuleState,
  q: { purpose: string; required: number; dataProtection: boolean; caller?: string },
): { allowed: boolean; reason: string; effectiveLevel: number } {
  const who = initiative(q.caller);
  const eff = s.child ? (s.guardianConsent ? Math.min(s.storedLevel, 4) : 0) : s.storedLevel;
  if (q.purpose === 'requested' && who === 'own') return { allowed: false, reason: 'purpose_not_for_caller', effectiveLevel: eff };
  if (s.child && q.required === 5) return { allowed: false, reason: 'child_never_profiled', effectiveLevel: eff };
  // Scoring is profiling, whatever level its model asks: a child is never scored.
  if (s.child && q.caller === 'scoring') return { allowed: false, reason: 'child_never_profiled', effectiveLevel: eff };
  if (!q.dataProtection) return { allowed: true, reason: 'data_protection_off', effectiveLevel: eff };
  if (s.child && !s.guardianConsent && q.required > 0)
    return { allowed: false, reason: 'child_without_guardian_consent', effectiveLevel: eff };
  if (eff < q.required) return { allowed: false, reason: 'below_required_level', effectiveLevel: eff };
  return { allowed: true, reason: 'allowed', effectiveLevel: eff };
}
