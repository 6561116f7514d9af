import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../settings/settings.defaults.ts';
import type { Tile } from './journeys.graph.ts';
import type { JourneyDefinition, Problem } from './journeys.model.ts';
import { basePurpose, messagePurposeProblem, readsBehaviour, requiredLevel, tilePurpose } from './journeys.purposes.ts';
import { type ValidationContext, validate, validateAt } from './journeys.validate.ts';

const MSG = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e01';
const MSG_PROFILING = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e02';
const MSG_REQUESTED = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e03';
const MSG_GONE_PURPOSE = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e04';
const SEG = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e05';
const FORM = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e06';
const LIST = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e07';
const MSG_SUBSCRIPTION = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e08';
const UNKNOWN = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4eff';
const BAD_FILTER = { field: 'nope', op: '=', value: 1 };

const ctx: ValidationContext = {
  purposes: DEFAULT_SETTINGS.purposes,
  messages: new Map([
    [MSG, { purpose: 'marketing' }],
    [MSG_PROFILING, { purpose: 'profiling' }],
    [MSG_REQUESTED, { purpose: 'requested' }],
    [MSG_GONE_PURPOSE, { purpose: 'removed_since' }],
    [MSG_SUBSCRIPTION, { purpose: 'subscription' }],
  ]),
  segments: new Set([SEG]),
  forms: new Set([FORM]),
  lists: new Set([LIST]),
  eventTypes: new Set(['form.submitted', 'contact.updated']),
  interactionTypes: new Set(['email_clicked', 'page_visited']),
  customFields: new Set(['shoe_size']),
  filterProblem: (f) => (JSON.stringify(f) === JSON.stringify(BAD_FILTER) ? '/field: unknown field' : null),
};

/** A journey using every tile type, without a problem. */
function good(): JourneyDefinition {
  const tiles: Tile[] = [
    { id: 'start', type: 'start', trigger: { segmentId: SEG, joinLater: true }, next: 'mail' },
    { id: 'mail', type: 'email', messageId: MSG, next: 'pause' },
    { id: 'pause', type: 'wait', duration: 'P3D', next: 'clicked' },
    { id: 'clicked', type: 'wait_event', event: 'form.submitted', timeout: 'PT12H', next: 'cond', timeoutNext: 'end' },
    { id: 'cond', type: 'condition', filter: { consent: { atLeast: 1 } }, yes: 'tag', no: 'fork' },
    { id: 'tag', type: 'list', action: 'join', listId: LIST, next: 'end' },
    {
      id: 'fork',
      type: 'split',
      branches: [
        { percent: 50, next: 'set' },
        { percent: 50, next: 'end' },
      ],
    },
    { id: 'set', type: 'update_contact', field: 'customFields.shoe_size', value: 42, next: 'followup' },
    { id: 'followup', type: 'task', title: 'Call them 📞', role: 'marketer', next: 'end' },
    { id: 'end', type: 'end' },
  ];
  return { name: 'Good', requiredLevel: 4, requiredPurpose: null, tiles, goal: null, reentry: { policy: 'once' }, holdoutPercent: 0 };
}

const tile = (d: JourneyDefinition, id: string) => d.tiles.find((t) => t.id === id) as Tile & Record<string, unknown>;
const named = (ps: Problem[], code: string) => ps.filter((p) => p.code === code).map((p) => p.tileId);

