import type { Kysely, Transaction } from 'kysely';
import { inList } from '../../db/in-list.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { chunks } from '../../lib/chunks.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { Database, Db } from '../database.ts';
import type { EventsTable } from './events.table.ts';

/** What a service publishes: the type, the contact it is about, ids and counts, the names of changed fields. Never a value. */
export interface EventDraft {
  type: string;
  contactId?: string | null;
  /** Ids, kinds and counts (`requestId`, `requestType`, `created`); strings, numbers or booleans only. */
  data?: Readonly<Record<string, string | number | boolean | null>>;
  /** Names of the fields that changed. */
  fields?: readonly string[];
}

export interface StoredEvent {
  id: string;
  type: string;
  contactId: string | null;
  data: Record<string, string | number | boolean | null>;
  fields: string[] | null;
  createdAt: string;
}

/** Reads new events after their transaction committed (the webhooks' fan-out); must be idempotent: a dispatch can run twice. */
export type EventConsumer = (events: StoredEvent[]) => Promise<void>;

export const DISPATCH_QUEUE = 'events.dispatch';
// One dispatch job per this many events of one publication (an import's consent changes).
const DISPATCH_CHUNK = 1000;
// Rows per insert statement: 6 columns each, well under SQLite's 32,766 variables.
const INSERT_CHUNK = 1000;

/**
 * The event log. A service publishes inside the transaction that makes the change, so an event
 * exists exactly when its change committed; the same transaction enqueues the job that hands the
 * new events to the consumers (webhooks) once they are visible. Consumers register when their
 * module is created, so every process built from the same list of modules has the same ones.
 */
export class EventLog {
  private readonly consumers = new Map<string, EventConsumer>();
  private readonly known: ReadonlySet<string>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    types: readonly string[],
  ) {
    this.known = new Set(types);
  }

  /** Every event type the modules declare, in list order. */
  types(): string[] {
    return [...this.known];
  }

  /**
   * Records the events in `trx`, with the job that dispatches them. A type no manifest declares
   * is a programming error, refused (a webhook could never subscribe to it).
   */
  async publish(trx: Kysely<Database>, drafts: EventDraft | readonly EventDraft[]): Promise<string[]> {
    const list = Array.isArray(drafts) ? (drafts as readonly EventDraft[]) : [drafts as EventDraft];
    if (list.length === 0) return [];
    for (const d of list) if (!this.known.has(d.type)) throw new Error(`event type ${d.type} is declared by no module`);
    const now = this.clock.now();
    const at = now.toISOString();
    const rows: EventsTable[] = list.map((d) => ({
      id: newId(),
      type: d.type,
      contact_id: d.contactId ?? null,
      data: JSON.stringify(d.data ?? {}),
      fields: d.fields ? JSON.stringify([...new Set(d.fields)].sort()) : null,
      created_at: at,
    }));
    for (const part of chunks(rows, INSERT_CHUNK)) await trx.insertInto('events').values(part).execute();
    const ids = rows.map((r) => r.id);
    for (const part of chunks(ids, DISPATCH_CHUNK))
      await this.jobs.enqueue(DISPATCH_QUEUE, { ids: part }, { trx: trx as Transaction<Database>, key: `${DISPATCH_QUEUE}:${part[0]}` });
    return ids;
  }

  /** Registers a consumer of new events under a name (one per name). */
  consume(name: string, consumer: EventConsumer): void {
    if (this.consumers.has(name)) throw new Error(`event consumer ${name} is registered twice`);
    this.consumers.set(name, consumer);
  }

  /** The dispatch job: hands the events still stored (an erasure may have removed some) to every consumer. */
  async dispatch(payload: unknown): Promise<void> {
    const ids = (payload as { ids?: unknown })?.ids;
    if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) throw new Error('events.dispatch: payload names no event ids');
    const events = await this.byIds(ids as string[]);
    if (events.length === 0) return;
    for (const consume of this.consumers.values()) await consume(events);
  }

  async get(id: string): Promise<StoredEvent | null> {
    return (await this.byIds([id]))[0] ?? null;
  }

  async byIds(ids: readonly string[]): Promise<StoredEvent[]> {
    const rows = await this.db.kysely
      .selectFrom('events')
      .selectAll()
      .where((eb) => inList(this.db.dialect, eb.ref('id'), ids))
      .orderBy('id')
      .execute();
    return rows.map(toEvent);
  }
}

function toEvent(r: EventsTable): StoredEvent {
  return {
    id: r.id,
    type: r.type,
    contactId: r.contact_id,
    data: JSON.parse(r.data) as StoredEvent['data'],
    fields: r.fields === null ? null : (JSON.parse(r.fields) as string[]),
    createdAt: r.created_at,
  };
}

/**
 * The names of the top-level fields whose values differ between two views of a record (a
 * contact before and after an update), nested objects by their own keys as `parent.key`
 * (custom fields). `ignore` names bookkeeping fields (`updatedAt`).
 */
export function changedFields<T extends object>(before: T, after: T, ignore: readonly (keyof T & string)[] = []): string[] {
  const out: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const x = before as Record<string, unknown>;
  const y = after as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if ((ignore as readonly string[]).includes(k)) continue;
    const a = x[k];
    const b = y[k];
    if (isObj(a) && isObj(b)) {
      for (const sub of new Set([...Object.keys(a), ...Object.keys(b)]))
        if (JSON.stringify(a[sub]) !== JSON.stringify(b[sub])) out.push(`${k}.${sub}`);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(k);
  }
  return out.sort();
}
