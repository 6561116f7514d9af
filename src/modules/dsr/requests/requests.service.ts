import type { Kysely } from 'kysely';
import type { Database, Db } from '../../database.ts';
import type { Clock } from '../../../lib/clock.ts';
import { emailKey, isValidEmail, normaliseEmail } from '../../../lib/email.ts';
import { writtenForms } from '../../../db/email-match.ts';
import { AppError } from '../../../lib/errors.ts';
import { newId } from '../../../lib/ids.ts';
import { SideEffects } from '../../../jobs/effects.ts';
import type { SecretService, SettingsService } from '../../settings/module.ts';
import type { UsersService } from '../../users/module.ts';
import { addDays, deadlineFor, EXTENDED_TERM_MONTHS, localDate } from './deadline.ts';
import type { RequestsTable } from '../dsr.table.ts';
import {
  holdsAddress,
  isFinal,
  NEEDS_NOTE,
  toEvent,
  toRequest,
  TRANSITIONS,
  type Channel,
  type DataRequest,
  type EventActor,
  type RequestStatus,
  type RequestType,
} from './requests.model.ts';
import * as q from './requests.queries.ts';
import { requestTaskTitle } from './tasks.model.ts';
import { insertTask, updateOpenTasksOfRequest } from './tasks.queries.ts';
import { assertActiveUser } from './tasks.service.ts';
import { contactByEmailKey } from '../../contact-records/module.ts';
import type { EventLog } from '../../events/module.ts';

/** A case is announced as due soon (request.due_soon) this many days before its deadline. */
export const DUE_SOON_DAYS = 7;

export interface OpenInput {
  type: RequestType;
  email: string;
  /** When the request arrived (a letter entered later); defaults to now. */
  receivedAt?: Date;
  /** Staff vouch for the requester's identity; `note` must say how. */
  verified?: boolean;
  note?: string;
}

/** The history's line when the requester asks again for what an open case already asks. */
export const ASKED_AGAIN = 'the same request was made again; it joins this case';

/** A public request: a new case, or the open case of the same type for the address it joined. */
export type Opened =
  | { opened: DataRequest; joined?: undefined }
  | { joined: { id: string; status: string; eventId: string }; opened?: undefined };

export interface OpenContext {
  actor: EventActor;
  channel: Channel;
  ownerId: string | null;
}

export interface RequestPatch {
  status?: RequestStatus;
  ownerId?: string | null;
  note?: string;
}

export interface ListQuery {
  status?: string;
  type?: string;
  ownerId?: string;
  email?: string;
  open?: boolean;
  overdue?: boolean;
  dueWithinDays?: number;
}

type Row = RequestsTable;

function checkNote(text: string | undefined, path: string): void {
  if (text !== undefined && holdsAddress(text))
    throw new AppError('validation_failed', 'notes must not contain email addresses', [{ path, message: 'contains an email address' }]);
}

/**
 * Cases: opening one (with its task), reading, status changes with their appended history,
 * and the one extension. What a case's work does is FulfilService's; links are VerificationService's.
 */
