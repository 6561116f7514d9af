// Issue 11, point 6: deleting a contact is erasing it. No statement in src/ deletes from the
// contacts table by name (the raw deleteContact did, bypassing the erasure's receipt, ledger
// stubs, suppression and residue scan); the erasure deletes it as the data map says, by plan.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';

const root = process.env.ASSENT_SOURCE_ROOT ?? new URL('../../', import.meta.url).pathname;
const RAW_DELETE = /deleteFrom\(\s*['"]contacts['"]\s*\)|delete\s+from\s+"?contacts"?\b(?!_)/gi;

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const rawDeletes = (list: { path: string; text: string }[]) =>
  list
    .filter((f) => !f.path.startsWith('src/db/migrations/'))
    .flatMap((f) => [...f.text.matchAll(RAW_DELETE)].map((m) => `${f.path}:${f.text.slice(0, m.index).split('\n').length}`));

it('no code deletes a contact except the erasure', () => {
  const src = files(join(root, 'src')).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  assert.deepEqual(rawDeletes(src), []);
});

it('finds a planted raw delete, in either form, and not a delete from another table', () => {
  const planted = [
    "export const deleteContact = (db: Q, id: string) => db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();",
    'await sql`delete from contacts where id = ${id}`.execute(db);',
    "await db.deleteFrom('contact_emails').where('contact_id', 'is', null).execute();",
    'await sql`delete from contacts_archive`.execute(db);',
  ].join('\n');
  assert.deepEqual(rawDeletes([{ path: 'src/modules/x/x.queries.ts', text: planted }]), [
    'src/modules/x/x.queries.ts:1',
    'src/modules/x/x.queries.ts:2',
  ]);
});
