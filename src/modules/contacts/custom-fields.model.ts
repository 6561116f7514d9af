import type { CustomFieldsTable } from './contacts.table.ts';

export const FIELD_TYPES = ['text', 'number', 'boolean', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export interface CustomField {
  id: string;
  name: string;
  label: string;
  type: FieldType;
  personal: boolean;
  column: string;
  createdAt: string;
}

export function toField(r: CustomFieldsTable): CustomField {
  return {
    id: r.id,
    name: r.name,
    label: r.label,
    type: r.type as FieldType,
    personal: r.personal === 1,
    column: r.column_name,
    createdAt: r.created_at,
  };
}

export type FieldValue = string | number | boolean | null;

/** Checks a value against the field type; returns the stored form or an error message. */
export function storeValue(f: CustomField, v: unknown): { ok: true; value: string | number | null } | { ok: false; message: string } {
  if (v === null) return { ok: true, value: null };
  switch (f.type) {
    case 'text':
      return typeof v === 'string' && v.length <= 2000
        ? { ok: true, value: v }
        : { ok: false, message: 'expected text of at most 2000 characters' };
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? { ok: true, value: v } : { ok: false, message: 'expected a finite number' };
    case 'boolean':
      return typeof v === 'boolean' ? { ok: true, value: v ? 1 : 0 } : { ok: false, message: 'expected true or false' };
    case 'date':
      return typeof v === 'string' && isDate(v) ? { ok: true, value: v } : { ok: false, message: 'expected a date YYYY-MM-DD' };
  }
}

export function readValue(f: CustomField, v: unknown): FieldValue {
  if (v === null || v === undefined) return null;
  if (f.type === 'boolean') return Number(v) === 1;
  if (f.type === 'number') return Number(v);
  return String(v);
}

export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
