import { FIELD_NAME, FIELD_TYPES, readValue, storeValue, type CustomField, type FieldType, type FieldValue } from '../contacts/module.ts';
import { validateDataMap, type ColumnDecl, type EraseAction, type TableDecl } from '../datamap/module.ts';
import type { CustomEntitiesTable, CustomEntityFieldsTable } from './entities.table.ts';

/**
 * A new entity's name: no `__`, which separates an entity's table (`entity_<name>`) from the
 * names derived from it (`entity_<name>__pkey`, `…__contact_idx`, `…__created_idx`). A table
 * name then never contains `__` and a derived name always does, and the suffixes differ in their
 * last characters, so no entity's names can meet another's (`orders` and `orders_contact_idx`
 * both work). Lookups accept the older pattern: entities made before this rule keep their names.
 */
export const ENTITY_NAME_SOURCE = '^[a-z](?:[a-z0-9]|_(?!_)){0,39}$';
const ENTITY_NAME = new RegExp(ENTITY_NAME_SOURCE);
const ERASE_KINDS = ['delete', 'anonymise'] as const;
export type EraseKind = (typeof ERASE_KINDS)[number];
export const MAX_FIELDS = 50;
export const MAX_ENTITIES = 100;

export interface EntityField {
  name: string;
  type: FieldType;
  personal: boolean;
  column: string;
}

export interface Entity {
  id: string;
  name: string;
  label: string;
  table: string;
  linked: boolean;
  erase: EraseKind;
  retention: string | null;
  fields: EntityField[];
  createdAt: string;
}

export interface EntityInput {
  name: string;
  label?: string;
  linked: boolean;
  erase: string;
  retention?: string | null;
  fields: { name: string; type: string; personal: boolean }[];
}

export interface EntityRecord {
  id: string;
  contactId: string | null;
  fields: Record<string, FieldValue>;
  createdAt: string;
  updatedAt: string;
}

type Problem = { path: string; message: string };

export function toEntity(r: CustomEntitiesTable, fields: CustomEntityFieldsTable[]): Entity {
  return {
    id: r.id,
    name: r.name,
    label: r.label,
    table: r.table_name,
    linked: r.linked === 1,
    erase: r.erase as EraseKind,
    retention: r.retention,
    fields: fields.map((f) => ({ name: f.name, type: f.type as FieldType, personal: f.personal === 1, column: f.column_name })),
    createdAt: r.created_at,
  };
}

export const tableOf = (name: string) => `entity_${name}`;
export type Derived = 'pkey' | 'id_idx' | 'contact_idx' | 'created_idx';
export const derivedName = (table: string, what: Derived) => `${table}__${what}`;

/** Every name the entity's DDL will create: checked against the live catalogue before it runs. */
export function schemaNames(e: { name: string; linked: boolean; retention?: string | null }): string[] {
  const table = tableOf(e.name);
  return [
    table,
    derivedName(table, 'pkey'),
    ...(e.linked ? [derivedName(table, 'id_idx'), derivedName(table, 'contact_idx')] : []),
    ...(e.retention ? [derivedName(table, 'created_idx')] : []),
  ];
}
export const columnOf = (field: string) => `f_${field}`;

/**
 * The entity's table as the data map declares it. Erasure reads it, so `erase` decides here:
 * `delete` removes the person's rows; `anonymise` keeps them, nulls their personal fields and
 * clears the link. Unlinked entities reach no person, so nothing of theirs is erased or exported.
 */
