import { Text } from '@mantine/core';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { formatNumber } from '../../ui/format';
import { type Output, outputsOf } from './graph';
import type { Problem, Tile, TileStats } from './types';
import { problemWords, tileTypeWords } from './words';

export interface TileData extends Record<string, unknown> {
  tile: Tile;
  /** What the tile does, in words with names (the message's, the list's, …). */
  summary: string;
  problems: Problem[];
  /** Counts from GET /stats, once the journey has run. */
  counts: TileStats | null;
}
export type TileNodeType = Node<TileData, 'tile'>;

const RED = 'light-dark(var(--mantine-color-red-9), var(--mantine-color-red-4))';
export const TILE_WIDTH = 230;

/** The sum of a tile's exits by reason. */
export const exitedOf = (c: TileStats | null | undefined): number => Object.values(c?.exited ?? {}).reduce((n, x) => n + x, 0);

function OutputHandle({ o, i, n }: { o: Output; i: number; n: number }) {
  const left = `${((i + 1) / (n + 1)) * 100}%`;
  return (
    <>
      {o.label && (
        <span
          style={{
            position: 'absolute',
            bottom: -22,
            left,
            transform: 'translateX(-50%)',
            fontSize: 11,
            fontWeight: 600,
            whiteSpace: 'nowrap',
            color: 'var(--mantine-color-text)',
            background: 'var(--mantine-color-body)',
            padding: '0 3px',
            borderRadius: 3,
          }}
        >
          {o.label}
        </span>
      )}
      <Handle type="source" position={Position.Bottom} id={o.handle} style={{ left, width: 12, height: 12 }} />
    </>
  );
}

/** A tile on the canvas: its type and title, what it does, the counts, and its problems in red. */
export function TileNode({ data, selected }: NodeProps<TileNodeType>) {
  const { tile, summary, problems, counts } = data;
  const outputs = outputsOf(tile);
  const bad = problems.length > 0;
  return (
    <div
      data-tile={tile.id}
      data-invalid={bad ? 'true' : undefined}
      style={{
        width: TILE_WIDTH,
        padding: '8px 10px',
        borderRadius: 8,
        background: 'var(--mantine-color-body)',
        border: bad
          ? `3px solid ${RED}`
          : selected
            ? '2px solid var(--mantine-primary-color-filled)'
            : '1px solid var(--mantine-color-default-border)',
        boxShadow: selected ? '0 0 0 3px var(--mantine-primary-color-light)' : '0 1px 3px rgba(0,0,0,.15)',
        textAlign: 'left',
        marginBottom: outputs.some((o) => o.label) ? 14 : 0,
      }}
    >
      {tile.type !== 'start' && <Handle type="target" position={Position.Top} id="in" style={{ width: 12, height: 12 }} />}
      <Text size="xs" fw={700} tt="uppercase" c="dimmed" lh={1.3}>
        {tileTypeWords(tile.type)}
      </Text>
      {tile.title && (
        <Text size="sm" fw={600} lh={1.3} style={{ overflowWrap: 'anywhere' }}>
          {tile.title}
        </Text>
      )}
      <Text size="xs" lh={1.35} style={{ overflowWrap: 'anywhere' }}>
        {summary}
      </Text>
      {counts && (
        <Text size="xs" mt={4} fw={600} data-tile-counts={tile.id} lh={1.3}>
          <span data-count="entered">{formatNumber(counts.entered)}</span> entered ·{' '}
          <span data-count="waiting">{formatNumber(counts.waiting)}</span> waiting ·{' '}
          <span data-count="exited">{formatNumber(exitedOf(counts))}</span> left
        </Text>
      )}
      {problems.map((p) => (
        <Text key={`${p.code}:${p.message}`} size="xs" mt={4} c={RED} fw={600} lh={1.3} data-problem={p.code}>
          ⚠ {problemWords(p.code, p.message)}
        </Text>
      ))}
      {outputs.map((o, i) => (
        <OutputHandle key={o.handle} o={o} i={i} n={outputs.length} />
      ))}
    </div>
  );
}
