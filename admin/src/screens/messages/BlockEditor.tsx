import { Button, ColorInput, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import {
  type Block,
  type BlockDocument,
  type BlockType,
  isSafeHref,
  isSafeImageSrc,
  type LeafBlock,
  type FontName,
} from '../../../../src/modules/email/blocks.render.ts';
import { parseMarks, toMarks } from '../../ui/email/marks';
import { addBlock, BLOCK_NAMES, moveBlock, newBlock, removeBlock, setColumnCount, updateBlock } from './blockOps';
import { useInsertable } from './Variables';

type Change = (f: (d: BlockDocument) => BlockDocument) => void;

const LEAF_TYPES: BlockType[] = ['heading', 'text', 'image', 'button', 'divider', 'spacer'];
const ALIGN = [
  { value: 'left', label: 'Left' },
  { value: 'center', label: 'Centre' },
  { value: 'right', label: 'Right' },
];

const linkError = (href: string | undefined, required: boolean) =>
  !href || href === 'https://'
    ? required
      ? 'Give the address the link opens'
      : null
    : isSafeHref(href)
      ? null
      : 'A link starts with https://, http:// or mailto:, or is one of the link variables';

/**
 * The block editor: the message as a column of blocks, each with its fields and buttons to move it
 * up or down or delete it, and a way to add one; everything by keyboard (no dragging).
 */
export function BlockEditor({ doc, change }: { doc: BlockDocument; change: Change }) {
  return (
    <Stack gap="sm">
      <DocumentSettings doc={doc} change={change} />
      {doc.blocks.length === 0 && (
        <Text size="sm" c="dimmed">
          No blocks yet: add a heading, text, an image or a button below.
        </Text>
      )}
      {doc.blocks.map((b, i) => (
        <BlockCard key={b.id} block={b} position={`${i + 1}`} first={i === 0} last={i === doc.blocks.length - 1} change={change} />
      ))}
      <AddBlock types={[...LEAF_TYPES, 'columns']} label="Add a block" onAdd={(t) => change((d) => addBlock(d, newBlock(t)))} />
    </Stack>
  );
}

function DocumentSettings({ doc, change }: { doc: BlockDocument; change: Change }) {
  const set = (patch: Partial<BlockDocument['settings']>) => change((d) => ({ ...d, settings: { ...d.settings, ...patch } }));
  return (
    <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
      <NativeSelect
        label="Width on a wide screen"
        value={String(doc.settings.width)}
        data={['480', '600', '640', '720'].map((w) => ({ value: w, label: `${w} pixels` }))}
        onChange={(e) => set({ width: Number(e.currentTarget.value) })}
      />
      <NativeSelect
        label="Font"
        value={doc.settings.font}
        data={[
          { value: 'sans', label: 'Sans serif (Arial)' },
          { value: 'serif', label: 'Serif (Georgia)' },
          { value: 'mono', label: 'Monospace (Courier)' },
        ]}
        onChange={(e) => set({ font: e.currentTarget.value as FontName })}
      />
      <ColorInput
        label="Background colour"
        value={doc.settings.background}
        format="hex"
        withEyeDropper={false}
        onChange={(v) => /^#[0-9a-fA-F]{6}$/.test(v) && set({ background: v })}
      />
    </SimpleGrid>
  );
}

function AddBlock({ types, label, onAdd }: { types: BlockType[]; label: string; onAdd: (t: BlockType) => void }) {
  const [type, setType] = useState<BlockType>(types[0]!);
  return (
    <Group gap="xs" align="flex-end">
      <NativeSelect
        label={label}
        value={type}
        data={types.map((t) => ({ value: t, label: BLOCK_NAMES[t] }))}
        onChange={(e) => setType(e.currentTarget.value as BlockType)}
      />
      <Button variant="light" onClick={() => onAdd(type)}>
        Add {BLOCK_NAMES[type].toLowerCase()}
      </Button>
    </Group>
  );
}

function BlockCard({
  block,
  position,
  first,
  last,
  change,
}: {
  block: Block;
  position: string;
  first: boolean;
  last: boolean;
  change: Change;
}) {
  const name = `${BLOCK_NAMES[block.type]} ${position}`;
  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-labelledby={`block-${block.id}`} data-block-name={name}>
      <Group justify="space-between" gap="xs" mb="xs" wrap="wrap">
        <Text fw={700} size="sm" id={`block-${block.id}`}>
          {name}
        </Text>
        <Group gap={4}>
          <Button
            size="compact-xs"
            variant="default"
            disabled={first}
            aria-label={`Move ${name} up`}
            onClick={() => change((d) => moveBlock(d, block.id, -1))}
          >
            Up
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            disabled={last}
            aria-label={`Move ${name} down`}
            onClick={() => change((d) => moveBlock(d, block.id, 1))}
          >
            Down
          </Button>
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            aria-label={`Delete ${name}`}
            onClick={() => change((d) => removeBlock(d, block.id))}
          >
            Delete
          </Button>
        </Group>
      </Group>
      <BlockFields block={block} name={name} change={change} />
    </Paper>
  );
}

function BlockFields({ block, name, change }: { block: Block; name: string; change: Change }) {
  const patch = (p: Partial<Block>) => change((d) => updateBlock(d, block.id, p));
  switch (block.type) {
    case 'heading':
      return <HeadingFields block={block} patch={patch} name={name} />;
    case 'text':
      return <TextFields block={block} patch={patch} name={name} />;
    case 'image':
      return <ImageFields block={block} patch={patch} name={name} />;
    case 'button':
      return <ButtonFields block={block} patch={patch} name={name} />;
    case 'divider':
      return (
        <Text size="sm" c="dimmed">
          A thin line across the message.
        </Text>
      );
    case 'spacer':
      return (
        <NativeSelect
          label={`Height of ${name.toLowerCase()}`}
          value={String(block.height)}
          data={[
            { value: '12', label: 'Small' },
            { value: '24', label: 'Medium' },
            { value: '48', label: 'Large' },
            { value: '96', label: 'Very large' },
          ].concat([12, 24, 48, 96].includes(block.height) ? [] : [{ value: String(block.height), label: `${block.height} pixels` }])}
          onChange={(e) => patch({ height: Number(e.currentTarget.value) })}
        />
      );
    case 'columns':
      return <ColumnsFields block={block} change={change} name={name} />;
  }
}

type Fields<B> = { block: B; patch: (p: Partial<Block>) => void; name: string };

function HeadingFields({ block, patch, name }: Fields<Extract<Block, { type: 'heading' }>>) {
  const insertable = useInsertable((text) => patch({ text }));
  return (
    <Stack gap="xs">
      <TextInput
        label={`Text of ${name.toLowerCase()}`}
        value={block.text}
        onChange={(e) => patch({ text: e.currentTarget.value })}
        {...insertable}
      />
      <Group gap="xs" grow align="flex-start">
        <NativeSelect
          label="Size"
          value={String(block.level)}
          data={[
            { value: '1', label: 'Large' },
            { value: '2', label: 'Medium' },
            { value: '3', label: 'Small' },
          ]}
          onChange={(e) => patch({ level: Number(e.currentTarget.value) as 1 | 2 | 3 })}
        />
        <NativeSelect
          label="Alignment"
          value={block.align ?? 'left'}
          data={ALIGN}
          onChange={(e) => patch({ align: e.currentTarget.value as 'left' })}
        />
      </Group>
    </Stack>
  );
}

function TextFields({ block, patch, name }: Fields<Extract<Block, { type: 'text' }>>) {
  // The typed text is kept as typed (a half-typed mark stays); the block gets what it reads as.
  const [source, setSource] = useState(() => toMarks(block.paragraphs));
  const set = (v: string) => {
    setSource(v);
    patch({ paragraphs: parseMarks(v) });
  };
  const insertable = useInsertable(set);
  return (
    <Stack gap="xs">
      <Textarea
        label={`Text of ${name.toLowerCase()}`}
        description="**bold**, *italic*, [words](https://…) for a link; a blank line starts a new paragraph."
        autosize
        minRows={3}
        value={source}
        onChange={(e) => set(e.currentTarget.value)}
        {...insertable}
      />
      <NativeSelect
        label="Alignment"
        value={block.align ?? 'left'}
        data={ALIGN}
        maw={200}
        onChange={(e) => patch({ align: e.currentTarget.value as 'left' })}
      />
      {block.paragraphs.flat().some((s) => s.href !== undefined && !isSafeHref(s.href)) && (
        <Text size="sm" c="red" role="alert">
          A link here does not start with https://, http:// or mailto: (or is not a link variable): it is shown as plain text.
        </Text>
      )}
    </Stack>
  );
}

function ImageFields({ block, patch, name }: Fields<Extract<Block, { type: 'image' }>>) {
  const insertable = useInsertable((alt) => patch({ alt }));
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
      <TextInput
        label={`Image address of ${name.toLowerCase()}`}
        description="An https:// address where the image is published"
        placeholder="https://"
        value={block.src}
        onChange={(e) => patch({ src: e.currentTarget.value.trim() })}
        error={block.src === '' ? 'Give the image’s address' : isSafeImageSrc(block.src) ? null : 'The address must start with https://'}
      />
      <TextInput
        label="Description (alt text)"
        description="What the image shows, for people who cannot see it"
        value={block.alt}
        onChange={(e) => patch({ alt: e.currentTarget.value })}
        error={block.alt.trim() === '' ? 'Describe the image' : null}
        {...insertable}
      />
      <TextInput
        label="Link (optional)"
        value={block.href ?? ''}
        onChange={(e) => patch({ href: e.currentTarget.value.trim() || undefined })}
        error={linkError(block.href, false)}
      />
      <Group grow gap="xs" align="flex-start">
        <TextInput
          label="Width in pixels (optional)"
          type="number"
          min={16}
          max={900}
          value={block.width ?? ''}
          onChange={(e) => patch({ width: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })}
        />
        <NativeSelect
          label="Alignment"
          value={block.align ?? 'left'}
          data={ALIGN}
          onChange={(e) => patch({ align: e.currentTarget.value as 'left' })}
        />
      </Group>
    </SimpleGrid>
  );
}

