import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { BLOCK_LIMITS, type BlockDocument, COLOR_PATTERN, HREF_PATTERN, IMAGE_SRC_PATTERN, allBlocks } from './blocks.render.ts';

/**
 * The block document's shape (blocks.render.ts), for a server that checks `blocks` on save: the
 * renderer is tolerant, this is strict (no unknown properties, links and images only where the
 * renderer would keep them, sizes bounded).
 */
const Id = Type.String({ minLength: 1, maxLength: 40 });
const Text = (max: number) => Type.String({ maxLength: max });
const Href = Type.String({ maxLength: BLOCK_LIMITS.url, pattern: HREF_PATTERN });
const AlignSchema = Type.Union([Type.Literal('left'), Type.Literal('center'), Type.Literal('right')]);
const strict = { additionalProperties: false } as const;

const SpanSchema = Type.Object(
  { text: Text(BLOCK_LIMITS.text), bold: Type.Optional(Type.Boolean()), italic: Type.Optional(Type.Boolean()), href: Type.Optional(Href) },
  strict,
);

const Heading = Type.Object(
  {
    type: Type.Literal('heading'),
    id: Id,
    level: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
    text: Text(BLOCK_LIMITS.short),
    align: Type.Optional(AlignSchema),
  },
  strict,
);
const TextBlock = Type.Object(
  {
    type: Type.Literal('text'),
    id: Id,
    paragraphs: Type.Array(Type.Array(SpanSchema, { maxItems: 200 }), { maxItems: 200 }),
    align: Type.Optional(AlignSchema),
  },
  strict,
);
const Image = Type.Object(
  {
    type: Type.Literal('image'),
    id: Id,
    src: Type.String({ maxLength: BLOCK_LIMITS.url, pattern: IMAGE_SRC_PATTERN }),
    alt: Type.String({ minLength: 1, maxLength: BLOCK_LIMITS.short, pattern: '\\S' }),
    href: Type.Optional(Href),
    width: Type.Optional(Type.Integer({ minimum: 16, maximum: BLOCK_LIMITS.maxWidth })),
    align: Type.Optional(AlignSchema),
  },
  strict,
);
const Button = Type.Object(
  {
    type: Type.Literal('button'),
    id: Id,
    label: Type.String({ minLength: 1, maxLength: BLOCK_LIMITS.short, pattern: '\\S' }),
    href: Href,
    color: Type.Optional(Type.String({ pattern: COLOR_PATTERN })),
    align: Type.Optional(AlignSchema),
  },
  strict,
);
const Divider = Type.Object({ type: Type.Literal('divider'), id: Id }, strict);
const Spacer = Type.Object(
  { type: Type.Literal('spacer'), id: Id, height: Type.Integer({ minimum: BLOCK_LIMITS.minSpacer, maximum: BLOCK_LIMITS.maxSpacer }) },
  strict,
);
const Leaf = Type.Union([Heading, TextBlock, Image, Button, Divider, Spacer]);
const Columns = Type.Object(
  {
    type: Type.Literal('columns'),
    id: Id,
    columns: Type.Array(Type.Array(Leaf, { maxItems: BLOCK_LIMITS.blocks }), {
      minItems: BLOCK_LIMITS.minColumns,
      maxItems: BLOCK_LIMITS.maxColumns,
    }),
  },
  strict,
);

export const BlockDocumentSchema = Type.Object(
  {
    version: Type.Literal(1),
    settings: Type.Object(
      {
        width: Type.Integer({ minimum: BLOCK_LIMITS.minWidth, maximum: BLOCK_LIMITS.maxWidth }),
        background: Type.String({ pattern: COLOR_PATTERN }),
        font: Type.Union([Type.Literal('sans'), Type.Literal('serif'), Type.Literal('mono')]),
      },
      strict,
    ),
    blocks: Type.Array(Type.Union([Leaf, Columns]), { maxItems: BLOCK_LIMITS.blocks }),
  },
  { ...strict, description: 'The block editor’s document (version 1): settings and blocks, rendered to the message’s HTML.' },
);

/**
 * The schema and the renderer's types describe one document: each is assignable to the other, or
 * this type does not compile (a field added to one and not the other fails the type check).
 */
type Checked = Static<typeof BlockDocumentSchema>;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustHold<T extends true> = T;
export type SchemaMatchesRenderer = MustHold<Mutual<Checked, BlockDocument>>;

/** A problem in a document: where (a JSON pointer) and what, with no text from the document. */
export interface BlockProblem {
  path: string;
  message: string;
}

/** The document's problems, none when it is valid. Also bounds the total count of blocks, columns' included. */
export function checkBlocks(doc: unknown): BlockProblem[] {
  if (!Value.Check(BlockDocumentSchema, doc)) {
    return [...Value.Errors(BlockDocumentSchema, doc)].slice(0, 20).map((e) => ({ path: e.instancePath || '/', message: e.message }));
  }
  if (allBlocks(doc).length > BLOCK_LIMITS.blocks) return [{ path: '/blocks', message: `at most ${BLOCK_LIMITS.blocks} blocks in all` }];
  return [];
}
