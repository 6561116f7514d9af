import { tableTotal } from '../../db/estimate.ts';
import type { Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ChangeContext, LedgerEntry, LedgerService } from '../consent/module.ts';
import * as q from './lists.queries.ts';
import { contactForUpdate } from '../contact-records/module.ts';

export interface List {
  id: string;
  name: string;
  description: string | null;
  members: number;
  createdAt: string;
}

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
   * The contact row locked first (before the membership and the ledger head, the order every
   * ledger writer takes): a concurrent join or leave waits and then sees this one's membership,
   * so each entry's old value is the membership it replaced; a contact erased meanwhile is gone.
   */
  private async mustExist(t: Parameters<typeof contactForUpdate>[0], contactId: string, listId: string): Promise<void> {
    if (!(await contactForUpdate(t, this.db.dialect, contactId))) throw new AppError('not_found', 'no such contact');
    if (!(await q.listById(t, listId))) throw new AppError('not_found', 'no such list');
  }
}