function ButtonFields({ block, patch, name }: Fields<Extract<Block, { type: 'button' }>>) {
  const insertable = useInsertable((label) => patch({ label }));
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
      <TextInput
        label={`Words on ${name.toLowerCase()}`}
        value={block.label}
        onChange={(e) => patch({ label: e.currentTarget.value })}
        error={block.label.trim() === '' ? 'Write the button’s words' : null}
        {...insertable}
      />
      <TextInput
        label="Link"
        value={block.href}
        onChange={(e) => patch({ href: e.currentTarget.value.trim() })}
        error={linkError(block.href, true)}
      />
      <ColorInput
        label="Colour"
        value={block.color ?? '#2563eb'}
        format="hex"
        withEyeDropper={false}
        onChange={(v) => /^#[0-9a-fA-F]{6}$/.test(v) && patch({ color: v })}
      />
      <NativeSelect
        label="Alignment"
        value={block.align ?? 'left'}
        data={ALIGN}
        onChange={(e) => patch({ align: e.currentTarget.value as 'left' })}
      />
    </SimpleGrid>
  );
}

function ColumnsFields({ block, change, name }: { block: Extract<Block, { type: 'columns' }>; change: Change; name: string }) {
  return (
    <Stack gap="xs">
      <NativeSelect
        label={`Number of columns in ${name.toLowerCase()}`}
        description="Side by side on a wide screen, one under the other on a phone"
        value={String(block.columns.length)}
        data={[
          { value: '2', label: 'Two' },
          { value: '3', label: 'Three' },
        ]}
        maw={320}
        onChange={(e) => change((d) => setColumnCount(d, block.id, Number(e.currentTarget.value) as 2 | 3))}
      />
      <SimpleGrid cols={1} spacing="md">
        {block.columns.map((col, c) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a column is its position
          <Stack key={c} gap="xs">
            <Text size="sm" fw={600}>
              Column {c + 1}
            </Text>
            {col.map((b: LeafBlock, i) => (
              <BlockCard
                key={b.id}
                block={b}
                position={`${name.split(' ').pop()}.${c + 1}.${i + 1}`}
                first={i === 0}
                last={i === col.length - 1}
                change={change}
              />
            ))}
            <AddBlock
              types={LEAF_TYPES}
              label={`Add to column ${c + 1}`}
              onAdd={(t) => change((d) => addBlock(d, newBlock(t), { id: block.id, column: c }))}
            />
          </Stack>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
