/**
 * The consent rule as the product brief states it (PRODUCT.md §1), written here
 * independently of src/modules/consent/gate.rule.ts so tests can catch the code drifting.
 */
export interface RuleState {
  storedLevel: number;
  child: boolean;
  guardianConsent: boolean;
}

export function expectedAnswer(
  s: RuleState,
  q: { purpose: string; required: number; dataProtection: boolean; caller?: string },
): { allowed: boolean; reason: string; effectiveLevel: number } {
  const eff = s.child ? (s.guardianConsent ? Math.min(s.storedLevel, 4) : 0) : s.storedLevel;
  if (q.purpose === 'requested' && (q.caller === 'journey' || q.caller === 'campaign'))
    return { allowed: false, reason: 'purpose_not_for_caller', effectiveLevel: eff };
  if (s.child && q.required === 5) return { allowed: false, reason: 'child_never_profiled', effectiveLevel: eff };
  if (!q.dataProtection) return { allowed: true, reason: 'data_protection_off', effectiveLevel: eff };
  if (s.child && !s.guardianConsent && q.required > 0)
    return { allowed: false, reason: 'child_without_guardian_consent', effectiveLevel: eff };
  if (eff < q.required) return { allowed: false, reason: 'below_required_level', effectiveLevel: eff };
  return { allowed: true, reason: 'allowed', effectiveLevel: eff };
}
