import type { Problem, Tile, TileType } from './types';

/**
 * The designer's working copy of a journey's graph: the API's tiles, where an output not connected
 * yet holds '' (the API is sent none there). Pure functions only: the screen holds the state.
 */

/** An output of a tile (a handle on the canvas): its id, the tile's field it sets, and its label. */
export interface Output {
  handle: string;
  label: string;
}

export function outputsOf(t: Tile): Output[] {
  switch (t.type) {
    case 'end':
      return [];
    case 'condition':
      return [
        { handle: 'yes', label: 'Yes' },
        { handle: 'no', label: 'No' },
      ];
    case 'split':
      return t.branches.map((b, i) => ({ handle: `branch-${i}`, label: `${b.percent}%` }));
    case 'wait_event':
      return [
        { handle: 'next', label: 'Happened' },
        { handle: 'timeout', label: 'Timed out' },
      ];
    default:
      return [{ handle: 'next', label: '' }];
  }
}

/** The tile an output leads to ('' when not connected). */
export function targetOf(t: Tile, handle: string): string {
  const branch = /^branch-(\d+)$/.exec(handle);
  if (t.type === 'split') return branch ? (t.branches[Number(branch[1])]?.next ?? '') : '';
  if (t.type === 'condition') return (handle === 'yes' ? t.yes : handle === 'no' ? t.no : '') ?? '';
  if (t.type === 'wait_event') return (handle === 'timeout' ? t.timeoutNext : handle === 'next' ? t.next : '') ?? '';
  if (t.type === 'end') return '';
  return (handle === 'next' ? t.next : '') ?? '';
}

/** The tile with one output leading to `target` ('' disconnects it). */
export function withTarget(t: Tile, handle: string, target: string): Tile {
  const branch = /^branch-(\d+)$/.exec(handle);
  switch (t.type) {
    case 'end':
      return t;
    case 'split':
      return branch ? { ...t, branches: t.branches.map((b, i) => (i === Number(branch[1]) ? { ...b, next: target } : b)) } : t;
    case 'condition':
      return handle === 'yes' ? { ...t, yes: target } : handle === 'no' ? { ...t, no: target } : t;
    case 'wait_event':
      return handle === 'timeout' ? { ...t, timeoutNext: target } : handle === 'next' ? { ...t, next: target } : t;
    default:
      return handle === 'next' ? { ...t, next: target } : t;
  }
}

export const connect = (tiles: Tile[], source: string, handle: string, target: string): Tile[] =>
  tiles.map((t) => (t.id === source ? withTarget(t, handle, target) : t));

/** Without the tile, and every output that led to it disconnected. */
export function removeTile(tiles: Tile[], id: string): Tile[] {
  return tiles
    .filter((t) => t.id !== id)
    .map((t) => outputsOf(t).reduce((u, o) => (targetOf(u, o.handle) === id ? withTarget(u, o.handle, '') : u), t));
}

export interface Link {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  label: string;
}

/** The arrows to draw: every connected output whose tile exists. */
export function linksOf(tiles: Tile[]): Link[] {
  const ids = new Set(tiles.map((t) => t.id));
  return tiles.flatMap((t) =>
    outputsOf(t)
      .map((o) => ({ id: `${t.id}:${o.handle}`, source: t.id, sourceHandle: o.handle, target: targetOf(t, o.handle), label: o.label }))
      .filter((l) => l.target !== '' && ids.has(l.target)),
  );
}

/** Outputs not connected to anything: the API would refuse the graph, so the designer says so on the tile. */
export function unconnected(tiles: Tile[]): Problem[] {
  return tiles.flatMap((t) =>
    outputsOf(t)
      .filter((o) => targetOf(t, o.handle) === '')
      .map((o) => ({
        tileId: t.id,
        code: 'not_connected',
        message: o.label ? `“${o.label}” is not connected` : 'Not connected',
      })),
  );
}

