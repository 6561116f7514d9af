import { chunks } from '../../lib/chunks.ts';
import type { Db } from '../database.ts';
import { retryConflicts } from '../../db/conflict.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ConsentService, GateAnswer } from '../consent/module.ts';
import type { EventLog } from '../events/module.ts';
import { isDate } from '../contacts/module.ts';
import {
  countEvents,
  EventProblem,
  invalidEvent,
  MAX_BATCH,
  prepareEvent,
  toInteraction,
  type EventInput,
  type Interaction,
  type PreparedEvent,
  type StatRow,
} from './interactions.model.ts';
import * as q from './interactions.queries.ts';
import { refForMatching } from './interactions.ref.ts';
import type { InteractionsTable } from './interactions.table.ts';
import { contactById, contactsByEmailKeys, contactsByIds } from '../contact-records/module.ts';
import { emailKey, isValidEmail } from '../../lib/email.ts';

export interface IngestResult {
  /** Every event of the batch: all of them are counted in the anonymous statistics. */
  accepted: number;
  /** Events stored as rows linked to their contact. */
  stored: number;
  /** Behavioural events of contacts the gate did not allow to be profiled, and events by an unknown address: counted only. */
  unlinked: number;
}

export interface StatsQuery {
  from?: string;
  to?: string;
  type?: string;
  ref?: string;
}

const STATS_DEFAULT_DAYS = 30;
const STATS_MAX_DAYS = 366;
const STATS_MAX_ROWS = 10_000;

const DAY_MS = 86_400_000;

function isForeignKeyViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * Records what contacts did or were sent. Behaviour is linked to a contact only where the
 * consent gate allows profiling at ingest; every event, linked or not, is counted in
 * anonymous daily statistics, so reports survive consent changes and erasure.
 */
