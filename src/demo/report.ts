import type { DemoSummary } from './demo.ts';

const num = (n: number) => n.toLocaleString('en');

/** The database as the person typed it, without a password (a PostgreSQL URL may hold one). */
export function shownUrl(url: string | undefined): string {
  if (!url) return '';
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:…@');
}

/** What `assent demo` prints: what it made, and how to look at it. */
export function report(s: DemoSummary, databaseUrl: string | undefined): string {
  const url = shownUrl(databaseUrl);
  const env = url ? `DATABASE_URL=${url} ` : '';
  const levels = s.byLevel.map((l) => `${l.name} ${num(l.contacts)}`).join(', ');
  const lines = [
    `Demo workspace made in ${s.seconds} s (seed ${s.seed}); every person is made up, every address at example.com or example.org.`,
    '',
    `  contacts       ${num(s.contacts)} by consent level: ${levels}`,
    `                 ${s.children} children with guardians, ${s.childrenWithGuardianConsent} with the guardian's consent; ` +
      `${num(s.consentChanges)} later changes in the preference centre`,
    `  custom fields  ${s.customFields.join(', ')}`,
    `  lists          ${s.lists.map((l) => `${l.name} (${num(l.members)})`).join(', ')}`,
    `  interactions   ${num(s.interactions.events)} events from ${s.interactions.from} to ${s.interactions.to}, ` +
      `${num(s.interactions.stored)} stored per contact (the rest, without profiling consent, counted only)`,
    `  segments       ${s.segments.map((g) => `${g.name} (${num(g.count)})`).join(', ')}`,
    ...s.requests.map(
      (r, i) => `${i ? '                 ' : '  data requests  '}${r.type}, ${r.status}, due ${r.deadline}${r.overdue ? ' (OVERDUE)' : ''}`,
    ),
    '',
    'Look at it in the console:',
    `  ${env}npm start        (or ${env}npx assent start)`,
    '  then open the console URL it prints and log in with the first admin login it prints on its first start.',
    '',
  ];
  return lines.join('\n');
}