export class RequestsService {
  private readonly effects: SideEffects;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly secret: SecretService,
    private readonly users: UsersService,
    private readonly events: Pick<EventLog, 'publish'>,
  ) {
    this.effects = new SideEffects(db, clock);
  }

  /** Today's date in the installation's time zone, and that zone. */
  async today(): Promise<{ today: string; timeZone: string }> {
    const { timeZone } = await this.settings.get();
    return { today: localDate(this.clock.now(), timeZone), timeZone };
  }

  async open(input: OpenInput, ctx: OpenContext): Promise<DataRequest> {
    const { row, today, nowIso } = await this.prepare(input, ctx);
    await this.db.kysely.transaction().execute((trx) => this.insertCase(trx, row, input, ctx, nowIso));
    return toRequest(row, today);
  }

  /**
   * The public intake's open: a request of the same type for the same address (by keyed hash,
   * so in any spelling) while a case is open joins that case, with a line on its history, instead
   * of opening another. Whether the address belongs to a contact plays no part.
   */
  async openOrJoin(input: OpenInput, ctx: OpenContext): Promise<Opened> {
    const { row, today, nowIso } = await this.prepare(input, ctx);
    return this.db.kysely.transaction().execute(async (trx): Promise<Opened> => {
      await q.holdIntakeTurn(trx, this.db.dialect, row.email_hmac!, row.type);
      const open = await q.openCaseFor(trx, row.email_hmac!, row.type);
      // Conditional on the case still being open: an erasure that closed it meanwhile wins.
      const status = open ? await q.touchOpenRequest(trx, open.id, nowIso) : null;
      if (open && status) {
        const eventId = newId();
        await q.insertEvent(trx, {
          id: eventId,
          request_id: open.id,
          at: nowIso,
          status,
          actor_type: ctx.actor.type,
          actor_id: ctx.actor.id,
          note: ASKED_AGAIN,
        });
        return { joined: { id: open.id, status, eventId } };
      }
      await this.insertCase(trx, row, input, ctx, nowIso);
      return { opened: toRequest(row, today) };
    });
  }

  private async prepare(input: OpenInput, ctx: OpenContext): Promise<{ row: Row; today: string; nowIso: string }> {
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email))
      throw new AppError('validation_failed', 'invalid email address', [{ path: '/email', message: 'not an email address' }]);
    const now = this.clock.now();
    const receivedAt = input.receivedAt ?? now;
    if (receivedAt.getTime() > now.getTime())
      throw new AppError('validation_failed', 'receivedAt is in the future', [
        { path: '/receivedAt', message: 'must not be in the future' },
      ]);
    if (input.verified && !input.note?.trim())
      throw new AppError('validation_failed', 'say how the identity was verified', [
        { path: '/note', message: 'required when verified is true' },
      ]);
    checkNote(input.note, '/note');
    if (ctx.ownerId) await assertActiveUser(this.users, ctx.ownerId, '/ownerId');
    // Read before the transaction: on SQLite the one connection is taken inside it.
    const { today, timeZone } = await this.today();
    const emailHmac = await this.secret.emailHash(email);
    const nowIso = now.toISOString();
    const row: Row = {
      id: newId(now.getTime()),
      type: input.type,
      email,
      email_hmac: emailHmac,
      contact_id: null,
      status: input.verified ? 'verified' : 'received',
      channel: ctx.channel,
      owner_id: ctx.ownerId,
      received_at: receivedAt.toISOString(),
      deadline: deadlineFor(receivedAt, timeZone),
      extended_at: null,
      extension_reason: null,
      verified_at: input.verified ? nowIso : null,
      completed_at: null,
      flagged: 0,
      flag_detail: null,
      created_at: nowIso,
      updated_at: nowIso,
    };
    return { row, today, nowIso };
  }

  private async insertCase(trx: Kysely<Database>, row: Row, input: OpenInput, ctx: OpenContext, nowIso: string): Promise<void> {
    row.contact_id = (await contactByEmailKey(trx, emailKey(row.email!)))?.id ?? null;
    await q.insertRequest(trx, row);
    // A vouching note belongs to the verification; any other note to the receipt.
    const vouch = input.verified ? input.note! : null;
    await this.event(trx, row.id, 'received', ctx.actor, vouch ? null : (input.note ?? null), row.received_at);
    await this.announce(trx, row.id, row.type, 'received');
    if (vouch) await this.event(trx, row.id, 'verified', ctx.actor, vouch, nowIso);
    await insertTask(trx, {
      id: newId(),
      request_id: row.id,
      contact_id: row.contact_id,
      type: row.type,
      title: requestTaskTitle(row.type),
      status: 'open',
      assignee_id: row.owner_id,
      due_date: row.deadline,
      created_at: nowIso,
      updated_at: nowIso,
      completed_at: null,
      receipt_id: null,
      location: null,
      row_id: null,
    });
  }

  async find(id: string): Promise<Row | undefined> {
    return q.requestById(this.db.kysely, id);
  }

  async row(id: string): Promise<Row> {
    const r = await this.find(id);
    if (!r) throw new AppError('not_found', 'no such request');
    return r;
  }

  async get(id: string): Promise<DataRequest> {
    const r = await this.row(id);
    const { today } = await this.today();
    return { ...toRequest(r, today), history: (await q.eventsOf(this.db.kysely, id)).map(toEvent) };
  }

  async list(query: ListQuery, limit: number, after?: string): Promise<DataRequest[]> {
    const { today, filter } = await this.filterOf(query);
    return (await q.listRequests(this.db.kysely, filter, limit, after)).map((r) => toRequest(r, today));
  }

  /** The listing in a chosen order, each case with its sort value (for the cursor). */
  async listSorted(
    query: ListQuery,
    sort: q.RequestSort,
    limit: number,
    after?: { key: string | number; id: string },
  ): Promise<{ row: DataRequest; key: string | number }[]> {
    const { today, filter } = await this.filterOf(query);
    return (await q.listRequestsSorted(this.db.kysely, filter, sort, limit, after)).map((r) => ({
      row: toRequest(r.row, today),
      key: r.key,
    }));
  }

  /** The listing's total with the same filter. */
  async count(query: ListQuery): Promise<{ total: number; isEstimate: boolean }> {
    return q.countRequests(this.db.kysely, (await this.filterOf(query)).filter);
  }

  private async filterOf(query: ListQuery): Promise<{ today: string; filter: q.RequestFilter }> {
    const { today } = await this.today();
    const filter: q.RequestFilter = { today };
    if (query.status !== undefined) filter.status = query.status;
    if (query.type !== undefined) filter.type = query.type;
    if (query.ownerId !== undefined) filter.ownerId = query.ownerId;
    if (query.open !== undefined) filter.open = query.open;
    if (query.overdue !== undefined) filter.overdue = query.overdue;
    if (query.dueWithinDays !== undefined) filter.dueBy = addDays(today, query.dueWithinDays);
    if (query.email !== undefined) {
      // By keyed hash (the key's, or the first contract's for cases made before it), and, for
      // open cases of that time still holding the address, by the address in any case.
      filter.emailHmacs = await this.secret.emailHashes(query.email);
      filter.emails = await writtenForms(this.db.kysely, 'requests', 'email', [emailKey(query.email)]);
    }
    return { today, filter };
  }

  /** Staff changes: owner, a status change the rules allow, or a note on the history. */
  async patch(id: string, patch: RequestPatch, actor: EventActor): Promise<DataRequest> {
    const row = await this.row(id);
    checkNote(patch.note, '/note');
    if (patch.ownerId) await assertActiveUser(this.users, patch.ownerId, '/ownerId');
    const to = patch.status !== undefined && patch.status !== row.status ? patch.status : undefined;
    if (to) {
      if (isFinal(row.status)) throw new AppError('request_closed', `the request is ${row.status}`);
      if (!TRANSITIONS[row.status as RequestStatus].includes(to))
        throw new AppError('invalid_status_change', `a ${row.status} request cannot become ${to}`);
      if (NEEDS_NOTE.includes(to) && !patch.note?.trim())
        throw new AppError('validation_failed', `say why the request becomes ${to}`, [{ path: '/note', message: `required for ${to}` }]);
    }
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      const set: Partial<Row> = { updated_at: now };
      if (patch.ownerId !== undefined) set.owner_id = patch.ownerId;
      if (to) {
        if (!(await q.moveRequest(trx, id, [row.status], { ...set, ...this.statusColumns(to, now) })))
          throw new AppError('invalid_status_change', 'the request changed meanwhile; read it again');
        if (isFinal(to)) await updateOpenTasksOfRequest(trx, id, { status: 'done', completed_at: now, updated_at: now });
        await this.announce(trx, id, row.type, to);
      } else {
        await q.updateRequest(trx, id, set);
      }
      const ownerNote =
        patch.ownerId !== undefined && patch.ownerId !== row.owner_id
          ? patch.ownerId
            ? `owner set to ${patch.ownerId}`
            : 'owner removed'
          : null;
      const note = [patch.note, ownerNote].filter(Boolean).join('; ') || null;
      if (to || note) await this.event(trx, id, to ?? row.status, actor, note, now);
    });
    return this.get(id);
  }

  /** Moves the deadline to three calendar months from receipt, once, with the reason recorded. */
  async extend(id: string, reason: string, actor: EventActor): Promise<DataRequest> {
    checkNote(reason, '/reason');
    const row = await this.row(id);
    if (isFinal(row.status)) throw new AppError('request_closed', `the request is ${row.status}`);
    if (row.extended_at) throw new AppError('already_extended', 'the deadline was already extended once');
    const { timeZone } = await this.today();
    const deadline = deadlineFor(new Date(row.received_at), timeZone, EXTENDED_TERM_MONTHS);
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      if (!(await q.extendRequest(trx, id, { deadline, extended_at: now, extension_reason: reason, updated_at: now })))
        throw new AppError('already_extended', 'the deadline was already extended once');
      await updateOpenTasksOfRequest(trx, id, { due_date: deadline, updated_at: now });
      await this.event(trx, id, row.status, actor, `deadline extended to ${deadline}`, now);
    });
    return this.get(id);
  }

  /**
   * A status change made by the system's own steps (verification, fulfilment): only from one of
   * `from`, in one statement. Returns false when the case was elsewhere.
   */
  async move(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    actor: EventActor,
    note: string | null,
    extra: Partial<Row> = {},
  ): Promise<boolean> {
    const now = this.clock.now().toISOString();
    return this.db.kysely.transaction().execute(async (trx) => {
      if (!(await q.moveRequest(trx, id, from, { ...extra, ...this.statusColumns(to, now), updated_at: now }))) return false;
      if (isFinal(to)) await updateOpenTasksOfRequest(trx, id, { status: 'done', completed_at: now, updated_at: now });
      await this.event(trx, id, to, actor, note, now);
      await this.announce(trx, id, null, to);
      return true;
    });
  }

  /** A line on the history without a status change. */
  async note(id: string, actor: EventActor, note: string): Promise<void> {
    const row = await this.row(id);
    await this.event(this.db.kysely, id, row.status, actor, note, this.clock.now().toISOString());
  }

  /**
   * note(), once under `key` (ids only): the note and the key's record (`skipped`: what the note
   * says was decided against) are one transaction, so work run again adds no second note.
   */
  async noteOnce(id: string, actor: EventActor, note: string, key: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      if (!(await this.effects.once(key, trx, 'skipped'))) return;
      const row = await q.requestById(trx, id);
      if (!row) throw new AppError('not_found', 'no such request');
      await this.event(trx, id, row.status, actor, note, now);
    });
  }

  /**
   * The daily tick's part: each open case whose deadline is within DUE_SOON_DAYS is announced
   * once per deadline (an extended deadline is announced again), in the transaction that records it.
   */
  async announceDueSoon(): Promise<number> {
    let n = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.list({ dueWithinDays: DUE_SOON_DAYS }, 500, after);
      for (const r of page) {
        await this.db.kysely.transaction().execute(async (trx) => {
          if (!(await this.effects.once(`request.due_soon:${r.id}:${r.deadline}`, trx))) return;
          await this.events.publish(trx, {
            type: 'request.due_soon',
            data: { requestId: r.id, requestType: r.type, deadline: r.deadline },
          });
          n++;
        });
      }
      if (page.length < 500) return n;
      after = page[page.length - 1]!.id;
    }
  }

  /**
   * Announces a case received or completed (request.received, request.fulfilled), by its id and
   * type only: the case's address or contact would outlive an erasure in the event.
   */
  private async announce(trx: Kysely<Database>, id: string, type: string | null, status: string): Promise<void> {
    const event = status === 'received' ? 'request.received' : status === 'completed' ? 'request.fulfilled' : null;
    if (!event) return;
    const requestType = type ?? (await q.requestById(trx, id))?.type ?? null;
    await this.events.publish(trx, { type: event, data: { requestId: id, requestType }, fields: ['status'] });
  }

  private statusColumns(to: RequestStatus, now: string): Partial<Row> {
    if (to === 'verified') return { status: to, verified_at: now };
    if (to === 'completed') return { status: to, completed_at: now };
    return { status: to };
  }

  private event(db: Kysely<Database>, requestId: string, status: string, actor: EventActor, note: string | null, at: string) {
    return q.insertEvent(db, { id: newId(), request_id: requestId, at, status, actor_type: actor.type, actor_id: actor.id, note });
  }
}