/** A new id for a tile of the type: `email-2`, unique in the journey (the API's rule: 1–40 of A-Z a-z 0-9 _ -). */
export function newTileId(tiles: readonly Tile[], type: TileType): string {
  const ids = new Set(tiles.map((t) => t.id));
  const base = type.replace(/_/g, '-');
  for (let n = 1; ; n++) if (!ids.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A tile of the type with its settings left to choose (the side panel asks for them). */
export function newTile(type: TileType, id: string, position: { x: number; y: number }): Tile {
  const base = { id, position };
  switch (type) {
    case 'start':
      return { ...base, type, trigger: { manual: true }, next: '' };
    case 'email':
      return { ...base, type, messageId: '', next: '' };
    case 'wait':
      return { ...base, type, duration: 'P1D', next: '' };
    case 'wait_event':
      return { ...base, type, event: '', timeout: 'P7D', next: '', timeoutNext: '' };
    case 'condition':
      return { ...base, type, did: { type: 'email_opened' }, yes: '', no: '' };
    case 'split':
      return {
        ...base,
        type,
        branches: [
          { percent: 50, next: '' },
          { percent: 50, next: '' },
        ],
      };
    case 'update_contact':
      return { ...base, type, field: '', value: '', next: '' };
    case 'list':
      return { ...base, type, action: 'join', listId: '', next: '' };
    case 'task':
      return { ...base, type, role: 'marketer', title: 'Follow up', next: '' };
    case 'end':
      return { ...base, type };
  }
}

/**
 * A new tile placed below `after` and led to from its first free output (click-to-add: the usual
 * way a journey grows); without `after`, below the lowest tile.
 */
export function addTile(tiles: Tile[], type: TileType, after: string | null, at?: { x: number; y: number }): { tiles: Tile[]; id: string } {
  const id = newTileId(tiles, type);
  const from = after ? tiles.find((t) => t.id === after) : undefined;
  const lowest = tiles.reduce<Tile | undefined>((low, t) => ((t.position?.y ?? 0) > (low?.position?.y ?? -Infinity) ? t : low), undefined);
  const anchor = from ?? lowest;
  const free = from ? outputsOf(from).find((o) => targetOf(from, o.handle) === '') : undefined;
  const siblings = from ? outputsOf(from).indexOf(free!) : 0;
  const position = at ?? {
    x: (anchor?.position?.x ?? 0) + Math.max(0, siblings) * 260,
    y: anchor ? (anchor.position?.y ?? 0) + 170 : 0,
  };
  let next = [...tiles, newTile(type, id, position)];
  if (from && free) next = connect(next, from.id, free.handle, id);
  return { tiles: next, id };
}

/** What the API is sent: outputs not connected are left out (the API then names the tile). */
export function forApi(tiles: Tile[]): Tile[] {
  return tiles.map((t) => {
    const copy: Record<string, unknown> = { ...t };
    for (const k of ['next', 'yes', 'no', 'timeoutNext', 'messageId', 'listId', 'event', 'field']) if (copy[k] === '') delete copy[k];
    if (t.type === 'split') copy.branches = t.branches.map((b) => (b.next === '' ? { percent: b.percent } : b));
    if (t.title === '') delete copy.title;
    return copy as unknown as Tile;
  });
}

/** What the API answered, as the designer works on it: outputs not given become ''. */
export function fromApi(tiles: Tile[]): Tile[] {
  return tiles.map((t, i) => {
    const position = t.position ?? { x: 0, y: i * 170 };
    switch (t.type) {
      case 'end':
        return { ...t, position };
      case 'condition':
        return { ...t, position, yes: t.yes ?? '', no: t.no ?? '' };
      case 'split':
        return { ...t, position, branches: (t.branches ?? []).map((b) => ({ ...b, next: b.next ?? '' })) };
      case 'wait_event':
        return { ...t, position, next: t.next ?? '', timeoutNext: t.timeoutNext ?? '', event: t.event ?? '' };
      case 'email':
        return { ...t, position, messageId: t.messageId ?? '', next: t.next ?? '' };
      case 'list':
        return { ...t, position, listId: t.listId ?? '', next: t.next ?? '' };
      case 'update_contact':
        return { ...t, position, field: t.field ?? '', next: t.next ?? '' };
      default:
        return { ...t, position, next: t.next ?? '' };
    }
  });
}

/** Units a duration is typed in, with their length in seconds and their ISO-8601 form. */
export const UNITS = [
  { value: 'seconds', label: 'seconds', seconds: 1 },
  { value: 'minutes', label: 'minutes', seconds: 60 },
  { value: 'hours', label: 'hours', seconds: 3600 },
  { value: 'days', label: 'days', seconds: 86_400 },
  { value: 'weeks', label: 'weeks', seconds: 604_800 },
] as const;
export type Unit = (typeof UNITS)[number]['value'];

/** ISO-8601 for a number of a unit: 2 seconds → PT2S, 3 days → P3D, 1 week → P1W. */
export function toIsoDuration(amount: number, unit: Unit): string {
  const n = Math.max(0, Math.floor(amount));
  switch (unit) {
    case 'seconds':
      return `PT${n}S`;
    case 'minutes':
      return `PT${n}M`;
    case 'hours':
      return `PT${n}H`;
    case 'days':
      return `P${n}D`;
    case 'weeks':
      return `P${n}W`;
  }
}

const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An ISO-8601 duration as a number of the largest unit that measures it exactly (PT90M → 90 minutes, P14D → 2 weeks); null if unreadable.
 */
export function fromIsoDuration(iso: string | undefined): { amount: number; unit: Unit } | null {
  const m = iso ? ISO.exec(iso) : null;
  if (!m || iso === 'P' || iso?.endsWith('T')) return null;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  const total = w * 604_800 + d * 86_400 + h * 3600 + min * 60 + s;
  if (total === 0) return { amount: 0, unit: 'days' };
  const unit = [...UNITS].reverse().find((u) => total % u.seconds === 0)!;
  return { amount: total / unit.seconds, unit: unit.value };
}

/** "2 days", "1 hour", "90 minutes": a duration in words. */
export function durationWords(iso: string | undefined): string {
  const d = fromIsoDuration(iso);
  if (!d) return iso ? iso : 'no time set';
  const unit = d.amount === 1 ? d.unit.slice(0, -1) : d.unit;
  return `${d.amount} ${unit}`;
}

/** Problems per tile (and the journey's own under ''), most important first. */
export function problemsByTile(problems: readonly Problem[]): Map<string, Problem[]> {
  const by = new Map<string, Problem[]>();
  for (const p of problems) {
    const key = p.tileId ?? '';
    by.set(key, [...(by.get(key) ?? []), p]);
  }
  return by;
}

/**
 * Where each tile goes when the designer arranges them: in rows by their distance from the start
 * (a tile reached by several paths sits in its first row), each row centred; tiles nothing leads to
 * in a last row. Positions only: the graph is unchanged.
 */
export function arranged(tiles: Tile[], gap = { x: 260, y: 170 }): Tile[] {
  const byId = new Map(tiles.map((t) => [t.id, t]));
  const row = new Map<string, number>();
  const queue = tiles.filter((t) => t.type === 'start').map((t) => t.id);
  for (const id of queue) row.set(id, 0);
  while (queue.length) {
    const t = byId.get(queue.shift()!)!;
    for (const o of outputsOf(t)) {
      const next = targetOf(t, o.handle);
      if (next && byId.has(next) && !row.has(next)) {
        row.set(next, row.get(t.id)! + 1);
        queue.push(next);
      }
    }
  }
  const last = Math.max(-1, ...row.values()) + 1;
  const rows = new Map<number, string[]>();
  for (const t of tiles) {
    const r = row.get(t.id) ?? last;
    rows.set(r, [...(rows.get(r) ?? []), t.id]);
  }
  // In a row, in the order they were reached (the queue's), so a condition's yes sits left of its no.
  const order = new Map([...row.keys()].map((id, i) => [id, i]));
  const at = new Map<string, { x: number; y: number }>();
  for (const [r, ids] of rows) {
    ids.sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
    ids.forEach((id, i) => at.set(id, { x: Math.round((i - (ids.length - 1) / 2) * gap.x), y: r * gap.y }));
  }
  return tiles.map((t) => ({ ...t, position: at.get(t.id)! }));
}
