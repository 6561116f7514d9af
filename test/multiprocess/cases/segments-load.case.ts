// Issue 10, defect 6 and its class: multi-row writes that reference contacts, while imports
// update and create contacts (locking them in the file's order) and erasures delete them. Static
// segments are created and re-snapshotted (one statement over every contact), events are
// ingested in batches for contacts some of which are being erased. None may answer 500 (a
// deadlock, 40P01, or a contact deleted under the write, 23503): each succeeds, or says clearly
// what was wrong (an event's contact is gone: 400 naming it), or asks the client to retry (503
// with Retry-After: SQLite's lock past the busy timeout, a deadlock lost after every retry).
import assert from 'node:assert/strict';
import type { HarnessCase } from '../harness.ts';
import { call, pool, SCALE, Tally, type Reply } from '../load.ts';
import { importCsv } from './erasure-vs-create.case.ts';

const SEED = 400;
const DURATION_MS = 20_000 * SCALE;

function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export const harnessCase: HarnessCase = {
  name: 'static segments snapshotted and events ingested while imports and erasures run: never a 500',
  // SQLite has one writer at a time: it cannot deadlock nor delete a row under a write (measured: no 500 there before the fix either).
  dialects: ['postgres'],
  timeoutMs: 600_000,
  async run(h) {
    const run = Math.random().toString(36).slice(2, 8);
    const address = (i: number) => `seg-${run}-${i}@example.com`;
    const inst = await h.start({
      servers: 2,
      setup: async (i) => {
        const csv = ['email,firstName', ...Array.from({ length: SEED }, (_, k) => `${address(k)},Seed`)].join('\n');
        await i.services.imports.importCsv([csv], { actor: { type: 'system', id: null }, mayChangeConsent: true });
      },
    });
    const ids = (await inst.db.kysely.selectFrom('contacts').select(['id', 'email']).execute())
      .filter((c) => c.email.startsWith(`seg-${run}-`))
      .map((c) => c.id);
    assert.equal(ids.length, SEED);
    const outcomes = new Tally();
    const bad: string[] = [];
    const base = (lane: number) => inst.servers[lane % inst.servers.length]!.url!;
    const judge = (what: string, r: Reply, fine: (r: Reply) => boolean) => {
      const code = (r.body as { error?: { code?: string } } | null)?.error?.code;
      outcomes.add(`${what} ${r.status}${code ? ` ${code}` : ''}`);
      const retry =
        r.status === 503 &&
        (code === 'database_unavailable' || code === 'write_conflict') &&
        /^\d+$/.test(r.headers?.get('retry-after') ?? '');
      if (!fine(r) && !retry) bad.push(`${what}: ${r.status || r.error} ${JSON.stringify(r.body).slice(0, 200)}`);
    };
    let next = SEED;
    let erasedUpTo = 0;
    const segments: string[] = [];
    await pool({ concurrency: 6, durationMs: DURATION_MS }, async (i, lane) => {
      const kind = lane % 6;
      if (kind <= 1) {
        // Imports: existing contacts (in a random order, as files come) and new ones.
        const rows = shuffled([
          ...Array.from({ length: 60 }, () => address(Math.floor(Math.random() * SEED))),
          ...Array.from({ length: 20 }, () => address(next++)),
        ]);
        const csv = ['email,firstName', ...[...new Set(rows)].map((e) => `${e},Name${i}`)].join('\n');
        judge('import', await importCsv(inst, base(lane), csv), (r) => r.status === 200);
      } else if (kind === 2) {
        // Erasures of the seeded contacts, oldest first, so segments and events keep meeting them.
        const id = ids[erasedUpTo++ % SEED]!;
        if (erasedUpTo > SEED) return;
        inst.noteErased({ contactIds: [id] });
        judge(
          'erase',
          await call(base(lane), 'DELETE', `/api/v1/contacts/${id}`, { headers: inst.auth(), timeoutMs: 120_000 }),
          (r) => r.status === 204 || r.status === 202,
        );
      } else if (kind <= 4) {
        if (segments.length < 4 || i % 3 === 0) {
          const r = await call(base(lane), 'POST', '/api/v1/segments', {
            headers: inst.auth(),
            body: { name: `all ${i}`, kind: 'static', filter: { field: 'email', op: 'contains', value: '@' } },
            timeoutMs: 120_000,
          });
          if (r.status === 201) segments.push((r.body as { data: { id: string } }).data.id);
          judge('segment create', r, (x) => x.status === 201);
        } else {
          const id = segments[Math.floor(Math.random() * segments.length)]!;
          judge(
            'segment snapshot',
            await call(base(lane), 'POST', `/api/v1/segments/${id}/snapshot`, { headers: inst.auth(), timeoutMs: 120_000 }),
            (x) => x.status === 200,
          );
        }
      } else {
        // Events for seeded contacts around the erasures' front: some are gone, or going.
        const from = erasedUpTo % SEED;
        const events = Array.from({ length: 50 }, (_, k) => ({ type: 'email_sent', contactId: ids[(from + k) % SEED]! }));
        judge(
          'ingest',
          await call(base(lane), 'POST', '/api/v1/interactions', { headers: inst.auth(), body: { events }, timeoutMs: 120_000 }),
          (r) => r.status === 200 || r.status === 201 || (r.status === 400 && /contactId/.test(JSON.stringify(r.body))),
        );
      }
    });
    h.note(`${Math.round(DURATION_MS / 1000)} s: ${outcomes}`);
    assert.deepEqual(bad, [], 'every write succeeds, names what was wrong, or asks for a retry (never 500)');
    assert.ok(outcomes.get('segment snapshot 200') + outcomes.get('segment create 201') > 0, 'segments were snapshotted');
  },
};
