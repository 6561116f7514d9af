// Issue 10, defect 1: concurrent consent changes of one contact through two servers. Each round
// a fresh contact (a child, with a guardian) has its consent level (by PUT and by import), its
// child flag, its guardian's consent and a list's membership changed by several requests at
// once, half through each server. Every ledger writer must read the value it replaces locked:
// the shared checks then find each entry's old value equal to the previous entry's new value.
// No request may fail (a second join of a list waits for the first and changes nothing).
import assert from 'node:assert/strict';
import type { HarnessCase } from '../harness.ts';
import { call, SCALE, Tally, type Reply } from '../load.ts';

const ROUNDS = 30 * SCALE;
/** Requests racing per value in a round. */
const AT_ONCE = 4;

export const harnessCase: HarnessCase = {
  name:
    'concurrent consent, guardian consent and list changes of one contact through two servers: every ledger entry names the value it ' +
    'replaced',
  dialects: ['postgres', 'sqlite'],
  timeoutMs: 600_000,
  async run(h) {
    const inst = await h.start({ servers: 2 });
    const auth = inst.auth('admin');
    const server = (i: number) => inst.servers[i % inst.servers.length]!.url!;
    const tag = Math.random().toString(36).slice(2, 8);
    const list = await call(server(0), 'POST', '/api/v1/lists', { headers: auth, body: { name: `race-${tag}` } });
    assert.equal(list.status, 201, JSON.stringify(list.body));
    const listId = (list.body as { data: { id: string } }).data.id;
    const tally = new Tally();
    const bad: string[] = [];
    const seen = (what: string, r: Reply) => {
      tally.add(`${what} ${r.status || r.error}`);
      // An import answers 200 with the rows it could not write (a deadlock victim, say) listed.
      const rejected = (r.body as { data?: { rejected?: unknown[] } } | null)?.data?.rejected ?? [];
      if (r.status === 0 || r.status >= 300 || rejected.length)
        bad.push(`${what}: ${r.status || r.error} ${JSON.stringify(r.body).slice(0, 200)}`);
    };
    const began = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const guardian = await call(server(round), 'POST', '/api/v1/contacts', {
        headers: auth,
        body: { email: `guardian-${tag}-${round}@example.com` },
      });
      assert.equal(guardian.status, 201, JSON.stringify(guardian.body));
      const child = await call(server(round + 1), 'POST', '/api/v1/contacts', {
        headers: auth,
        body: {
          email: `child-${tag}-${round}@example.com`,
          isChild: true,
          guardianId: (guardian.body as { data: { id: string } }).data.id,
        },
      });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const id = (child.body as { data: { id: string } }).data.id;
      const calls: Promise<void>[] = [];
      for (let i = 0; i < AT_ONCE; i++) {
        // Distinct levels, none the stored 0: each request changes the level the one before it set.
        calls.push(
          call(server(i), 'PUT', `/api/v1/contacts/${id}/consent`, {
            headers: auth,
            body: { level: 1 + ((i + round) % 5), source: 'api' },
          }).then((r) => seen('consent', r)),
        );
        calls.push(
          call(server(i + 1), 'PUT', `/api/v1/contacts/${id}/guardian-consent`, {
            headers: auth,
            body: { granted: i % 2 === 0, source: 'api' },
          }).then((r) => seen('guardian consent', r)),
        );
        // The child flag through the contact's own update, and the level through an import of its address.
        calls.push(
          call(server(i + 1), 'PATCH', `/api/v1/contacts/${id}`, { headers: auth, body: { isChild: i % 2 === 1 } }).then((r) =>
            seen('child flag', r),
          ),
        );
        calls.push(
          call(server(i), 'POST', '/api/v1/imports', {
            headers: { ...auth, 'content-type': 'text/csv' },
            text: `email,consentLevel\nchild-${tag}-${round}@example.com,${(i + round + 2) % 6}\n`,
          }).then((r) => seen('import', r)),
        );
        calls.push(
          call(server(i), i % 2 === 0 ? 'PUT' : 'DELETE', `/api/v1/contacts/${id}/lists/${listId}`, {
            headers: auth,
            ...(i % 2 === 0 ? { body: { source: 'api' } } : {}),
          }).then((r) => seen(i % 2 === 0 ? 'list join' : 'list leave', r)),
        );
      }
      await Promise.all(calls);
    }
    h.note(`${ROUNDS} rounds of ${AT_ONCE} concurrent changes of each kind in ${((Date.now() - began) / 1000).toFixed(1)} s: ${tally}`);
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} requests failed`);
  },
};
