/*
 * Pure, with no imports: the server (bounce.service.ts) and the console's Bounces screen both
 * read a recorded bounce by this one rule.
 */

/**
 * Whether a DSN status says the *address* failed, so nothing more should be sent to it (RFC 3463):
 * 5.1.x (bad destination mailbox, system or syntax) except 5.1.7 and 5.1.8, which are about our
 * sender address; 5.2.1 (mailbox disabled); 5.4.4 (unable to route: no such domain). Every other
 * permanent failure (5.7.x policy or spam blocks, 5.2.2 mailbox full, 5.2.3 too large, 5.3.x, 5.5.x,
 * 5.6.x) is about that message: the next one may arrive. Total: anything else, including strings
 * that are no status at all, is false.
 */
export function addressFailed(status: string): boolean {
  // The parser's canonical form (`statusOf`): no leading zeros, no comment.
  const m = /^5\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(status);
  if (!m) return false;
  const subject = Number(m[1]);
  const detail = Number(m[2]);
  if (subject === 1) return detail !== 7 && detail !== 8;
  return (subject === 2 && detail === 1) || (subject === 4 && detail === 4);
}
