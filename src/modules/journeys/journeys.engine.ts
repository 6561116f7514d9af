import type { Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { ConsentService } from '../consent/module.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { Database, Db } from '../database.ts';
import type { SendService } from '../email/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { SegmentsService } from '../segments/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { basePurpose, type Requirement, requiredLevel, tilePurpose } from './journeys.purposes.ts';
import * as q from './journeys.engine.queries.ts';
import type { Goal, Graph, StartTile, Tile } from './journeys.graph.ts';
import type { JourneyPositionsTable, JourneysTable, JourneyStepsTable } from './journeys.table.ts';
import { act, type Decision, decide, type Prepared, type TileRun } from './journeys.tiles.ts';

/** Due positions a run takes: one transaction's worth. */
export const RUN_BATCH = 500;
/** Steps one contact takes in one run at most (a long chain of instant tiles goes on in the next run). */
export const STEP_CAP = 50;

/** A journey row read for the engine: its graph and settings parsed. */
export interface LoadedJourney {
  row: JourneysTable;
  req: Requirement;
  tiles: Map<string, Tile>;
  start: StartTile | null;
  goal: Goal | null;
}

export function loadJourney(row: JourneysTable): LoadedJourney {
  const graph = JSON.parse(row.graph) as Graph;
  const tiles = new Map((graph.tiles ?? []).map((t) => [t.id, t]));
  const start = (graph.tiles ?? []).find((t): t is StartTile => t.type === 'start') ?? null;
  const req = { requiredLevel: row.required_level, requiredPurpose: row.required_purpose };
  return { row, req, tiles, start, goal: row.goal ? (JSON.parse(row.goal) as Goal) : null };
}

/** The key of a counter: the tile ('' for the journey) and its name. */
export const counterKey = (tileId: string, counter: string) => `${tileId}\u0000${counter}`;

export class Counters {
  readonly map = new Map<string, number>();
  add(tileId: string, counter: string, n = 1): void {
    const k = counterKey(tileId, counter);
    this.map.set(k, (this.map.get(k) ?? 0) + n);
  }
}

export interface EngineDeps {
  settings: Pick<SettingsService, 'get'>;
  consent: Pick<ConsentService, 'checkMany'>;
  segments: Pick<SegmentsService, 'predicate' | 'memberPredicate'>;
  lists: Pick<ListsService, 'get' | 'joinMany' | 'leaveMany'>;
  contacts: Pick<ContactsService, 'context' | 'updateIn'>;
  sends: Pick<SendService, 'queueInTransaction' | 'purposesOf'>;
}

/** What a run did: positions taken, and whether more are due now (a full batch) or when the next is. */
export interface RunResult {
  taken: number;
  steps: number;
  /** The journey is not live (or gone): nothing to schedule. */
  idle: boolean;
  /** The graph changed between preparing and the transaction: run again at once. */
  again: boolean;
}

/** A contact moving through the graph in this run. */
interface Walker {
  contactId: string;
  was: { status: string; entry: number; visit: number };
  entry: number;
  visit: number;
  tileId: string;
  /** `wait_end`: a waiting position whose due time passed (the wait's own step ends it, the next tile is gated). */
  mode: 'arrive' | 'wait_end';
  steps: number;
  final: q.PositionWrite['set'] | null;
}

const TERMINAL = new Set(['exited', 'converted']);

/**
 * The journey engine's batch run (issue 16, point 5). One transaction per run: it reads the
 * journey row and the settings in it, takes up to RUN_BATCH due positions (PostgreSQL: locked,
 * skipping those another run holds; SQLite: the one writer), and moves them tile group by tile
 * group, set-based: for each group one gate question (the tile's purpose, at least the
 * journey's requirement), one goal query, one insert of steps (keyed by journey, contact,
 * entry, visit, so a step is recorded once whatever runs it twice), the tile's work for the
 * contacts whose step was new, and their counters. Positions are written back at the end,
 * conditionally on the status, entry and visit they were read with. A crash anywhere rolls the
 * whole batch back: its steps, sends and their jobs, list changes, tasks and counters together.
 */
export class JourneyEngine {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deps: EngineDeps,
  ) {}

  /** What a run must read before its transaction (on SQLite nothing may be read beside it). */
  async prepare(j: LoadedJourney): Promise<Prepared> {
    const filters = new Map<string, Awaited<ReturnType<SegmentsService['predicate']>>>();
    const lists = new Set<string>();
    let contactCtx: Prepared['contactCtx'] = null;
    for (const t of j.tiles.values()) {
      if (t.type === 'condition' && !t.did && t.filter !== undefined)
        filters.set(t.id, await this.deps.segments.predicate(t.filter, { references: 'skip' }));
      if (t.type === 'list' && !lists.has(t.listId) && (await exists(() => this.deps.lists.get(t.listId)))) lists.add(t.listId);
      if (t.type === 'update_contact' && !contactCtx) contactCtx = await this.deps.contacts.context();
    }
    let goal: Prepared['goal'] = null;
    if (j.goal && 'segmentId' in j.goal) {
      const id = j.goal.segmentId;
      goal = await orNull(() => this.deps.segments.memberPredicate(id));
    }
    return { filters, goal, lists, contactCtx };
  }

  /**
   * One batch. `follow` runs at the end of the transaction with the result (not for a journey
   * that is not live): the job schedules its next run there, so the chain commits with the batch.
   */
  async run(
    journeyId: string,
    opts: { limit?: number; follow?: (trx: Transaction<Database>, r: RunResult) => Promise<void> } = {},
  ): Promise<RunResult> {
    const idle = { taken: 0, steps: 0, idle: true, again: false };
    const before = await q.journeyRow(this.db.kysely, journeyId);
    if (before?.state !== 'live') return idle;
    const prepared = await this.prepare(loadJourney(before));
    return this.db.kysely.transaction().execute(async (trx) => {
      const row = await q.journeyForWork(trx, journeyId);
      if (row?.state !== 'live') return idle;
      let r: RunResult;
      // What was prepared outside must still be what the graph says.
      if (row.graph !== before.graph || row.goal !== before.goal) r = { taken: 0, steps: 0, idle: false, again: true };
      else {
        const now = this.clock.now();
        const positions = await q.duePositions(trx, journeyId, now.toISOString(), opts.limit ?? RUN_BATCH);
        const steps = positions.length ? await this.walk(trx, loadJourney(row), prepared, positions, now) : 0;
        r = { taken: positions.length, steps, idle: false, again: false };
      }
      await opts.follow?.(trx, r);
      return r;
    });
  }

  /** Moves the positions on until each waits, ends, exits or has taken STEP_CAP steps; writes them back. Returns steps recorded. */
  private async walk(
    trx: Transaction<Database>,
    j: LoadedJourney,
    prepared: Prepared,
    positions: JourneyPositionsTable[],
    now: Date,
  ): Promise<number> {
    const settings = await this.deps.settings.get(trx);
    const required = requiredLevel(j.req, settings.purposes);
    // The purpose of tiles that name none (waits, branches, lists, tasks): the requirement's own.
    const base = basePurpose(j.req, settings.purposes);
    const emailIds = [...j.tiles.values()].flatMap((t) => (t.type === 'email' ? [t.messageId] : []));
    const messages = new Map([...(await this.deps.sends.purposesOf(trx, emailIds))].map(([id, purpose]) => [id, { purpose }]));
    const run: TileRun = { trx, journeyId: j.row.id, now, timeZone: settings.timeZone, prepared, deps: this.deps };
    const counters = new Counters();
    const at = now.toISOString();
    let recorded = 0;
    const walkers: Walker[] = positions.map((p) => ({
      contactId: p.contact_id,
      was: { status: p.status, entry: p.entry, visit: p.visit },
      entry: p.entry,
      visit: p.visit,
      tileId: p.tile_id,
      mode: p.status === 'waiting' ? 'wait_end' : 'arrive',
      steps: 0,
      final: null,
    }));
    const finish = (w: Walker, status: string, reason: string | null) => {
      w.final = {
        entry: w.entry,
        status,
        tile_id: w.tileId,
        visit: w.visit + 1,
        due_at: null,
        wait_event: null,
        exit_reason: reason,
        ended_at: at,
      };
    };
    let moving = walkers;
    while (moving.length > 0) {
      const groups = new Map<string, Walker[]>();
      for (const w of moving) {
        if (w.steps >= STEP_CAP) {
          // Goes on in the next run, due now.
          w.final = {
            entry: w.entry,
            status: 'active',
            tile_id: w.tileId,
            visit: w.visit,
            due_at: at,
            wait_event: null,
            exit_reason: null,
            ended_at: null,
          };
          continue;
        }
        const k = `${w.mode}\u0000${w.tileId}`;
        const g = groups.get(k);
        if (g) g.push(w);
        else groups.set(k, [w]);
      }
      for (const group of groups.values()) {
        const w0 = group[0]!;
        const tile = j.tiles.get(w0.tileId);
        // A tile gone from the graph (a live edit keeps tiles holding contacts, so only by hand).
        const decisions = new Map<string, Decision>();
        if (!tile) for (const w of group) decisions.set(w.contactId, { outcome: 'exited', reason: 'tile_missing' });
        else if (w0.mode === 'wait_end') {
          // The wait ended: its own step; the tile it leads to is gated when the contact arrives there.
          const d: Decision =
            tile.type === 'wait_event'
              ? { outcome: 'timeout', next: tile.timeoutNext ?? '' }
              : { outcome: 'done', next: ('next' in tile && tile.next) || '' };
          for (const w of group) decisions.set(w.contactId, d);
        } else await this.arrive(run, tile, group, required, base, messages, decisions);
        recorded += await this.record(run, j, tile, group, decisions, counters, finish);
      }
      moving = walkers.filter((w) => w.final === null);
    }
    await q.addCounters(trx, j.row.id, counters.map);
    const written = await q.writePositions(
      trx,
      j.row.id,
      walkers.map((w) => ({ contact_id: w.contactId, was: w.was, set: w.final! })),
      at,
    );
    // Nothing else may move a position this run holds (locks, or SQLite's one writer): if one moved, undo the whole batch.
    if (written.size !== walkers.length) throw new Error('journeys.run: positions moved under the run');
    return recorded;
  }

  /** A group arriving at a tile: the gate, then the goal, then the tile's decision for those left. */
  private async arrive(
    run: TileRun,
    tile: Tile,
    group: Walker[],
    required: number,
    base: string,
    messages: ReadonlyMap<string, { purpose: string }>,
    decisions: Map<string, Decision>,
  ): Promise<void> {
    const ids = group.map((w) => w.contactId);
    if (tile.type === 'email' && !messages.has(tile.messageId)) {
      for (const id of ids) decisions.set(id, { outcome: 'exited', reason: 'message_deleted' });
      return;
    }
    const answers = await this.deps.consent.checkMany(ids, tilePurpose(tile, messages, base) ?? base, {
      caller: 'journey',
      atLeast: required,
      trx: run.trx,
    });
    const allowed: string[] = [];
    for (const id of ids) {
      const a = answers.get(id);
      // Cannot happen while the run holds the position (its contact's deletion cascades to it and waits).
      if (!a) decisions.set(id, { outcome: 'exited', reason: 'contact_deleted' });
      else if (!a.allowed) decisions.set(id, { outcome: 'exited', reason: a.reason });
      else allowed.push(id);
    }
    let going = allowed;
    if (run.prepared.goal && allowed.length) {
      const met = await q.matching(run.trx, allowed, run.prepared.goal);
      for (const id of met) decisions.set(id, { outcome: 'converted', reason: 'goal' });
      going = allowed.filter((id) => !met.has(id));
    }
    if (going.length === 0) return;
    for (const [id, d] of await decide(
      run,
      tile,
      going.map((contactId) => ({ contactId })),
    ))
      decisions.set(id, d);
  }

  /**
   * Records the group's steps (one insert), does the tile's work for the contacts whose step was
   * new, counts them, and moves every contact on. A step recorded before (a batch run again after
   * a position was put back) is followed as it was decided then, and nothing is done or counted again.
   */
  private async record(
    run: TileRun,
    j: LoadedJourney,
    tile: Tile | undefined,
    group: Walker[],
    decisions: Map<string, Decision>,
    counters: Counters,
    finish: (w: Walker, status: string, reason: string | null) => void,
  ): Promise<number> {
    const at = run.now.toISOString();
    const tileId = group[0]!.tileId;
    const live = group;
    const rows: JourneyStepsTable[] = live.map((w) => {
      const d = decisions.get(w.contactId)!;
      return {
        journey_id: j.row.id,
        contact_id: w.contactId,
        entry: w.entry,
        visit: w.visit,
        tile_id: tileId,
        outcome: d.outcome,
        reason: 'reason' in d ? d.reason : null,
        at,
      };
    });
    const fresh = await q.insertSteps(run.trx, rows);
    const repeated = live.filter((w) => !fresh.has(w.contactId));
    if (repeated.length) {
      // Follow what the recorded step decided.
      const old = await q.stepsAt(
        run.trx,
        j.row.id,
        repeated.map((w) => ({ contact_id: w.contactId, entry: w.entry, visit: w.visit })),
      );
      const byContact = new Map(old.map((s) => [s.contact_id, s]));
      for (const w of repeated) {
        const s = byContact.get(w.contactId);
        if (!s || s.tile_id !== tileId) throw new Error('journeys.run: a step key holds another tile');
        decisions.set(w.contactId, redecide(tile, s, decisions.get(w.contactId)!));
      }
    }
    // The tile's work, for the new steps that go on (not for exits, conversions or waits).
    if (tile && group[0]!.mode === 'arrive') {
      const doing = live.filter((w) => fresh.has(w.contactId) && isDone(decisions.get(w.contactId)!)).map((w) => w.contactId);
      await act(run, tile, doing, new Map(live.map((w) => [w.contactId, w.entry])));
    }
    for (const w of live) {
      const d = decisions.get(w.contactId)!;
      const counted = fresh.has(w.contactId);
      if (counted) count(counters, tileId, w.mode, d);
      w.steps++;
      if (d.outcome === 'exited' || d.outcome === 'converted') finish(w, d.outcome, 'reason' in d ? d.reason : null);
      else if ('end' in d) finish(w, 'done', null);
      else if (d.outcome === 'waiting' && 'until' in d) {
        w.final = {
          entry: w.entry,
          status: 'waiting',
          tile_id: tileId,
          visit: w.visit + 1,
          due_at: d.until.toISOString(),
          wait_event: d.waitEvent,
          exit_reason: null,
          ended_at: null,
        };
      } else if ('next' in d) {
        w.visit++;
        w.tileId = d.next;
        w.mode = 'arrive';
      }
    }
    return fresh.size;
  }
}

