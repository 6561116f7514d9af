// Issue 10, defect 2: an erased address comes back. Verified erasure cases are fulfilled on one
// server while, on the other, imports and API creates of the same addresses keep arriving. The
// erasure and a creation of the same address must be one decision: whichever commits first, the
// address ends erased and suppressed (a creation after the erasure answers `suppressed`, or its
// import row is rejected as suppressed), and never a contact again. The shared checks look for
// every erased address among the contacts; the case counts them itself for the note.
import assert from 'node:assert/strict';
import type { HarnessCase } from '../harness.ts';
import type { Installation } from '../installation.ts';
import { call, callRetrying, pool, SCALE, sleep, Tally, type Reply } from '../load.ts';

const ADDRESSES = 20;
const ROUNDS = 2 * SCALE;

/** A CSV import through the HTTP API (the harness's call() sends JSON). */
export async function importCsv(inst: Installation, base: string, csv: string): Promise<Reply> {
  const startedAt = Date.now();
  try {
    const res = await fetch(`${base}/api/v1/imports`, {
      method: 'POST',
      headers: { ...inst.auth(), 'content-type': 'text/csv' },
      body: csv,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers, error: null, startedAt, endedAt: Date.now() };
  } catch (e) {
    return {
      status: 0,
      body: null,
      headers: null,
      error: (e as { cause?: { code?: string } }).cause?.code ?? 'error',
      startedAt,
      endedAt: Date.now(),
    };
  }
}

export const harnessCase: HarnessCase = {
  name: 'erasure cases fulfilled while imports and creates of the same addresses run: no erased address is a contact afterwards',
  dialects: ['postgres', 'sqlite'],
  timeoutMs: 600_000,
  async run(h) {
    const inst = await h.start({ servers: 2 });
    const run = Math.random().toString(36).slice(2, 8);
    const [eraser, writer] = inst.servers.map((s) => s.url!) as [string, string];
    const outcomes = new Tally();
    const unexpected: string[] = [];
    let back = 0;
    let total = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const addresses = Array.from({ length: ADDRESSES }, (_, i) => `Erase.${run}.${round}.${i}@Example.com`);
      const cases: string[] = [];
      for (const email of addresses) {
        const r = await call(eraser, 'POST', '/api/v1/requests', {
          headers: inst.auth(),
          body: { type: 'erasure', email, verified: true, note: 'identity checked by phone' },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        cases.push((r.body as { data: { id: string } }).data.id);
      }
      // Per address: the fulfilment on one server and, on the other, writers that create the
      // address (an import, an API create, alternately) until the fulfilment has answered.
      await pool({ concurrency: 4, rounds: ADDRESSES }, async (i) => {
        const email = addresses[i]!;
        let done = false;
        const fulfil = (async () => {
          // SQLite: the other server's writers can hold the write lock past the busy timeout (503); a client retries.
          let retried = false;
          const r = await callRetrying(
            eraser,
            'POST',
            `/api/v1/requests/${cases[i]}/fulfil`,
            { headers: inst.auth(), body: {}, timeoutMs: 120_000 },
            () => {
              retried = true;
              outcomes.add('fulfil retried after 503');
            },
            6,
          );
          done = true;
          outcomes.add(`fulfil ${r.status}`);
          const code = (r.body as { error?: { code?: string } } | null)?.error?.code;
          // A 503 can come after the erasure committed (a later write of the fulfilment waited past
          // SQLite's busy timeout); the retry then finds the case closed. The case must say completed.
          if (retried && r.status === 409 && code === 'request_closed') {
            const row = await inst.db.kysely.selectFrom('requests').select('status').where('id', '=', cases[i]!).executeTakeFirst();
            if (row?.status !== 'completed') unexpected.push(`fulfil: 409 after a 503, and the case is ${row?.status}`);
          } else if (r.status !== 200) unexpected.push(`fulfil: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          else if ((r.body as { data: { status: string } }).data.status !== 'completed')
            unexpected.push(
              `case ${(r.body as { data: { status: string; flagDetail?: string } }).data.status}: ` +
                `${(r.body as { data: { flagDetail?: string } }).data.flagDetail}`,
            );
        })();
        let n = 0;
        while (!done || n < 2) {
          const r =
            n % 2 === 0
              ? await importCsv(inst, writer, `email,firstName\n${n % 4 === 0 ? email : email.toLowerCase()},Ada\n`)
              : await call(writer, 'POST', '/api/v1/contacts', { headers: inst.auth(), body: { email } });
          const code = (r.body as { error?: { code?: string } } | null)?.error?.code;
          const label =
            n % 2 === 0
              ? `import ` +
                `${r.status}${
                  r.status === 200 && (r.body as { data: { rejected: unknown[] } }).data.rejected.length ? ' (row ' + 'rejected)' : ''
                }`
              : `create ${r.status}${code ? ` ${code}` : ''}`;
          outcomes.add(label);
          if (r.status === 0 || r.status >= 500) unexpected.push(`${label}: ${JSON.stringify(r.body).slice(0, 200)}`);
          n++;
          // Bounded load: a writer in a tight loop starves SQLite's one write lock (it grants no turns),
          // and the fulfilment then waits past every busy timeout; a client pauses between calls.
          await sleep(5);
        }
        await fulfil;
      });
      inst.noteErased({ emails: addresses });
      const keys = new Set(addresses.map((a) => a.toLowerCase()));
      const contacts = await inst.db.kysely.selectFrom('contacts').select('email').execute();
      const found = contacts.filter((c) => keys.has(c.email.toLowerCase())).length;
      back += found;
      total += addresses.length;
      h.note(`round ${round + 1}: ${found} of ${addresses.length} erased addresses are contacts afterwards`);
    }
    h.note(`${ROUNDS} rounds, ${total} addresses: ${outcomes}`);
    assert.deepEqual(unexpected, [], 'every fulfilment completes, and no writer gets a 5xx');
    assert.equal(back, 0, `${back} of ${total} erased addresses exist as contacts afterwards`);
  },
};
