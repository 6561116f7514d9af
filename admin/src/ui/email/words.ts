/** Plain words for the email module's codes: statuses, and why a send was refused or failed. */

/** Why a person does not get a message: the gate's reasons and the sending path's own. */
const REASONS: Record<string, string> = {
  below_required_level: 'consent too low for this purpose',
  child_without_guardian_consent: 'a child without guardian consent',
  child_never_profiled: 'a child, never profiled',
  purpose_not_for_caller: 'this purpose is only for answers to the person',
  data_protection_off: 'allowed: data protection is off',
  allowed: 'allowed',
  suppressed: 'on the suppression list',
  undeliverable: 'address bounced before (undeliverable)',
  invalid_address: 'not a valid email address',
  frequency_cap: 'already had the most mails allowed in the period',
  quiet_hours: 'quiet hours where the person lives',
  cancelled: 'the campaign was cancelled',
};

export function reasonWords(reason: string | null | undefined): string {
  if (!reason) return '—';
  const smtp = /^smtp_(\d{3})$/.exec(reason);
  if (smtp) return `the receiving server refused it (code ${smtp[1]})`;
  return REASONS[reason] ?? reason.replace(/_/g, ' ');
}

export const SEND_STATUS: Record<string, { label: string; color: string }> = {
  queued: { label: 'Waiting to be sent', color: 'gray' },
  deferred: { label: 'Waiting (deferred)', color: 'yellow' },
  sent: { label: 'Sent', color: 'teal' },
  refused: { label: 'Not sent', color: 'orange' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

export const CAMPAIGN_STATUS: Record<string, { label: string; color: string }> = {
  preparing: { label: 'Preparing', color: 'gray' },
  sending: { label: 'Sending', color: 'blue' },
  paused: { label: 'Paused', color: 'yellow' },
  cancelled: { label: 'Cancelled', color: 'gray' },
  done: { label: 'Finished', color: 'teal' },
};

/** "Marketing", "Consent request": a purpose's key as words. */
export const purposeWords = (p: string): string => p.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