export class InteractionsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly consent: ConsentService,
    private readonly events?: EventLog,
  ) {}

  /**
   * Checks the whole batch before writing any of it, then writes it in one transaction.
   * `countOnly`: the events are counted in the statistics and nothing is stored per contact, and
   * the gate is not asked: a person's browser said not to track this visit (`Sec-GPC: 1`, `DNT: 1`).
   */
  async ingest(events: EventInput[], opts: { countOnly?: boolean } = {}): Promise<IngestResult> {
    if (events.length === 0)
      throw new AppError('validation_failed', 'a batch needs at least one event', { path: '/events', message: 'at least one event' });
    if (events.length > MAX_BATCH)
      throw new AppError('validation_failed', `a batch holds at most ${MAX_BATCH} events`, {
        path: '/events',
        message: `at most ${MAX_BATCH} events`,
      });
    const now = this.clock.now().getTime();
    const byEmail = await this.resolveEmails(events);
    const prepared: PreparedEvent[] = [];
    // Events by an address no contact holds: prepared (checked and counted) but never stored.
    const anonymous = new Set<PreparedEvent>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const resolved = e.email !== undefined ? (byEmail.get(emailKey(e.email)) ?? null) : e.contactId!;
      // A placeholder id for an unknown address: the row is never written, only counted.
      const p = prepareEvent({ ...e, contactId: resolved ?? '' }, now);
      if (p instanceof EventProblem) throw invalidEvent(i, p);
      if (resolved === null || opts.countOnly) anonymous.add(p);
      prepared.push(p);
    }

    // One gate question per batch, about the contacts with behaviour, asked before the
    // transaction opens (SQLite has one connection). Unknown ids are missing from its answer;
    // those of operational events are caught by the foreign key instead of a second query.
    const behaving = new Set<string>();
    for (const p of prepared) if (p.behavioural && !anonymous.has(p)) behaving.add(p.row.contact_id);
    const answers = behaving.size
      ? await this.consent.checkMany([...behaving], 'profiling', { caller: 'tracking' })
      : new Map<string, GateAnswer>();
    const rows: InteractionsTable[] = [];
    for (const p of prepared) {
      if (anonymous.has(p)) continue;
      if (!p.behavioural) rows.push({ id: newId(), ...p.row });
      else {
        const answer = answers.get(p.row.contact_id);
        if (!answer) throw (await this.unknownContact(events)) ?? new Error('the gate left out a contact that exists');
        if (answer.allowed) rows.push({ id: newId(), ...p.row });
      }
    }
    const stats = countEvents(prepared);

    // Rows in contact order and counters in key order: the foreign key's checks lock the contacts
    // (KEY SHARE) in the order rows arrive, and the order every other writer locks contacts in
    // is by id, so two writers never wait for each other in a circle. A deadlock victim all the
    // same (an unordered writer elsewhere) runs again.
    rows.sort((a, b) => (a.contact_id < b.contact_id ? -1 : a.contact_id > b.contact_id ? 1 : 0));
    stats.sort((a, b) =>
      a.day !== b.day
        ? a.day < b.day
          ? -1
          : 1
        : a.type !== b.type
          ? a.type < b.type
            ? -1
            : 1
          : a.ref < b.ref
            ? -1
            : a.ref > b.ref
              ? 1
              : 0,
    );
    try {
      await retryConflicts(() =>
        this.db.kysely.transaction().execute(async (trx) => {
          await q.insertInteractions(trx, this.db, rows);
          await q.addStats(trx, this.db.dialect, stats);
          // Durable notice for later modules (lead scoring rescoring the contact's leads): ids and
          // types only, one event per contact, committed with the rows or not at all.
          if (this.events && rows.length) await this.events.publish(trx, recordedEvents(rows));
        }),
      );
    } catch (e) {
      if (isForeignKeyViolation(e)) throw (await this.unknownContact(events)) ?? e;
      throw e;
    }
    return { accepted: events.length, stored: rows.length, unlinked: events.length - rows.length };
  }

  /**
   * The batch's addresses to contacts, by address key in one query (contact-records' face): the
   * contact that registered the key first when duplicates from before keys share it. Each event
   * names its contact one way: `contactId` or `email`, not both.
   */
  private async resolveEmails(events: EventInput[]): Promise<Map<string, string>> {
    const keys = new Set<string>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if ((e.contactId === undefined) === (e.email === undefined))
        throw invalidEvent(i, new EventProblem('/contactId', 'name the contact by contactId or by email, one of them'));
      if (e.email === undefined) continue;
      if (!isValidEmail(e.email.trim())) throw invalidEvent(i, new EventProblem('/email', 'not a valid email address'));
      keys.add(emailKey(e.email));
    }
    const found = new Map<string, string>();
    for (const part of chunks([...keys], 1000))
      for (const c of await contactsByEmailKeys(this.db.kysely, part)) {
        const key = emailKey(c.email);
        if (!found.has(key)) found.set(key, c.id);
      }
    return found;
  }

  /**
   * The refusal naming the first event whose contact does not exist. Also reached when a
   * contact was erased between the gate question and the write.
   */
  private async unknownContact(events: EventInput[]): Promise<AppError | null> {
    // Events by email were resolved to contacts that exist (or counted anonymously): only ids can be unknown.
    const ids = [...new Set(events.flatMap((e) => (e.contactId !== undefined ? [e.contactId] : [])))];
    const known = new Set<string>();
    for (const part of chunks(ids, 1000)) for (const c of await contactsByIds(this.db.kysely, part)) known.add(c.id);
    const index = events.findIndex((e) => e.contactId !== undefined && !known.has(e.contactId));
    return index < 0 ? null : invalidEvent(index, new EventProblem('/contactId', 'no such contact'));
  }

  /** The total of listForContact's listing. */
  countForContact(contactId: string, filter: { type?: string }): Promise<number> {
    return q.countContactInteractions(this.db.kysely, contactId, filter);
  }

  /** A contact's interactions, newest first; `afterId` is the last one of the previous page. */
  async listForContact(contactId: string, filter: { type?: string }, limit: number, afterId?: string): Promise<Interaction[]> {
    if (!(await contactById(this.db.kysely, contactId))) throw new AppError('not_found', 'no such contact');
    let after: { at: string; id: string } | undefined;
    if (afterId !== undefined) {
      const last = await q.interactionById(this.db.kysely, afterId);
      if (!last || last.contact_id !== contactId) throw new AppError('invalid_cursor', 'the cursor does not belong to this listing');
      after = { at: last.at, id: last.id };
    }
    return (await q.contactInteractions(this.db.kysely, contactId, filter, limit, after)).map(toInteraction);
  }

  /** Daily counts between two days (inclusive; the last 30 days by default). */
  async stats(query: StatsQuery): Promise<{ data: StatRow[]; truncated: boolean }> {
    const to = query.to ?? this.clock.now().toISOString().slice(0, 10);
    if (!isDate(to)) throw new AppError('validation_failed', 'to is not a date', [{ path: '/to', message: 'a date YYYY-MM-DD' }]);
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - (STATS_DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    if (!isDate(from)) throw new AppError('validation_failed', 'from is not a date', [{ path: '/from', message: 'a date YYYY-MM-DD' }]);
    if (from > to) throw new AppError('validation_failed', 'from is after to', [{ path: '/from', message: 'after to' }]);
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
    if (days > STATS_MAX_DAYS)
      throw new AppError('validation_failed', `at most ${STATS_MAX_DAYS} days at once`, [
        { path: '/from', message: `at most ${STATS_MAX_DAYS} days before to` },
      ]);
    const filter = {
      ...(query.type !== undefined ? { type: query.type } : {}),
      ...(query.ref !== undefined ? { ref: refForMatching(query.ref) } : {}),
    };
    const rows = await q.statsBetween(this.db.kysely, from, to, filter, STATS_MAX_ROWS + 1);
    return {
      data: rows.slice(0, STATS_MAX_ROWS).map((r) => ({ day: r.day, type: r.type, ref: r.ref, count: Number(r.count) })),
      truncated: rows.length > STATS_MAX_ROWS,
    };
  }
}

/** `interaction.recorded`: per contact of a stored batch, the types recorded and how many. */
export function recordedEvents(rows: readonly InteractionsTable[]) {
  const byContact = new Map<string, { types: Set<string>; n: number }>();
  for (const r of rows) {
    const e = byContact.get(r.contact_id) ?? { types: new Set<string>(), n: 0 };
    e.types.add(r.type);
    e.n++;
    byContact.set(r.contact_id, e);
  }
  return [...byContact].map(([contactId, e]) => ({
    type: INTERACTION_RECORDED,
    contactId,
    data: { types: [...e.types].sort().join(','), count: e.n },
  }));
}

export const INTERACTION_RECORDED = 'interaction.recorded';
