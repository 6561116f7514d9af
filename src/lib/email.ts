/**
 * Email addresses have two forms here:
 * - the written form, kept for display and for sending: trimmed, Unicode-composed (NFC, so
 *   "e" + combining diaeresis and "ë" are one spelling), domain lower-cased (normaliseEmail);
 * - the match key, which every comparison uses (uniqueness, lookups, suppression, requests,
 *   imports, rate limits, erasure and export by address): the written form lower-cased whole
 *   (emailKey). Mail providers, and the products marketers move contacts between, treat the
 *   local part without regard to case, so "Ada.Case@" and "ada.case@" are one person.
 * Lower-casing is JavaScript's locale-free Unicode mapping (not case folding: "ß" stays "ß",
 * so "straße" and "strasse" stay two addresses).
 */
export function normaliseEmail(input: string): string {
  const s = input.trim().normalize('NFC');
  const at = s.lastIndexOf('@');
  if (at < 0) return s;
  return s.slice(0, at) + '@' + s.slice(at + 1).toLowerCase();
}

/** The one match key of an address: two addresses are the same person's exactly when their keys are equal. */
export function emailKey(input: string): string {
  return normaliseEmail(input).toLowerCase();
}

/**
 * The address as the first contract normalised it (trimmed, domain lower-cased, local part as
 * typed, no Unicode composition). Keyed hashes made before the key existed (suppressions,
 * erased cases) were computed over this form and cannot be recomputed, the addresses being
 * gone: checks try it beside the key, so an address stays found when typed as it was then.
 */
export function legacyEmailForm(input: string): string {
  const s = input.trim();
  const at = s.lastIndexOf('@');
  if (at < 0) return s;
  return s.slice(0, at) + '@' + s.slice(at + 1).toLowerCase();
}

/** True when the key holds only ASCII: then SQL's lower() (ASCII-only on both databases) matches it exactly. */
export function isAsciiKey(key: string): boolean {
  return /^[\x00-\x7f]*$/.test(key);
}

// Deliberately plain: one @, no spaces or control characters, a dotted domain. Anything this
// accepts is safe in a header; deliverability is the relay's business.
// A domain label: letters and digits of any script, hyphens inside, at most 63 characters.
const LABEL = String.raw`[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]{0,62}[A-Za-z0-9\u00a0-\uffff])?`;
const EMAIL = new RegExp(String.raw`^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]{1,64}@${LABEL}(?:\.${LABEL})+$`);

export function isValidEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s);
}
