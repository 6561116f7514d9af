import type { Kysely } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import { namesInUse } from '../../db/introspect.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { FieldType } from '../contacts/module.ts';
import type { TableDecl } from '../datamap/module.ts';
import {
  checkDefinition,
  columnOf,
  declaration,
  MAX_ENTITIES,
  schemaNames,
  tableOf,
  toColumns,
  toEntity,
  toRecord,
  type Entity,
  type EntityInput,
  type EntityRecord,
} from './entities.model.ts';
import * as q from './entities.queries.ts';
import { contactById } from '../contact-records/module.ts';

export interface RecordInput {
  contactId?: string | null;
  fields?: Record<string, unknown>;
}

/**
 * Custom entities: installation-defined record types, each a real table `entity_<name>` with
 * typed columns `f_<field>`, declared in `custom_entities`. The data map reads those
 * declarations, so export, erasure, retention and the schema check cover entities with no
 * code of their own.
 */
export class EntitiesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<Entity[]> {
    const [rows, fields] = await Promise.all([q.allEntities(this.db.kysely), q.allEntityFields(this.db.kysely)]);
    return rows.map((r) =>
      toEntity(
        r,
        fields.filter((f) => f.entity_id === r.id),
      ),
    );
  }

  async get(name: string, trx: Kysely<Database> = this.db.kysely): Promise<Entity> {
    const r = await q.entityByName(trx, name);
    if (!r) throw new AppError('not_found', 'no such entity');
    return toEntity(r, await q.fieldsOf(trx, r.id));
  }

  async define(input: EntityInput): Promise<Entity> {
    const problems = checkDefinition(input);
    if (problems.length) throw new AppError('validation_failed', 'invalid entity definition', problems);
    if (await q.entityByName(this.db.kysely, input.name)) throw new AppError('entity_exists', 'an entity with this name exists');
    if ((await q.countEntities(this.db.kysely)) >= MAX_ENTITIES)
      throw new AppError('validation_failed', `at most ${MAX_ENTITIES} entities`);
    const row = {
      id: newId(),
      name: input.name,
      label: input.label?.trim() || input.name,
      table_name: tableOf(input.name),
      linked: input.linked ? 1 : 0,
      erase: input.erase,
      retention: input.retention ?? null,
      created_at: this.clock.now().toISOString(),
    };
    const fields = input.fields.map((f) => ({
      id: newId(),
      entity_id: row.id,
      name: f.name,
      type: f.type,
      personal: f.personal ? 1 : 0,
      column_name: columnOf(f.name),
    }));
    const names = schemaNames(input);
    await this.refuseTaken(input.name, names);
    // The table and its declaration appear together or not at all (DDL is transactional on both databases).
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        await q.insertEntity(trx, row, fields);
        await q.createEntityTable(trx, this.db.dialect, {
          table: row.table_name,
          linked: input.linked,
          retention: row.retention !== null,
          fields: fields.map((f) => ({ column: f.column_name, type: f.type as FieldType })),
        });
      });
    } catch (e) {
      // Another create got there between the checks and the DDL (two requests at once, or a
      // table made outside Assent): said as what it is, found by looking again, never a 500.
      await this.refuseTaken(input.name, names);
      throw e;
    }
    return toEntity(row, fields);
  }

  /** `entity_exists` when another create of this name got there first (its table is what is taken), else `name_taken` naming what is. */
  private async refuseTaken(name: string, names: string[]): Promise<void> {
    const taken = await namesInUse(this.db, names);
    // Read after the catalogue: a create of this name that committed meanwhile is what took them.
    if (await q.entityByName(this.db.kysely, name)) throw new AppError('entity_exists', 'an entity with this name exists');
    if (taken.length === 0) return;
    throw new AppError(
      'name_taken',
      `the database already has ${taken.map((n) => `"${n}"`).join(', ')}; choose another name`,
      taken.map((n) => ({ path: '/name', message: `"${n}" exists in the database` })),
    );
  }

  /** The declarations of every entity table, for the data map. */
  async dataMap(): Promise<Omit<TableDecl, 'origin'>[]> {
    return (await this.list()).map((e) => declaration(e));
  }

  async createRecord(name: string, input: RecordInput): Promise<EntityRecord> {
    const e = await this.get(name);
    const { set, problems } = toColumns(e, input.fields ?? {});
    this.checkLink(e, input, problems);
    if (problems.length) throw new AppError('validation_failed', 'invalid record', problems);
    const now = this.clock.now().toISOString();
    const row: Record<string, unknown> = { id: newId(), ...set, created_at: now, updated_at: now };
    if (e.linked) row.contact_id = input.contactId ?? null;
    await this.db.kysely.transaction().execute(async (trx) => {
      await this.contactMustExist(trx, input.contactId);
      await q.insertRecord(trx, e.table, row);
    });
    return toRecord(e, row);
  }

  async getRecord(name: string, id: string): Promise<EntityRecord> {
    const e = await this.get(name);
    const r = await q.recordById(this.db.kysely, e.table, id);
    if (!r) throw new AppError('not_found', 'no such record');
    return toRecord(e, r);
  }

  /** The record listing's total, with the same filter. */
  async countRecords(name: string, filter: { contactId?: string }): Promise<{ total: number; isEstimate: boolean }> {
    const e = await this.get(name);
    return q.countRecords(this.db.kysely, e.table, e.linked ? filter : {});
  }

  async listRecords(name: string, filter: { contactId?: string }, limit: number, after?: string): Promise<EntityRecord[]> {
    const e = await this.get(name);
    if (filter.contactId !== undefined && !e.linked)
      throw new AppError('validation_failed', 'this entity is not linked to contacts', [
        { path: '/contact', message: 'not a linked entity' },
      ]);
    return (await q.listRecords(this.db.kysely, e.table, filter, limit, after)).map((r) => toRecord(e, r));
  }

  async updateRecord(name: string, id: string, patch: RecordInput): Promise<EntityRecord> {
    const e = await this.get(name);
    const { set, problems } = toColumns(e, patch.fields ?? {});
    this.checkLink(e, patch, problems);
    if (problems.length) throw new AppError('validation_failed', 'invalid record', problems);
    if (patch.contactId !== undefined && e.linked) set.contact_id = patch.contactId;
    return this.db.kysely.transaction().execute(async (trx) => {
      if (!(await q.recordById(trx, e.table, id))) throw new AppError('not_found', 'no such record');
      await this.contactMustExist(trx, patch.contactId);
      await q.updateRecord(trx, e.table, id, { ...set, updated_at: this.clock.now().toISOString() });
      return toRecord(e, (await q.recordById(trx, e.table, id))!);
    });
  }

  async deleteRecord(name: string, id: string): Promise<void> {
    const e = await this.get(name);
    const r = await q.deleteRecord(this.db.kysely, e.table, id);
    if (Number(r.numDeletedRows) === 0) throw new AppError('not_found', 'no such record');
  }

  private checkLink(e: Entity, input: RecordInput, problems: { path: string; message: string }[]): void {
    if (!e.linked && input.contactId !== undefined && input.contactId !== null)
      problems.push({ path: '/contactId', message: 'this entity is not linked to contacts' });
  }

  // Checked inside the writing transaction, as list joins are: no foreign key ties entity rows to contacts.
  private async contactMustExist(trx: Kysely<Database>, contactId: string | null | undefined): Promise<void> {
    if (contactId && !(await contactById(trx, contactId)))
      throw new AppError('validation_failed', 'invalid record', [{ path: '/contactId', message: 'no such contact' }]);
  }
}
