// The block editor's changes: moving, deleting, adding and editing blocks, at the top and in columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlockDocument } from '../../../../src/modules/email/blocks.render.ts';
import { checkBlocks } from '../../../../src/modules/email/blocks.schema.ts';
import { addBlock, moveBlock, newBlock, removeBlock, setColumnCount, updateBlock } from './blockOps.ts';

const base = (): BlockDocument => ({
  version: 1,
  settings: { width: 600, background: '#ffffff', font: 'sans' },
  blocks: [
    { type: 'heading', id: 'h', level: 1, text: 'H' },
    {
      type: 'columns',
      id: 'c',
      columns: [
        [
          { type: 'divider', id: 'd1' },
          { type: 'divider', id: 'd2' },
        ],
        [{ type: 'spacer', id: 's', height: 8 }],
      ],
    },
    { type: 'divider', id: 'z' },
  ],
});
const ids = (d: BlockDocument) =>
  d.blocks.map((b) => (b.type === 'columns' ? `${b.id}(${b.columns.map((c) => c.map((x) => x.id).join(',')).join('|')})` : b.id));

describe('block operations', () => {
  it('moves up and down, at the ends nothing, inside a column within it', () => {
    assert.deepEqual(ids(moveBlock(base(), 'z', -1)), ['h', 'z', 'c(d1,d2|s)']);
    assert.deepEqual(ids(moveBlock(base(), 'h', -1)), ids(base()));
    assert.deepEqual(ids(moveBlock(base(), 'z', 1)), ids(base()));
    assert.deepEqual(ids(moveBlock(base(), 'd1', 1)), ['h', 'c(d2,d1|s)', 'z']);
    assert.deepEqual(ids(moveBlock(base(), 's', -1)), ids(base()));
  });
  it('deletes, adds and edits anywhere, and leaves the original untouched', () => {
    const d = base();
    assert.deepEqual(ids(removeBlock(d, 'd2')), ['h', 'c(d1|s)', 'z']);
    assert.deepEqual(ids(removeBlock(d, 'c')), ['h', 'z']);
    assert.deepEqual(ids(addBlock(d, { type: 'divider', id: 'n' }, { id: 'c', column: 1 })), ['h', 'c(d1,d2|s,n)', 'z']);
    assert.deepEqual(ids(addBlock(d, newBlock('columns'), { id: 'c', column: 0 })), ids(d), 'no columns inside columns');
    const edited = updateBlock(d, 's', { height: 48 });
    assert.deepEqual((edited.blocks[1] as { columns: { height?: number }[][] }).columns[1]![0]!.height, 48);
    assert.deepEqual(ids(d), ['h', 'c(d1,d2|s)', 'z']);
    assert.deepEqual(ids(setColumnCount(setColumnCount(d, 'c', 3), 'c', 2)), ids(d));
    assert.deepEqual(
      ids(setColumnCount(addBlock(setColumnCount(d, 'c', 3), { type: 'divider', id: 'x' }, { id: 'c', column: 2 }), 'c', 2)),
      ['h', 'c(d1,d2|s,x)', 'z'],
    );
  });
  it('every new block but an image (which needs its address and description) is valid as made', () => {
    for (const t of ['heading', 'text', 'button', 'divider', 'spacer', 'columns'] as const) {
      const doc = addBlock(base(), newBlock(t));
      if (t === 'button') assert.notDeepEqual(checkBlocks(doc), [], 'a button needs its link');
      else assert.deepEqual(checkBlocks(doc), [], t);
    }
  });
});