describe('journey validation: each rule names its tile', () => {
  it('finds nothing wrong with a journey using every tile type', () => {
    assert.deepEqual(validate(good(), ctx), []);
  });

  // [rule, how to break the good journey, the tile it must name (null: the journey)]
  const cases: [string, (d: JourneyDefinition) => void, string | null][] = [
    ['no_start', (d) => void (d.tiles = d.tiles.filter((t) => t.type !== 'start')), null],
    ['several_starts', (d) => void d.tiles.push({ id: 'start2', type: 'start', trigger: { manual: true }, next: 'mail' }), 'start2'],
    ['duplicate_id', (d) => void d.tiles.push({ id: 'pause', type: 'end' }), 'pause'],
    ['unknown_next', (d) => void (tile(d, 'tag').next = 'nowhere'), 'tag'],
    // A draft's unconnected outputs, of each kind: a plain next, a condition's no, a branch.
    ['missing_next', (d) => void delete tile(d, 'tag').next, 'tag'],
    ['missing_next', (d) => void delete tile(d, 'cond').no, 'cond'],
    ['missing_next', (d) => void delete (tile(d, 'fork').branches as { next?: string }[])[1]!.next, 'fork'],
    ['unreachable', (d) => void d.tiles.push({ id: 'island', type: 'end' }), 'island'],
    ['cycle_without_wait', (d) => void (tile(d, 'tag').next = 'cond'), 'cond'],
    ['needs_more_consent', (d) => void (tile(d, 'cond').filter = { behaviour: { type: 'email_clicked' } }), 'cond'],
    ['message_wrong_purpose', (d) => void (tile(d, 'mail').messageId = MSG_REQUESTED), 'mail'],
    ['unknown_message', (d) => void (tile(d, 'mail').messageId = UNKNOWN), 'mail'],
    ['unknown_segment', (d) => void (tile(d, 'start').trigger = { segmentId: UNKNOWN }), 'start'],
    ['unknown_form', (d) => void (tile(d, 'start').trigger = { formId: UNKNOWN }), 'start'],
    ['unknown_event', (d) => void (tile(d, 'clicked').event = 'order.placed'), 'clicked'],
    ['unknown_list', (d) => void (tile(d, 'tag').listId = UNKNOWN), 'tag'],
    ['unknown_field', (d) => void (tile(d, 'set').field = 'consentLevel'), 'set'],
    ['bad_duration', (d) => void (tile(d, 'pause').duration = 'P3X'), 'pause'],
    ['split_not_100', (d) => void ((tile(d, 'fork').branches as { percent: number }[])[0]!.percent = 40), 'fork'],
    [
      'end_missing',
      (d) => {
        tile(d, 'cond').yes = 'tag';
        tile(d, 'cond').no = 'tag';
        tile(d, 'tag').next = 'gone';
      },
      'cond',
    ],
    ['bad_condition', (d) => void (tile(d, 'cond').filter = BAD_FILTER), 'cond'],
    [
      'unknown_purpose',
      (d) => {
        d.requiredLevel = null;
        d.requiredPurpose = 'astrology';
      },
      null,
    ],
  ];
  it('reports an unconnected output once, where it is: not as a missing end on the tiles before it', () => {
    const d = good();
    delete tile(d, 'tag').next;
    assert.deepEqual(
      validate(d, ctx).map((p) => [p.code, p.tileId]),
      [['missing_next', 'tag']],
    );
  });

  for (const [code, breakIt, tileId] of cases) {
    it(`${code} names ${tileId === null ? 'the journey (null)' : `tile “${tileId}”`}`, () => {
      const d = good();
      breakIt(d);
      const problems = validate(d, ctx);
      assert.deepEqual(named(problems, code), [tileId], JSON.stringify(problems));
      const ids = new Set(d.tiles.map((t) => t.id));
      for (const p of problems) assert.ok(p.tileId === null || ids.has(p.tileId), `${p.code} names ${p.tileId}`);
    });
  }

  it('several_starts and duplicate_id name the repeat by its place, not the first tile with the id', () => {
    const d = good();
    d.tiles.push({ id: 'start', type: 'start', trigger: { manual: true }, next: 'end' });
    const at = validateAt(d, ctx);
    const last = d.tiles.length - 1;
    assert.deepEqual(
      at.filter((p) => p.problem.code === 'duplicate_id' || p.problem.code === 'several_starts').map((p) => [p.problem.code, p.index]),
      [
        ['duplicate_id', last],
        ['several_starts', last],
      ],
    );
  });

  it('a cycle through a wait (or a wait for an event) is allowed; one that bypasses the wait is not', () => {
    const d = good();
    tile(d, 'followup').next = 'pause';
    assert.deepEqual(validate(d, ctx), []);
    const e = good();
    tile(e, 'followup').next = 'clicked';
    assert.deepEqual(validate(e, ctx), []);
    // cond → fork → set → followup → cond passes no wait, although cond is also on a cycle through one.
    const f = good();
    tile(f, 'followup').next = 'cond';
    assert.deepEqual(named(validate(f, ctx), 'cycle_without_wait'), ['cond']);
    const self = good();
    tile(self, 'tag').next = 'tag';
    assert.deepEqual(named(validate(self, ctx), 'cycle_without_wait'), ['tag']);
  });

  it('names each wrong duration: zero, both or neither of duration and until, a bad until, timeouts, the re-entry period', () => {
    const cases: [(d: JourneyDefinition) => void, string | null][] = [
      [(d) => void (tile(d, 'pause').duration = 'PT0S'), 'pause'],
      [(d) => void (tile(d, 'pause').until = '09:00'), 'pause'],
      [(d) => void delete tile(d, 'pause').duration, 'pause'],
      [
        (d) => {
          delete tile(d, 'pause').duration;
          tile(d, 'pause').until = '24:00';
        },
        'pause',
      ],
      [
        (d) => {
          delete tile(d, 'pause').duration;
          tile(d, 'pause').until = '2026-02-30T09:00';
        },
        'pause',
      ],
      [(d) => void (tile(d, 'clicked').timeout = 'three days'), 'clicked'],
      [(d) => void (d.reentry = { policy: 'again', after: 'P' }), null],
    ];
    for (const [breakIt, id] of cases) {
      const d = good();
      breakIt(d);
      assert.deepEqual(named(validate(d, ctx), 'bad_duration'), [id]);
    }
    for (const until of ['09:30', '2026-12-24T18:00', '2026-12-24T18:00:30']) {
      const d = good();
      delete tile(d, 'pause').duration;
      tile(d, 'pause').until = until;
      assert.deepEqual(validate(d, ctx), [], until);
    }
  });

  it('a message for a purpose the settings no longer have is the wrong purpose; profiling needs a journey requiring it', () => {
    const d = good();
    tile(d, 'mail').messageId = MSG_GONE_PURPOSE;
    assert.deepEqual(named(validate(d, ctx), 'message_wrong_purpose'), ['mail']);
    const p = good();
    tile(p, 'mail').messageId = MSG_PROFILING;
    assert.deepEqual(named(validate(p, ctx), 'needs_more_consent'), ['mail']);
    p.requiredLevel = null;
    p.requiredPurpose = 'profiling';
    assert.deepEqual(validate(p, ctx), [], 'required by purpose: its level from the settings');
  });

  it('a journey requiring level 3 with a subscription mail, waits, a split, a list, a task and an end needs nothing more', () => {
    const d: JourneyDefinition = {
      ...good(),
      requiredLevel: 3,
      requiredPurpose: null,
      tiles: [
        { id: 'in', type: 'start', trigger: { manual: true }, next: 'mail' },
        { id: 'mail', type: 'email', messageId: MSG_SUBSCRIPTION, next: 'pause' },
        { id: 'pause', type: 'wait', duration: 'P1D', next: 'ab' },
        {
          id: 'ab',
          type: 'split',
          branches: [
            { percent: 50, next: 'join' },
            { percent: 50, next: 'followup' },
          ],
        },
        { id: 'join', type: 'list', action: 'join', listId: LIST, next: 'out' },
        { id: 'followup', type: 'task', role: 'marketer', next: 'out' },
        { id: 'out', type: 'end' },
      ],
    };
    assert.deepEqual(validate(d, ctx), []);
    // A mail for marketing in it needs more than level 3.
    (d.tiles[1] as { messageId: string }).messageId = MSG;
    assert.deepEqual(named(validate(d, ctx), 'needs_more_consent'), ['mail']);
  });

  it('a did condition is profiling; a did of an unknown type, or both filter and did, is a bad condition', () => {
    const d = good();
    delete tile(d, 'cond').filter;
    tile(d, 'cond').did = { type: 'email_clicked' };
    assert.deepEqual(named(validate(d, ctx), 'needs_more_consent'), ['cond']);
    tile(d, 'cond').did = { type: 'teleported' };
    assert.deepEqual(named(validate(d, ctx), 'bad_condition'), ['cond']);
    const both = good();
    tile(both, 'cond').did = { type: 'email_clicked' };
    assert.deepEqual(named(validate(both, ctx), 'bad_condition'), ['cond']);
  });

  it('refuses fields a journey may not set: consent, the child rule, the address, unknown custom fields', () => {
    for (const field of [
      'consentLevel',
      'isChild',
      'birthDate',
      'guardianId',
      'email',
      'customFields.nope',
      'customFields.',
      '__proto__',
    ]) {
      const d = good();
      tile(d, 'set').field = field;
      assert.deepEqual(named(validate(d, ctx), 'unknown_field'), ['set'], field);
    }
    for (const field of ['firstName', 'country', 'customFields.shoe_size']) {
      const d = good();
      tile(d, 'set').field = field;
      assert.deepEqual(validate(d, ctx), [], field);
    }
  });

  it('names the goal’s unknown segment or event on the journey', () => {
    const d = good();
    d.goal = { segmentId: UNKNOWN };
    assert.deepEqual(named(validate(d, ctx), 'unknown_segment'), [null]);
    d.goal = { event: 'nope.happened' };
    assert.deepEqual(named(validate(d, ctx), 'unknown_event'), [null]);
    d.goal = { event: 'contact.updated' };
    assert.deepEqual(validate(d, ctx), []);
  });
});

