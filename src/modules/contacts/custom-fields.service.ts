import type { Db } from '../database.ts';
import { liveColumns } from '../../db/introspect.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { TableDecl } from '../datamap/module.ts';
import { addFieldColumn, allFields, fieldByName, insertField } from './contacts.queries.ts';
import { FIELD_NAME, FIELD_TYPES, toField, type CustomField, type FieldType } from './custom-fields.model.ts';

const MAX_FIELDS = 200;

/**
 * Custom contact fields. Each is a real, typed column on contacts (`cf_<name>`), so segments
 * filter it with an index-friendly comparison and the data map declares it like any column:
 * personal or not, erased with the contact, exported in access requests.
 */
export class CustomFieldsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<CustomField[]> {
    return (await allFields(this.db.kysely)).map(toField);
  }

  async define(input: { name: string; label?: string; type: string; personal: boolean }): Promise<CustomField> {
    if (!FIELD_NAME.test(input.name))
      throw new AppError('validation_failed', 'a field name is 1 to 40 lower-case letters, digits or _, starting with a letter', [
        { path: '/name', message: 'invalid name' },
      ]);
    if (!(FIELD_TYPES as readonly string[]).includes(input.type))
      throw new AppError('validation_failed', `type is one of ${FIELD_TYPES.join(', ')}`, [{ path: '/type', message: 'unknown type' }]);
    if (await fieldByName(this.db.kysely, input.name)) throw new AppError('field_exists', 'a custom field with this name exists');
    if ((await allFields(this.db.kysely)).length >= MAX_FIELDS)
      throw new AppError('validation_failed', `at most ${MAX_FIELDS} custom fields`);
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
        await insertField(trx, row);
        await addFieldColumn(trx, this.db.dialect, row.column_name, input.type as FieldType);
      });
    } catch (e) {
      // A concurrent create of the same field, or a column made outside Assent: looked up again, never a 500.
      await this.refuseTaken(input.name, row.column_name);
      throw e;
    }
    return toField(row);
  }

  /** A column of that name on contacts that no field declares (made by hand, say) is named, not collided with. */
  private async refuseTaken(name: string, column: string): Promise<void> {
    const exists = (await liveColumns(this.db)).some((c) => c.table === 'contacts' && c.column.toLowerCase() === column);
    // Another create of this field got there first: its column is what is taken.
    if (await fieldByName(this.db.kysely, name)) throw new AppError('field_exists', 'a custom field with this name exists');
    if (exists)
      throw new AppError('name_taken', `contacts already has a column "${column}"; choose another name`, [
        { path: '/name', message: `column "${column}" exists on contacts` },
      ]);
  }

  /** Declarations of the custom columns, merged into the contacts table of the data map. */
  async dataMap(): Promise<Omit<TableDecl, 'origin'>[]> {
    const fields = await this.list();
    if (fields.length === 0) return [];
    return [
      {
        name: 'contacts',
        description: '',
        subjectLink: { kind: 'self', column: 'id' },
        purposes: [],
        retention: null,
        columns: fields.map((f) => ({
          name: f.column,
          category: f.personal ? `contact.custom.${f.name}` : `contact.custom_nonpersonal.${f.name}`,
          personal: f.personal,
          erase: 'delete-row' as const,
          exported: true,
          description: f.label,
        })),
      },
    ];
  }
}