export function declaration(e: Omit<Entity, 'id' | 'createdAt'>): Omit<TableDecl, 'origin'> {
  const linked = e.linked;
  const row: EraseAction = !linked ? 'keep' : e.erase === 'delete' ? 'delete-row' : 'keep';
  const personalErase: EraseAction = !linked ? 'keep' : e.erase === 'delete' ? 'delete-row' : 'null';
  const col = (name: string, category: string, personal: boolean, erase: EraseAction, description?: string): ColumnDecl => ({
    name,
    category,
    personal,
    erase,
    exported: linked,
    ...(description ? { description } : {}),
  });
  const columns: ColumnDecl[] = [col('id', 'system.id', false, row)];
  if (linked) columns.push(col('contact_id', 'system.ref.contact', true, personalErase));
  columns.push(col('created_at', 'system.time', false, row), col('updated_at', 'system.time', false, row));
  for (const f of e.fields) {
    // Text that is not personal by declaration is still typed by people and may name someone:
    // free text, redacted in the person's own rows where those rows stay (anonymise).
    const free = f.type === 'text' && !f.personal;
    const erase: EraseAction = f.personal ? personalErase : free && linked && e.erase === 'anonymise' ? 'redact' : row;
    columns.push({ ...col(f.column, `entity.${e.name}.${f.name}`, f.personal, erase, f.name), ...(free ? { freeText: true } : {}) });
  }
  const how = !linked
    ? 'not linked to a contact'
    : e.erase === 'delete'
      ? 'linked to a contact; erasure deletes the person’s rows'
      : 'linked to a contact; erasure nulls the personal fields and the link, and keeps the rows';
  return {
    name: e.table,
    description: `Custom entity “${e.label}” (${how}).`,
    subjectLink: linked ? { kind: 'contact', column: 'contact_id' } : null,
    purposes: ['operations'],
    retention: e.retention ? { after: e.retention, from: 'created_at' } : null,
    columns,
  };
}

/** Every problem with a definition, so the caller fixes them at once. */
export function checkDefinition(input: EntityInput): Problem[] {
  const problems: Problem[] = [];
  if (!ENTITY_NAME.test(input.name ?? ''))
    problems.push({ path: '/name', message: 'a name is 1 to 40 lower-case letters, digits or single _, starting with a letter' });
  if (!(ERASE_KINDS as readonly string[]).includes(input.erase))
    problems.push({ path: '/erase', message: `one of ${ERASE_KINDS.join(', ')}` });
  const fields = Array.isArray(input.fields) ? input.fields : [];
  if (fields.length < 1 || fields.length > MAX_FIELDS) problems.push({ path: '/fields', message: `1 to ${MAX_FIELDS} fields` });
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (!FIELD_NAME.test(f.name ?? ''))
      problems.push({
        path: `/fields/${i}/name`,
        message: 'a field name is 1 to 40 lower-case letters, digits or _, starting with a letter',
      });
    else if (seen.has(f.name)) problems.push({ path: `/fields/${i}/name`, message: 'repeated field name' });
    seen.add(f.name);
    if (!(FIELD_TYPES as readonly string[]).includes(f.type))
      problems.push({ path: `/fields/${i}/type`, message: `one of ${FIELD_TYPES.join(', ')}` });
  });
  if (problems.length) return problems;
  // The map's own rules (durations, categories) judge the declaration the entity will get.
  const decl = declaration({
    name: input.name,
    label: input.label ?? input.name,
    table: tableOf(input.name),
    linked: input.linked,
    erase: input.erase as EraseKind,
    retention: input.retention ?? null,
    fields: fields.map((f) => ({ name: f.name, type: f.type as FieldType, personal: f.personal, column: columnOf(f.name) })),
  });
  for (const p of validateDataMap({ tables: [{ ...decl, origin: 'runtime' }] })) {
    problems.push({ path: p.includes('retention') ? '/retention' : '/', message: p.replace(`${decl.name}: `, '') });
  }
  return problems;
}

/** storeValue/readValue check and convert by type only; this gives them the shape they take. */
const asField = (f: EntityField): CustomField => ({
  id: '',
  name: f.name,
  label: f.name,
  type: f.type,
  personal: f.personal,
  column: f.column,
  createdAt: '',
});

/** Typed column values from a record's `fields`; unknown names and wrong types are problems. */
export function toColumns(
  e: Entity,
  values: Record<string, unknown>,
): { set: Record<string, string | number | null>; problems: Problem[] } {
  const byName = new Map(e.fields.map((f) => [f.name, f]));
  const set: Record<string, string | number | null> = {};
  const problems: Problem[] = [];
  for (const [name, v] of Object.entries(values)) {
    const f = byName.get(name);
    if (!f) {
      problems.push({ path: `/fields/${name}`, message: 'no such field' });
      continue;
    }
    const r = storeValue(asField(f), v);
    if (r.ok) set[f.column] = r.value;
    else problems.push({ path: `/fields/${name}`, message: r.message });
  }
  return { set, problems };
}

export function toRecord(e: Entity, row: Record<string, unknown>): EntityRecord {
  const fields: Record<string, FieldValue> = {};
  for (const f of e.fields) fields[f.name] = readValue(asField(f), row[f.column]);
  return {
    id: String(row.id),
    contactId: e.linked ? ((row.contact_id as string | null) ?? null) : null,
    fields,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}
