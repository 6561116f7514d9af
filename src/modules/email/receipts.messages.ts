import type { LedgerEntry } from '../consent/module.ts';

/**
 * The consent receipt's text, in the person's language (German when the contact's language is
 * German, else English). Plain text; it names levels and lists by the installation's names and
 * quotes the notice shown, and never repeats the address.
 */
export interface ReceiptText {
  subject: string;
  text: string;
}

export interface ReceiptNames {
  level(n: number | null): string;
  list(id: string | null): string;
}

type Lang = 'en' | 'de';

const WORDS = {
  en: {
    subject: 'Your consent settings were changed',
    intro: (at: string) => `This is your receipt for a change to your consent settings, made on ${at} (UTC).`,
    changed: 'What changed:',
    level: (from: string, to: string) => `- Consent level: from ${from} to ${to}`,
    join: (l: string) => `- Joined the list ${l}`,
    leave: (l: string) => `- Left the list ${l}`,
    other: (what: string) => `- ${what} changed`,
    notice: 'The notice shown to you:',
    noNotice: 'No notice text was recorded with this change.',
    keep: 'Keep this message as your record. If you did not make this change, reply to this message.',
    portal: 'See what we hold about you, change your consent or ask for erasure:',
  },
  de: {
    subject: 'Ihre Einwilligung wurde geändert',
    intro: (at: string) => `Dies ist Ihre Bestätigung einer Änderung Ihrer Einwilligung vom ${at} (UTC).`,
    changed: 'Was sich geändert hat:',
    level: (from: string, to: string) => `- Einwilligungsstufe: von ${from} zu ${to}`,
    join: (l: string) => `- Liste abonniert: ${l}`,
    leave: (l: string) => `- Liste abbestellt: ${l}`,
    other: (what: string) => `- ${what} geändert`,
    notice: 'Der Hinweis, der Ihnen angezeigt wurde:',
    noNotice: 'Zu dieser Änderung wurde kein Hinweistext gespeichert.',
    keep:
      'Bewahren Sie diese Nachricht als Nachweis auf. Falls Sie die Änderung nicht vorgenommen haben, antworten Sie bitte auf diese ' +
      'Nachricht.',
    portal: 'Sehen Sie, was wir über Sie speichern, ändern Sie Ihre Einwilligung oder verlangen Sie die Löschung:',
  },
} as const;

const OTHER: Record<string, Record<Lang, string>> = {
  child_flag: { en: 'Child status', de: 'Status als Kind' },
  birth_date: { en: 'Date of birth', de: 'Geburtsdatum' },
  guardian: { en: 'Guardian', de: 'Erziehungsberechtigte Person' },
  guardian_consent: { en: 'Guardian consent', de: 'Einwilligung der erziehungsberechtigten Person' },
};

export function languageOf(language: string | null): Lang {
  return language?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** `2026-12-05 10:20`: the entry's time as a date and minute, in UTC. */
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** `portalUrl`: the person's privacy portal (src/modules/portal), named after the notice. */
export function receiptMessage(entries: LedgerEntry[], names: ReceiptNames, lang: Lang, portalUrl?: string): ReceiptText {
  const w = WORDS[lang];
  const lines = entries.map((e) => {
    if (e.kind === 'level') return w.level(names.level(e.oldValue), names.level(e.newValue));
    if (e.kind === 'list_join') return w.join(names.list(e.listId));
    if (e.kind === 'list_leave') return w.leave(names.list(e.listId));
    return w.other(OTHER[e.kind]?.[lang] ?? e.kind);
  });
  // One change, one notice as a rule; a change showing several quotes each once.
  const notices = [...new Set(entries.map((e) => e.notice?.text).filter((t): t is string => !!t))];
  return {
    subject: w.subject,
    text: [
      w.intro(when(entries[0]!.at)),
      '',
      w.changed,
      ...lines,
      '',
      ...(notices.length ? [w.notice, '', ...notices.flatMap((n) => [n, ''])] : [w.noNotice, '']),
      ...(portalUrl ? [w.portal, portalUrl, ''] : []),
      w.keep,
    ].join('\n'),
  };
}
