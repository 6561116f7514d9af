import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { emailKey } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type ChangeContext, type ChildChange, type ConsentService, isChild, majorityCutoff } from '../consent/module.ts';
import type { ErasureResult, ErasureService } from '../dsr/erasure/module.ts';
import { type Actor, SYSTEM_ACTOR } from '../audit/module.ts';
import type { SecretService, Settings, SettingsService } from '../settings/module.ts';
import type { SuppressionService } from '../suppression/module.ts';
import { changedFields, type EventLog } from '../events/module.ts';
import * as q from './contacts.queries.ts';
import * as records from '../contact-records/module.ts';
import { profileColumns, toContact, type Contact, type ContactInput } from './contacts.model.ts';
import type { CustomField } from './custom-fields.model.ts';
import type { CustomFieldsService } from './custom-fields.service.ts';

/** A primary key or unique index refused the row (PostgreSQL 23505, SQLite's constraint codes). */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Contacts holding one address since before addresses were compared by key; `id` is the oldest's. */
export interface DuplicateGroup {
  id: string;
  contacts: { id: string; email: string; createdAt: string }[];
}

/** Who changes a contact when the caller names no one: the system itself (CLI, jobs, tests). */
const SYSTEM_CHANGE: ChangeContext = { source: 'system', actor: { type: 'system', id: null } };

/**
 * Contacts: identity and profile. Consent levels and the child state (flag, birth date,
 * guardian link, guardian consent) change only through the consent module, which records
 * them in the ledger; this service validates them with the rest and hands them over.
 */
