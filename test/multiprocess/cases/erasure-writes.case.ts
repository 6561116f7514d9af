// Issue 10, defect 3: writes about a contact racing its erasure, through two servers. Each round
// a contact with a consent level and a list is erased through one server while clients keep
// changing it through both: consent PUTs, imports of its address with a level, list joins and
// leaves, profile updates. A write either commits before the erasure (and is erased with the
// rest) or finds the contact gone: 404 (an import's row: refused as suppressed), never a 500,
// and nothing about the contact is written after the erasure committed. The shared checks look
// for every row and ledger entry naming the erased contacts, and the residue scan must agree.
import assert from 'node:assert/strict';
import type { HarnessCase } from '../harness.ts';
import { call, SCALE, sleep, Tally, type Reply } from '../load.ts';

const ROUNDS = 20 * SCALE;
/** Clients writing about the contact while it is erased. */
const LANES = 4;
/** Writes each lane still makes once the erasure has answered. */
const AFTER = 2;

type Op = 'consent' | 'import' | 'join' | 'leave' | 'update';
const OPS: Op[] = ['consent', 'import', 'join', 'consent', 'leave', 'update'];

export const harnessCase: HarnessCase = {
  name:
    'consent changes, imports, list changes and updates of a contact while it is erased: nothing about it is written after the ' +
    'erasure, a late write answers 404',
  dialects: ['postgres', 'sqlite'],
  timeoutMs: 600_000,
  async run(h) {
    const inst = await h.start({ servers: 2 });
    const auth = inst.auth('admin');
    const server = (i: number) => inst.servers[i % inst.servers.length]!.url!;
    const tag = Math.random().toString(36).slice(2, 8);
    const list = await call(server(0), 'POST', '/api/v1/lists', { headers: auth, body: { name: `erased-${tag}` } });
    assert.equal(list.status, 201, JSON.stringify(list.body));
    const listId = (list.body as { data: { id: string } }).data.id;
    const tally = new Tally();
    const bad: string[] = [];
    const began = Date.now();

    for (let round = 0; round < ROUNDS; round++) {
      const email = `erased-${tag}-${round}@example.com`;
      const made = await call(server(round), 'POST', '/api/v1/contacts', {
        headers: auth,
        body: { email, firstName: 'Ada', lastName: `Erased${round}` },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const id = (made.body as { data: { id: string } }).data.id;
      assert.equal(
        (await call(server(round), 'PUT', `/api/v1/contacts/${id}/consent`, { headers: auth, body: { level: 2, source: 'api' } })).status,
        200,
      );
      assert.equal(
        (await call(server(round), 'PUT', `/api/v1/contacts/${id}/lists/${listId}`, { headers: auth, body: { source: 'api' } })).status,
        200,
      );
      inst.noteErased({ contactIds: [id], emails: [email] });

      const write = (op: Op, n: number, via: string): Promise<Reply> => {
        const evidence = { ip: '203.0.113.77', userAgent: `Racing client ${tag}` };
        if (op === 'consent')
          return call(via, 'PUT', `/api/v1/contacts/${id}/consent`, {
            headers: auth,
            body: { level: 1 + (n % 5), source: 'api', evidence },
          });
        if (op === 'import')
          return call(via, 'POST', '/api/v1/imports', {
            headers: { ...auth, 'content-type': 'text/csv' },
            text: `email,consentLevel\n${email},${n % 6}\n`,
          });
        if (op === 'join')
          return call(via, 'PUT', `/api/v1/contacts/${id}/lists/${listId}`, { headers: auth, body: { source: 'api', evidence } });
        if (op === 'leave') return call(via, 'DELETE', `/api/v1/contacts/${id}/lists/${listId}`, { headers: auth });
        return call(via, 'PATCH', `/api/v1/contacts/${id}`, { headers: auth, body: { company: `Company ${n}` } });
      };
      let erasedAt = 0;
      const lane = async (l: number) => {
        let after = 0;
        for (let n = 0; after < AFTER; n++) {
          const op = OPS[(n + l) % OPS.length]!;
          const r = await write(op, n, server(l + n));
          const late = erasedAt > 0 && r.startedAt > erasedAt;
          if (erasedAt > 0) after++;
          const rejected = (r.body as { data?: { rejected?: { reason: string }[] } } | null)?.data?.rejected ?? [];
          const outcome = r.status === 200 && rejected.length ? 'suppressed' : String(r.status || r.error);
          tally.add(`${op} ${late ? 'after' : 'during'} ${outcome}`);
          const ok = late
            ? r.status === 404 || outcome === 'suppressed'
            : r.status === 200 || r.status === 204 || r.status === 404 || r.status === 409;
          if (!ok || rejected.some((x) => !/suppressed/.test(x.reason)))
            bad.push(
              `round ${round + 1}, ${op} ${late ? 'after the erasure answered' : 'during the erasure'}: ${r.status || r.error} ` +
                `${JSON.stringify(r.body).slice(0, 200)}`,
            );
          // Gone already (the erasure committed; its scan runs on): no need to hammer the servers meanwhile.
          if (r.status === 404 || outcome === 'suppressed') await sleep(25);
        }
      };
      const erase = (async () => {
        await sleep(5 + (round % 4) * 10);
        const r = await call(server(round + 1), 'POST', `/api/v1/contacts/${id}/erase`, { headers: auth, body: {} });
        erasedAt = r.endedAt;
        tally.add(
          `erase ` +
            `${r.status}${
              r.status === 200 ? ((r.body as { data: { complete: boolean } }).data.complete ? ' complete' : ' ' + 'incomplete') : ''
            }`,
        );
        if (r.status !== 200 || (r.body as { data: { complete: boolean } }).data.complete !== true)
          bad.push(`round ${round + 1}, erasure: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      })();
      await Promise.all([erase, ...Array.from({ length: LANES }, (_, l) => lane(l))]);
    }
    h.note(
      `${ROUNDS} rounds, ${LANES} clients writing about each erased contact, in ${((Date.now() - began) / 1000).toFixed(1)} s: ${tally}`,
    );
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} unexpected answers`);
  },
};
