/**
 * The consent scale of the product brief (PRODUCT.md §1): six fixed levels, from 0 (nothing but
 * answers to the person's own action) to 5 (profiling). Only their names and descriptions are
 * settings. Defined here, below the modules, because the settings (level names, the level each
 * purpose needs) sit below the consent module that gives the levels their meaning; everything
 * else that bounds a level imports these.
 */
export const LOWEST_LEVEL = 0;
export const HIGHEST_LEVEL = 5;

/** Every level, in order. */
export const CONSENT_LEVELS: readonly number[] = Array.from({ length: HIGHEST_LEVEL - LOWEST_LEVEL + 1 }, (_, i) => LOWEST_LEVEL + i);

export function isConsentLevel(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= LOWEST_LEVEL && n <= HIGHEST_LEVEL;
}

/** A level as written in text (a CSV cell): the number's own digits, blanks around allowed; anything else is null. */
export function parseConsentLevel(text: string): number | null {
  const t = text.trim();
  const n = Number(t);
  return t !== '' && String(n) === t && isConsentLevel(n) ? n : null;
}
