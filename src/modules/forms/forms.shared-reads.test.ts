// Shared reads (forms.shared-reads.ts): callers of one moment share a read; a caller after the
// read started gets a read of its own, so what was committed before it asked is what it sees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedRead } from './forms.shared-reads.ts';

describe('SharedRead', () => {
  it('callers of the same moment share one read, per key', async () => {
    const reads: string[] = [];
    const r = new SharedRead(async (k: string) => {
      reads.push(k);
      return `${k}:${reads.length}`;
    });
    const got = await Promise.all([r.get('a'), r.get('a'), r.get('b'), r.get('a')]);
    assert.deepEqual(reads, ['a', 'b']);
    assert.deepEqual(got, ['a:1', 'a:1', 'b:2', 'a:1']);
  });

  it('a caller that asks after the read started gets a read of its own, and sees what changed before it asked', async () => {
    let value = 1;
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const r = new SharedRead(async () => {
      reads++;
      const seen = value;
      await gate;
      return seen;
    });
    const first = r.get(null);
    await new Promise((resolve) => setImmediate(resolve));
    // The first read has started (it saw 1); the change comes, then a second caller asks.
    value = 2;
    const second = r.get(null);
    release();
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
    assert.equal(reads, 2);
    // Nothing is kept: a later caller reads again.
    value = 3;
    assert.equal(await r.get(null), 3);
    assert.equal(reads, 3);
  });

  it('a failed read fails its callers only', async () => {
    let fail = true;
    const r = new SharedRead(async () => {
      if (fail) throw new Error('down');
      return 'up';
    });
    const all = await Promise.allSettled([r.get(null), r.get(null)]);
    assert.deepEqual(
      all.map((x) => x.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await r.get(null), 'up');
  });
});
