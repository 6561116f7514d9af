import type { RequestEventsTable, RequestsTable } from '../dsr.table.ts';
import { daysBetween } from './deadline.ts';

export const REQUEST_TYPES = ['access', 'portability', 'rectification', 'erasure', 'objection'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = ['received', 'awaiting_verification', 'verified', 'in_progress', 'completed', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** `staff`: entered through the API or console; `public`: the self-service intake. */
export type Channel = 'staff' | 'public';

export const FINAL_STATUSES: readonly RequestStatus[] = ['completed', 'rejected'];

/**
 * Where a case may go next. Work (`in_progress`) starts only after verification, so nothing
 * is released, changed or deleted for a requester who has not proven the address is theirs.
 */
export const TRANSITIONS: Record<RequestStatus, readonly RequestStatus[]> = {
  received: ['awaiting_verification', 'verified', 'rejected'],
  awaiting_verification: ['verified', 'rejected'],
  verified: ['in_progress', 'rejected'],
  in_progress: ['completed', 'rejected'],
  completed: [],
  rejected: [],
};

/** Changes that must say why: how identity was checked, why a request is refused. */
export const NEEDS_NOTE: readonly RequestStatus[] = ['verified', 'rejected'];

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** Who changed a case: staff and processes as in the audit log, or the requester through the emailed link. */
export interface EventActor {
  type: 'user' | 'api_key' | 'system' | 'cli' | 'anonymous' | 'requester';
  id: string | null;
}

export interface RequestEvent {
  at: string;
  status: string;
  actorType: string;
  actorId: string | null;
  note: string | null;
}

export interface DataRequest {
  id: string;
  type: string;
  status: string;
  channel: string;
  /** Null once the person's data has been erased: the case then keeps only the keyed hash. */
  email: string | null;
  contactId: string | null;
  ownerId: string | null;
  receivedAt: string;
  deadline: string;
  extendedAt: string | null;
  extensionReason: string | null;
  verifiedAt: string | null;
  completedAt: string | null;
  flagged: boolean;
  flagDetail: string | null;
  overdue: boolean;
  /** Days from today to the deadline (0 on the day, negative once overdue); null once closed. */
  daysLeft: number | null;
  history?: RequestEvent[];
}

/** `today` is the date in the installation's time zone: a case is overdue the day after its deadline. */
export function isOverdue(row: Pick<RequestsTable, 'deadline' | 'status'>, today: string): boolean {
  return !isFinal(row.status) && today > row.deadline;
}

export function toRequest(r: RequestsTable, today: string): DataRequest {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    channel: r.channel,
    email: r.email,
    contactId: r.contact_id,
    ownerId: r.owner_id,
    receivedAt: r.received_at,
    deadline: r.deadline,
    extendedAt: r.extended_at,
    extensionReason: r.extension_reason,
    verifiedAt: r.verified_at,
    completedAt: r.completed_at,
    flagged: r.flagged === 1,
    flagDetail: r.flag_detail,
    overdue: isOverdue(r, today),
    daysLeft: isFinal(r.status) ? null : daysBetween(today, r.deadline),
  };
}

export function toEvent(e: RequestEventsTable): RequestEvent {
  return { at: e.at, status: e.status, actorType: e.actor_type, actorId: e.actor_id, note: e.note };
}

// Notes and reasons are read by staff for years and survive an erasure, so they must not
// carry the person's address; names cannot be caught by a pattern and are left to the writer.
const ADDRESS = /[^\s@]+@[^\s@]+\.[^\s@]+/;
export function holdsAddress(text: string): boolean {
  return ADDRESS.test(text);
}