describe('journey purposes', () => {
  it('the requirement is the level, or the purpose’s level in the settings; an unknown purpose asks the highest', () => {
    const p = DEFAULT_SETTINGS.purposes;
    assert.equal(requiredLevel({ requiredLevel: 3, requiredPurpose: null }, p), 3);
    assert.equal(requiredLevel({ requiredLevel: null, requiredPurpose: 'profiling' }, p), p.profiling);
    assert.equal(requiredLevel({ requiredLevel: null, requiredPurpose: 'marketing' }, { ...p, marketing: 2 }), 2);
    assert.equal(requiredLevel({ requiredLevel: null, requiredPurpose: 'toString' }, p), 5);
  });

  it('a tile’s purpose: the message’s, profiling for behaviour, the journey’s base purpose for the rest', () => {
    const msgs = new Map([[MSG, { purpose: 'subscription' }]]);
    assert.equal(tilePurpose({ id: 'a', type: 'email', messageId: MSG, next: 'b' }, msgs, 'marketing'), 'subscription');
    assert.equal(tilePurpose({ id: 'a', type: 'email', messageId: UNKNOWN, next: 'b' }, msgs, 'marketing'), null);
    const cond = (filter: unknown) => tilePurpose({ id: 'c', type: 'condition', filter, yes: 'a', no: 'b' }, msgs, 'subscription');
    assert.equal(cond({ and: [{ consent: { atLeast: 1 } }, { not: { behaviour: { type: 'page_visited' } } }] }), 'profiling');
    assert.equal(cond({ and: [{ field: 'country', op: '=', value: 'behaviour' }] }), 'subscription');
    for (const t of ['wait', 'split', 'task', 'end', 'start', 'list', 'update_contact'] as const)
      assert.equal(tilePurpose({ id: 'x', type: t } as Tile, msgs, 'subscription'), 'subscription', t);
  });

  it('the base purpose: the requirement’s purpose, else the open purpose of the highest level not above the required one', () => {
    const p = DEFAULT_SETTINGS.purposes;
    assert.equal(basePurpose({ requiredLevel: null, requiredPurpose: 'subscription' }, p), 'subscription');
    for (const level of [0, 1, 2, 3, 4, 5]) {
      const base = basePurpose({ requiredLevel: level, requiredPurpose: null }, p);
      // Never the purpose closed to journeys, never above the level (but for level 0, where none fits: the lowest open one).
      assert.notEqual(base, 'requested');
      const open = Object.entries(p).filter(([k]) => k !== 'requested');
      const fitting = open.filter(([, l]) => l <= level);
      if (fitting.length === 0) assert.equal(p[base as keyof typeof p], Math.min(...open.map(([, l]) => l)));
      else assert.equal(p[base as keyof typeof p], Math.max(...fitting.map(([, l]) => l)), `level ${level}`);
    }
    // An installation's own purpose counts like the built-in ones.
    assert.equal(basePurpose({ requiredLevel: 4, requiredPurpose: null }, { ...p, marketing: 5, offers: 4 }), 'offers');
  });

  it('readsBehaviour survives a deep or self-referencing tree', () => {
    let deep: unknown = { behaviour: { type: 'page_visited' } };
    for (let i = 0; i < 100_000; i++) deep = { not: deep };
    assert.equal(readsBehaviour(deep), true);
    const loop: Record<string, unknown> = { and: [] };
    (loop.and as unknown[]).push(loop);
    assert.equal(readsBehaviour(loop), false);
  });

  it('a journey may not send a message whose purpose answers a request, nor one of an unknown purpose', () => {
    assert.match(messagePurposeProblem('requested', DEFAULT_SETTINGS.purposes)!, /requested/);
    assert.match(messagePurposeProblem('nope', DEFAULT_SETTINGS.purposes)!, /not one of/);
    assert.equal(messagePurposeProblem('marketing', DEFAULT_SETTINGS.purposes), null);
  });
});

