import '@xyflow/react/dist/style.css';
import { Button, Group, Paper, Text, Tooltip, useComputedColorScheme } from '@mantine/core';
import {
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MarkerType,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { linksOf } from './graph';
import { TILE_WIDTH, TileNode, type TileNodeType } from './TileNode';
import type { Problem, Tile, TileStats, TileType } from './types';
import { TILE_TYPES, tileTypeWords } from './words';

const NODE_TYPES = { tile: TileNode };
const FIT = { maxZoom: 1, padding: 0.15 };
const DRAG_TYPE = 'application/x-assent-tile';

export interface CanvasProps {
  tiles: Tile[];
  nodes: TileNodeType[];
  setNodes: (f: (n: TileNodeType[]) => TileNodeType[]) => void;
  summaries: Map<string, string>;
  problems: Map<string, Problem[]>;
  counts: Record<string, TileStats> | null;
  readOnly: boolean;
  /** A tile of the type added after the chosen tile (a click), or where it was dropped. */
  onAdd: (type: TileType, at?: { x: number; y: number }) => void;
  onConnect: (source: string, handle: string, target: string) => void;
  onDisconnect: (source: string, handle: string) => void;
  onRemove: (ids: string[]) => void;
  onSelect: (id: string | null) => void;
  /** Every tile put in rows by its distance from the start. */
  onArrange: () => void;
}

/** The tile types to add: a click adds one after the chosen tile, a drag puts one where it is dropped. */
function Palette({ tiles, readOnly, onAdd, onArrange }: Pick<CanvasProps, 'tiles' | 'readOnly' | 'onAdd' | 'onArrange'>) {
  const hasStart = tiles.some((t) => t.type === 'start');
  const flow = useReactFlow();
  return (
    <Group gap={6} wrap="wrap" role="toolbar" aria-label="Add a tile">
      {TILE_TYPES.map((t) => (
        <Tooltip key={t.type} label={t.description} openDelay={400} multiline w={240} withinPortal>
          <Button
            size="compact-sm"
            variant="default"
            disabled={readOnly || (t.type === 'start' && hasStart)}
            draggable={!readOnly}
            onDragStart={(e: DragEvent) => {
              e.dataTransfer.setData(DRAG_TYPE, t.type);
              e.dataTransfer.effectAllowed = 'move';
            }}
            onClick={() => onAdd(t.type)}
            aria-label={`Add ${t.label}`}
          >
            + {t.label}
          </Button>
        </Tooltip>
      ))}
      {!readOnly && tiles.length > 1 && (
        <Button
          size="compact-sm"
          variant="subtle"
          onClick={() => {
            onArrange();
            setTimeout(() => void flow.fitView({ ...FIT, duration: 200 }), 50);
          }}
        >
          Arrange tiles
        </Button>
      )}
    </Group>
  );
}

function Flow(props: CanvasProps) {
  const { tiles, nodes, setNodes, summaries, problems, counts, readOnly } = props;
  const flow = useReactFlow();
  const scheme = useComputedColorScheme('light');
  const [chosenEdges, setChosenEdges] = useState<Set<string>>(new Set());
  // The whole journey in view when the canvas changes width (a phone turned, the window resized).
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    let width = box.current.clientWidth;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watch = new ResizeObserver(([e]) => {
      if (!e || Math.abs(e.contentRect.width - width) < 8) return;
      width = e.contentRect.width;
      clearTimeout(timer);
      timer = setTimeout(() => void flow.fitView(FIT), 100);
    });
    watch.observe(box.current);
    return () => {
      clearTimeout(timer);
      watch.disconnect();
    };
  }, [flow]);
  // A tile added below the others comes into view: the journey is fitted again once it is measured.
  const count = useRef(tiles.length);
  useEffect(() => {
    const grew = tiles.length > count.current;
    count.current = tiles.length;
    if (!grew) return;
    const timer = setTimeout(() => void flow.fitView({ ...FIT, duration: 150 }), 60);
    return () => clearTimeout(timer);
  }, [tiles.length, flow]);
  const byId = useMemo(() => new Map(tiles.map((t) => [t.id, t])), [tiles]);
  const name = (id: string) => {
    const t = byId.get(id);
    return t ? `${tileTypeWords(t.type)}${t.title ? ` “${t.title}”` : ''}` : id;
  };

  const shown: TileNodeType[] = nodes
    .filter((n) => byId.has(n.id))
    .map((n) => {
      const tile = byId.get(n.id)!;
      const bad = problems.get(n.id) ?? [];
      return {
        ...n,
        type: 'tile',
        ariaLabel: `${name(n.id)}: ${summaries.get(n.id) ?? ''}${bad.length ? `. ${bad.length} problem${bad.length > 1 ? 's' : ''}` : ''}`,
        deletable: !readOnly,
        data: { tile, summary: summaries.get(n.id) ?? '', problems: bad, counts: counts ? (counts[n.id] ?? zero) : null },
      };
    });
  const edges: Edge[] = linksOf(tiles).map((l) => ({
    id: l.id,
    source: l.source,
    sourceHandle: l.sourceHandle,
    target: l.target,
    targetHandle: 'in',
    type: 'smoothstep',
    selected: chosenEdges.has(l.id),
    markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
    ariaLabel: `From ${name(l.source)}${l.label ? ` (${l.label})` : ''} to ${name(l.target)}`,
    deletable: !readOnly,
    style: { strokeWidth: 2 },
  }));

  const onNodesChange = useCallback(
    (changes: NodeChange<TileNodeType>[]) => {
      const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
      if (removed.length) props.onRemove(removed);
      const kept = changes.filter((c) => c.type !== 'remove');
      // Choosing a tile by a click is a `select` change: applied here, it is what the designer reads.
      setNodes((ns) => applyNodeChanges(kept, ns));
    },
    [props, setNodes],
  );
  const onEdgesChange = (changes: EdgeChange[]) => {
    for (const c of changes) {
      if (c.type === 'remove') {
        const [source, handle] = c.id.split(':') as [string, string];
        props.onDisconnect(source, handle);
      }
    }
    const select = changes.filter((c) => c.type === 'select');
    if (select.length)
      setChosenEdges((s) => {
        const next = new Set(s);
        for (const c of select) if (c.type === 'select') c.selected ? next.add(c.id) : next.delete(c.id);
        return next;
      });
  };
  const onConnect = (c: Connection) => {
    if (c.source && c.target && c.sourceHandle && c.source !== c.target) props.onConnect(c.source, c.sourceHandle, c.target);
  };
  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(DRAG_TYPE) as TileType;
    if (!type || readOnly) return;
    e.preventDefault();
    // The tile's top centre where it was dropped.
    const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    props.onAdd(type, { x: at.x - TILE_WIDTH / 2, y: at.y - 10 });
  };
  // Delete (or Backspace) on a tile or an arrow of the canvas removes it; the side panel's keys are its own.
  const onKeyDown = (e: KeyboardEvent) => {
    if (readOnly || (e.key !== 'Delete' && e.key !== 'Backspace')) return;
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, [contenteditable]')) return;
    const node = target.closest<HTMLElement>('.react-flow__node');
    const ids = nodes.filter((n) => n.selected).map((n) => n.id);
    if (node?.dataset.id && !ids.includes(node.dataset.id)) ids.push(node.dataset.id);
    if (ids.length) {
      e.preventDefault();
      props.onRemove(ids);
      return;
    }
    if (chosenEdges.size) {
      e.preventDefault();
      for (const id of chosenEdges) {
        const [source, handle] = id.split(':') as [string, string];
        props.onDisconnect(source, handle);
      }
      setChosenEdges(new Set());
    }
  };
  // A tile reached by Tab is chosen, so the side panel (next in the tab order) shows its settings.
  const onFocus = (e: React.FocusEvent) => {
    const node = (e.target as HTMLElement).closest<HTMLElement>('.react-flow__node');
    const id = node?.dataset.id;
    if (id && !nodes.find((n) => n.id === id)?.selected) props.onSelect(id);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the keys and focus of the canvas's own focusable tiles, handled where they bubble
    <div
      ref={box}
      style={{ height: 'min(620px, 75vh)', minHeight: 420, width: '100%' }}
      onDrop={onDrop}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
      }}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
    >
      <ReactFlow<TileNodeType, Edge>
        nodes={shown}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onPaneClick={() => props.onSelect(null)}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={null}
        colorMode={scheme}
        fitView
        fitViewOptions={FIT}
        minZoom={0.3}
        maxZoom={1.5}
        ariaLabelConfig={{ 'node.a11yDescription.default': 'Press Enter to choose this tile, Delete to remove it, arrow keys to move it.' }}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

const zero: TileStats = { entered: 0, done: 0, waiting: 0, exited: {}, outcomes: {} };

/** The designer's canvas: the palette above, the graph (tiles, arrows, counts and problems) below. */
export function Canvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Paper withBorder radius="md" p="xs" component="section" aria-label="Journey canvas">
        <Palette tiles={props.tiles} readOnly={props.readOnly} onAdd={props.onAdd} onArrange={props.onArrange} />
        <Text size="xs" c="dimmed" mt={6} mb={6}>
          Drag from a tile’s output (the dot below it) to the next tile. Tab moves between tiles; Delete removes the chosen one.
        </Text>
        <Flow {...props} />
      </Paper>
    </ReactFlowProvider>
  );
}
