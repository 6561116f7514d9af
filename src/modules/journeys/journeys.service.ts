import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { CustomFieldsService } from '../contacts/module.ts';
import type { Database, Db } from '../database.ts';
import type { MessagesService } from '../email/module.ts';
import type { FormsService } from '../forms/module.ts';
import { INTERACTION_TYPES } from '../interactions/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { SegmentsService } from '../segments/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { Tile } from './journeys.graph.ts';
import type { Admission, JourneyLifecycle } from './journeys.lifecycle.ts';
import {
  definitionColumns,
  definitionOf,
  type Journey,
  type JourneyDefinition,
  type JourneyInput,
  type JourneyState,
  merged,
  type Problem,
  toJourney,
} from './journeys.model.ts';
import * as q from './journeys.queries.ts';
import * as sq from './journeys.stats.queries.ts';
import type { JourneysTable } from './journeys.table.ts';
import { references, type ValidationContext, validate, validateAt } from './journeys.validate.ts';

/** Which state may follow which (issue 16 point 3): nothing leaves stopped. */
const TRANSITIONS: Record<JourneyState, readonly JourneyState[]> = {
  draft: ['live'],
  live: ['paused', 'stopped'],
  paused: ['live', 'stopped'],
  stopped: [],
};
/** A lost race (another change committed between the read and the conditional write) is read again this often. */
const ATTEMPTS = 5;

export interface JourneyPatch extends Partial<JourneyInput> {
  state?: 'live' | 'paused' | 'stopped';
}

export interface ContactPath {
  journeyId: string;
  contactId: string;
  entry: number;
  status: string;
  tileId: string;
  dueAt: string | null;
  exitReason: string | null;
  enteredAt: string;
  endedAt: string | null;
  steps: { entry: number; visit: number; tileId: string; tileType: string | null; outcome: string; reason: string | null; at: string }[];
}

export interface ContactJourney {
  journeyId: string;
  name: string;
  status: string;
  tileId: string;
  entry: number;
  exitReason: string | null;
  enteredAt: string;
  endedAt: string | null;
}

export interface JourneyTask {
  id: string;
  journeyId: string | null;
  journeyName: string | null;
  tileId: string | null;
  title: string;
  contactId: string;
  assigneeRole: string | null;
  assigneeUserId: string | null;
  leadId: string | null;
  status: 'open' | 'done';
  createdAt: string;
  doneAt: string | null;
}

export interface JourneysDeps {
  settings: Pick<SettingsService, 'get'>;
  messages: Pick<MessagesService, 'get'>;
  segments: Pick<SegmentsService, 'get' | 'prepare'>;
  forms: Pick<FormsService, 'live'>;
  lists: Pick<ListsService, 'get'>;
  customFields: Pick<CustomFieldsService, 'list'>;
  /** Every event type the installation declares (Core.eventTypes). */
  eventTypes: readonly string[];
}

/** Far above the segment language's own limits (which the validator reports as bad_condition), below what JSON handling survives. */
const FILTER_DEPTH = 64;
const FILTER_NODES = 20_000;

/**
 * A condition's filter is free JSON to the schema: one nested deeper or larger than any filter
 * could be is refused before it is stored (400 `validation_failed`), so that storing and checking
 * it cannot exhaust the stack.
 */
function boundedFilters(tiles: readonly Tile[] | undefined): void {
  const details: { path: string; message: string }[] = [];
  (tiles ?? []).forEach((t, i) => {
    if (t.type !== 'condition' || t.filter === undefined) return;
    const stack: [unknown, number][] = [[t.filter, 1]];
    let nodes = 0;
    while (stack.length) {
      const [n, depth] = stack.pop()!;
      if (n === null || typeof n !== 'object') continue;
      if (depth > FILTER_DEPTH || ++nodes > FILTER_NODES) {
        details.push({ path: `/tiles/${i}/filter`, message: `at most ${FILTER_DEPTH} levels and ${FILTER_NODES} nodes` });
        return;
      }
      for (const v of Object.values(n)) stack.push([v, depth + 1]);
    }
  });
  if (details.length) throw new AppError('validation_failed', 'a condition filter is too large', details);
}

