/** Plain words for scoring: why a lead is not scored, a recompute's state. No React here (tested by node:test). */
import type { RecomputeState, RequiredConsent } from './scoring.api.ts';

const purposeWords = (p: string): string => p.replaceAll('_', ' ');

/**
 * Why a lead has no score under a model, as the person or a marketer would say it. `requirement`
 * is the model's required consent and `levelName` names a level, for "has not agreed to profiling".
 */
export function notScoredWords(
  reason: string | null | undefined,
  requirement?: RequiredConsent,
  levelName: (n: number) => string = (n) => `level ${n}`,
): string {
  const needs =
    requirement === undefined
      ? 'what this ' + 'model requires'
      : typeof requirement === 'number'
        ? levelName(requirement)
        : purposeWords(requirement);
  switch (reason) {
    case 'below_required_level':
      return typeof requirement === 'number'
        ? `Not scored: this person's consent is below ${needs}.`
        : `Not scored: this person has not agreed to ${needs}.`;
    case 'child_never_profiled':
      return 'Not scored: this person is a child, and children are never profiled.';
    case 'child_without_guardian_consent':
      return 'Not scored: this person is a child without a guardian’s consent.';
    case 'purpose_not_for_caller':
      return `Not scored: the purpose ${needs} may not be used for scoring.`;
    case 'unknown_purpose':
      return 'Not scored: the model requires a purpose that no longer exists. Choose another in the model.';
    case null:
    case undefined:
    case '':
      return 'Not scored yet: recompute the model to score this lead.';
    default:
      return `Not scored: ${reason.replaceAll('_', ' ')}.`;
  }
}

/** The short form for a table cell. */
export function notScoredShort(reason: string | null | undefined): string {
  switch (reason) {
    case 'below_required_level':
      return 'No consent';
    case 'child_never_profiled':
    case 'child_without_guardian_consent':
      return 'A child';
    case null:
    case undefined:
    case '':
      return 'Not scored yet';
    default:
      return `Not scored (${reason.replaceAll('_', ' ')})`;
  }
}

export const RECOMPUTE_WORDS: Record<RecomputeState, string> = {
  never: 'Never computed',
  queued: 'Waiting to start',
  running: 'Computing',
  done: 'Done',
  failed: 'Failed: try again',
};

/** "12,340 of 50,000 leads (25%)" for a running recompute; the percentage whole, never 100 before the end. */
export function progressPercent(done: number | null, total: number | null): number {
  if (!total || total <= 0 || done === null) return 0;
  const p = Math.floor((done / total) * 100);
  return Math.max(0, Math.min(done >= total ? 100 : 99, p));
}