// ---- hostile graphs ---------------------------------------------------------------------

/** A small seeded generator (mulberry32): a failing case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TITLES = ['', 'Ünïcödé ✓', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\u202Eevil', 'a'.repeat(200), '<script>', '名前', '\u0000'];

function randomGraph(seed: number, n: number): JourneyDefinition {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // Few distinct ids so that repeats are common; some ids that no tile has.
  const ids = Array.from({ length: Math.max(1, Math.floor(n * (0.5 + r()))) }, (_, i) => (r() < 0.05 ? pick(['ü', 'x', '']) : `t${i}`));
  const ref = () => (r() < 0.1 ? `ghost${Math.floor(r() * 5)}` : pick(ids));
  const types = ['start', 'email', 'wait', 'wait_event', 'condition', 'split', 'update_contact', 'list', 'task', 'end'] as const;
  const tiles: Tile[] = Array.from({ length: n }, (_, i) => {
    const type = pick(types);
    const id = r() < 0.8 ? (ids[i % ids.length] ?? `t${i}`) : pick(ids);
    const title = pick(TITLES);
    switch (type) {
      case 'start':
        return {
          id,
          title,
          type,
          trigger: pick([{ manual: true as const }, { segmentId: pick([SEG, UNKNOWN]) }, { event: 'x.y' }]),
          next: ref(),
        };
      case 'email':
        return { id, title, type, messageId: pick([MSG, MSG_PROFILING, MSG_REQUESTED, UNKNOWN]), next: ref() };
      case 'wait':
        return r() < 0.5
          ? { id, type, duration: pick(['P1D', 'PT0S', 'P', 'PT2S']), next: ref() }
          : { id, type, until: pick(['09:00', '99:99']), next: ref() };
      case 'wait_event':
        return { id, type, event: pick(['form.submitted', 'nope']), timeout: pick(['P1D', 'x']), next: ref(), timeoutNext: ref() };
      case 'condition':
        return r() < 0.5
          ? {
              id,
              type,
              filter: pick([{ consent: { atLeast: 1 } }, BAD_FILTER, { behaviour: { type: 'page_visited' } }]),
              yes: ref(),
              no: ref(),
            }
          : { id, type, did: { type: pick(['email_clicked', 'nope']) }, yes: ref(), no: ref() };
      case 'split':
        return {
          id,
          type,
          branches: Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({ percent: Math.floor(r() * 101), next: ref() })),
        };
      case 'update_contact':
        return { id, type, field: pick(['firstName', 'consentLevel', 'customFields.shoe_size', 'constructor']), value: null, next: ref() };
      case 'list':
        return { id, type, action: 'join', listId: pick([LIST, UNKNOWN]), next: ref() };
      case 'task':
        return { id, type, role: 'viewer', next: ref() };
      default:
        return { id, type: 'end' };
    }
  });
  return {
    name: 'Hostile',
    requiredLevel: r() < 0.8 ? Math.floor(r() * 6) : null,
    requiredPurpose: pick(['marketing', 'nope', '__proto__']),
    tiles,
    goal: pick([null, { segmentId: UNKNOWN }, { event: 'form.submitted' }]),
    reentry: pick([{ policy: 'once' as const }, { policy: 'again' as const, after: pick(['P30D', 'PT0S', 'x']) }]),
    holdoutPercent: 0,
  };
}

describe('journey validation over hostile graphs', () => {
  it('never throws; every problem names an existing tile or null; the same graph gives the same problems', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const n = seed % 10 === 0 ? 1000 : 1 + (seed % 60);
      const d = randomGraph(seed, n);
      const problems = validate(d, ctx);
      const ids = new Set(d.tiles.map((t) => t.id));
      for (const p of problems) {
        assert.ok(p.tileId === null || ids.has(p.tileId), `seed ${seed}: ${p.code} names ${p.tileId}`);
        assert.equal(typeof p.message, 'string');
      }
      assert.deepEqual(validate(structuredClone(d), ctx), problems, `seed ${seed}: deterministic`);
      for (const p of validateAt(d, ctx)) if (p.index !== null) assert.equal(d.tiles[p.index]!.id, p.problem.tileId, `seed ${seed}`);
    }
  });

  it('a chain of 1,000 tiles, 1,000 tiles on one cycle, and 1,000 tiles sharing an id are checked at once', () => {
    const chain = (n: number, loop: boolean): JourneyDefinition => ({
      ...good(),
      tiles: [
        { id: 'start', type: 'start', trigger: { manual: true }, next: 'n0' },
        ...Array.from(
          { length: n },
          (_, i): Tile => ({ id: `n${i}`, type: 'task', role: 'marketer', next: i === n - 1 ? (loop ? 'n0' : 'end') : `n${i + 1}` }),
        ),
        { id: 'end', type: 'end' },
      ],
    });
    const t0 = performance.now();
    assert.deepEqual(validate(chain(998, false), ctx), []);
    const cyc = validate(chain(998, true), ctx);
    assert.deepEqual(named(cyc, 'cycle_without_wait'), ['n0']);
    assert.deepEqual(named(cyc, 'unreachable'), ['end']);
    const same: JourneyDefinition = { ...good(), tiles: Array.from({ length: 1000 }, (): Tile => ({ id: 'same', type: 'end' })) };
    assert.equal(named(validate(same, ctx), 'duplicate_id').length, 999);
    // A complete-ish graph: each of 1,000 splits points at 20 others (20,000 edges).
    const dense: JourneyDefinition = {
      ...good(),
      tiles: Array.from(
        { length: 1000 },
        (_, i): Tile => ({
          id: `s${i}`,
          type: 'split',
          branches: Array.from({ length: 20 }, (_, k) => ({ percent: 5, next: `s${(i * 7 + k * 13) % 1000}` })),
        }),
      ),
    };
    assert.ok(validate(dense, ctx).length > 0);
    assert.ok(performance.now() - t0 < 2000, `${Math.round(performance.now() - t0)} ms`);
  });
});
