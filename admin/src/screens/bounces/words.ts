import { addressFailed } from '../../../../src/modules/email/bounce.rule.ts';

/** Plain words for what comes back for a sent mail: kinds, DSN status codes and what each did. */

export type BounceKind = 'hard' | 'soft' | 'complaint';

export const KIND_WORDS: Record<BounceKind, string> = {
  hard: 'Hard bounce',
  soft: 'Soft bounce',
  complaint: 'Complaint',
};

// RFC 3463 codes receiving servers commonly send, and the two complaint feedback types.
const STATUS: Record<string, string> = {
  '5.0.0': 'Permanent failure, no detail given',
  '5.1.0': 'Bad address',
  '5.1.1': 'No such mailbox',
  '5.1.2': 'No such domain or mail server',
  '5.1.3': 'Badly formed address',
  '5.1.6': 'Mailbox has moved',
  '5.1.7': 'Our sender address was refused',
  '5.1.8': 'Our sender address was refused',
  '5.1.10': 'The domain accepts no mail',
  '5.2.0': 'Mailbox problem',
  '5.2.1': 'Mailbox disabled',
  '5.2.2': 'Mailbox full',
  '5.2.3': 'Message too large for the mailbox',
  '5.3.4': 'Message too large for the server',
  '5.4.4': 'No such domain (cannot be reached)',
  '5.4.7': 'Delivery took too long',
  '5.5.0': 'Refused by the receiving server',
  '5.6.0': 'Message content refused',
  '5.7.0': 'Refused for a security or policy reason',
  '5.7.1': 'Refused by the receiving server’s policy',
  '5.7.26': 'Refused: our sender authentication failed (SPF, DKIM, DMARC)',
  '4.0.0': 'Temporary failure, no detail given',
  '4.2.2': 'Mailbox full for now',
  '4.4.7': 'Delivery delayed too long',
  '4.7.0': 'Refused for now (rate or policy)',
  abuse: 'Marked as spam by the recipient',
  fraud: 'Reported as fraud by the recipient',
};

/** "No such mailbox"; for an uncommon code, what its class says. */
export function statusWords(status: string | null | undefined): string {
  if (!status) return 'No longer known';
  const known = STATUS[status];
  if (known) return known;
  if (status.startsWith('5.')) return 'Permanent failure';
  if (status.startsWith('4.')) return 'Temporary failure';
  return 'Unknown';
}

/** What receiving the report did, by the server's own rule (bounce.rule.ts). */
export function effectWords(b: { kind: BounceKind; status: string; contactId: string | null }): string {
  if (b.kind === 'hard')
    return addressFailed(b.status) ? 'Stopped sending to this address' : 'Counted as bounced; later mail still goes to this address';
  if (b.kind === 'soft') return 'Recorded only: a temporary problem';
  return b.contactId ? 'Consent lowered below marketing' : 'Recorded: no contact holds this address';
}
