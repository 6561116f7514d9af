// Issue 10, defect 4: the same person erased twice. Each round erases one contact from both
// servers at once (POST /contacts/{id}/erase on one, DELETE /contacts/{id} on the other, sides
// alternating). Exactly one succeeds; the other answers 404, and there is one receipt.
import assert from 'node:assert/strict';
import type { HarnessCase } from '../harness.ts';
import type { Installation } from '../installation.ts';
import { call, callRetrying, pool, SCALE, Tally, type Reply } from '../load.ts';

const ROUNDS = 20 * SCALE;

async function receipts(inst: Installation): Promise<number> {
  const r = await inst.db.kysely
    .selectFrom('erasure_receipts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const ok = (r: Reply) => r.status === 200 || r.status === 204 || r.status === 202;

export const harnessCase: HarnessCase = {
  name: 'one contact erased from both servers at once: exactly one erasure succeeds, the other answers 404, one receipt',
  dialects: ['postgres', 'sqlite'],
  timeoutMs: 600_000,
  async run(h) {
    const inst = await h.start({ servers: 2 });
    const run = Math.random().toString(36).slice(2, 8);
    const outcomes = new Tally();
    const wrong: string[] = [];
    const before = await receipts(inst);
    await pool({ concurrency: 3, rounds: ROUNDS }, async (i) => {
      const [a, b] = (i % 2 === 0 ? inst.servers : [...inst.servers].reverse()).map((s) => s.url!) as [string, string];
      const email = `twice-${run}-${i}@example.com`;
      const created = await callRetrying(a, 'POST', '/api/v1/contacts', {
        headers: inst.auth(),
        body: { email, firstName: 'Twice', lastName: `Erased${i}` },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = (created.body as { data: { id: string } }).data.id;
      inst.noteErased({ contactIds: [id], emails: [email] });
      // A 503 tells the client the change may have been made (SQLite: a write after the commit
      // waited past the busy timeout); its retry then rightly finds nothing. Such a side proves
      // nothing either way: the receipts count below still says whether two erasures happened.
      const retried = [false, false];
      const [erase, del] = await Promise.all([
        callRetrying(
          a,
          'POST',
          `/api/v1/contacts/${id}/erase`,
          { headers: inst.auth(), body: {}, timeoutMs: 120_000 },
          () => ((retried[0] = true), outcomes.add('retried after 503')),
        ),
        callRetrying(
          b,
          'DELETE',
          `/api/v1/contacts/${id}`,
          { headers: inst.auth(), timeoutMs: 120_000 },
          () => ((retried[1] = true), outcomes.add('retried after 503')),
        ),
      ]);
      outcomes.add(`erase ${erase.status}, delete ${del.status}`);
      const succeeded = [erase, del].filter(ok).length;
      const missing = [erase, del].filter(
        (r) => r.status === 404 && (r.body as { error?: { code?: string } } | null)?.error?.code === 'not_found',
      ).length;
      const unknown = [erase, del].filter((r, k) => retried[k] && r.status === 404).length;
      if (succeeded > 1 || succeeded + missing !== 2 || (succeeded === 0 && unknown === 0))
        wrong.push(
          `round ${i + 1}: erase ${erase.status} ${JSON.stringify(erase.body).slice(0, 160)}, delete ${del.status} ` +
            `${JSON.stringify(del.body).slice(0, 160)}`,
        );
      // What remains of the person may only be looked for once the winner answered.
      const left = await call(a, 'GET', `/api/v1/contacts/${id}`, { headers: inst.auth() });
      if (left.status !== 404) wrong.push(`round ${i + 1}: the contact still answers ${left.status}`);
    });
    const made = (await receipts(inst)) - before;
    h.note(`${ROUNDS} rounds: ${outcomes}; ${made} receipts`);
    assert.deepEqual(wrong, [], 'exactly one of the two erasures succeeds and the other answers 404 not_found');
    assert.equal(made, ROUNDS, 'one receipt per person');
  },
};
