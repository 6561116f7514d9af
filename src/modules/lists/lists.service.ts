import { tableTotal } from '../../db/estimate.ts';
import type { Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ChangeContext, LedgerEntry, LedgerService } from '../consent/module.ts';
import * as q from './lists.queries.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import { chunks } from '../../lib/chunks.ts';
import { contactForUpdate, contactsByIds, lockContacts } from '../contact-records/module.ts';

export interface List {
  id: string;
  name: string;
  description: string | null;
  members: number;
  createdAt: string;
}

/** What a change of many contacts' membership did: `changed` names the contacts whose membership it changed. */
export interface MembershipsChange {
  changed: string[];
  /** Already on the list (a join) or not on it (a leave): nothing recorded, as for one contact. */
  unchanged: number;
  /** Ids that name no contact (never one, or erased). */
  missing: number;
}

// Rows per insert: three parameters each, well under either database's limit.
const INSERT_CHUNK = 1000;

export interface Membership {
  listId: string;
  name: string;
  joinedAt: string;
}

/** Subscription lists. Joining and leaving are consent changes: each is a ledger entry. */
export class ListsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  async create(input: { name: string; description?: string | null }): Promise<List> {
    const name = input.name.trim();
    if (!name) throw new AppError('validation_failed', 'a list needs a name', [{ path: '/name', message: 'empty' }]);
    if (await q.listByName(this.db.kysely, name)) throw new AppError('list_exists', 'a list with this name exists');
    const row = { id: newId(), name, description: input.description ?? null, created_at: this.clock.now().toISOString() };
    await q.insertList(this.db.kysely, row);
    return { id: row.id, name, description: row.description, members: 0, createdAt: row.created_at };
  }

  /** The list's row (without its member count); not_found when it does not exist. */
  async get(id: string): Promise<Omit<List, 'members'>> {
    const r = await q.listById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such list');
    return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at };
  }

  /** The list with its member count; not_found when it does not exist. */
  async one(id: string): Promise<List> {
    const r = await q.listWithCount(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such list');
    return { id: r.id, name: r.name, description: r.description, members: Number(r.members ?? 0), createdAt: r.created_at };
  }

  /**
   * Renames a list or changes its description. Memberships and the ledger name the list by id, so
   * a new name changes nothing recorded; the name stays unique (`list_exists`).
   */
  async update(id: string, patch: { name?: string; description?: string | null }): Promise<List> {
    await this.get(id);
    const change: { name?: string; description?: string | null } = {};
    if (patch.name !== undefined) {
      const name = patch.name.trim();
      if (!name) throw new AppError('validation_failed', 'a list needs a name', [{ path: '/name', message: 'empty' }]);
      const other = await q.listByName(this.db.kysely, name);
      if (other && other.id !== id) throw new AppError('list_exists', 'a list with this name exists');
      change.name = name;
    }
    if (patch.description !== undefined) change.description = patch.description;
    if (Object.keys(change).length) await q.updateList(this.db.kysely, id, change);
    return this.one(id);
  }

  /** The list listing's total (src/db/estimate.ts). */
  total(): Promise<{ total: number; isEstimate: boolean }> {
    return tableTotal(this.db.kysely, 'lists');
  }

  async list(limit: number, after?: string): Promise<List[]> {
    const rows = await q.allLists(this.db.kysely, limit, after);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      members: Number(r.members ?? 0),
      createdAt: r.created_at,
    }));
  }

  async memberships(contactId: string): Promise<Membership[]> {
    return (await q.contactLists(this.db.kysely, contactId)).map((r) => ({ listId: r.id, name: r.name, joinedAt: r.joined_at }));
  }

  /** The names of the lists each contact is on (a contact on none is absent), in name order. */
  async namesOf(contactIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of chunks(contactIds, INSERT_CHUNK * 10)) {
      for (const r of await q.listNamesOf(this.db.kysely, part)) {
        const names = out.get(r.contact_id) ?? [];
        names.push(r.name);
        out.set(r.contact_id, names);
      }
    }
    return out;
  }

  /** Joins a list; joining twice changes nothing and records nothing. */
  async join(contactId: string, listId: string, ctx: ChangeContext): Promise<{ changed: boolean; entry: LedgerEntry | null }> {
    return this.db.kysely.transaction().execute(async (t) => {
      await this.mustExist(t, contactId, listId);
      if (await q.membership(t, contactId, listId)) return { changed: false, entry: null };
      await q.addMember(t, contactId, listId, this.clock.now().toISOString());
      const rows = await this.ledger.append(t, [{ contactId, kind: 'list_join', listId, oldValue: 0, newValue: 1, ctx }]);
      return { changed: true, entry: (await this.ledger.toEntries(rows, t))[0]! };
    });
  }

  async leave(contactId: string, listId: string, ctx: ChangeContext): Promise<{ changed: boolean; entry: LedgerEntry | null }> {
    return this.db.kysely.transaction().execute(async (t) => {
      await this.mustExist(t, contactId, listId);
      if (!(await q.membership(t, contactId, listId))) return { changed: false, entry: null };
      await q.removeMember(t, contactId, listId);
      const rows = await this.ledger.append(t, [{ contactId, kind: 'list_leave', listId, oldValue: 1, newValue: 0, ctx }]);
      return { changed: true, entry: (await this.ledger.toEntries(rows, t))[0]! };
    });
  }

  /**
   * Joins many contacts to a list inside the caller's transaction, with the semantics of `join`
   * for each: a contact on the list already changes nothing and records nothing; each one that
   * joins gets its ledger entry (all appended under one head lock). Contacts are locked first, in
   * id order, as every ledger writer takes them.
   */
  async joinMany(trx: Kysely<Database>, listId: string, contactIds: string[], ctx: ChangeContext): Promise<MembershipsChange> {
    const { present, missing } = await this.lockedAmong(trx, listId, contactIds);
    const on = new Set((await q.membersAmong(trx, listId, present)).map((r) => r.contact_id));
    const joining = present.filter((id) => !on.has(id));
    const at = this.clock.now().toISOString();
    for (const part of chunks(joining, INSERT_CHUNK)) await q.addMembers(trx, listId, part, at);
    await this.ledger.append(
      trx,
      joining.map((contactId) => ({ contactId, kind: 'list_join' as const, listId, oldValue: 0, newValue: 1, ctx })),
    );
    return { changed: joining, unchanged: present.length - joining.length, missing };
  }

  /** Takes many contacts off a list inside the caller's transaction, with the semantics of `leave` for each (see joinMany). */
  async leaveMany(trx: Kysely<Database>, listId: string, contactIds: string[], ctx: ChangeContext): Promise<MembershipsChange> {
    const { present, missing } = await this.lockedAmong(trx, listId, contactIds);
    const on = new Set((await q.membersAmong(trx, listId, present)).map((r) => r.contact_id));
    const leaving = present.filter((id) => on.has(id));
    for (const part of chunks(leaving, INSERT_CHUNK)) await q.removeMembers(trx, listId, part);
    await this.ledger.append(
      trx,
      leaving.map((contactId) => ({ contactId, kind: 'list_leave' as const, listId, oldValue: 1, newValue: 0, ctx })),
    );
    return { changed: leaving, unchanged: present.length - leaving.length, missing };
  }

  /** The list must exist; the contacts are locked (id order) and those that exist returned in id order. */
  private async lockedAmong(trx: Kysely<Database>, listId: string, contactIds: string[]): Promise<{ present: string[]; missing: number }> {
    if (!(await q.listById(trx, listId))) throw new AppError('not_found', 'no such list');
    const ids = [...new Set(contactIds)].sort();
    await lockContacts(trx, this.db.dialect, ids);
    const found = new Set((await contactsByIds(trx, ids)).map((r) => r.id));
    const present = ids.filter((id) => found.has(id));
    return { present, missing: ids.length - present.length };
  }

  /**
   * The contact row locked first (before the membership and the ledger head, the order every
   * ledger writer takes): a concurrent join or leave waits and then sees this one's membership,
   * so each entry's old value is the membership it replaced; a contact erased meanwhile is gone.
   */
  private async mustExist(t: Parameters<typeof contactForUpdate>[0], contactId: string, listId: string): Promise<void> {
    if (!(await contactForUpdate(t, this.db.dialect, contactId))) throw new AppError('not_found', 'no such contact');
    if (!(await q.listById(t, listId))) throw new AppError('not_found', 'no such list');
  }
}
