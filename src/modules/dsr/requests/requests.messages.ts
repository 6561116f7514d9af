import { formatDateTime, t } from '../../../i18n/catalogue.ts';
import { mailFooter, type Organisation } from '../../../i18n/identity.ts';

/**
 * What the requester is told, by email. Plain text, no personal values beyond what the
 * recipient already knows; the address is never repeated in the body.
 */
export interface Message {
  subject: string;
  text: string;
}

/** What a message is written for: the recipient's language, the organisation that sends it, its time zone (for times). */
export interface MailContext {
  lang: string;
  organisation: Organisation;
  timeZone: string;
}

/** A message, written once its recipient's language is known (RequestMailer knows it). */
export type Compose = (ctx: MailContext) => Message;

/** What the person asked for, as a phrase ("a copy of the personal data we hold about you"). */
export function asked(lang: string, type: string): string {
  const known = ['access', 'portability', 'rectification', 'erasure', 'objection'].includes(type);
  return t(lang, `dsr.asked.${known ? type : 'unknown'}`);
}

/** "7 December 2026, 10:20 (Europe/Berlin)": an expiry, on the organisation's clock. */
const until = (c: MailContext, at: Date) => `${formatDateTime(c.lang, at, c.timeZone)} (${c.timeZone})`;

const body = (c: MailContext, lines: string[]) => [...lines, '', ...mailFooter(c.lang, c.organisation)].join('\n');

/** The link with the mail's language first (`?lang=de&token=…`), so the page it opens speaks as the mail did; English needs none. */
function inLanguage(link: string, lang: string): string {
  if (lang === 'en') return link;
  const u = new URL(link);
  const token = u.searchParams.get('token') ?? '';
  u.search = new URLSearchParams({ lang, token }).toString();
  return u.toString();
}

export const verificationMessage =
  (type: string, link: string, expiresAt: Date): Compose =>
  (c) => ({
    subject: t(c.lang, 'dsr.mail.verify.subject'),
    text: body(c, [
      t(c.lang, 'dsr.mail.verify.received', { asked: asked(c.lang, type) }),
      '',
      t(c.lang, 'dsr.mail.verify.open', { until: until(c, expiresAt) }),
      '',
      inLanguage(link, c.lang),
      '',
      t(c.lang, 'dsr.mail.verify.ignore'),
    ]),
  });

export const exportMessage =
  (type: 'access' | 'portability', url: string, expiresAt: string): Compose =>
  (c) => ({
    subject: t(c.lang, 'dsr.mail.export.subject'),
    text: body(c, [
      t(c.lang, type === 'portability' ? 'dsr.mail.export.portability' : 'dsr.mail.export.access'),
      '',
      t(c.lang, 'dsr.mail.export.download', { until: until(c, new Date(expiresAt)) }),
      '',
      url,
    ]),
  });

export const noDataMessage =
  (type: string): Compose =>
  (c) => ({
    subject: t(c.lang, 'dsr.mail.noData.subject'),
    text: body(c, [t(c.lang, 'dsr.mail.noData.text', { asked: asked(c.lang, type) })]),
  });

export const doneMessage =
  (type: string): Compose =>
  (c) => ({
    subject: t(c.lang, 'dsr.mail.done.subject'),
    text: body(c, [t(c.lang, 'dsr.mail.done.text', { asked: asked(c.lang, type) })]),
  });
