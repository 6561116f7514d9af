import { formatDateTime, t } from '../../i18n/catalogue.ts';
import { mailFooter, type Organisation } from '../../i18n/identity.ts';

/**
 * The forms' public words, from the message catalogue (`forms.*` keys in locales/): the one
 * answer to a submission, the double opt-in mail, and each field problem in words a person reads.
 */

/** The one answer to every accepted submission, known address or not: it depends on the request's language only. */
export const receivedText = (lang: string): string => t(lang, 'forms.received.text');

/** The double opt-in mail. The link carries the mail's language (`?lang=de`) so the page it opens speaks as the mail did. */
export function confirmMail(
  lang: string,
  c: { form: string; link: string; expires: Date; timeZone: string; organisation: Organisation },
): { subject: string; text: string } {
  const link = lang === 'en' ? c.link : `${c.link}?lang=${encodeURIComponent(lang)}`;
  const until = `${formatDateTime(lang, c.expires, c.timeZone)} (${c.timeZone})`;
  return {
    subject: t(lang, 'forms.mail.confirm.subject', { form: c.form }),
    text: [
      t(lang, 'forms.mail.confirm.submitted', { form: c.form }),
      '',
      t(lang, 'forms.mail.confirm.open'),
      link,
      '',
      t(lang, 'forms.mail.confirm.until', { until }),
      t(lang, 'forms.mail.confirm.ignore'),
      '',
      ...mailFooter(lang, c.organisation),
      '',
    ].join('\n'),
  };
}

/**
 * A field's problem as the submission check states it (forms.model.ts, the contacts service:
 * English, for programs) in the page's language. A message not listed here is "not accepted":
 * the person learns which field, and a program reading the JSON answer keeps the exact reason.
 */
export function problemText(lang: string, message: string): string {
  const max = /^at most (\d+) characters$/.exec(message);
  if (max) return t(lang, 'forms.problem.tooLong', { max: max[1]! });
  const key = PROBLEMS[message];
  return t(lang, `forms.problem.${key ?? 'other'}`);
}

const PROBLEMS: Record<string, string> = {
  required: 'required',
  'one value': 'oneValue',
  'choose at least one': 'chooseOne',
  'a list id, or several': 'notOffered',
  'not one of the lists offered': 'notOffered',
  'not one of the choices': 'notOffered',
  'not one of the levels offered': 'notOffered',
  'not in the expected form': 'pattern',
  'not an email address': 'email',
  'not a valid email address': 'email',
  'a date YYYY-MM-DD': 'date',
  'not a number': 'number',
  'not a date (YYYY-MM-DD)': 'date',
};
