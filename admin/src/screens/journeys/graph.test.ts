// The designer's working copy of a journey: outputs drawn on the canvas are the server's successors
// (journeys.graph.ts), removing a tile leaves nothing leading to it, what is sent leaves no empty
// output, and a duration typed as a number and a unit is the ISO-8601 the API reads, both ways.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { successors } from '../../../../src/modules/journeys/journeys.graph.ts';
import {
  addTile,
  arranged,
  connect,
  durationWords,
  forApi,
  fromApi,
  fromIsoDuration,
  linksOf,
  newTile,
  outputsOf,
  removeTile,
  targetOf,
  toIsoDuration,
  UNITS,
  unconnected,
} from './graph.ts';
import type { Tile, TileType } from './types.ts';

const TYPES: TileType[] = ['start', 'email', 'wait', 'wait_event', 'condition', 'split', 'update_contact', 'list', 'task', 'end'];

/** A random graph: tiles of every type, ids including hostile ones, each output led to another tile or left empty. */
const graph = fc
  .array(
    fc.record({
      type: fc.constantFrom(...TYPES),
      id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.constantFrom('start', 'a', 'x-1', 'branch-0', 'yes')),
      branches: fc.integer({ min: 2, max: 5 }),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .chain((specs) => {
    const seen = new Set<string>();
    const unique = specs.filter((s) => !seen.has(s.id) && seen.add(s.id));
    const tiles = unique.map((s, i) => {
      const t = newTile(s.type, s.id, { x: 0, y: i * 100 });
      return t.type === 'split' ? { ...t, branches: Array.from({ length: s.branches }, () => ({ percent: 20, next: '' })) } : t;
    });
    const outs = tiles.flatMap((t) => outputsOf(t).map((o) => [t.id, o.handle] as const));
    return fc
      .tuple(
        fc.constant(tiles),
        fc.array(fc.option(fc.constantFrom(...tiles.map((t) => t.id))), { minLength: outs.length, maxLength: outs.length }),
      )
      .map(([ts, targets]) => outs.reduce((g, [id, handle], i) => connect(g, id, handle, targets[i] ?? ''), ts as Tile[]));
  });

describe('journey designer graph', () => {
  it('draws exactly the server’s successors of each tile, in its order', () => {
    fc.assert(
      fc.property(graph, (tiles) => {
        const ids = new Set(tiles.map((t) => t.id));
        for (const t of tiles) {
          const drawn = linksOf(tiles)
            .filter((l) => l.source === t.id)
            .map((l) => l.target);
          assert.deepEqual(
            drawn,
            successors(t).filter((s) => s !== '' && ids.has(s)),
          );
          assert.equal(outputsOf(t).length, successors(t).length, `${t.type}: one output per successor`);
        }
      }),
    );
  });

  it('removing a tile leaves nothing leading to it and keeps every other arrow', () => {
    fc.assert(
      fc.property(graph, fc.nat(), (tiles, pick) => {
        const gone = tiles[pick % tiles.length]!.id;
        const after = removeTile(tiles, gone);
        assert.equal(after.length, tiles.length - 1);
        assert.ok(after.every((t) => outputsOf(t).every((o) => targetOf(t, o.handle) !== gone)));
        const kept = (ls: ReturnType<typeof linksOf>) => ls.filter((l) => l.source !== gone && l.target !== gone).map((l) => l.id);
        assert.deepEqual(kept(linksOf(after)), kept(linksOf(tiles)));
      }),
    );
  });

  it('sends no empty output, and reads back what it sent', () => {
    fc.assert(
      fc.property(graph, (tiles) => {
        const sent = forApi(tiles);
        const json = JSON.stringify(sent);
        assert.ok(!/"(next|yes|no|timeoutNext|messageId|listId|field|event)":""/.test(json), json);
        assert.deepEqual(fromApi(sent), tiles);
      }),
    );
  });

  it('names each output not connected, and none once all are', () => {
    fc.assert(
      fc.property(graph, (tiles) => {
        const open = tiles.flatMap((t) => outputsOf(t).filter((o) => targetOf(t, o.handle) === ''));
        assert.equal(unconnected(tiles).length, open.length);
        const end = tiles.find((t) => t.type === 'end')?.id ?? tiles[0]!.id;
        const closed = tiles.reduce(
          (g, t) => outputsOf(t).reduce((h, o) => (targetOf(t, o.handle) === '' ? connect(h, t.id, o.handle, end) : h), g),
          tiles,
        );
        assert.deepEqual(unconnected(closed), []);
      }),
    );
  });

  it('adds a tile with a new id, led to from the chosen tile’s first free output', () => {
    fc.assert(
      fc.property(graph, fc.constantFrom(...TYPES), fc.nat(), (tiles, type, pick) => {
        const from = tiles[pick % tiles.length]!;
        const { tiles: after, id } = addTile(tiles, type, from.id);
        assert.equal(after.length, tiles.length + 1);
        assert.ok(!tiles.some((t) => t.id === id));
        assert.match(id, /^[A-Za-z0-9_-]{1,40}$/);
        const free = outputsOf(from).find((o) => targetOf(from, o.handle) === '');
        const now = after.find((t) => t.id === from.id)!;
        if (free) assert.equal(targetOf(now, free.handle), id);
        else assert.deepEqual(now, from);
      }),
    );
  });

  it('arranges every tile at a place of its own, each below the tile that first leads to it, and changes nothing else', () => {
    fc.assert(
      fc.property(graph, (tiles) => {
        const after = arranged(tiles);
        const places = after.map((t) => `${t.position!.x},${t.position!.y}`);
        assert.equal(new Set(places).size, tiles.length);
        assert.deepEqual(
          after.map(({ position: _p, ...t }) => t),
          tiles.map(({ position: _p, ...t }) => t),
        );
        const y = new Map(after.map((t) => [t.id, t.position!.y]));
        const start = after.find((t) => t.type === 'start');
        if (start) assert.equal(y.get(start.id), 0);
        for (const l of linksOf(after)) if (y.get(l.target)! > y.get(l.source)!) assert.ok(y.get(l.target)! - y.get(l.source)! >= 170);
      }),
    );
  });

  it('turns a number and a unit into ISO-8601 and back to the same length of time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(...UNITS), (amount, unit) => {
        const iso = toIsoDuration(amount, unit.value);
        assert.match(iso, /^P(T\d+[HMS]|\d+[DW])$/);
        const back = fromIsoDuration(iso)!;
        assert.equal(back.amount * UNITS.find((u) => u.value === back.unit)!.seconds, amount * unit.seconds);
      }),
    );
    assert.deepEqual(fromIsoDuration('PT2S'), { amount: 2, unit: 'seconds' });
    assert.deepEqual(fromIsoDuration('PT90M'), { amount: 90, unit: 'minutes' });
    assert.deepEqual(fromIsoDuration('P14D'), { amount: 2, unit: 'weeks' });
    assert.deepEqual(fromIsoDuration('P1DT1H'), { amount: 25, unit: 'hours' });
    for (const bad of ['', 'P', 'PT', '2 days', 'P1Y', 'P-1D', 'PT1.5S', undefined]) assert.equal(fromIsoDuration(bad), null, String(bad));
    assert.equal(durationWords('P1D'), '1 day');
    assert.equal(durationWords('PT2S'), '2 seconds');
  });
});
