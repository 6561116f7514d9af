import { type Block, type BlockDocument, type BlockType, blockId, type LeafBlock } from '../../../../src/modules/email/blocks.render.ts';

/** The block editor's changes, as pure functions of the document (each returns a new one). */

export const BLOCK_NAMES: Record<BlockType, string> = {
  heading: 'Heading',
  text: 'Text',
  image: 'Image',
  button: 'Button',
  divider: 'Divider',
  spacer: 'Space',
  columns: 'Columns',
};

export function newBlock(type: BlockType): Block {
  const id = blockId();
  switch (type) {
    case 'heading':
      return { type, id, level: 2, text: 'A heading' };
    case 'text':
      return { type, id, paragraphs: [[{ text: 'Some text.' }]] };
    case 'image':
      return { type, id, src: '', alt: '' };
    case 'button':
      return { type, id, label: 'Read more', href: 'https://' };
    case 'divider':
      return { type, id };
    case 'spacer':
      return { type, id, height: 24 };
    case 'columns':
      return {
        type,
        id,
        columns: [
          [{ type: 'text', id: blockId(), paragraphs: [[{ text: 'Left column.' }]] }],
          [{ type: 'text', id: blockId(), paragraphs: [[{ text: 'Right column.' }]] }],
        ],
      };
  }
}

/** Applies `f` to the list that holds block `id` (the document's, or a column's). */
function inList(doc: BlockDocument, id: string, f: (list: Block[], i: number) => Block[]): BlockDocument {
  const top = doc.blocks.findIndex((b) => b.id === id);
  if (top >= 0) return { ...doc, blocks: f(doc.blocks, top) };
  return {
    ...doc,
    blocks: doc.blocks.map((b) =>
      b.type === 'columns'
        ? {
            ...b,
            columns: b.columns.map((col) => {
              const i = col.findIndex((x) => x.id === id);
              return i >= 0 ? (f(col, i) as LeafBlock[]) : col;
            }),
          }
        : b,
    ),
  };
}

export const moveBlock = (doc: BlockDocument, id: string, by: -1 | 1): BlockDocument =>
  inList(doc, id, (list, i) => {
    const j = i + by;
    if (j < 0 || j >= list.length) return list;
    const next = [...list];
    [next[i], next[j]] = [next[j]!, next[i]!];
    return next;
  });

export const removeBlock = (doc: BlockDocument, id: string): BlockDocument => inList(doc, id, (list, i) => list.filter((_, k) => k !== i));

export const updateBlock = (doc: BlockDocument, id: string, patch: Partial<Block>): BlockDocument =>
  inList(doc, id, (list, i) => list.map((b, k) => (k === i ? ({ ...b, ...patch } as Block) : b)));

/** Adds a block at the end of the document, or of column `column` of the columns block `into`. */
export function addBlock(doc: BlockDocument, block: Block, into?: { id: string; column: number }): BlockDocument {
  if (!into) return { ...doc, blocks: [...doc.blocks, block] };
  if (block.type === 'columns') return doc;
  return {
    ...doc,
    blocks: doc.blocks.map((b) =>
      b.type === 'columns' && b.id === into.id
        ? { ...b, columns: b.columns.map((col, k) => (k === into.column ? [...col, block] : col)) }
        : b,
    ),
  };
}

/** Two or three columns: a third is added empty; a removed third's blocks move to the second. */
export function setColumnCount(doc: BlockDocument, id: string, n: 2 | 3): BlockDocument {
  return {
    ...doc,
    blocks: doc.blocks.map((b) => {
      if (b.type !== 'columns' || b.id !== id || b.columns.length === n) return b;
      if (n === 3) return { ...b, columns: [...b.columns, []] };
      return { ...b, columns: [b.columns[0] ?? [], [...(b.columns[1] ?? []), ...(b.columns[2] ?? [])]] };
    }),
  };
}
