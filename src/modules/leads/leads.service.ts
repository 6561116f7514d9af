import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { contactForUpdate } from '../contact-records/module.ts';
import type { CustomField, FieldType } from '../contacts/module.ts';
import type { Database, Db } from '../database.ts';
import { changedFields, type EventLog } from '../events/module.ts';
import type { LeadFieldsService } from './lead-fields.service.ts';
import { leadColumns, toLead, type Lead, type LeadInput } from './leads.model.ts';
import * as q from './leads.queries.ts';

type Problem = { path: string; message: string };

/** A lead field as the segment language's lead scope reads it: the name, its column on leads, its type. */
export interface LeadFieldColumn {
  name: string;
  column: string;
  type: FieldType;
}

/**
 * Leads: sales opportunities about one contact each. Every write checks its contact and owner
 * inside its transaction and publishes its event there (ids only), so an event exists exactly
 * when its change does.
 */
export class LeadsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly leadFields: LeadFieldsService,
    private readonly events: Pick<EventLog, 'publish'>,
  ) {}

  /** The custom lead fields as columns (the scoring module's `lead.<field>` conditions). */
  async fields(): Promise<LeadFieldColumn[]> {
    return (await this.leadFields.list()).map((f) => ({ name: f.name, column: f.column, type: f.type }));
  }

  async create(input: LeadInput & { contactId: string; title: string }): Promise<Lead> {
    // Read before the transaction: on SQLite a read beside an open transaction would wait for it.
    const fields = await this.leadFields.list();
    const { set, problems } = leadColumns({ status: 'open', ...input }, fields);
    return this.db.kysely.transaction().execute(async (trx) => {
      // Locked as an erasure locks it: the lead is erased with the person, or sees the person gone.
      if (!(await contactForUpdate(trx, this.db.dialect, input.contactId)))
        problems.push({ path: '/contactId', message: 'no such ' + 'contact' });
      await this.ownerMustExist(trx, input.ownerId, problems);
      if (problems.length) throw new AppError('validation_failed', 'invalid lead', sortProblems(problems));
      const now = this.clock.now().toISOString();
      const id = newId();
      await q.insertLead(trx, { owner_id: null, value: null, ...set, id, contact_id: input.contactId, created_at: now, updated_at: now });
      await this.events.publish(trx, { type: 'lead.created', contactId: input.contactId, data: { leadId: id } });
      return this.read(trx, id, fields);
    });
  }

  async get(id: string): Promise<Lead> {
    return this.read(this.db.kysely, id, await this.leadFields.list());
  }

  async list(filter: q.LeadFilter, limit: number, after?: string): Promise<Lead[]> {
    const fields = await this.leadFields.list();
    return (await q.listLeads(this.db.kysely, filter, limit, after)).map((r) => toLead(r, fields));
  }

  /** The listing's total, with the same filter. */
  count(filter: q.LeadFilter): Promise<{ total: number; isEstimate: boolean }> {
    return q.countLeads(this.db.kysely, filter);
  }

  /** Changes what the patch names (never the contact); an update that changes nothing announces nothing. */
  async update(id: string, patch: Omit<LeadInput, 'contactId'>): Promise<Lead> {
    if ('contactId' in patch)
      throw new AppError('validation_failed', 'a lead stays with its contact', [{ path: '/contactId', message: 'cannot be changed' }]);
    const fields = await this.leadFields.list();
    const { set, problems } = leadColumns(patch, fields);
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await q.leadById(trx, id);
      if (!before) throw new AppError('lead_not_found', 'no such lead');
      await this.ownerMustExist(trx, patch.ownerId, problems);
      if (problems.length) throw new AppError('validation_failed', 'invalid lead', sortProblems(problems));
      if (Object.keys(set).length) await q.updateLead(trx, id, { ...set, updated_at: this.clock.now().toISOString() });
      const after = await this.read(trx, id, fields);
      const changed = changedFields(toLead(before, fields), after, ['updatedAt']);
      if (changed.length)
        await this.events.publish(trx, { type: 'lead.updated', contactId: after.contactId, data: { leadId: id }, fields: changed });
      return after;
    });
  }

  async remove(id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      const r = await q.leadById(trx, id);
      if (!r) throw new AppError('lead_not_found', 'no such lead');
      await q.deleteLead(trx, id);
      await this.events.publish(trx, { type: 'lead.deleted', contactId: r.contact_id, data: { leadId: id } });
    });
  }

  private async read(db: Kysely<Database>, id: string, fields: readonly CustomField[]): Promise<Lead> {
    const r = await q.leadById(db, id);
    if (!r) throw new AppError('lead_not_found', 'no such lead');
    return toLead(r, fields);
  }

  private async ownerMustExist(trx: Kysely<Database>, ownerId: string | null | undefined, problems: Problem[]): Promise<void> {
    if (typeof ownerId === 'string' && !(await q.userExists(trx, ownerId))) problems.push({ path: '/ownerId', message: 'no such user' });
  }
}

/** Problems in path order, so an answer lists them the same way whatever found them first. */
function sortProblems<T extends { path: string }>(problems: T[]): T[] {
  return [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
