import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { CONSENT_LEVELS } from '../../lib/consent-levels.ts';
import { isAppError } from '../../lib/errors.ts';
import type { Database } from '../database.ts';
import { ConsentBatch, type ConsentColumns } from './consent.batch.ts';
import type { EntryDraft } from './ledger.service.ts';

const ctx = { source: 'import' as const, actor: { type: 'cli', id: null } };
const trx = {} as Kysely<Database>;

function batch() {
  const appended: EntryDraft[][] = [];
  const append = async (_t: unknown, drafts: EntryDraft[]) => {
    appended.push(drafts);
    return [];
  };
  const b = new ConsentBatch({ append }, ctx);
  return { b, appended };
}
const brief = (d: EntryDraft) => [d.contactId, d.kind, d.oldValue ?? d.oldText ?? null, d.newValue ?? d.newText ?? null];

it('a created contact starts at the lowest level with no child state; each value it starts with is an entry', async () => {
  const { b, appended } = batch();
  assert.deepEqual(b.change('a', null, {}), { consent_level: 0, is_child: 0, birth_date: null, guardian_id: null, guardian_consent: 0 });
  assert.deepEqual(b.change('b', null, { level: 3, isChild: true, birthDate: '2015-02-01' }), {
    consent_level: 3,
    is_child: 1,
    birth_date: '2015-02-01',
    guardian_id: null,
    guardian_consent: 0,
  });
  await b.commit(trx);
  assert.deepEqual(
    appended.map((a) => a.map(brief)),
    [
      [
        ['b', 'child_flag', null, 1],
        ['b', 'birth_date', null, '2015-02-01'],
        ['b', 'level', 0, 3],
      ],
    ],
  );
});

it('a stored contact changes only what differs, keeps its guardian consent, and a commit appends each entry once', async () => {
  const { b, appended } = batch();
  const before: ConsentColumns = { consent_level: 4, is_child: 1, birth_date: null, guardian_id: 'g', guardian_consent: 1 };
  assert.deepEqual(b.change('c', before, { level: 4, isChild: true }), before);
  assert.deepEqual(b.change('c', before, {}), before);
  assert.deepEqual(b.change('c', before, { level: 2 }), { ...before, consent_level: 2 });
  await b.commit(trx);
  await b.commit(trx);
  assert.deepEqual(
    appended.map((a) => a.map(brief)),
    [[['c', 'level', 4, 2]], []],
  );
});

it('refuses a level off the scale', () => {
  const { b } = batch();
  for (const level of [-1, CONSENT_LEVELS.length, 2.5, Number.NaN])
    assert.throws(
      () => b.change('d', null, { level }),
      (e: unknown) => isAppError(e) && e.code === 'validation_failed',
    );
});
