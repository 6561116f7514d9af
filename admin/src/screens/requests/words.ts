import type { paths } from '../../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
/** A case as the API answers it (GET /api/v1/requests/{id}), its history included. */
export type DataRequest = Json<paths['/api/v1/requests/{id}']['get']['responses'][200]>['data'];
/** Fulfilment's answer: the case and, for an access or portability case, the export's link. */
export type Fulfilled = Json<paths['/api/v1/requests/{id}/fulfil']['post']['responses'][200]>['data'];
export type FulfilBody = NonNullable<paths['/api/v1/requests/{id}/fulfil']['post']['requestBody']>['content']['application/json'];
export type RequestType = paths['/api/v1/requests']['post']['requestBody'] extends { content: { 'application/json': infer B } }
  ? B extends { type: infer T }
    ? T
    : never
  : never;
export const REQUEST_TYPES: RequestType[] = ['access', 'portability', 'rectification', 'erasure', 'objection'];

/** Request types in plain words: what the person asked for. */
export const TYPE_LABEL: Record<string, string> = {
  access: 'Access (a copy of their data)',
  portability: 'Portability (data to take away)',
  rectification: 'Rectification (correct their data)',
  erasure: 'Erasure (delete their data)',
  objection: 'Objection (stop processing)',
};
export const TYPE_SHORT: Record<string, string> = {
  access: 'Access',
  portability: 'Portability',
  rectification: 'Rectification',
  erasure: 'Erasure',
  objection: 'Objection',
};

export const STATUS_LABEL: Record<string, string> = {
  received: 'Received',
  awaiting_verification: 'Awaiting identity check',
  verified: 'Identity verified',
  in_progress: 'In progress',
  completed: 'Completed',
  rejected: 'Refused',
};
export const STATUS_COLOR: Record<string, string> = {
  received: 'gray',
  awaiting_verification: 'yellow',
  verified: 'blue',
  in_progress: 'indigo',
  completed: 'green',
  rejected: 'gray',
};

export const typeLabel = (t: string) => TYPE_LABEL[t] ?? t;
export const typeShort = (t: string) => TYPE_SHORT[t] ?? t;
export const statusLabel = (s: string) => STATUS_LABEL[s] ?? s.replace(/_/g, ' ');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The deadline as a countdown: "due in 5 days", "due today", "overdue by 2 days"; null once closed. */
export function countdown(daysLeft: number | null): string | null {
  if (daysLeft === null) return null;
  if (daysLeft === 0) return 'due today';
  if (daysLeft === 1) return 'due tomorrow';
  if (daysLeft > 0) return `due in ${plural(daysLeft, 'day')}`;
  return `overdue by ${plural(-daysLeft, 'day')}`;
}

/** A deadline date (YYYY-MM-DD, the installation's calendar) as the browser writes dates, without shifting the day. */
export function formatDeadline(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}

/** Who made a change on the case's history, in words. */
export function actorLabel(type: string, id: string | null, me: string | undefined): string {
  if (type === 'user') return id && id === me ? 'You' : 'A staff member';
  if (type === 'api_key') return 'A program (API key)';
  if (type === 'cli') return 'The command line';
  if (type === 'requester') return 'The requester';
  if (type === 'anonymous') return 'Someone without a login';
  return 'Assent (automatic)';
}
