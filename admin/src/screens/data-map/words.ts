// The data map's terms in plain words, for a privacy officer reading it.

export const ERASE: Record<string, string> = {
  'delete-row': 'Row deleted',
  null: 'Emptied',
  keep: 'Kept',
  redact: 'Identifiers redacted',
};

const UNITS: Record<string, [string, string]> = {
  Y: ['year', 'years'],
  M: ['month', 'months'],
  W: ['week', 'weeks'],
  D: ['day', 'days'],
  H: ['hour', 'hours'],
  m: ['minute', 'minutes'],
};

/** "P30D" → "30 days", "P1M" → "1 month", "PT12H" → "12 hours"; the ISO text when it does not parse. */
export function duration(iso: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return iso;
  const parts = (['Y', 'M', 'W', 'D', 'H', 'm'] as const)
    .map((u, i) => [Number(m[i + 1] ?? 0), u] as const)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n} ${UNITS[u]![n === 1 ? 0 : 1]}`);
  return parts.length ? parts.join(' ') : iso;
}

export function retention(r: { after: string; from: string } | null): string {
  return r ? `Deleted ${duration(r.after)} after ${r.from.replace(/_/g, ' ')}` : 'Kept until erased or deleted';
}

export function subjectLink(l: { kind: string; column: string } | null): string {
  if (!l) return 'Not about a person';
  if (l.kind === 'self') return 'Each row is a person';
  if (l.kind === 'contact') return `Linked to a contact by ${l.column}`;
  if (l.kind === 'email') return `Linked to a person by the address in ${l.column}`;
  return `${l.kind} (${l.column})`;
}