/** A decision that does the tile's work (not an exit, a conversion or the start of a wait). */
function isDone(d: Decision): boolean {
  return !TERMINAL.has(d.outcome) && d.outcome !== 'waiting';
}

/** Counters for one new step (contract: entered when reached, done when it ran and moved on, outcomes, exits by reason). */
function count(c: Counters, tileId: string, mode: Walker['mode'], d: Decision): void {
  if (mode === 'arrive') c.add(tileId, 'entered');
  if (d.outcome === 'exited' && 'reason' in d) {
    const reason = d.reason;
    c.add(tileId, `exited:${reason}`);
    c.add('', `exited:${reason}`);
    return;
  }
  if (d.outcome === 'converted') {
    c.add('', 'converted');
    return;
  }
  if (d.outcome === 'waiting') return;
  c.add(tileId, 'done');
  if (d.outcome !== 'done') c.add(tileId, d.outcome);
  if ('end' in d) c.add('', 'done');
}

/** The decision a recorded step stands for (the run that recorded it decided; this one follows). */
function redecide(tile: Tile | undefined, s: JourneyStepsTable, fresh: Decision): Decision {
  if (s.outcome === 'exited' || s.outcome === 'converted') return { outcome: s.outcome, reason: s.reason ?? '' };
  if (!tile) return { outcome: 'exited', reason: 'tile_missing' };
  if (s.outcome === 'waiting') return fresh.outcome === 'waiting' ? fresh : { outcome: 'waiting', until: new Date(), waitEvent: null };
  if (tile.type === 'end') return { outcome: 'done', end: true };
  if (tile.type === 'condition')
    return s.outcome === 'yes' ? { outcome: 'yes', next: tile.yes ?? '' } : { outcome: 'no', next: tile.no ?? '' };
  if (tile.type === 'split') {
    const i = Number(s.outcome.slice('branch:'.length));
    const b = tile.branches[i] ?? tile.branches[0]!;
    return { outcome: s.outcome, next: b.next ?? '' };
  }
  if (tile.type === 'wait_event')
    return s.outcome === 'event' ? { outcome: 'event', next: tile.next ?? '' } : { outcome: 'timeout', next: tile.timeoutNext ?? '' };
  return { outcome: s.outcome, next: ('next' in tile && tile.next) || '' };
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  return (await orNull(read)) !== null;
}

/** The value, or null when the thing read is gone (`not_found`). */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof AppError && e.code === 'not_found') return null;
    throw e;
  }
}