/** Who asks for tasks: a role (null for the admin, who sees all) and a user id (null for an API key). */
export interface TaskViewer {
  role: string | null;
  userId: string | null;
}

/** A task that no tile made: a lead's owner's, when the lead became sales-ready (scoring). */
export interface NewTask {
  contactId: string;
  leadId: string | null;
  /** Exactly one of the two is given: the user whose task it is, or the role whose members see it. */
  assigneeUserId: string | null;
  assigneeRole: string | null;
  title: string;
  /** What made it, once: a second task with the same key is not made. */
  sourceKey: string;
}

const notFound = () => new AppError('not_found', 'no such journey');
const stateError = (state: string, message: string) => new AppError('journey_state', message, { state });

const toTask = (r: q.TaskRow): JourneyTask => ({
  id: r.id,
  journeyId: r.journey_id,
  journeyName: r.journey_name,
  tileId: r.tile_id,
  title: r.title,
  contactId: r.contact_id,
  assigneeRole: r.assignee_role,
  assigneeUserId: r.assignee_user_id,
  leadId: r.lead_id,
  status: r.status === 'done' ? 'done' : 'open',
  createdAt: r.created_at,
  doneAt: r.done_at,
});

/**
 * Journeys as staff build them (issue 16 points 1, 3, 6): drafts stored whatever their problems,
 * states changed with the engine told inside the same transaction (JourneyLifecycle), live edits
 * that keep every waiting contact's tile, and the read side of what happened. It knows nothing
 * of how positions move: that is the engine's.
 */