export class ContactsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly fields: CustomFieldsService,
    private readonly secret: SecretService,
    private readonly erasure: ErasureService,
    private readonly consent: ConsentService,
    private readonly suppressions: Pick<SuppressionService, 'refuse'>,
    private readonly events: Pick<EventLog, 'publish'>,
  ) {}

  /**
   * What reading and writing contacts needs besides the row. Read before any transaction
   * opens: on SQLite there is one connection, and a query outside an open transaction would
   * wait for it forever.
   */
  async context(): Promise<{ fields: CustomField[]; cutoff: string }> {
    // The secret is read here too: with it cached, hashing an address later queries nothing.
    const [fields, settings] = await Promise.all([this.fields.list(), this.settings.get(), this.secret.key()]);
    return this.contextOf(fields, settings);
  }

  /** The same from the custom fields and settings a caller has read already (a form submission reads each once). */
  contextOf(fields: CustomField[], settings: Pick<Settings, 'majorityAge'>): { fields: CustomField[]; cutoff: string } {
    return { fields, cutoff: majorityCutoff(this.clock.now(), settings.majorityAge) };
  }

  /** Turns validated input into column values; collects every problem before failing. */
  async toColumns(
    input: ContactInput,
    ctx: { fields: CustomField[]; cutoff: string },
    trx: Kysely<Database>,
    selfId?: string,
  ): Promise<Record<string, unknown>> {
    const { set, problems } = profileColumns(
      input,
      new Map(ctx.fields.map((f) => [f.name, f])),
      this.clock.now().toISOString().slice(0, 10),
    );
    if (input.guardianId !== undefined) {
      set.guardian_id = input.guardianId;
      if (input.guardianId !== null) {
        const g = await records.contactById(trx, input.guardianId);
        if (!g) problems.push({ path: '/guardianId', message: 'no such contact' });
        else if (g.id === selfId) problems.push({ path: '/guardianId', message: 'a contact cannot be its own guardian' });
        else if (isChild({ isChildFlag: g.is_child === 1, birthDate: g.birth_date }, ctx.cutoff))
          problems.push({ path: '/guardianId', message: 'a guardian must be an adult' });
      }
    }
    if (problems.length) throw new AppError('validation_failed', 'invalid contact', problems);
    return set;
  }

  /**
   * `who` is recorded on the ledger entries of the child state the contact starts with. The
   * contact row and its address's registry row are written together: the registry's primary key
   * (email_key, 0) is what makes an address one contact's, also against a concurrent create.
   */
  async create(input: ContactInput & { email: string }, who: ChangeContext = SYSTEM_CHANGE): Promise<Contact> {
    const ctx = await this.context();
    try {
      return await this.db.kysely.transaction().execute(async (trx) => {
        const set = await this.toColumns(input, ctx, trx);
        const email = set.email as string;
        const key = emailKey(email);
        const child = takeChildState(set);
        if (await records.emailKeyHeld(trx, key)) throw new AppError('contact_exists', 'a contact with this email exists');
        const now = this.clock.now().toISOString();
        const row = { id: newId(), is_child: 0, guardian_consent: 0, consent_level: 0, ...set, created_at: now, updated_at: now };
        await q.insertContact(trx, row);
        await records.insertEmailKey(trx, row.id, key);
        // Asked after the key is taken: an erasure of the address holds its key until it commits,
        // so this statement sees its suppression (see refuseSuppressed).
        await this.refuseSuppressed(trx, email);
        await this.consent.setChildState(trx, row.id, child, who, { created: true });
        await this.events.publish(trx, { type: 'contact.created', contactId: row.id });
        return this.read(trx, row.id, ctx);
      });
    } catch (e) {
      // Another create took the key between the check and the insert.
      if (isUniqueViolation(e)) throw new AppError('contact_exists', 'a contact with this email exists');
      throw e;
    }
  }

  private async read(trx: Kysely<Database>, id: string, ctx: { fields: CustomField[]; cutoff: string }): Promise<Contact> {
    const r = await records.contactById(trx, id);
    if (!r) throw new AppError('not_found', 'no such contact');
    return toContact(r, ctx.fields, ctx.cutoff);
  }

  async get(id: string): Promise<Contact> {
    return this.read(this.db.kysely, id, await this.context());
  }

  async findByEmail(email: string): Promise<Contact | null> {
    const r = await records.contactByEmailKey(this.db.kysely, emailKey(email));
    if (!r) return null;
    const ctx = await this.context();
    return toContact(r, ctx.fields, ctx.cutoff);
  }

  /** `who` is recorded on the ledger entries of child-state changes. */
  async update(id: string, patch: ContactInput, who: ChangeContext = SYSTEM_CHANGE): Promise<Contact> {
    const ctx = await this.context();
    return this.db.kysely.transaction().execute((trx) => this.updateIn(trx, id, patch, who, ctx));
  }

  /**
   * `update` inside the caller's transaction (a journey's run, which holds SQLite's one
   * connection: anything read beside it would wait for it). `ctx` is `context()`, read before
   * the transaction began for the same reason.
   */
  async updateIn(
    trx: Transaction<Database>,
    id: string,
    patch: ContactInput,
    who: ChangeContext,
    ctx: { fields: CustomField[]; cutoff: string },
  ): Promise<Contact> {
    // Locked first, as every writer of a contact's consent takes it (its child state is recorded below).
    const current = await records.contactForUpdate(trx, this.db.dialect, id);
    if (!current) throw new AppError('not_found', 'no such contact');
    const set = await this.toColumns(patch, ctx, trx, id);
    const child = takeChildState(set);
    // Another spelling of the same address only changes how it is written; another address
    // must be free (and not suppressed), and the registry row follows it.
    const key = typeof set.email === 'string' ? emailKey(set.email) : null;
    if (key !== null && key !== emailKey(current.email)) {
      if (await records.emailKeyHeld(trx, key)) throw new AppError('contact_exists', 'a contact with this email exists');
      await records.moveEmailKey(trx, id, key).catch((e: unknown) => {
        throw isUniqueViolation(e) ? new AppError('contact_exists', 'a contact with this email exists') : e;
      });
      await this.refuseSuppressed(trx, set.email as string);
      // PostgreSQL: the registry row left the partition of its old key, where its old bytes stay until rewritten.
      await this.erasure.purges.scheduleMoved(trx, 'contact_emails', emailKey(current.email));
    }
    if (Object.keys(set).length) await q.updateContact(trx, id, { ...set, updated_at: this.clock.now().toISOString() });
    await this.consent.setChildState(trx, id, child, who);
    const after = await this.read(trx, id, ctx);
    // The names of what changed, never the values; an update that changed nothing announces nothing.
    const fields = changedFields(toContact(current, ctx.fields, ctx.cutoff), after, ['updatedAt']);
    if (fields.length) await this.events.publish(trx, { type: 'contact.updated', contactId: id, fields });
    return after;
  }

  /** Domain contacts from rows another module selected (segment members). */
  async fromRows(rows: q.ContactRow[]): Promise<Contact[]> {
    const { fields, cutoff } = await this.context();
    return rows.map((r) => toContact(r, fields, cutoff));
  }

  async list(filter: q.ContactFilter, limit: number, after?: string): Promise<Contact[]> {
    const rows = await q.listContacts(this.db.kysely, keyed(filter), limit, after);
    const { fields, cutoff } = await this.context();
    return rows.map((r) => toContact(r, fields, cutoff));
  }

  /** A page in the order `sort` names (q.listContactsSorted), each contact with its sort value for the cursor. */
  async listSorted(
    filter: q.ContactFilter,
    sort: q.ContactSort,
    limit: number,
    after?: { key: string | number; id: string },
  ): Promise<{ row: Contact; key: string | number }[]> {
    const rows = await q.listContactsSorted(this.db.kysely, keyed(filter), sort, limit, after);
    const { fields, cutoff } = await this.context();
    return rows.map((r) => ({ row: toContact(r.row, fields, cutoff), key: r.key }));
  }

  /** Contacts of a listing's page with the ids of the lists each is on (a page holds at most 501). */
  async withLists<T extends { id: string }>(contacts: T[]): Promise<(T & { lists: string[] })[]> {
    const byContact = new Map<string, string[]>(contacts.map((c) => [c.id, []]));
    for (const r of await q.listIdsOf(this.db.kysely, [...byContact.keys()])) byContact.get(r.contact_id)?.push(r.list_id);
    return contacts.map((c) => ({ ...c, lists: byContact.get(c.id)! }));
  }

  /** The listing's total (exact, or an estimate for a large unfiltered table on PostgreSQL). */
  count(filter: q.ContactFilter): Promise<{ total: number; isEstimate: boolean }> {
    return q.countContacts(this.db.kysely, keyed(filter));
  }

  /**
   * An erased address stays refused while its suppression lasts: creating or renaming a contact
   * to it would silently bring the person back. Reads through `trx`; the key was read by context().
   * Asked once the address's registry row is written: an erasure of the address holds the same
   * key (ErasureService, holdEmailKeys) and suppresses in the same transaction, so the write waits
   * for it and this read, a statement after it, sees the suppression; or the erasure comes after
   * and finds the new contact. Asked before, a concurrent erasure could pass unseen both ways.
   */
  private async refuseSuppressed(trx: Kysely<Database>, email: string): Promise<void> {
    await this.suppressions.refuse(email, trx);
  }

  /**
   * Contacts that share an address, as they were before addresses were compared by key: one
   * group per address, oldest first, for an admin to merge. Nothing is merged here.
   */
  async duplicates(limit: number, after?: string): Promise<DuplicateGroup[]> {
    const groups = new Map<string, DuplicateGroup>();
    for (const r of await records.duplicateRows(this.db.kysely)) {
      const g = groups.get(r.email_key) ?? { id: r.id, contacts: [] };
      g.contacts.push({ id: r.id, email: r.email, createdAt: r.created_at });
      groups.set(r.email_key, g);
    }
    const all = [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return all.filter((g) => after === undefined || g.id > after).slice(0, limit);
  }

  /** How many addresses more than one contact holds, and how many contacts hold them. */
  async duplicateSummary(): Promise<{ addresses: number; contacts: number }> {
    const rows = await records.duplicateRows(this.db.kysely);
    return { addresses: new Set(rows.map((r) => r.email_key)).size, contacts: rows.length };
  }

  /** Deleting a contact is erasing it: one path, driven by the data map (see ErasureService). */
  async delete(id: string, actor: Actor = SYSTEM_ACTOR): Promise<ErasureResult> {
    return this.erasure.erase({ contactIds: [id] }, { actor });
  }
}

/** A listing filter with its addresses as match keys, as the registry holds them. */
function keyed(filter: q.ContactFilter): q.ContactFilter {
  if (filter.email !== undefined) filter = { ...filter, email: emailKey(filter.email) };
  if (filter.emailPrefix !== undefined) filter = { ...filter, emailPrefix: emailKey(filter.emailPrefix) };
  return filter;
}

/** Moves the child-state columns out of validated column values: the consent module writes them. */
function takeChildState(set: Record<string, unknown>): ChildChange {
  const change: ChildChange = {};
  if (set.is_child !== undefined) change.isChild = set.is_child === 1;
  if (set.birth_date !== undefined) change.birthDate = set.birth_date as string | null;
  if (set.guardian_id !== undefined) change.guardianId = set.guardian_id as string | null;
  delete set.is_child;
  delete set.birth_date;
  delete set.guardian_id;
  return change;
}
