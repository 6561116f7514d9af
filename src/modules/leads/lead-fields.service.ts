import { liveColumns } from '../../db/introspect.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { FIELD_NAME, FIELD_TYPES, toField, type CustomField, type FieldType } from '../contacts/module.ts';
import type { Db } from '../database.ts';
import type { TableDecl } from '../datamap/module.ts';
import * as q from './leads.queries.ts';

const MAX_FIELDS = 200;

/**
 * Custom lead fields: each a real, typed column `cf_<name>` on leads, defined, typed and checked
 * as custom contact fields are (their model, imported), so the segment language and scoring
 * compare it in SQL and the data map declares it like any column.
 */
export class LeadFieldsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<CustomField[]> {
    return (await q.allLeadFields(this.db.kysely)).map(toField);
  }

  async define(input: { name: string; label?: string; type: string; personal: boolean }): Promise<CustomField> {
    if (!FIELD_NAME.test(input.name))
      throw new AppError('validation_failed', 'a field name is 1 to 40 lower-case letters, digits or _, starting with a letter', [
        { path: '/name', message: 'invalid name' },
      ]);
    if (!(FIELD_TYPES as readonly string[]).includes(input.type))
      throw new AppError('validation_failed', `type is one of ${FIELD_TYPES.join(', ')}`, [{ path: '/type', message: 'unknown type' }]);
    if (await q.leadFieldByName(this.db.kysely, input.name)) throw new AppError('field_exists', 'a lead field with this name exists');
    if ((await q.allLeadFields(this.db.kysely)).length >= MAX_FIELDS)
      throw new AppError('validation_failed', `at most ${MAX_FIELDS} lead fields`);
    const row = {
      id: newId(),
      name: input.name,
      label: input.label?.trim() || input.name,
      type: input.type,
      personal: input.personal ? 1 : 0,
      column_name: `cf_${input.name}`,
      created_at: this.clock.now().toISOString(),
    };
    await this.refuseTaken(input.name, row.column_name);
    // The column and its declaration appear together or not at all (DDL is transactional on both databases).
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        await q.insertLeadField(trx, row);
        await q.addLeadColumn(trx, this.db.dialect, row.column_name, input.type as FieldType);
      });
    } catch (e) {
      // A concurrent create of the same field, or a column made outside Assent: looked up again, never a 500.
      await this.refuseTaken(input.name, row.column_name);
      throw e;
    }
    return toField(row);
  }

  /** A column of that name on leads that no field declares (made by hand, say) is named, not collided with. */
  private async refuseTaken(name: string, column: string): Promise<void> {
    const exists = (await liveColumns(this.db)).some((c) => c.table === 'leads' && c.column.toLowerCase() === column);
    // Another create of this field got there first: its column is what is taken.
    if (await q.leadFieldByName(this.db.kysely, name)) throw new AppError('field_exists', 'a lead field with this name exists');
    if (exists)
      throw new AppError('name_taken', `leads already has a column "${column}"; choose another name`, [
        { path: '/name', message: `column "${column}" exists on leads` },
      ]);
  }

  /** Removes the field and its column, values and all; the declaration goes with them. */
  async remove(id: string): Promise<void> {
    const f = await q.leadFieldById(this.db.kysely, id);
    if (!f) throw new AppError('not_found', 'no such lead field');
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.deleteLeadField(trx, id);
      await q.dropLeadColumn(trx, f.column_name);
    });
  }

  /** Declarations of the custom columns, merged into the leads table of the data map. */
  async dataMap(): Promise<Omit<TableDecl, 'origin'>[]> {
    const fields = await this.list();
    if (fields.length === 0) return [];
    return [
      {
        name: 'leads',
        description: '',
        subjectLink: { kind: 'contact', column: 'contact_id' },
        purposes: [],
        retention: null,
        columns: fields.map((f) => ({
          name: f.column,
          category: `lead.field.${f.name}`,
          personal: f.personal,
          // The row goes with the person (as every column of leads), so its values go with it, personal or not.
          erase: 'delete-row' as const,
          exported: true,
          description: f.label,
          // Text staff type may name the person even in a field not declared personal.
          ...(f.type === 'text' && !f.personal ? { freeText: true } : {}),
        })),
      },
    ];
  }
}
