/**
 * Email addresses: trimmed, domain lower-cased (the local part is case-sensitive in principle,
 * so it is kept as typed). One function, so every module compares addresses alike.
 */
export function normaliseEmail(input: string): string {
  const s = input.trim();
  const at = s.lastIndexOf('@');
  if (at < 0) return s;
  return s.slice(0, at) + '@' + s.slice(at + 1).toLowerCase();
}

// Deliberately plain: one @, no spaces or control characters, a dotted domain. Anything this
// accepts is safe in a header; deliverability is the relay's business.
const EMAIL = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]{1,64}@[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]{0,62}[A-Za-z0-9\u00a0-\uffff])?(?:\.[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]{0,62}[A-Za-z0-9\u00a0-\uffff])?)+$/;

export function isValidEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s);
}
