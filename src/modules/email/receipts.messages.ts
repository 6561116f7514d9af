import { formatDateTime, t } from '../../i18n/catalogue.ts';
import { mailFooter, type Organisation } from '../../i18n/identity.ts';
import type { LedgerEntry } from '../consent/module.ts';

/**
 * The consent receipt's text, in the person's language (the contact's `language` when the
 * catalogue has it, else English). Plain text; it names levels and lists by the installation's
 * names, quotes the notice shown, names the organisation, and never repeats the address.
 */
export interface ReceiptText {
  subject: string;
  text: string;
}

export interface ReceiptNames {
  level(n: number | null): string;
  list(id: string | null): string;
}

/** Whom the receipt is written for and by: the language, the organisation, its time zone (for the change's time). */
export interface ReceiptContext {
  lang: string;
  organisation: Organisation;
  timeZone: string;
  /** The person's privacy portal (src/modules/portal), named after the notice. */
  portalUrl?: string;
}

/** The consent-related fields a change may touch beyond level and lists, by ledger kind. */
const OTHER = new Set(['child_flag', 'birth_date', 'guardian', 'guardian_consent']);

export function receiptMessage(entries: LedgerEntry[], names: ReceiptNames, c: ReceiptContext): ReceiptText {
  const w = (key: string, params?: Record<string, string>) => t(c.lang, `receipt.${key}`, params);
  const lines = entries.map((e) => {
    if (e.kind === 'level') return w('level', { from: names.level(e.oldValue), to: names.level(e.newValue) });
    if (e.kind === 'list_join') return w('join', { list: names.list(e.listId) });
    if (e.kind === 'list_leave') return w('leave', { list: names.list(e.listId) });
    return w('other', { what: OTHER.has(e.kind) ? w(`other.${e.kind}`) : e.kind });
  });
  // One change, one notice as a rule; a change showing several quotes each once.
  const notices = [...new Set(entries.map((e) => e.notice?.text).filter((n): n is string => !!n))];
  return {
    subject: w('subject'),
    text: [
      w('intro', { at: formatDateTime(c.lang, new Date(entries[0]!.at), c.timeZone), timeZone: c.timeZone }),
      '',
      w('changed'),
      ...lines,
      '',
      ...(notices.length ? [w('notice'), '', ...notices.flatMap((n) => [n, ''])] : [w('noNotice'), '']),
      ...(c.portalUrl ? [w('portal'), c.portalUrl, ''] : []),
      w('keep'),
      '',
      ...mailFooter(c.lang, c.organisation),
    ].join('\n'),
  };
}
