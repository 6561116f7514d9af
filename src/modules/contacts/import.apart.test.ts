import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { isAppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import type { RejectedRow } from './import.model.ts';

const actor = { type: 'cli', id: null } as const;

/**
 * A file of some 2 MiB, many batches: good rows with Unicode, a custom field, levels, and every kind of bad line spread over it,
 * duplicates far apart included (the checking thread must remember addresses across batches).
 */
function file(tag: string): string {
  const lines = ['email,firstName,lastName,consentLevel,customFields.visits'];
  for (let i = 0; i < 20_000; i++) {
    if (i % 997 === 5) lines.push(`not-an-address-${i},Bad,Row,1,`);
    else if (i % 1009 === 7) lines.push(`${tag}${i - 3000}@example.com,Dup,Later,,`);
    else if (i % 1013 === 9) lines.push('');
    else if (i % 1019 === 11) lines.push(`${tag}${i}@example.com,"Cy"x,Broken,1,`);
    else if (i % 1021 === 13) lines.push(`${tag}${i}@example.com,Lvl,Bad,9,`);
    else lines.push(`${tag}${i}@example.com,Zoë ${i} 李,Ünal-Łukasz ${'x'.repeat(60)},${i % 7 === 0 ? 2 : ''},${i % 3}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

forEachDialect('contact import checked in a worker thread', (ctx) => {
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
    await s.customFields.define({ name: 'visits', type: 'number', personal: false });
  });

  /** The import of a file cut in pieces of `piece` characters, its rejected rows as the CLI's file gets them. */
  async function run(text: string, checkApart: boolean | undefined, dryRun: boolean, piece = 65_536) {
    const pieces: string[] = [];
    for (let at = 0; at < text.length; ) {
      pieces.push(text.slice(at, at + piece));
      at += piece;
    }
    const rows: RejectedRow[] = [];
    const result = await s.imports.importCsv(pieces, {
      actor,
      mayChangeConsent: true,
      dryRun,
      batchSize: 3_000,
      onReject: (r) => rows.push(r),
      ...(checkApart === undefined ? {} : { checkApart }),
    });
    return { result, rows };
  }

  it('gives the same answer, rejected rows and written contacts as checking on the importing thread', async () => {
    const text = file('apart');
    assert.ok(text.length > 1 << 20);
    const here = await run(text, false, true);
    const apart = await run(text, true, true);
    assert.deepEqual(apart, here, 'a dry run checked apart answers as one checked here');
    assert.ok(here.result.rejected.length > 80);
    assert.ok(here.result.rejected.some((r) => /duplicate email: the file has it on line \d+ already/.test(r.reason)));
    // The import writes what the dry runs said.
    const done = await run(text, true, false, 1 << 20);
    assert.deepEqual(done.result, { ...here.result, dryRun: false });
    assert.deepEqual(done.rows, here.rows);
    const n = await ctx.db.kysely
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('email', 'like', 'apart%')
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), here.result.created);
    const c = await s.contacts.findByEmail('apart1@example.com');
    assert.equal(c?.firstName, 'Zoë 1 李');
    assert.equal((await s.ledger.verify()).ok, true);
  });

  it('refuses a file whole from the checking thread with the same error (unknown column, consent without the right)', async () => {
    const big = file('refused');
    for (const [text, mayChangeConsent, code] of [
      [big.replace('customFields.visits', 'shoeSize'), true, 'validation_failed'],
      [big, false, 'forbidden'],
    ] as const) {
      const here = await s.imports.importCsv([text], { actor, mayChangeConsent, checkApart: false }).catch((e: unknown) => e);
      const apart = await s.imports.importCsv([text], { actor, mayChangeConsent, checkApart: true }).catch((e: unknown) => e);
      assert.ok(isAppError(apart), String(apart));
      assert.ok(isAppError(here));
      assert.equal(apart.code, code);
      assert.deepEqual([apart.code, apart.message, apart.details], [here.code, here.message, here.details]);
    }
    const empty = await s.imports.importCsv([''], { actor, mayChangeConsent: true, checkApart: true }).catch((e: unknown) => e);
    assert.ok(isAppError(empty) && empty.code === 'validation_failed');
  });

  it('ends the checking thread when the source fails midway, and reports the source failure', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield file('failing').slice(0, 1_200_000);
      throw new Error('the disk went away');
    }
    await assert.rejects(s.imports.importCsv(failing(), { actor, mayChangeConsent: true, checkApart: true }), /the disk went away/);
  });
});
