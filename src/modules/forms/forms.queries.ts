import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { FormConfirmationsTable, FormSubmissionsTable, FormsTable, FormVersionsTable } from './forms.table.ts';

type Q = Kysely<Database>;

export const insertForm = (db: Q, row: FormsTable) => db.insertInto('forms').values(row).execute();
export const formById = (db: Q, id: string) => db.selectFrom('forms').selectAll().where('id', '=', id).executeTakeFirst();
export const updateForm = (db: Q, id: string, patch: Partial<Omit<FormsTable, 'id' | 'created_at'>>) =>
  db.updateTable('forms').set(patch).where('id', '=', id).execute();
export const deleteForm = (db: Q, id: string) => db.deleteFrom('forms').where('id', '=', id).execute();

export const insertVersion = (db: Q, row: FormVersionsTable) => db.insertInto('form_versions').values(row).execute();
export const versionOf = (db: Q, formId: string, version: number) =>
  db.selectFrom('form_versions').selectAll().where('form_id', '=', formId).where('version', '=', version).executeTakeFirst();
export const replaceFields = (db: Q, formId: string, version: number, fields: string) =>
  db.updateTable('form_versions').set({ fields }).where('form_id', '=', formId).where('version', '=', version).execute();

/** The compiled text of `formWithFields`, per database handle: built once, then run with each id. */
const formWithFieldsText = new WeakMap<Q, CompiledQuery>();

/**
 * A form's row and its current version's fields in one statement (every submission reads it):
 * compiled once per handle, as Kysely would build and compile the same text anew on each call.
 */
export async function formWithFields(db: Q, id: string): Promise<(FormsTable & { fields: string }) | undefined> {
  let compiled = formWithFieldsText.get(db);
  if (!compiled) {
    compiled = db
      .selectFrom('forms')
      .innerJoin('form_versions', (j) =>
        j.onRef('form_versions.form_id', '=', 'forms.id').onRef('form_versions.version', '=', 'forms.current_version'),
      )
      .selectAll('forms')
      .select('form_versions.fields')
      .where('forms.id', '=', id)
      .compile();
    formWithFieldsText.set(db, compiled);
  }
  return (await db.executeQuery<FormsTable & { fields: string }>({ ...compiled, parameters: [id] })).rows[0];
}

/** Forms not archived, oldest id first after the cursor, each with its current version's fields. */
export const liveForms = (db: Q, limit: number, after?: string) => {
  let q = db
    .selectFrom('forms')
    .innerJoin('form_versions', (j) =>
      j.onRef('form_versions.form_id', '=', 'forms.id').onRef('form_versions.version', '=', 'forms.current_version'),
    )
    .selectAll('forms')
    .select('form_versions.fields')
    .where('forms.archived_at', 'is', null);
  if (after) q = q.where('forms.id', '>', after);
  return q.orderBy('forms.id').limit(limit).execute();
};

export async function countLiveForms(db: Q): Promise<number> {
  const r = await db
    .selectFrom('forms')
    .select((e) => e.fn.countAll<number>().as('n'))
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function hasSubmissions(db: Q, formId: string): Promise<boolean> {
  return !!(await db.selectFrom('form_submissions').select('id').where('form_id', '=', formId).limit(1).executeTakeFirst());
}

export type SubmissionRow = FormSubmissionsTable;
export const insertSubmission = (db: Q, row: FormSubmissionsTable) => db.insertInto('form_submissions').values(row).execute();
/** Many at once (a group commit's batch): one statement. */
export const insertSubmissions = (db: Q, rows: FormSubmissionsTable[]) => db.insertInto('form_submissions').values(rows).execute();
export const submissionById = (db: Q, id: string) => db.selectFrom('form_submissions').selectAll().where('id', '=', id).executeTakeFirst();
export const setSubmissionContact = (db: Q, id: string, contactId: string, confirmedAt: string | null) =>
  db.updateTable('form_submissions').set({ contact_id: contactId, confirmed_at: confirmedAt }).where('id', '=', id).execute();

export const insertConfirmation = (db: Q, row: FormConfirmationsTable) => db.insertInto('form_confirmations').values(row).execute();
export const insertConfirmations = (db: Q, rows: FormConfirmationsTable[]) => db.insertInto('form_confirmations').values(rows).execute();
export const confirmationByHash = (db: Q, hash: string) =>
  db.selectFrom('form_confirmations').selectAll().where('token_hash', '=', hash).executeTakeFirst();
export const confirmationOf = (db: Q, submissionId: string) =>
  db.selectFrom('form_confirmations').selectAll().where('submission_id', '=', submissionId).executeTakeFirst();
export const setTokenHash = (db: Q, id: string, hash: string) =>
  db.updateTable('form_confirmations').set({ token_hash: hash }).where('id', '=', id).execute();

/**
 * Submissions never applied whose waiting changes are gone (a double opt-in never confirmed,
 * removed by retention once expired): they name no contact, and their network and browser go too.
 */
export const deleteUnconfirmedOrphans = (db: Q) =>
  db
    .deleteFrom('form_submissions')
    .where('contact_id', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('form_confirmations').select('id').whereRef('form_confirmations.submission_id', '=', 'form_submissions.id'))),
    )
    .executeTakeFirst();