export class JourneysService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deps: JourneysDeps,
    private readonly lifecycle: JourneyLifecycle,
  ) {}

  async create(input: JourneyInput): Promise<Journey> {
    boundedFilters(input.tiles);
    const def = merged(
      { name: '', requiredLevel: null, requiredPurpose: null, tiles: [], goal: null, reentry: { policy: 'once' }, holdoutPercent: 0 },
      input,
    );
    const now = this.clock.now();
    const iso = now.toISOString();
    const row: JourneysTable = {
      id: newId(now.getTime()),
      ...definitionColumns(def),
      state: 'draft',
      version: 1,
      created_at: iso,
      updated_at: iso,
      live_at: null,
      stopped_at: null,
    };
    await q.insertJourney(this.db.kysely, row);
    return this.get(row.id);
  }

  async get(id: string): Promise<Journey> {
    const row = await q.journeyById(this.db.kysely, id);
    if (!row) throw notFound();
    return (await this.toJourneys([row]))[0]!;
  }

  async list(limit: number, after?: string): Promise<Journey[]> {
    return this.toJourneys(await q.listJourneys(this.db.kysely, limit, after));
  }

  async total(): Promise<{ total: number; isEstimate: boolean }> {
    return { total: await q.countJourneys(this.db.kysely), isEstimate: false };
  }

  /**
   * Changes the definition and/or the state. The journey as it would then be is checked when it
   * is or goes live or paused (400 `journey_invalid`); a live or paused journey's graph must keep
   * every tile holding contacts, with its type (409 `journey_in_use`). The state is read and
   * written in one transaction, the write conditional on the state and version read, and the
   * engine is told (started, resumed, stopped) in it: its jobs exist exactly when the change does.
   */
  async update(id: string, patch: JourneyPatch): Promise<Journey> {
    boundedFilters(patch.tiles);
    for (let attempt = 1; ; attempt++) {
      const row = await q.journeyById(this.db.kysely, id);
      if (!row) throw notFound();
      const from = row.state as JourneyState;
      const to = patch.state ?? from;
      if (to !== from && !TRANSITIONS[from].includes(to)) throw stateError(from, `a ${from} journey cannot become ${to}`);
      const { state: _s, ...definitionPatch } = patch;
      const changesDefinition = Object.keys(definitionPatch).length > 0;
      // Asking for the state it is in changes nothing (a second click on "go live").
      if (!changesDefinition && to === from) return (await this.toJourneys([row]))[0]!;
      if (changesDefinition && from === 'stopped') throw stateError(from, 'a stopped journey cannot change');
      const current = definitionOf(row);
      const next = merged(current, definitionPatch);
      // Pausing and stopping are ways out of trouble: they are never refused for the journey's problems.
      if ((to === 'live' && (from !== 'live' || changesDefinition)) || (to === 'paused' && changesDefinition)) {
        const problems = validateAt(next, await this.context([next]));
        if (problems.length) throw invalid(problems);
      }
      const now = this.clock.now().toISOString();
      const wrote = await this.db.kysely.transaction().execute(async (trx) => {
        // The state is read again in the transaction that writes it; the write is conditional on it.
        const fresh = await q.journeyById(trx, id);
        if (!fresh || fresh.state !== row.state || fresh.version !== row.version) return false;
        if (patch.tiles && (from === 'live' || from === 'paused')) await this.keepsHolders(trx, id, definitionOf(fresh).tiles, patch.tiles);
        const set: Partial<JourneysTable> = { updated_at: now };
        if (changesDefinition) Object.assign(set, definitionColumns(next), { version: row.version + 1 });
        if (to !== from) {
          set.state = to;
          if (to === 'live' && row.live_at === null) set.live_at = now;
          if (to === 'stopped') set.stopped_at = now;
        }
        if (!(await q.updateJourneyIf(trx, id, { state: row.state, version: row.version }, set))) return false;
        if (to !== from) {
          if (to === 'live' && from === 'draft') await this.lifecycle.started(trx, id);
          else if (to === 'live') await this.lifecycle.resumed(trx, id);
          else if (to === 'stopped') await this.lifecycle.stopped(trx, id);
        }
        return true;
      });
      if (wrote) return this.get(id);
      if (attempt >= ATTEMPTS) throw stateError(row.state, 'the journey changed meanwhile; try again');
    }
  }

  /** Deletes a draft or a stopped journey, with its positions, steps, counters and tasks. */
  async delete(id: string): Promise<void> {
    if (await q.deleteJourneyIn(this.db.kysely, id, ['draft', 'stopped'])) return;
    const row = await q.journeyById(this.db.kysely, id);
    if (!row) throw notFound();
    throw stateError(row.state, `a ${row.state} journey cannot be deleted: stop it first`);
  }

  /** Contacts entering by the API: a live journey with a manual trigger only; the engine admits them. */
  async admit(id: string, contactIds: readonly string[]): Promise<Admission> {
    const row = await q.journeyById(this.db.kysely, id);
    if (!row) throw notFound();
    if (row.state !== 'live') throw stateError(row.state, `contacts enter a live journey; this one is ${row.state}`);
    const start = definitionOf(row).tiles.find((t) => t.type === 'start');
    if (!(start && 'manual' in start.trigger)) throw stateError(row.state, 'this journey’s contacts do not enter by the API');
    return this.lifecycle.admit(id, [...new Set(contactIds)]);
  }

  /** A contact's way through a journey: where it is (or ended) and every step it took, with the tile's type. */
  async path(id: string, contactId: string): Promise<ContactPath> {
    const row = await q.journeyById(this.db.kysely, id);
    if (!row) throw notFound();
    const p = await sq.positionOf(this.db.kysely, id, contactId);
    if (!p) throw new AppError('not_found', 'the contact never entered this journey');
    const types = new Map<string, string>();
    for (const t of definitionOf(row).tiles) if (!types.has(t.id)) types.set(t.id, t.type);
    const steps = await sq.stepsOf(this.db.kysely, id, contactId);
    return {
      journeyId: id,
      contactId,
      entry: p.entry,
      status: p.status,
      tileId: p.tile_id,
      dueAt: p.due_at,
      exitReason: p.exit_reason,
      enteredAt: p.entered_at,
      endedAt: p.ended_at,
      steps: steps.map((s) => ({
        entry: s.entry,
        visit: s.visit,
        tileId: s.tile_id,
        tileType: types.get(s.tile_id) ?? null,
        outcome: s.outcome,
        reason: s.reason,
        at: s.at,
      })),
    };
  }

  /** Every journey a contact is or was in (the contact page's section). */
  async journeysOf(contactId: string): Promise<ContactJourney[]> {
    return (await sq.journeysOfContact(this.db.kysely, contactId)).map((r) => ({
      journeyId: r.journey_id,
      name: r.name,
      status: r.status,
      tileId: r.tile_id,
      entry: r.entry,
      exitReason: r.exit_reason,
      enteredAt: r.entered_at,
      endedAt: r.ended_at,
    }));
  }

  /** Per-journey and per-tile counts: the anonymous counters, and the contacts in it now from the positions. */
  async stats(id: string): Promise<sq.JourneyStats> {
    const row = await q.journeyById(this.db.kysely, id);
    if (!row) throw notFound();
    return sq.journeyStats(
      this.db.kysely,
      id,
      definitionOf(row).tiles.map((t) => t.id),
    );
  }

  /**
   * Tasks for a caller: its role's and those assigned to it (`who.role` null: every task, the
   * admin's view; `who.userId` null for an API key, which is no user and is assigned nothing).
   */
  async tasks(who: TaskViewer, f: { status?: 'open' | 'done' }, limit: number, after?: string): Promise<JourneyTask[]> {
    return (await q.listTasks(this.db.kysely, { ...who, ...f }, limit, after)).map(toTask);
  }

  async taskTotal(who: TaskViewer, f: { status?: 'open' | 'done' }): Promise<{ total: number; isEstimate: boolean }> {
    return { total: await q.countTasks(this.db.kysely, { ...who, ...f }), isEstimate: false };
  }

  /** Marks a task done or open again; a task the caller does not see is not found (null role: the admin, every task). */
  async setTask(who: TaskViewer, id: string, status: 'open' | 'done'): Promise<JourneyTask> {
    const row = await q.taskById(this.db.kysely, id);
    if (!row || !q.taskVisible(row, who)) throw new AppError('not_found', 'no such task');
    if (row.status !== status) await q.setTaskStatus(this.db.kysely, id, status, status === 'done' ? this.clock.now().toISOString() : null);
    return toTask((await q.taskById(this.db.kysely, id))!);
  }

  /**
   * Makes a task no tile made (a lead's owner's), in the caller's transaction when given; once
   * per `sourceKey` (a redelivered event makes none). True when it was made now.
   */
  async addTask(t: NewTask, trx: Kysely<Database> = this.db.kysely): Promise<boolean> {
    const now = this.clock.now();
    return q.insertTaskOnce(trx, {
      id: newId(now.getTime()),
      journey_id: null,
      tile_id: null,
      contact_id: t.contactId,
      assignee_role: t.assigneeRole,
      assignee_user_id: t.assigneeUserId,
      lead_id: t.leadId,
      source_key: t.sourceKey,
      title: t.title,
      status: 'open',
      created_at: now.toISOString(),
      done_at: null,
    });
  }

  /** A definition's problems, with what it names in other modules looked up now. */
  async problemsOf(def: JourneyDefinition): Promise<Problem[]> {
    return validate(def, await this.context([def]));
  }

  /**
   * 409 `journey_in_use` unless every tile holding contacts is still there with its type (a
   * wait's duration may change: waiting contacts keep their due time).
   */
  private async keepsHolders(trx: Kysely<Database>, id: string, was: readonly Tile[], tiles: readonly Tile[]): Promise<void> {
    const holders = await q.holdersByTile(trx, id);
    if (holders.size === 0) return;
    const typesOf = (ts: readonly Tile[]) => {
      const m = new Map<string, string>();
      for (const t of ts) if (!m.has(t.id)) m.set(t.id, t.type);
      return m;
    };
    const [stored, next] = [typesOf(was), typesOf(tiles)];
    const lost = [...holders]
      .filter(([tileId]) => next.get(tileId) === undefined || next.get(tileId) !== stored.get(tileId))
      .map(([tileId, contacts]) => ({ tileId, contacts }))
      .sort((a, b) => (a.tileId < b.tileId ? -1 : a.tileId > b.tileId ? 1 : 0));
    if (lost.length)
      throw new AppError(
        'journey_in_use',
        'contacts are at tiles this change removes or changes the type of: keep them, or wait until they have moved on',
        lost,
      );
  }

  /** What the definitions name in other modules, each distinct id or filter looked up once. */
  private async context(defs: readonly JourneyDefinition[]): Promise<ValidationContext> {
    const refs = defs.map(references);
    const all = <K extends 'messages' | 'segments' | 'forms' | 'lists'>(k: K) => [...new Set(refs.flatMap((r) => [...r[k]]))];
    const found = async <T>(ids: string[], look: (id: string) => Promise<T>) => {
      const out = new Map<string, T>();
      for (const id of ids) {
        try {
          out.set(id, await look(id));
        } catch (e) {
          if (!(isAppError(e) && e.code === 'not_found')) throw e;
        }
      }
      return out;
    };
    const [settings, fields, messages, segments, forms, lists] = await Promise.all([
      this.deps.settings.get(),
      this.deps.customFields.list(),
      found(all('messages'), (id) => this.deps.messages.get(id)),
      found(all('segments'), (id) => this.deps.segments.get(id)),
      found(all('forms'), (id) => this.deps.forms.live(id)),
      found(all('lists'), (id) => this.deps.lists.get(id)),
    ]);
    // A filter's problems come from the segment language's own check; the same filter written twice is checked once.
    const byText = new Map<string, string | null>();
    for (const f of refs.flatMap((r) => r.filters)) {
      const text = JSON.stringify(f) ?? 'undefined';
      if (!byText.has(text)) byText.set(text, await this.filterProblem(f));
    }
    return {
      purposes: settings.purposes,
      messages,
      segments: new Set(segments.keys()),
      forms: new Set(forms.keys()),
      lists: new Set(lists.keys()),
      eventTypes: new Set(this.deps.eventTypes),
      interactionTypes: new Set(INTERACTION_TYPES),
      customFields: new Set(fields.map((f) => f.name)),
      filterProblem: (f) => byText.get(JSON.stringify(f) ?? 'undefined') ?? null,
    };
  }

  private async filterProblem(filter: unknown): Promise<string | null> {
    try {
      await this.deps.segments.prepare(filter);
      return null;
    } catch (e) {
      if (isAppError(e)) return e.message;
      throw e;
    }
  }

  private async toJourneys(rows: JourneysTable[]): Promise<Journey[]> {
    const defs = rows.map(definitionOf);
    const [ctx, counts] = await Promise.all([
      this.context(defs),
      sq.countsOf(
        this.db.kysely,
        rows.map((r) => r.id),
      ),
    ]);
    return rows.map((r, i) => toJourney(r, validate(defs[i]!, ctx), counts.get(r.id)!));
  }
}

/** 400 `journey_invalid`: each problem with the path of its tile in the body (`/tiles/<index>`; `/` for the journey as a whole). */
function invalid(problems: { index: number | null; problem: Problem }[]): AppError {
  const details = problems.map(({ index, problem: p }) => ({
    path: index === null ? '/' : `/tiles/${index}`,
    tileId: p.tileId,
    code: p.code,
    message: p.message,
  }));
  return new AppError(
    'journey_invalid',
    `the journey has ${problems.length} problem(s); the first: ${problems[0]!.problem.message}`,
    details,
  );
}
